"""The analysts' workspace in headless chromium: keyboard review, bulk relabel, themes."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from analysis.report.goals import goal_name
from bot.app.services import Services
from bot.console.auth import login_url
from storage.repositories.comment_search import CommentFilter, CommentSearch
from surveys.roles import Role
from tests.analysis.themes.comments import BUSES, HOSPITALS, ROADS
from tests.bot.console.conftest import ANALYST_ID, add_staff
from tests.bot.demo.browser import artifact, chromium
from tests.builders import Seed, make_wave, store_comments

pytestmark = pytest.mark.browser
KEYS = ["1", "2", "3", "4", "o", "Enter", "s"]
"""Pressed in turn while reviewing: a goal, その他, confirm as shown, skip."""


@pytest.fixture
def backend() -> str:
    """Browser tests run on SQLite only (the storage contract runs on both elsewhere)."""
    return "sqlite"


async def _log_in(page: Page, services: Services, url: str) -> None:
    """An analyst opens a one-time link and presses ログイン."""
    await add_staff(services, ANALYST_ID, Role.ANALYST)
    await page.goto(login_url(services, ANALYST_ID, url))
    await page.get_by_role("button", name="ログイン").click()
    await expect(page.get_by_text(f"ID {ANALYST_ID}（分析担当）")).to_be_visible()


async def test_an_analyst_reviews_twenty_comments_with_the_keyboard(
    services: Services, console_url: str
) -> None:
    wave = await make_wave(services.uow)
    seeds = [Seed(f"意見その{i}です", ["4"], 0.3 + i / 100, review=True) for i in range(20)]
    ids = await store_comments(services.uow, wave.id, seeds)
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await _log_in(page, services, console_url)
        await page.goto(f"{console_url}/comments?wave={wave.id}&unsure=1&sort=least_confident")
        await expect(page.get_by_role("heading", name="ラベルの付け方（要約）")).to_be_visible()
        await page.locator("tr[data-comment]").first.focus()
        for number, comment_id in enumerate(ids):
            row = page.locator(f"tr[data-comment='{comment_id}']")
            await expect(row).to_be_focused()
            await page.keyboard.press(KEYS[number % len(KEYS)])
            if KEYS[number % len(KEYS)] != "s":
                await expect(page.get_by_role("status")).to_contain_text(f"コメント{comment_id}")
        await expect(page.locator("tr.done")).to_have_count(20 - 20 // len(KEYS))
        await page.screenshot(path=artifact("console-review.png"), full_page=True)
    expected = {"1": ("1",), "2": ("2",), "3": ("3",), "4": ("4",), "o": ("other",)}
    async with services.uow() as uow:
        search = CommentSearch(uow.session)
        rows = {r.id: r for r in (await search.page(CommentFilter(wave_id=wave.id), size=50)).rows}
        history = {cid: await search.history(cid) for cid in ids}
    for number, comment_id in enumerate(ids):
        key = KEYS[number % len(KEYS)]
        if key == "s":
            assert history[comment_id] == [] and rows[comment_id].needs_review
            continue
        goals = expected.get(key, ("4",))
        assert rows[comment_id].goals == goals and not rows[comment_id].needs_review
        [change] = history[comment_id]
        assert (change.previous, change.goals, change.by) == (("4",), goals, ANALYST_ID)


async def test_an_analyst_relabels_a_selection_at_once(
    services: Services, console_url: str
) -> None:
    wave = await make_wave(services.uow)
    ids = await store_comments(
        services.uow, wave.id, [Seed(f"公園{i}", ["2"], 0.5) for i in range(6)]
    )
    async with chromium() as browser:
        page = await browser.new_page()
        await _log_in(page, services, console_url)
        await page.goto(f"{console_url}/comments?wave={wave.id}")
        for comment_id in ids[:4]:
            await page.get_by_role("checkbox", name=f"コメント{comment_id}を選ぶ").check()
        await page.get_by_role("checkbox", name=goal_name("3")).check()
        await page.get_by_role("button", name="選んだ目標に変更").click()
        await expect(page.get_by_role("status").first).to_contain_text("4件のラベルを変更しました")
        await expect(page.get_by_label("調査回")).to_have_value(str(wave.id))
    async with services.uow() as uow:
        goals = await CommentSearch(uow.session).effective_goals(ids)
    assert [goals[cid] for cid in ids] == [("3",)] * 4 + [("2",)] * 2


async def test_an_analyst_opens_a_theme_and_reads_its_comments(
    services: Services, console_url: str
) -> None:
    wave = await make_wave(services.uow)
    texts = [*BUSES, *HOSPITALS, *ROADS]
    await store_comments(services.uow, wave.id, [Seed(text, ["4"]) for text in texts])
    async with chromium() as browser:
        page = await browser.new_page()
        await _log_in(page, services, console_url)
        await page.get_by_role("link", name="テーマ", exact=True).click()
        await expect(page.get_by_text("市民や回答者に占める割合ではありません")).to_be_visible()
        await page.get_by_role("link", name=re.compile("渋滞")).first.click()
        await expect(page.get_by_text(re.compile(r"テーマ 4-\d+ のコメントだけ"))).to_be_visible()
        shown = await page.locator("td.text").all_inner_texts()
        await page.screenshot(path=artifact("console-theme-comments.png"), full_page=True)
    roads = [text for text in shown if text.strip() in ROADS]
    assert len(roads) >= 6 and len(shown) - len(roads) <= 2
