"""`machikoe retention show|apply`: the data retention policy and running it by hand."""

from __future__ import annotations

import click

from bot.app.retention import RetentionPolicy, RetentionResult, apply_retention
from bot.app.services import Services
from bot.cli import CliError
from bot.cli._shared import settings_of, with_services
from bot.logging_setup import install_redaction


def _policy(ctx: click.Context) -> RetentionPolicy:
    """The configured policy, or a one-line error."""
    try:
        return RetentionPolicy.from_settings(settings_of(ctx))
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _describe(days: int | None, what: str) -> str:
    """One line of the policy."""
    if days is None:
        return f"{what}: kept (no retention configured)"
    return f"{what}: after {days} day(s)"


def _summary(result: RetentionResult) -> str:
    """What a run did, in one line."""
    verb = "would remove" if result.dry_run else "removed"
    mask = "would mask" if result.dry_run else "masked"
    waves = ", ".join(str(w) for w in result.waves_masked) or "none"
    return (
        f"{verb} {result.contacts_removed} contact(s); "
        f"{mask} {result.answers_masked} answer(s) (waves: {waves})"
    )


@click.group("retention")
def retention_group() -> None:
    """Data retention: contacts of idle residents, raw comments of closed waves."""


@retention_group.command("show")
@click.pass_context
def retention_show_command(ctx: click.Context) -> None:
    """Print the policy and what applying it now would do."""
    install_redaction(settings_of(ctx))
    policy = _policy(ctx)
    click.echo(_describe(policy.contact_days, "contacts of residents idle and in no open wave"))
    click.echo(_describe(policy.comment_days, "raw comments of closed waves, masked"))
    if policy.enabled:

        async def work(services: Services) -> RetentionResult:
            return await apply_retention(services, dry_run=True, policy=policy)

        click.echo("now: " + _summary(with_services(ctx, work)))


@retention_group.command("apply")
@click.option("--dry-run", is_flag=True, help="Count what would change; change nothing.")
@click.pass_context
def retention_apply_command(ctx: click.Context, dry_run: bool) -> None:
    """Apply the retention policy now (safe to repeat)."""
    install_redaction(settings_of(ctx))
    policy = _policy(ctx)
    if not policy.enabled:
        raise CliError(
            "no retention configured; set MACHIKOE_CONTACT_RETENTION_DAYS, "
            "MACHIKOE_COMMENT_RETENTION_DAYS or MACHIKOE_RETENTION_DAYS"
        )

    async def work(services: Services) -> RetentionResult:
        return await apply_retention(services, dry_run=dry_run, policy=policy)

    click.echo(_summary(with_services(ctx, work)))
