"""The Themes page's calls: themes of a wave's visible comments, computed off the event loop and
kept until a comment, a label or a hiding changes them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from analysis.themes import (
    MAX_COMMENTS,
    GoalThemes,
    Theme,
    ThemeComment,
    find_themes,
    sample_note,
)
from bot.app.services import Services
from storage.models import Comment, CommentHide, CommentLabel
from storage.repositories.comment_search import CommentSearch

_CACHE: dict[tuple[str, int | None], tuple[tuple[Any, ...], FoundThemes]] = {}
_LOCK = asyncio.Lock()


async def _fingerprint(services: Services, wave_id: int | None) -> tuple[Any, ...]:
    """What themes depend on, in three cheap aggregates."""
    async with services.uow() as uow:
        session = uow.session
        comments = select(func.count(), func.max(Comment.id), func.max(Comment.classified_at))
        if wave_id is not None:
            comments = comments.where(Comment.wave_id == wave_id)
        counted = (await session.execute(comments)).one()
        labels = await session.scalar(select(func.max(CommentLabel.id)))
        hides = (await session.execute(select(func.count(), func.max(CommentHide.hidden_at)))).one()
    return (*counted, labels, *hides)


@dataclass(frozen=True)
class FoundThemes:
    """Every goal's themes, and the page's note when only the newest comments were used."""

    goals: list[GoalThemes]
    sample_note: str | None = None


async def themes_of(services: Services, wave_id: int | None) -> list[GoalThemes]:
    """The themes of every goal in a wave (or in all waves)."""
    return (await found_themes(services, wave_id)).goals


async def found_themes(services: Services, wave_id: int | None) -> FoundThemes:
    """The themes of a wave (or of all waves), from the newest MAX_COMMENTS comments at most."""
    key = (str(services.settings.database_url), wave_id)
    async with _LOCK:
        fingerprint = await _fingerprint(services, wave_id)
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        async with services.uow() as uow:
            search = CommentSearch(uow.session)
            sources = await search.theme_sources(wave_id, limit=MAX_COMMENTS)
            total = await search.theme_source_count(wave_id)
        comments = [
            ThemeComment(s.id, s.masked_text, s.goals, s.age_band, s.district) for s in sources
        ]
        goals = await asyncio.to_thread(find_themes, comments)
        found = FoundThemes(goals, sample_note(len(comments), total))
        _CACHE[key] = (fingerprint, found)
        return found


def find_theme(found: list[GoalThemes], ref: str) -> Theme | None:
    """A theme by its reference `goal-number` (e.g. 4-2)."""
    goal, _, number = ref.partition("-")
    for goal_themes in found:
        if goal_themes.goal == goal:
            for theme in goal_themes.themes:
                if str(theme.number) == number:
                    return theme
    return None


def theme_json(theme: Theme) -> dict[str, Any]:
    """A theme for the JSON API (masked examples only)."""
    return {
        "ref": f"{theme.goal}-{theme.number}",
        "goal": theme.goal,
        "label": theme.label,
        "words": list(theme.words),
        "size": theme.size,
        "share_of_goal": round(theme.share, 4),
        "by_age_band": theme.by_age_band,
        "by_district": theme.by_district,
        "examples": [{"id": c.id, "text": c.masked_text} for c in theme.examples],
        "comment_ids": list(theme.comment_ids),
    }
