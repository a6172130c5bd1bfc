"""The periodic summary in the staff chat: short Japanese text, a chart, the HTML report."""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import Bot, InputFile
from telegram.constants import ParseMode

from analysis.report import WaveReport, render_chart_png, render_html, render_text
from bot.app.publishing import embargoed, summary_options
from bot.app.reports import build_wave_report
from bot.app.services import Services

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CHART_CAPTION = "指標の推計値（誤差線は95%信頼区間）"
REPORT_CAPTION = "集計結果の詳細（HTML）"


def summary_message(report: WaveReport) -> str:
    """The text post: HTML-escaped, within Telegram's message length."""
    text = html.escape(render_text(report))
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1].rsplit("\n", 1)[0] + "\n…"
    return text


async def post_summary(bot: Bot, services: Services, wave_id: int) -> None:
    """Post a wave's summary to the staff chat; skipped (and logged) while embargoed."""
    chat_id = services.settings.staff_chat_id
    async with services.uow() as uow:
        wave = await uow.waves.get(wave_id)
        if wave is None:
            log.warning("summary of wave %s skipped: no such wave", wave_id)
            return
        if embargoed(wave):
            log.info("summary of wave %s skipped: results are embargoed until closing", wave_id)
            return
        if chat_id is None:
            log.warning("summary of wave %s skipped: MACHIKOE_STAFF_CHAT_ID is not set", wave_id)
            return
        options = summary_options(services.settings)
        report = await build_wave_report(uow, wave, options, services.timezone)
    chart = await asyncio.to_thread(render_chart_png, report)
    page = await asyncio.to_thread(render_html, report)
    await bot.send_message(chat_id, summary_message(report), parse_mode=ParseMode.HTML)
    await bot.send_photo(
        chat_id, InputFile(chart, filename=f"wave-{wave_id}-indicators.png"), caption=CHART_CAPTION
    )
    await bot.send_document(
        chat_id,
        InputFile(page.encode("utf-8"), filename=f"machikoe-wave-{wave_id}-report.html"),
        caption=REPORT_CAPTION,
    )
    log.info("summary of wave %s posted to the staff chat", wave_id)
