"""The Comments page's calls into storage: the query from the URL, labels, hiding, all audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analysis.report.goals import goal_name
from analysis.report.model import CATEGORY_LABELS
from analysis.taxonomy import LABELS, OTHER, bundled_taxonomy
from bot.app.services import Services
from bot.console.core import Viewer, record
from storage.repositories.comment_search import (
    CommentFilter,
    CommentPage,
    CommentRow,
    CommentSearch,
    CommentSort,
    LabelChange,
)

SORT_LABELS = {
    CommentSort.NEWEST: "新しい順",
    CommentSort.OLDEST: "古い順",
    CommentSort.LEAST_CONFIDENT: "確信度の低い順（分類済みのみ）",
    CommentSort.MOST_CONFIDENT: "確信度の高い順（分類済みのみ）",
}
KEYS = {"1": "1", "2": "2", "3": "3", "4": "4", OTHER: "o"}
"""The review keyboard: a goal's key."""
MAX_SELECTED = 200


class QueryError(ValueError):
    """A filter or form value staff cannot have meant; the message is one line in Japanese."""


@dataclass(frozen=True)
class CommentQuery:
    """The table staff asked for: filters, sort, page, and the parameters to link it again."""

    filters: CommentFilter
    sort: CommentSort = CommentSort.NEWEST
    after: str | None = None
    theme: str | None = None
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GuideLine:
    """One line of the labelling guide's short form next to the review keys."""

    goal: str
    key: str
    name: str
    text: str


def guide() -> tuple[list[GuideLine], tuple[str, ...]]:
    """LABELLING.md's short form (from the taxonomy): a line per goal, then the hard cases."""
    short = bundled_taxonomy().guide
    lines = [GuideLine(g, KEYS[g], goal_name(g), short.labels.get(g, "")) for g in LABELS]
    return lines, short.hard_cases


def goal_choices() -> list[tuple[str, str]]:
    """Every label as (code, name)."""
    return [(goal, goal_name(goal)) for goal in LABELS]


def category_label(dim: str, code: str | None) -> str:
    """A profile category as people read it (未回答 when missing)."""
    if not code:
        return "未回答"
    return CATEGORY_LABELS.get(dim, {}).get(code, code)


def category_choices(dim: str) -> list[tuple[str, str]]:
    """A profile field's categories as (code, label)."""
    return list(CATEGORY_LABELS.get(dim, {}).items())


def _integer(params: Mapping[str, str], name: str, what: str) -> int | None:
    """An optional whole number parameter."""
    value = params.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise QueryError(f"{what}は数字で指定してください（{name}={value}）")
    return int(value)


def _confidence(params: Mapping[str, str], name: str) -> float | None:
    """An optional confidence in percent (0-100), as a proportion."""
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 100:
        raise QueryError(f"確信度は0〜100の数で指定してください（{name}={value}）")
    return number / 100


def _day(params: Mapping[str, str], name: str, zone: ZoneInfo, *, end: bool) -> datetime | None:
    """An optional calendar date (YYYY-MM-DD) as the start of that day, or of the next one."""
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"日付は 2025-04-01 の形で指定してください（{name}={value}）") from None
    start = datetime.combine(day + timedelta(days=1 if end else 0), time(), zone)
    return start


def _choice(params: Mapping[str, str], name: str, allowed: Sequence[str], what: str) -> str | None:
    """An optional parameter that must be one of the known codes."""
    value = params.get(name, "").strip()
    if not value:
        return None
    if value not in allowed:
        raise QueryError(f"{what}「{value}」はありません")
    return value


def parse_query(
    params: Mapping[str, str], zone: ZoneInfo, ids: Sequence[int] | None
) -> CommentQuery:
    """The table's query from URL parameters; QueryError naming the parameter otherwise."""
    sort_text = params.get("sort", "").strip() or CommentSort.NEWEST.value
    if sort_text not in CommentSort.__members__.values():
        raise QueryError(f"並べ替え「{sort_text}」はありません")
    filters = CommentFilter(
        wave_id=_integer(params, "wave", "回"),
        goal=_choice(params, "goal", LABELS, "目標"),
        unsure=params.get("unsure") == "1",
        unreviewed=params.get("unreviewed") == "1",
        min_confidence=_confidence(params, "min"),
        max_confidence=_confidence(params, "max"),
        district=_choice(params, "district", list(CATEGORY_LABELS["district"]), "地区"),
        age_band=_choice(params, "age", list(CATEGORY_LABELS["age_band"]), "年齢"),
        since=_day(params, "since", zone, end=False),
        until=_day(params, "until", zone, end=True),
        text=params.get("q", "").strip() or None,
        ids=None if ids is None else tuple(ids),
    )
    kept = {k: v for k, v in params.items() if v and k not in ("page", "notice", "error")}
    return CommentQuery(
        filters, CommentSort(sort_text), params.get("page") or None, params.get("theme"), kept
    )


