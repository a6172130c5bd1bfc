"""The HTML report in real headless chromium on a phone-width screen: nothing breaks badly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.demo.browser import artifact, chromium

pytestmark = pytest.mark.browser

LINES_OF = r"""
() => [...document.querySelectorAll('td, .badge')]
  .filter(e => /badge|suppressed/.test(e.className) || /^[\d.]+〜[\d.]+%$|歳$/.test(e.textContent))
  .map(e => {
    const range = document.createRange();
    range.selectNodeContents(e);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    return [e.textContent, tops.size];
  })
"""
EMBEDDED_FACES = """
async () => {
  await document.fonts.ready;
  const faces = await document.fonts.load('16px "machikoe-report"', '住み続けたい');
  return faces.filter(f => f.status === 'loaded').length;
}
"""


async def test_intervals_and_badges_stay_on_one_line_and_the_font_loads(
    page: str, tmp_path: Path
) -> None:
    file = tmp_path / "report.html"
    file.write_text(page, encoding="utf-8")
    async with chromium() as browser:
        tab = await browser.new_page(viewport={"width": 390, "height": 844})
        await tab.goto(file.as_uri())
        lines = await tab.evaluate(LINES_OF)
        loaded = await tab.evaluate(EMBEDDED_FACES)
        await tab.screenshot(path=str(artifact("report-phone.png")), full_page=True)
    shown = {text for text, _ in lines}
    assert {"遅れ", "18〜19歳", "—（回答数不足）"} <= shown and any(
        text.endswith("%") for text in shown
    )
    assert [text for text, count in lines if count != 1] == []
    assert loaded == 1
