"""In a real browser: an admin plans a LINE-audience wave in the form, opens it, and reads the
wave's counts by channel on the Waves page."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from bot.app.services import Services
from bot.console.auth import login_url
from surveys.modes import ResponseMode
from surveys.roles import Role
from tests.bot.console.conftest import ADMIN_ID, add_staff, answered, line_respondent
from tests.bot.demo.browser import accept_dialogs, artifact, chromium
from tests.builders import PROFILE, make_respondent


@pytest.fixture
def backend() -> str:
    """Browser tests run on SQLite only (the storage contract runs on both elsewhere)."""
    return "sqlite"


@pytest.mark.browser
async def test_an_admin_plans_a_line_wave_in_the_form_and_sees_its_counts_by_channel(
    services: Services, console_url: str
) -> None:
    for _ in range(2):
        await make_respondent(services.uow, profile=PROFILE)
    line = [await line_respondent(services, n) for n in range(3)]
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        accept_dialogs(page)
        try:
            await page.goto(login_url(services, ADMIN_ID, console_url))
            await page.get_by_role("button", name="ログイン").click()
            await page.get_by_role("link", name="調査回", exact=True).click()
            await page.get_by_role("link", name="新しい調査回を作る").click()
            await page.get_by_label("名前").fill("LINEの市民へ")
            channel = page.get_by_role("group", name="チャネル")
            await expect(channel.get_by_label("TelegramとLINEの両方")).to_be_checked()
            await channel.get_by_label("LINE", exact=True).check()
            await page.get_by_role("button", name="下書きを保存").click()

            await expect(page.get_by_text("下書き「LINEの市民へ」を作成しました")).to_be_visible()
            wave = page.locator("section", has=page.get_by_role("heading", name="LINEの市民へ"))
            await expect(wave.locator("[data-channel]")).to_have_text("LINE")
            await wave.get_by_role("button", name="今すぐ受付開始").click()
            await expect(wave.get_by_text("回答受付中")).to_be_visible()

            wave_id = int(await wave.get_by_text("番号").locator("xpath=../dd").inner_text())
            await answered(services, wave_id, line[0], ResponseMode.LINE, done=True)
            await answered(services, wave_id, line[1], ResponseMode.LINE, done=False)
            await page.reload()
            table = wave.get_by_role("table", name="チャネル別の回答状況")
            await expect(table).to_be_visible()
            by_line = table.get_by_role("row", name="LINE")
            await expect(by_line.get_by_role("cell")).to_have_text(["3", "0", "2", "1"])
            combined = table.get_by_role("row", name="合計")
            await expect(combined.get_by_role("cell")).to_have_text(["3", "0", "2", "1"])
            await expect(table.get_by_role("row", name="Telegram")).to_have_count(0)
            await expect(wave.get_by_text("別々の回答者として数えています")).to_be_visible()
        except Exception:
            await page.screenshot(path=artifact("console-wave-channels.png"))
            raise
