"""`machikoe console`: serve the staff and analysts' web console, or print a login link."""

from __future__ import annotations

import socket

import click

from bot.app.console_links import LINK_MINUTES, LinkProblem, LoginRefused, issue_link
from bot.app.services import Services
from bot.cli import CliError
from bot.cli._shared import settings_of, with_services

DEFAULT_PORT = 8081


@click.group("console", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port (0: any free one)."
)
@click.pass_context
def console_group(ctx: click.Context, host: str, port: int) -> None:
    """The staff and analysts' web console: serve it, or print a login link with `link`."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from bot.console.app import create_app

    settings = settings_of(ctx)
    listening = _listen(host, port)  # bound before printing: --port 0 shows the real port
    address = f"http://{host}:{listening.getsockname()[1]}"
    base_url = (settings.console_url or address).rstrip("/")
    app = create_app(settings=settings, base_url=base_url)
    # behind an HTTPS proxy on this host, X-Forwarded-Proto makes cookies Secure
    config = uvicorn.Config(app, proxy_headers=True, log_level="warning")
    click.echo(f"console at {address} (login links point to {base_url})")
    uvicorn.Server(config).run(sockets=[listening])


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: a free port the system picks)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        raise CliError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    return listening


@console_group.command("link")
@click.argument("user_id", type=int)
@click.option(
    "--base-url",
    help="The console's address (default: MACHIKOE_CONSOLE_URL, else http://127.0.0.1:8081).",
)
@click.pass_context
def link_command(ctx: click.Context, user_id: int, base_url: str | None) -> None:
    """Print a one-time login link for a staff member (valid 10 minutes) as the last line."""
    settings = settings_of(ctx)
    address = base_url or settings.console_url or f"http://127.0.0.1:{DEFAULT_PORT}"

    async def work(services: Services) -> str:
        try:
            return await issue_link(services, user_id, address)
        except LoginRefused as refused:
            if refused.problem is LinkProblem.NOT_STAFF:
                raise CliError(
                    f"user {user_id} is not staff (machikoe staff add {user_id} --role …)"
                ) from None
            raise CliError(f"no link for user {user_id}: {refused.problem.value}") from None

    link = with_services(ctx, work)
    click.echo(f"login link for user {user_id}, usable once within {LINK_MINUTES} minutes:")
    click.echo(link)
