"""The demo's LINE tab in real headless chromium: a visitor plays a resident on LINE."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.app.conversation.resident import line_pseudonym
from bot.demo.run import DemoRun
from tests.bot.demo.botapi.fixtures import assert_no_violations
from tests.bot.demo.browser import artifact, chromium
from tests.bot.demo.runs import running_demo

pytestmark = pytest.mark.browser
SECRET = "demo-test-secret"


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[DemoRun]:
    """The demo on free ports, LINE included; neither stand-in saw a broken limit."""
    async with running_demo(tmp_path, SECRET, print) as run:
        yield run
        line = run.line
    assert_no_violations(run.server)
    assert line is not None and line.platform.violations == []


async def tap(page: Page, label: str) -> None:
    """Click the newest LINE button (quick reply, Flex button, rich menu area) so labelled."""
    await page.locator("#line-phone").get_by_role("button", name=label, exact=True).last.click()


async def answers_of(run: DemoRun, user_id: str) -> tuple[str, dict[str, str | None]]:
    """The LINE resident's response mode and answers in the demo wave."""
    async with run.services.uow() as uow:
        respondent = await uow.respondents.get_by_key(line_pseudonym(user_id, SECRET))
        assert respondent is not None
        response = await uow.responses.get_for(run.wave_id, respondent.id)
        assert response is not None
        answers = await uow.responses.answers(response.id)
        return response.mode, {q: a.value for q, a in answers.items()}


async def test_a_visitor_answers_on_the_line_tab(demo: DemoRun) -> None:
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(demo.url)
        await page.get_by_role("link", name="LINE", exact=True).click()
        identity = page.locator("#line-identity")
        await expect(identity).to_contain_text("LINEの市民")
        user_id = await identity.get_attribute("data-user-id")
        assert user_id and user_id.startswith("U")
        await expect(page.locator("#telegram-phone")).to_be_hidden()

        await page.get_by_role("button", name="友だち追加").click()
        await expect(page.get_by_text("日立市の「まちの声」です")).to_be_visible()
        chips = page.locator("#line-quick").get_by_role("button")
        await expect(chips).to_have_text(["日本語", "English", "やさしい日本語"])
        menu = page.get_by_role("group", name="リッチメニュー")
        await expect(menu.get_by_role("button")).to_have_count(4)
        await expect(menu.locator("img")).to_have_js_property("complete", True)

        await tap(page, "日本語")
        await tap(page, "同意する")
        for label in ("40代", "女性", "多賀地区（多賀・大久保・河原子・成沢）", "20年以上"):
            await tap(page, label)
        await expect(page.locator("#line-log")).to_contain_text("住みやすいまち")
        await tap(page, "住みやすい")
        next_question = page.locator("#line-phone").get_by_role("button", name="ずっと住み続けたい")
        await expect(next_question).to_be_visible()
        await expect(page.locator(".msg.user").last).to_have_text("住みやすい")  # displayText

        await tap(page, "ずっと住み続けたい")
        await tap(page, "海と山の自然が豊か")
        ticked = page.locator("#line-phone").get_by_role("button", name="✓ 海と山の自然が豊か")
        await expect(ticked).to_be_visible()
        await page.screenshot(path=artifact("demo-line-multi.png"))
        await menu.get_by_role("button", name="マイデータ").click()
        await expect(page.locator(".msg.user").last).to_have_text("マイデータ")
        await expect(page.locator(".msg.bot").last).to_contain_text("回答途中")
        await page.get_by_role("button", name="メニュー ▾").click()
        await expect(menu).to_be_hidden()
        await page.screenshot(path=artifact("demo-line.png"))
        assert errors == []

    mode, answers = await answers_of(demo, user_id)
    assert mode == "line"
    assert answers == {"livability": "livable", "residency_intent": "always"}
