"""`machikoe staff`: grant and take away staff roles (admin, analyst) by Telegram user id."""

from __future__ import annotations

import click

from bot.app.services import Services
from bot.cli import CliError
from bot.cli._shared import with_services
from surveys.roles import Role


@click.group("staff")
def staff_group() -> None:
    """Staff roles: admins run waves, analysts read results and review comments."""


@staff_group.command("add")
@click.argument("user_id", type=int)
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="admin or analyst.",
)
@click.pass_context
def add_command(ctx: click.Context, user_id: int, role: str) -> None:
    """Grant a role to a Telegram user id (changes the role of existing staff)."""
    if user_id <= 0:
        raise CliError(f"not a Telegram user id: {user_id}")

    async def work(services: Services) -> str | None:
        async with services.uow() as uow:
            before = await uow.staff.role_of(user_id)
            await uow.staff.add(user_id, Role(role), services.now())
            await uow.commit()
        return before

    before = with_services(ctx, work)
    if before == role:
        click.echo(f"user {user_id} is already {role}")
    elif before:
        click.echo(f"user {user_id}: {before} → {role}")
    else:
        click.echo(f"user {user_id} is now {role}")


@staff_group.command("remove")
@click.argument("user_id", type=int)
@click.pass_context
def remove_command(ctx: click.Context, user_id: int) -> None:
    """Take away a user's staff role."""

    async def work(services: Services) -> bool:
        async with services.uow() as uow:
            removed = await uow.staff.remove(user_id)
            await uow.commit()
        return removed

    if not with_services(ctx, work):
        raise CliError(f"user {user_id} is not staff")
    click.echo(f"user {user_id} is no longer staff")


@staff_group.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """Staff and their roles."""

    async def work(services: Services) -> list[tuple[int, str, str]]:
        async with services.uow() as uow:
            staff = await uow.staff.list()
        zone = services.timezone
        return [(s.user_id, s.role, f"{s.added_at.astimezone(zone):%Y-%m-%d}") for s in staff]

    rows = with_services(ctx, work)
    if not rows:
        click.echo("no staff yet (machikoe staff add USER_ID --role admin)")
    for user_id, role, added in rows:
        click.echo(f"{user_id}\t{role}\tsince {added}")
