"""`machikoe db`: the database schema."""

from __future__ import annotations

import click

from bot.app.services import Services, database_url_for
from bot.cli._shared import with_services


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.pass_context
def upgrade_command(ctx: click.Context) -> None:
    """Create or migrate the database schema to the latest version."""

    async def work(services: Services) -> str:
        return database_url_for(services.settings)

    url = with_services(ctx, work)
    click.echo(f"database is up to date: {_safe_url(url)}")


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
