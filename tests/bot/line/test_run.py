"""`machikoe run --line`: the LINE webhook alone (no Telegram token), and refusals."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
from click.testing import CliRunner

from bot.cli import cli
from bot.demo.line_platform import LinePlatform, LineUser
from tests.processes import free_port, machikoe_process, sigterm, stderr_of


def line_env(platform: LinePlatform, data_dir: Path) -> dict[str, str]:
    """The environment of a `machikoe run --line` child talking to the stand-in, on SQLite."""
    env = {
        **os.environ,
        "MACHIKOE_SECRET": "subprocess-secret",
        "MACHIKOE_DATA_DIR": str(data_dir),
        "MACHIKOE_LINE_CHANNEL_SECRET": platform.secret,
        "MACHIKOE_LINE_CHANNEL_TOKEN": platform.token,
        "MACHIKOE_LINE_API_URL": platform.api_url,
    }
    env.pop("MACHIKOE_DATABASE_URL", None)
    return env


async def follow_once_listening(platform: LinePlatform, port: int) -> tuple[LineUser, int]:
    """Point the platform at the child's webhook; a user who follows as soon as it listens, and
    the status of that follow."""
    platform.webhook_url = f"http://127.0.0.1:{port}/line/webhook"
    user = platform.user()
    async with asyncio.timeout(60):  # until the webhook listens
        while True:
            try:
                return user, await user.follow()
            except httpx.ConnectError:
                await asyncio.sleep(0.1)


async def test_machikoe_run_line_serves_the_webhook_alone_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    async with LinePlatform() as platform:
        port = free_port()
        env = line_env(platform, tmp_path)
        env.pop("MACHIKOE_TELEGRAM_TOKEN", None)
        async with machikoe_process("run", "--line", "--line-port", str(port), env=env) as process:
            user, status = await follow_once_listening(platform, port)
            assert status == 200
            await user.received(2)
            assert "まちの声" in user.messages[0].text
            code = await sigterm(process)
        stderr = await stderr_of(process)
        assert code == 0, stderr
        assert "Traceback" not in stderr
        assert platform.violations == []


def test_run_line_without_the_channel_secret_says_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["run", "--line"],
        env={
            "MACHIKOE_DATA_DIR": str(tmp_path),
            "MACHIKOE_LINE_CHANNEL_SECRET": "",
            "MACHIKOE_LINE_CHANNEL_TOKEN": "",
        },
    )
    assert result.exit_code != 0
    assert "MACHIKOE_LINE_CHANNEL_SECRET" in result.output
    assert "Traceback" not in result.output


async def test_machikoe_run_line_beside_telegram_answers_both(tmp_path: Path) -> None:
    from bot.demo.botapi import LocalBotApiServer

    async with LinePlatform() as platform, LocalBotApiServer() as telegram:
        port = free_port()
        env = line_env(platform, tmp_path)
        env["MACHIKOE_TELEGRAM_TOKEN"] = telegram.token
        env["MACHIKOE_TELEGRAM_API_URL"] = telegram.base_url
        async with machikoe_process("run", "--line", "--line-port", str(port), env=env) as process:
            line_user, status = await follow_once_listening(platform, port)
            assert status == 200
            await line_user.received(2)
            assert "まちの声" in line_user.messages[0].text
            resident = telegram.user(7002)
            resident.send_command("/start")
            welcome = await resident.next_message(timeout=30)
            assert "まちの声" in welcome.text
            code = await sigterm(process)
        stderr = await stderr_of(process)
        assert code == 0, stderr
        assert "Traceback" not in stderr
        assert platform.violations == []
