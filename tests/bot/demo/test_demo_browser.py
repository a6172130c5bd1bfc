"""The demo in real headless chromium: residents answer the real bot by clicking and typing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.demo.run import DemoRun
from storage.records import ResponseRecord
from tests.bot.demo.botapi.fixtures import assert_no_violations
from tests.bot.demo.browser import artifact, chromium
from tests.bot.demo.runs import running_demo

pytestmark = pytest.mark.browser


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[DemoRun]:
    """The demo on a free port: real bot, SQLite in tmp_path, bundled survey, one open wave."""
    async with running_demo(tmp_path, "demo-test-secret") as run:
        yield run
    assert_no_violations(run.server)


async def user_id_of(page: Page) -> int:
    """The Telegram user id this tab plays (shown on the page)."""
    await expect(page.locator("#identity")).to_contain_text("ユーザー")
    text = await page.locator("#identity").text_content() or ""
    return int(text.split("ユーザー")[1].split("（")[0].strip())


async def tap(page: Page, label: str) -> None:
    """Click the newest button with exactly this label."""
    button = page.get_by_role("button", name=label, exact=True).last
    await button.click()


async def response_of(run: DemoRun, user_id: int) -> ResponseRecord | None:
    """The resident's response to the demo wave, from the database."""
    async with run.services.uow() as uow:
        respondent = await uow.respondents.get_by_key(run.services.respondent_key(user_id))
        if respondent is None:
            return None
        return await uow.responses.get_for(run.wave_id, respondent.id)


async def test_a_resident_completes_the_survey_in_the_browser(demo: DemoRun) -> None:
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await page.goto(demo.url)
        user_id = await user_id_of(page)
        await page.get_by_role("button", name="開始").click()
        await tap(page, "日本語")
        await tap(page, "同意する")
        for label in ("40代", "女性", "多賀地区（多賀・大久保・河原子・成沢）", "20年以上"):
            await tap(page, label)
        await tap(page, "住みやすい")
        await tap(page, "ずっと住み続けたい")
        await tap(page, "海と山の自然が豊か")
        await expect(page.get_by_role("button", name="✓ 海と山の自然が豊か")).to_be_visible()
        await tap(page, "家族・親族がいる")
        await expect(page.get_by_role("button", name="✓ 家族・親族がいる")).to_be_visible()
        await tap(page, "次へ ▶")
        await tap(page, "やや満足")
        await expect(
            page.get_by_text("市政へのご意見・ご要望があればお書きください。")
        ).to_be_visible()
        box = page.get_by_label("メッセージ", exact=True)
        await box.fill("BRTの本数を増やしてほしいです。")
        await box.press("Enter")
        await expect(page.get_by_text("回答の確認")).to_be_visible()
        await expect(page.locator(".msg.bot").last).to_contain_text("海と山の自然が豊か")
        await tap(page, "送信する")
        await expect(page.get_by_text("ご回答ありがとうございました")).to_be_visible()
        await page.screenshot(path=artifact("demo-resident.png"), full_page=True)
    response = await response_of(demo, user_id)
    assert response is not None
    assert response.status == "complete"
    assert response.profile["district"] == "taga"
    async with demo.services.uow() as uow:
        answers = await uow.responses.answers(response.id)
    assert answers["stay_reasons"].value is not None
    assert set(answers["stay_reasons"].value.split(";")) == {"nature", "family"}


async def test_a_second_tab_is_a_second_resident_and_a_staff_tab_runs_waves(
    demo: DemoRun,
) -> None:
    async with chromium() as browser:
        context = await browser.new_context()
        first = await context.new_page()
        second = await context.new_page()
        await first.goto(demo.url)
        await second.goto(demo.url)
        first_id, second_id = await user_id_of(first), await user_id_of(second)
        assert first_id != second_id
        for page in (first, second):
            await page.get_by_role("button", name="開始").click()
            await tap(page, "日本語")
            await tap(page, "同意する")
            await expect(page.get_by_text("年齢を教えてください。")).to_be_visible()
        await tap(second, "30代")
        await expect(second.get_by_text("性別を教えてください。")).to_be_visible()
        await expect(first.get_by_role("button", name="30代", exact=True)).to_be_visible()
        async with context.expect_page() as opened:
            await first.get_by_role("link", name="職員として開く").click()
        staff = await opened.value
        staff_id = await user_id_of(staff)
        await expect(staff.locator("#identity")).to_contain_text("職員")
        await staff.get_by_role("button", name="/waves").click()
        await expect(staff.locator(".msg.bot").last).to_contain_text("デモ調査")
        await staff.screenshot(path=artifact("demo-staff.png"), full_page=True)
    assert len({first_id, second_id, staff_id}) == 3
    async with demo.services.uow() as uow:
        assert await uow.staff.role_of(staff_id) == "admin"
        assert await uow.staff.role_of(first_id) is None
