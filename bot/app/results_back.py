"""Results back to residents ("you said, we did"): a short summary sent once to participants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from analysis.report import WaveReport
from analysis.report.goals import goal_name
from analysis.report.text import format_percent
from bot.app.publishing import embargoed, summary_options
from bot.app.reports import build_wave_report
from bot.app.services import Services
from bot.app.wave_plans import WaveError
from storage.db import UnitOfWork
from storage.records import WaveRecord
from surveys.sending import ContactRules
from surveys.waves import WaveStatus

HEARD_MOST = 3
"""How many goal areas "what was heard most" names."""
SUMMARY_LIMIT = 3500
"""Characters of summary at most, so the message stays within Telegram's 4096."""


@dataclass(frozen=True)
class ResultsBack:
    """The results message of a wave, who gets it and when it goes."""

    wave: WaveRecord
    text: str
    recipients: int
    sends_from: datetime


def results_text(report: WaveReport, city_message: str | None) -> str:
    """The indicators, the goal areas heard most, and the city's own words."""
    lines = [f"回答数: {report.respondents:,}件", "", "主な結果"]
    lines += [f"・{i.label}: {format_percent(i.estimate.share)}" for i in report.indicators]
    heard = sorted(report.comments_by_goal.items(), key=lambda item: -item[1])[:HEARD_MOST]
    if heard:
        lines += ["", "多く寄せられたご意見の分野"]
        lines += [f"・{goal_name(goal)}（{count:,}件）" for goal, count in heard]
    if city_message and city_message.strip():
        lines += ["", "市から", city_message.strip()]
    text = "\n".join(lines)
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1] + "…"


async def _closed_wave(uow: UnitOfWork, wave_id: int) -> WaveRecord:
    """The wave, if its results may go back to residents (closed, out of embargo)."""
    wave = await uow.waves.get(wave_id)
    if wave is None:
        raise WaveError(f"wave {wave_id} does not exist")
    if wave.status != WaveStatus.CLOSED or embargoed(wave):
        raise WaveError(f"wave {wave_id} is {wave.status}: results go back only after it closes")
    return wave


async def _prepare(
    uow: UnitOfWork, services: Services, wave_id: int, city_message: str | None
) -> ResultsBack:
    """The message and its reach, read in one unit of work."""
    wave = await _closed_wave(uow, wave_id)
    options = summary_options(services.settings)
    report = await build_wave_report(uow, wave, options, services.timezone)
    rules = ContactRules.from_stored(wave.contact_rules)
    return ResultsBack(
        wave=wave,
        text=results_text(report, city_message),
        recipients=await uow.invitations.participants(wave_id),
        sends_from=rules.next_send_time(services.now(), services.timezone),
    )


async def preview_results(
    services: Services, wave_id: int, city_message: str | None = None
) -> ResultsBack:
    """What `send_results` would send, to how many residents, from when (nothing is stored)."""
    async with services.uow() as uow:
        return await _prepare(uow, services, wave_id, city_message)


async def send_results(
    services: Services, wave_id: int, city_message: str | None = None
) -> ResultsBack:
    """Store the results message once and queue it for every participant still subscribed."""
    now = services.now()
    async with services.uow() as uow:
        prepared = await _prepare(uow, services, wave_id, city_message)
        if not await uow.waves.mark_results_sent(wave_id, prepared.text, now):
            sent = prepared.wave.results_sent_at
            when = sent.astimezone(services.timezone).strftime("%Y-%m-%d %H:%M") if sent else "?"
            raise WaveError(f"wave {wave_id}: its results were already sent back ({when})")
        gap = ContactRules.from_stored(prepared.wave.contact_rules).min_gap
        queued = await uow.invitations.invite_participants(wave_id, now, min_gap=gap)
        await uow.commit()
    return ResultsBack(prepared.wave, prepared.text, queued, prepared.sends_from)
