"""The console in headless chromium: log in by link, run a wave, watch counts move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.console.auth import login_url
from bot.demo.personas import make_personas
from bot.demo.run import DemoRun
from bot.demo.simulate import simulate_residents
from surveys.roles import Role
from tests.bot.console.conftest import add_staff
from tests.bot.demo.browser import accept_dialogs, artifact, chromium
from tests.bot.demo.runs import running_demo

pytestmark = pytest.mark.browser
ADMIN = 4001


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[DemoRun]:
    """The demo (real bot, local Bot API, console) on free ports, SQLite in tmp_path."""
    async with running_demo(tmp_path, "console-browser-secret") as run:
        yield run


async def _log_in(page: Page, demo: DemoRun) -> None:
    """Open a fresh one-time link and press ログイン."""
    assert demo.console is not None
    await add_staff(demo.services, ADMIN, Role.ADMIN)
    await page.goto(login_url(demo.services, ADMIN, demo.console.url))
    await page.get_by_role("button", name="ログイン").click()
    await expect(page.get_by_text(f"ID {ADMIN}（管理者）")).to_be_visible()


async def test_an_admin_opens_a_wave_and_sees_completions_come_in(demo: DemoRun) -> None:
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1024, "height": 768})  # a tablet
        accept_dialogs(page)
        await _log_in(page, demo)
        await page.get_by_role("link", name="調査回").click()
        old = page.locator("section", has=page.get_by_role("heading", name="デモ調査"))
        await old.get_by_role("button", name="締め切る").click()
        await expect(page.locator(".notice")).to_contain_text("締め切りました")

        await page.get_by_role("link", name="新しい調査回を作る").click()
        await page.get_by_label("名前").fill("ブラウザで作った回")
        closes = demo.services.now().astimezone(demo.services.timezone) + timedelta(days=7)
        await page.get_by_label("終了日時").fill(closes.strftime("%Y-%m-%dT%H:%M"))
        await page.get_by_role("button", name="下書きを保存").click()
        new = page.locator("section", has=page.get_by_role("heading", name="ブラウザで作った回"))
        await new.get_by_role("button", name="今すぐ受付開始").click()
        await expect(new.get_by_text("回答受付中")).to_be_visible()

        await page.get_by_role("link", name="ホーム").click()
        board = page.locator("section", has=page.get_by_role("heading", name="ブラウザで作った回"))
        await expect(board.locator("[data-count=completed]")).to_have_text("0")
        result = await simulate_residents(
            demo.server.url, demo.survey, make_personas(demo.survey, 3)
        )
        assert result.submitted == 3, result.problems
        await page.reload()
        await expect(board.locator("[data-count=completed]")).to_have_text("3")
        await expect(board.locator("[data-count=rate]")).to_have_text("100%")
        await expect(board.get_by_role("table", name="年代別の回答完了数")).to_be_visible()
        await page.screenshot(path=artifact("console-home.png"), full_page=True)

        await page.get_by_role("button", name="ログアウト").click()
        await expect(page.get_by_role("heading", name="ログイン方法")).to_be_visible()
        await page.goto(f"{demo.console.url}/waves")  # type: ignore[union-attr]
        await expect(page.get_by_role("heading", name="ログイン方法")).to_be_visible()
        await expect(page.get_by_text("ブラウザで作った回")).to_have_count(0)


async def test_the_demo_opens_the_console_as_a_marked_demo_admin(demo: DemoRun) -> None:
    assert demo.console_url is not None
    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(demo.console_url)
        await expect(page.get_by_role("heading", name="ホーム")).to_be_visible()
        await expect(page.get_by_text("デモ環境です")).to_be_visible()
        await expect(page.get_by_role("heading", name="デモ調査")).to_be_visible()
