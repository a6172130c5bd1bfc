"""The staff-chat summary: text, chart and HTML report, never before the embargo ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from telegram import Bot

from bot.app.services import Services
from bot.demo.botapi import LocalBotApiServer
from bot.telegram.summary import post_summary
from tests.bot.demo.botapi.fixtures import assert_no_violations
from tests.bot.report_data import TARGETS, seed_wave
from tests.builders import NOW

STAFF_CHAT = -1001234567890


@pytest.fixture
async def staff_bot() -> AsyncIterator[tuple[LocalBotApiServer, Bot]]:
    """A local Bot API server with the staff supergroup, and a bare Bot talking to it."""
    async with LocalBotApiServer() as server:
        server.group(STAFF_CHAT, "まちの声 職員")
        bot = Bot(server.token, base_url=server.base_url, base_file_url=server.file_base_url)
        async with bot:
            yield server, bot
        assert_no_violations(server)


async def seed(services: Services) -> int:
    """An open wave with 300 chat and 100 mail responses; the staff chat configured."""
    services.settings = services.settings.with_overrides(staff_chat_id=STAFF_CHAT)
    return await seed_wave(services.uow, name="2025 夏", status="open")


async def test_nothing_is_posted_while_the_wave_is_open_and_embargoed(
    bot_services: Services,
    staff_bot: tuple[LocalBotApiServer, Bot],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, bot = staff_bot
    wave_id = await seed(bot_services)
    caplog.set_level("INFO", logger="bot.telegram.summary")
    await post_summary(bot, bot_services, wave_id)
    assert server.transcript(STAFF_CHAT) == []
    assert "embargoed" in caplog.text
    async with bot_services.uow() as uow:
        await uow.waves.update_status(wave_id, "closed", NOW)
        await uow.commit()
    await post_summary(bot, bot_services, wave_id)
    assert len(server.transcript(STAFF_CHAT)) == 3


async def test_lifted_embargo_posts_text_chart_and_report_with_kpi(
    bot_services: Services, staff_bot: tuple[LocalBotApiServer, Bot], tmp_path: Path
) -> None:
    server, bot = staff_bot
    wave_id = await seed(bot_services)
    (Path(bot_services.settings.data_dir) / "targets.yaml").write_text(TARGETS, encoding="utf-8")
    async with bot_services.uow() as uow:
        await uow.waves.set_embargo_lifted(wave_id)
        await uow.commit()
    await post_summary(bot, bot_services, wave_id)
    text, photo, document = server.transcript(STAFF_CHAT)
    assert text.from_bot and text.text.startswith("【まちの声】2025 夏")
    assert "回答数: 400件" in text.text
    assert "・住み続けたいと思う市民の割合: 50.0%" in text.text
    assert "KPI 達成度" in text.text and "遅れ" in text.text
    assert photo.photo and photo.raw["caption"].startswith("指標の推計値")
    assert document.document == f"machikoe-wave-{wave_id}-report.html"
    stored = [f for f in server.files.values() if f.file_name == document.document]
    page = stored[0].content.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "data:image/png;base64," in page
    assert "概ね順調" in page or "遅れ" in page


async def test_without_a_staff_chat_the_summary_is_skipped(
    bot_services: Services,
    staff_bot: tuple[LocalBotApiServer, Bot],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, bot = staff_bot
    wave_id = await seed(bot_services)
    bot_services.settings = replace(bot_services.settings, staff_chat_id=None)
    async with bot_services.uow() as uow:
        await uow.waves.update_status(wave_id, "closed", NOW)
        await uow.commit()
    await post_summary(bot, bot_services, wave_id)
    assert server.transcript(STAFF_CHAT) == []
    assert "MACHIKOE_STAFF_CHAT_ID is not set" in caplog.text
