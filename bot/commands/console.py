"""`machikoe console`: serve the staff and analysts' web console, or print a login link."""

from __future__ import annotations

import click

from bot.cli import CliError
from bot.commands._shared import settings_of, with_services
from bot.console.core import DEFAULT_PORT, configured_base_url, role_of
from bot.services import Services


@click.group("console", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port.")
@click.pass_context
def console_group(ctx: click.Context, host: str, port: int) -> None:
    """The staff and analysts' web console: serve it, or print a login link with `link`."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from bot.console.app import create_app

    base_url = configured_base_url() or f"http://{host}:{port}"
    app = create_app(settings=settings_of(ctx), base_url=base_url)
    click.echo(f"console at http://{host}:{port} (login links point to {base_url})")
    # behind an HTTPS proxy on this host, X-Forwarded-Proto makes cookies Secure
    uvicorn.run(app, host=host, port=port, proxy_headers=True, log_level="warning")


@console_group.command("link")
@click.argument("user_id", type=int)
@click.option("--base-url", help="The console's address (default: MACHIKOE_CONSOLE_URL).")
@click.pass_context
def link_command(ctx: click.Context, user_id: int, base_url: str | None) -> None:
    """Print a one-time login link for a staff member (valid 10 minutes) as the last line."""
    from bot.console.auth import LINK_LIFETIME, login_url

    address = base_url or configured_base_url() or f"http://127.0.0.1:{DEFAULT_PORT}"

    async def work(services: Services) -> str:
        if await role_of(services, user_id) is None:
            raise CliError(f"user {user_id} is not staff (machikoe staff add {user_id} --role …)")
        return login_url(services, user_id, address)

    link = with_services(ctx, work)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    click.echo(f"login link for user {user_id}, usable once within {minutes} minutes:")
    click.echo(link)