def parse_goals(values: Sequence[str]) -> tuple[str, ...]:
    """Goals from a form: known codes, at least one, その他 only alone."""
    goals = tuple(dict.fromkeys(v for v in values if v))
    unknown = [g for g in goals if g not in LABELS]
    if unknown:
        raise QueryError(f"目標「{unknown[0]}」はありません")
    if not goals:
        raise QueryError("目標を1つ以上選んでください")
    if OTHER in goals and len(goals) > 1:
        raise QueryError("「その他」は他の目標と一緒には選べません")
    return tuple(sorted(goals, key=LABELS.index))


def parse_ids(values: Sequence[str]) -> list[int]:
    """Comment ids from a form; at least one, at most MAX_SELECTED."""
    if not values:
        raise QueryError("コメントを1件以上選んでください")
    if not all(v.isdigit() for v in values):
        raise QueryError("コメントの番号が正しくありません")
    if len(values) > MAX_SELECTED:
        raise QueryError(f"一度に選べるのは{MAX_SELECTED}件までです")
    return sorted({int(v) for v in values})


async def comment_page(services: Services, query: CommentQuery) -> CommentPage:
    """One page of the table."""
    async with services.uow() as uow:
        return await CommentSearch(uow.session).page(query.filters, query.sort, query.after)


async def label(
    services: Services, viewer: Viewer, ids: Sequence[int], goals: tuple[str, ...] | None
) -> list[LabelChange]:
    """Relabel (goals given) or confirm (None) comments; each change audited in one transaction."""
    action = "comment.confirm" if goals is None else "comment.relabel"
    async with services.uow() as uow:
        await uow.begin_write()
        search = CommentSearch(uow.session)
        if goals is None:
            changes = await search.confirm(ids, viewer.user_id, services.now())
        else:
            changes = await search.relabel(ids, goals, viewer.user_id, services.now())
        for change in changes:
            before = ";".join(change.previous) if change.previous is not None else None
            after = ";".join(change.goals)
            target = f"comment {change.comment_id}"
            await record(uow, services, viewer, action, target, before=before, after=after)
        await uow.commit()
    return changes


async def hide(services: Services, viewer: Viewer, ids: Sequence[int], reason: str) -> list[int]:
    """Hide comments from reports with a reason; audited in the same transaction."""
    if not reason.strip():
        raise QueryError("非表示にする理由を書いてください")
    async with services.uow() as uow:
        await uow.begin_write()
        hidden = await CommentSearch(uow.session).hide(ids, reason, viewer.user_id, services.now())
        for cid in hidden:
            await record(
                uow, services, viewer, "comment.hide", f"comment {cid}", after=reason.strip()
            )
        await uow.commit()
    return hidden


async def unhide(services: Services, viewer: Viewer, ids: Sequence[int]) -> list[int]:
    """Bring hidden comments back into reports; audited in the same transaction."""
    async with services.uow() as uow:
        await uow.begin_write()
        shown = await CommentSearch(uow.session).unhide(ids)
        for cid in shown:
            await record(uow, services, viewer, "comment.unhide", f"comment {cid}")
        await uow.commit()
    return shown


def row_json(row: CommentRow) -> dict[str, Any]:
    """A table row for the JSON API (masked text only)."""
    return {
        "id": row.id,
        "wave": row.wave_id,
        "text": row.masked_text,
        "goals": list(row.goals),
        "classifier_goals": list(row.classifier_goals),
        "confidence": row.confidence,
        "unsure": row.needs_review,
        "reviewed": row.labeled_at is not None,
        "age_band": row.age_band,
        "district": row.district,
        "created_at": row.created_at.isoformat(),
        "hidden": row.hidden_reason is not None,
    }
