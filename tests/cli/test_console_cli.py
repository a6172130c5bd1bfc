"""`machikoe console link`: a one-time link as the last line, opening the console it names."""

from __future__ import annotations

import asyncio
import re

import httpx

from bot.config import Settings
from bot.console.app import create_app
from tests.cli.conftest import Machikoe, lines


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def test_the_link_printed_last_logs_that_staff_member_in_once(machikoe: Machikoe) -> None:
    assert machikoe("staff", "add", "31", "--role", "analyst").exit_code == 0
    result = machikoe("console", "link", "31", "--base-url", "https://console.example/")
    assert result.exit_code == 0, result.output
    link = lines(result)[-1]
    assert link.startswith("https://console.example/login?token=")

    settings = Settings(
        data_dir=machikoe.data_dir, database_url=machikoe.database_url, secret="test-secret"
    )
    app = create_app(settings=settings, base_url="https://console.example")

    async def browse() -> None:
        async with app.router.lifespan_context(app):  # opens the services as `console` does
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="https://console.example", follow_redirects=True
            ) as client:
                page = await client.get(link)
                form = {n: _field(page.text, n) for n in ("token", "csrf_token")}
                home = await client.post("/login", data=form)
                assert home.status_code == 200 and "ID 31（分析担当）" in home.text
                client.cookies.clear()
                assert (await client.get(link)).status_code == 400  # used

    asyncio.run(browse())


def test_a_link_for_someone_not_staff_is_one_line(machikoe: Machikoe) -> None:
    result = machikoe("console", "link", "32")
    assert result.exit_code == 1
    assert lines(result) == ["error: user 32 is not staff (machikoe staff add 32 --role …)"]


def test_the_link_uses_the_configured_console_address(machikoe: Machikoe) -> None:
    machikoe("staff", "add", "33", "--role", "admin")
    result = machikoe("console", "link", "33", console_url="https://koe.city.example")
    assert lines(result)[-1].startswith("https://koe.city.example/login?token=")
