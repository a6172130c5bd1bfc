"""`machikoe run --line`: the LINE webhook alone (no Telegram token), and refusals."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import httpx
from click.testing import CliRunner

from bot.cli import cli
from bot.demo.line_platform import LinePlatform
from tests.processes import MACHIKOE, free_port


async def test_machikoe_run_line_serves_the_webhook_alone_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    async with LinePlatform() as platform:
        port = free_port()
        env = {
            **os.environ,
            "MACHIKOE_SECRET": "subprocess-secret",
            "MACHIKOE_DATA_DIR": str(tmp_path),
            "MACHIKOE_LINE_CHANNEL_SECRET": platform.secret,
            "MACHIKOE_LINE_CHANNEL_TOKEN": platform.token,
            "MACHIKOE_LINE_API_URL": platform.api_url,
        }
        for name in ("MACHIKOE_DATABASE_URL", "MACHIKOE_TELEGRAM_TOKEN"):
            env.pop(name, None)
        process = await asyncio.create_subprocess_exec(
            MACHIKOE,
            "run",
            "--line",
            "--line-port",
            str(port),
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            platform.webhook_url = f"http://127.0.0.1:{port}/line/webhook"
            user = platform.user()
            async with asyncio.timeout(60):  # until the webhook listens
                while True:
                    try:
                        status = await user.follow()
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
            assert status == 200
            await user.received(2)
            assert "まちの声" in user.messages[0].text
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        stderr = (await process.stderr.read()).decode() if process.stderr else ""
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
        env = {
            **os.environ,
            "MACHIKOE_SECRET": "subprocess-secret",
            "MACHIKOE_DATA_DIR": str(tmp_path),
            "MACHIKOE_TELEGRAM_TOKEN": telegram.token,
            "MACHIKOE_TELEGRAM_API_URL": telegram.base_url,
            "MACHIKOE_LINE_CHANNEL_SECRET": platform.secret,
            "MACHIKOE_LINE_CHANNEL_TOKEN": platform.token,
            "MACHIKOE_LINE_API_URL": platform.api_url,
        }
        env.pop("MACHIKOE_DATABASE_URL", None)
        process = await asyncio.create_subprocess_exec(
            MACHIKOE,
            "run",
            "--line",
            "--line-port",
            str(port),
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            platform.webhook_url = f"http://127.0.0.1:{port}/line/webhook"
            line_user = platform.user()
            async with asyncio.timeout(60):  # until the webhook listens
                while True:
                    try:
                        status = await line_user.follow()
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
            assert status == 200
            await line_user.received(2)
            assert "まちの声" in line_user.messages[0].text
            resident = telegram.user(7002)
            resident.send_command("/start")
            welcome = await resident.next_message(timeout=30)
            assert "まちの声" in welcome.text
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        stderr = (await process.stderr.read()).decode() if process.stderr else ""
        assert code == 0, stderr
        assert "Traceback" not in stderr
        assert platform.violations == []
