"""Helpers shared by the CLI command modules: run async work against the configured database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import click

from bot.cli import CliError
from bot.config import Settings

if TYPE_CHECKING:
    from bot.app.services import Services

T = TypeVar("T")


def settings_of(ctx: click.Context) -> Settings:
    """The settings the root command built (environment plus global options)."""
    settings = ctx.find_root().obj
    if not isinstance(settings, Settings):
        settings = Settings.from_env()
    return settings


def with_services(ctx: click.Context, work: Callable[[Services], Awaitable[T]]) -> T:
    """Open the database (migrated), run `work`, close it; known errors become one line."""
    # imported here, not above: a command that reads no database never loads the ORM
    from bot.app.services import Services

    async def run() -> T:
        services = await Services.open(settings_of(ctx))
        try:
            return await work(services)
        finally:
            await services.close()

    try:
        return asyncio.run(run())
    except CliError:
        raise
    except (LookupError, ValueError, OSError) as exc:
        raise CliError(_one_line(exc)) from None
    except Exception as exc:
        if _is_expected(exc):
            raise CliError(_one_line(exc)) from None
        raise


def _one_line(exc: BaseException) -> str:
    """The first line of an exception's message (KeyError's quotes removed)."""
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    return str(text).strip().splitlines()[0] if str(text).strip() else type(exc).__name__


def _is_expected(exc: BaseException) -> bool:
    """Errors our own layers raise on purpose (bad input or a broken rule), not bugs."""
    from storage.errors import StorageError
    from surveys.loader import SurveyDefinitionError
    from surveys.waves import WaveRuleError

    return isinstance(exc, StorageError | SurveyDefinitionError | WaveRuleError)
