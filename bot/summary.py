"""The periodic summary in the staff chat: short Japanese text, a chart, the HTML report."""

from __future__ import annotations

import asyncio
import html
import logging
from pathlib import Path

from telegram import Bot, InputFile
from telegram.constants import ParseMode

from analysis.report import WaveReport, render_chart_png, render_html, render_text
from analysis.stats import MarginsError, TargetsError, load_margins, load_targets
from bot.config import Settings
from bot.reports import ReportOptions, build_wave_report, known_categories
from bot.services import Services
from storage.records import PROFILE_FIELDS, WaveRecord

log = logging.getLogger(__name__)

MARGINS_FILE = "margins.csv"
TARGETS_FILE = "targets.yaml"
MESSAGE_LIMIT = 4096
CHART_CAPTION = "指標の推計値（誤差線は95%信頼区間）"
REPORT_CAPTION = "集計結果の詳細（HTML）"


def embargoed(wave: WaveRecord) -> bool:
    """Results stay unpublished until the wave closes, unless staff lifted the embargo."""
    return wave.status != "closed" and not wave.embargo_lifted


def summary_options(settings: Settings) -> ReportOptions:
    """Margins and targets from the data folder (margins.csv, targets.yaml) when present."""
    margins = targets = None
    margins_path = Path(settings.data_dir) / MARGINS_FILE
    targets_path = Path(settings.data_dir) / TARGETS_FILE
    try:
        if margins_path.exists():
            margins = load_margins(margins_path, PROFILE_FIELDS, known_categories())
    except MarginsError as exc:
        log.warning("summary is unweighted: %s", exc)
    try:
        if targets_path.exists():
            targets = load_targets(targets_path)
    except TargetsError as exc:
        log.warning("summary has no KPI: %s", exc)
    return ReportOptions(margins=margins, targets=targets)


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
