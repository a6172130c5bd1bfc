"""Data retention: forget idle residents' chat ids and mask raw comments of long-closed waves."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from analysis.text.pii import mask_personal_info
from bot.app.catalog import survey_for_wave
from bot.app.comments import comment_question_ids
from bot.app.services import Services
from bot.config import Settings
from storage.db import UnitOfWork
from storage.records import WaveRecord
from storage.repositories.retention import TextAnswer
from surveys.waves import WaveStatus

log = logging.getLogger(__name__)

MASK_BATCH = 500


@dataclass(frozen=True)
class RetentionPolicy:
    """How long after the last interaction contacts are kept, and raw comments after closing."""

    contact_days: int | None = None
    comment_days: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        """The configured policy; MACHIKOE_RETENTION_DAYS is the default for both parts."""
        return cls(
            contact_days=_days(settings.contact_retention_days, settings.retention_days),
            comment_days=_days(settings.comment_retention_days, settings.retention_days),
        )

    @property
    def enabled(self) -> bool:
        """True if any part of the policy is configured."""
        return self.contact_days is not None or self.comment_days is not None


def _days(specific: int | None, general: int | None) -> int | None:
    """The specific setting, else the general one; negative values are refused."""
    days = specific if specific is not None else general
    if days is not None and days < 0:
        raise ValueError(f"retention days must be 0 or more, not {days}")
    return days


@dataclass(frozen=True)
class RetentionResult:
    """What one retention run removed or masked (or would, in a dry run)."""

    contacts_removed: int = 0
    answers_masked: int = 0
    waves_masked: tuple[int, ...] = ()
    dry_run: bool = False


async def remove_idle_contacts(uow: UnitOfWork, cutoff: datetime, *, dry_run: bool) -> int:
    """Delete (or count) idle residents' contacts; their pseudonymous answers stay."""
    if dry_run:
        return await uow.retention.count_idle_contacts(cutoff)
    await uow.begin_write()
    return await uow.retention.remove_idle_contacts(cutoff)


async def waves_to_mask(uow: UnitOfWork, cutoff: datetime) -> list[WaveRecord]:
    """Closed waves that closed before `cutoff` (open waves are never touched)."""
    closed = [wave for wave in await uow.waves.list() if wave.status == WaveStatus.CLOSED]
    return [
        wave
        for wave in closed
        if (when := wave.closed_at or wave.closes_at) is not None and when < cutoff
    ]


async def _text_question_ids(uow: UnitOfWork, wave: WaveRecord) -> tuple[str, ...]:
    """The wave's free-text questions (none known if its definition is not stored)."""
    try:
        return comment_question_ids(await survey_for_wave(uow, wave))
    except LookupError:
        return ()


def _masked(answers: list[TextAnswer]) -> list[tuple[int, str | None, str | None]]:
    """(answer id, value, other text) with personal information masked (CPU work)."""
    out = []
    for answer in answers:
        value = answer.value
        if answer.is_comment and value:
            value = answer.masked_comment or mask_personal_info(value).text
        other = mask_personal_info(answer.other_text).text if answer.other_text else None
        out.append((answer.answer_id, value, other))
    return out


async def mask_wave_comments(uow: UnitOfWork, wave: WaveRecord, *, dry_run: bool) -> int:
    """Replace a closed wave's raw free text by its masked form; return answers changed."""
    questions = await _text_question_ids(uow, wave)
    changed = 0
    last = 0
    while batch := await uow.retention.text_answers(wave.id, questions, last, MASK_BATCH):
        last = batch[-1].answer_id
        masked = await asyncio.to_thread(_masked, batch)
        for answer, (answer_id, value, other) in zip(batch, masked, strict=True):
            if (value, other) == (answer.value, answer.other_text):
                continue
            changed += 1
            if not dry_run:
                await uow.begin_write()
                await uow.retention.replace_text(answer_id, value, other)
    return changed


async def apply_retention(
    services: Services, *, dry_run: bool = False, policy: RetentionPolicy | None = None
) -> RetentionResult:
    """Apply the retention policy now (idempotent; a dry run only counts)."""
    policy = policy or RetentionPolicy.from_settings(services.settings)
    now = services.now()
    removed = masked = 0
    waves: list[int] = []
    if policy.contact_days is not None:
        async with services.uow() as uow:
            cutoff = now - timedelta(days=policy.contact_days)
            removed = await remove_idle_contacts(uow, cutoff, dry_run=dry_run)
            if not dry_run:
                await uow.commit()
    if policy.comment_days is not None:
        cutoff = now - timedelta(days=policy.comment_days)
        async with services.uow() as uow:
            candidates = await waves_to_mask(uow, cutoff)
        for wave in candidates:
            async with services.uow() as uow:
                count = await mask_wave_comments(uow, wave, dry_run=dry_run)
                if not dry_run:
                    await uow.commit()
            if count:
                masked += count
                waves.append(wave.id)
    result = RetentionResult(removed, masked, tuple(waves), dry_run)
    log.info(
        "retention%s: %d contact(s) removed, %d answer(s) masked in %d wave(s)",
        " (dry run)" if dry_run else "",
        removed,
        masked,
        len(waves),
    )
    return result
