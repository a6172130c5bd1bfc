"""`machikoe console link`: a one-time link as the last line, opening the console it names."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx

from bot.config import Settings
from bot.console.app import create_app
from tests.bot.cli.conftest import Machikoe, lines


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


def test_machikoe_console_on_port_0_prints_the_port_it_serves_on(machikoe: Machikoe) -> None:
    env = {
        **os.environ,
        "MACHIKOE_DATABASE_URL": machikoe.database_url,
        "MACHIKOE_DATA_DIR": str(machikoe.data_dir),
        "MACHIKOE_SECRET": "test-secret",
    }
    env.pop("MACHIKOE_CONSOLE_URL", None)
    command = [sys.executable, "-m", "bot.cli", "console", "--port", "0"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.match(
            r"console at http://127\.0\.0\.1:(\d+) \(login links point to (\S+)\)", first
        )
        assert found, first
        port = int(found.group(1))
        assert port != 0 and found.group(2) == f"http://127.0.0.1:{port}"
        page = None
        for _ in range(200):
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/waves", follow_redirects=True)
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert page is not None and page.status_code == 200
        assert "ログイン方法" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
    finally:
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then lets SIGTERM end the process (as systemd expects)
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)


def test_machikoe_console_on_a_port_in_use_says_so_in_one_line(machikoe: Machikoe) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = machikoe("console", "--port", str(port))
    assert result.exit_code == 1
    assert lines(result)[-1].startswith(f"error: cannot listen on 127.0.0.1:{port}")
