"""Issue 19 in the console: a wave opened at night shows, on Home and on Waves, how many messages
wait for the sending hours and when they go."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import expect

from bot.app.services import Services
from bot.app.waves import create_wave, wave_details
from bot.console.auth import login_url
from surveys.roles import Role
from tests.bot.console.conftest import ADMIN_ID, add_staff, log_in
from tests.bot.demo.browser import accept_dialogs, artifact, chromium
from tests.builders import PROFILE, Clock, make_respondent

TOKYO = ZoneInfo("Asia/Tokyo")
NIGHT = datetime(2025, 6, 2, 23, 0, tzinfo=TOKYO)
RESIDENTS = 3


@pytest.fixture
def backend() -> str:
    """Browser tests run on SQLite only (the storage contract runs on both elsewhere)."""
    return "sqlite"


async def _night_wave(services: Services, clock: Clock, **rules: str) -> int:
    """Subscribed residents and a draft wave, at 23:00 in Tokyo; the wave's id."""
    clock.now = NIGHT
    for _ in range(RESIDENTS):
        await make_respondent(services.uow, profile=PROFILE)
    wave = await create_wave(
        services,
        survey_id="residency-livability",
        name="夜に始めた回",
        closes_at=NIGHT + timedelta(days=7),
        rules=rules or None,
    )
    return wave.id


async def test_home_and_waves_say_what_waits_and_from_when(
    client: httpx.AsyncClient, services: Services, clock: Clock
) -> None:
    wave_id = await _night_wave(services, clock, send_window="10:00-19:00")
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    admin = await log_in(client, services, ADMIN_ID)
    opened = await client.post(f"/waves/{wave_id}/open", data={"csrf_token": admin})
    assert opened.status_code == 303
    details = await wave_details(services, wave_id)  # what `wave show` and /wave N read
    assert details.waiting == RESIDENTS
    home = (await client.get("/")).text
    assert (
        f'送信待ち <strong data-count="waiting">{RESIDENTS}</strong>件（6月3日 10:00から送信）'
        in home
    )
    assert "送信時間帯 10:00〜19:00" in home
    waves = (await client.get("/waves")).text
    assert f"{RESIDENTS}件（6月3日 10:00から送信）" in waves


@pytest.mark.browser
async def test_an_admin_opening_a_wave_at_night_sees_the_messages_wait_for_nine(
    services: Services, clock: Clock, console_url: str
) -> None:
    await _night_wave(services, clock)
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        accept_dialogs(page)
        try:
            await page.goto(login_url(services, ADMIN_ID, console_url))
            await page.get_by_role("button", name="ログイン").click()
            await expect(page.get_by_text(f"ID {ADMIN_ID}（管理者）")).to_be_visible()
            await page.get_by_role("link", name="調査回", exact=True).click()
            wave = page.locator("section", has=page.get_by_role("heading", name="夜に始めた回"))
            await wave.get_by_role("button", name="今すぐ受付開始").click()
            await expect(wave.get_by_text("回答受付中")).to_be_visible()
            await expect(wave.locator("[data-waiting]")).to_have_text(
                f"{RESIDENTS}件（6月3日 09:00から送信）"
            )

            await page.get_by_role("link", name="ホーム", exact=True).click()
            board = page.locator("section", has=page.get_by_role("heading", name="夜に始めた回"))
            await expect(board.locator("[data-count=waiting]")).to_have_text(str(RESIDENTS))
            await expect(board.locator("[data-waiting]")).to_contain_text("6月3日 09:00から送信")
            await expect(board.get_by_text("送信時間帯 09:00〜20:00")).to_be_visible()
        except Exception:
            await page.screenshot(path=artifact("console-waiting.png"))
            raise
