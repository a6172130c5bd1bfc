"""`machikoe run`: long polling in a subprocess, webhook mode with its secret, the runner."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from pathlib import Path

import httpx
import pytest

from bot.app.services import Services
from bot.cli.run import _serve
from bot.demo.botapi import LocalBotApiServer
from bot.demo.botapi.errors import ApiError, too_many_requests
from bot.telegram.application import build_application
from bot.telegram.runner import Webhook, start, stop
from tests.bot.conftest import seed_open_wave
from tests.bot.demo.botapi.fixtures import assert_no_violations
from tests.processes import free_port, machikoe_process, sigterm, stderr_of


async def test_machikoe_run_polls_answers_and_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    async with LocalBotApiServer() as server:
        env = {
            **os.environ,
            "MACHIKOE_TELEGRAM_TOKEN": server.token,
            "MACHIKOE_TELEGRAM_API_URL": server.base_url,
            "MACHIKOE_SECRET": "subprocess-secret",
            "MACHIKOE_DATA_DIR": str(tmp_path),
        }
        env.pop("MACHIKOE_DATABASE_URL", None)
        async with machikoe_process("run", env=env) as process:
            resident = server.user(7001)
            resident.send_command("/start")
            welcome = await resident.next_message(timeout=30)
            assert "まちの声" in welcome.text
            commands = await server.call("getMyCommands", {"language_code": "en"})
            assert any(c["command"] == "mydata" for c in commands)
            code = await sigterm(process)
        stderr = await stderr_of(process)
        assert code == 0, stderr
        assert "Traceback" not in stderr
        assert (tmp_path / "machikoe.db").exists()
        assert_no_violations(server)


async def test_webhook_mode_refuses_a_wrong_secret_and_serves_the_right_one(
    bot_services: Services,
) -> None:
    async with LocalBotApiServer() as server:
        await seed_open_wave(bot_services)
        port = free_port()
        application = build_application(bot_services, server.token, base_url=server.base_url)
        url = f"http://127.0.0.1:{port}/telegram"
        await start(application, Webhook(url=url, secret_token="right-secret", port=port))
        try:
            update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "/start"}}
            async with httpx.AsyncClient() as client:
                wrong = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
                )
                missing = await client.post(url, json=update)
            assert wrong.status_code == 403
            assert missing.status_code == 403
            resident = server.user(7002)
            resident.send_command("/start")
            welcome = await resident.next_message(timeout=10)
            assert "まちの声" in welcome.text
        finally:
            await stop(application)
        assert_no_violations(server)


async def test_webhook_mode_will_not_start_without_a_secret(bot_services: Services) -> None:
    import pytest

    application = build_application(bot_services, "1:x", base_url="http://127.0.0.1:9/bot")
    with pytest.raises(ValueError, match="secret"):
        await start(application, Webhook(url="http://127.0.0.1:9/hook", secret_token=""))


async def test_a_running_bot_keeps_its_start_up_objects_out_of_full_collections(
    bot_services: Services,
) -> None:
    """Full garbage-collector passes over the start-up objects stalled every step under load."""
    async with LocalBotApiServer() as server:
        stopping = asyncio.Event()
        gc.unfreeze()
        running = asyncio.create_task(
            _serve(
                bot_services.settings,
                server.token,
                server.base_url,
                None,
                "127.0.0.1",
                0,
                None,
                stop=stopping,
            )
        )
        try:
            resident = server.user(7003)
            resident.send_command("/start")
            await resident.next_message(timeout=10)
            assert gc.get_freeze_count() > 0, "start-up objects are still in full passes"
        finally:
            stopping.set()
            await asyncio.wait_for(running, 20)
            gc.unfreeze()
        assert_no_violations(server)


async def polled_welcome(
    services: Services,
    server: LocalBotApiServer,
    caplog: pytest.LogCaptureFixture,
    user_id: int,
) -> str:
    """The bot polls the server (an open wave seeded) until a resident's /start is answered;
    the welcome's text, the intake's warnings in `caplog`."""
    await seed_open_wave(services)
    application = build_application(services, server.token, base_url=server.base_url)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.intake"):
        await start(application, poll_timeout=1)
        try:
            resident = server.user(user_id)
            resident.send_command("/start")
            welcome = await resident.next_message(timeout=30)
        finally:
            await stop(application)
    return welcome.text


async def test_polling_while_the_bot_api_is_down_logs_one_line_each_way_and_loses_nothing(
    bot_services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    async with LocalBotApiServer() as server:
        server.fail_next("getUpdates", ApiError(502, "Bad Gateway"), times=3)
        welcome = await polled_welcome(bot_services, server, caplog, 7004)
        assert "まちの声" in welcome
        lines = [record for record in caplog.records if record.name == "bot.telegram.intake"]
        assert [record.getMessage() for record in lines] == [
            "cannot reach the Bot API (NetworkError: Bad Gateway); retrying in 1 s,"
            " then up to every 30 s",
            lines[-1].getMessage(),
        ]
        assert lines[-1].getMessage().startswith("the Bot API is reachable again (after ")
        assert lines[-1].getMessage().endswith(", 3 failed attempts)")
        assert all(record.exc_info is None for record in lines), "no traceback per attempt"
        assert_no_violations(server)


async def test_a_flood_limit_on_polling_is_waited_out_and_not_logged_as_an_outage(
    bot_services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    async with LocalBotApiServer() as server:
        server.fail_next("getUpdates", too_many_requests(1), times=1)
        welcome = await polled_welcome(bot_services, server, caplog, 7005)
        assert "まちの声" in welcome
        assert [r for r in caplog.records if r.name == "bot.telegram.intake"] == []
        assert_no_violations(server)
