"""Themes: the recurring topics within each goal, with a click through to their comments; and
GET /api/themes for scripts."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from analysis.report.goals import goal_name
from analysis.taxonomy import LABELS
from analysis.themes import MAX_COMMENTS, NOTE, GoalThemes
from bot.console.comment_views import category_label
from bot.console.core import STAFF, Viewer
from bot.console.theme_views import found_themes, theme_json
from bot.console.web import TEMPLATES, NavItem, api, page, render, services_of

TEMPLATES.env.globals.update(category_label=category_label)


class ThemeQueryError(ValueError):
    """A wave or goal parameter that names nothing."""


def _wave(request: Request) -> int | None:
    """The wave parameter (None: all waves)."""
    value = request.query_params.get("wave", "").strip()
    if value and not value.isdigit():
        raise ThemeQueryError(f"回は数字で指定してください（wave={value}）")
    return int(value) if value else None


def _goal(request: Request) -> str | None:
    """The goal parameter (None: every goal)."""
    value = request.query_params.get("goal", "").strip()
    if value and value not in LABELS:
        raise ThemeQueryError(f"目標「{value}」はありません")
    return value or None


async def _themes(
    request: Request,
) -> tuple[int | None, str | None, list[GoalThemes], str | None]:
    """The themes a request asks for, and the note when only the newest comments were used."""
    wave, goal = _wave(request), _goal(request)
    found = await found_themes(services_of(request), wave)
    chosen = [g for g in found.goals if goal is None or g.goal == goal]
    return wave, goal, chosen, found.sample_note


@page(*STAFF)
async def themes(request: Request, viewer: Viewer) -> Response:
    """Themes of a wave's (or all waves') comments, goal by goal."""
    services = services_of(request)
    async with services.uow() as uow:
        waves = await uow.waves.list()
    context: dict[str, Any] = {
        "waves": waves,
        "goals": [(g, goal_name(g)) for g in LABELS],
        "note": NOTE,
        "max_comments": MAX_COMMENTS,
    }
    try:
        wave, goal, found, sample = await _themes(request)
    except ThemeQueryError as error:
        return render(
            request, viewer, "themes.html", status_code=400, problem=str(error), **context
        )
    return render(
        request,
        viewer,
        "themes.html",
        wave=wave,
        goal=goal,
        found=found,
        sample_note=sample,
        name=goal_name,
        **context,
    )


@api(*STAFF)
async def themes_api(request: Request, viewer: Viewer) -> Response:
    """GET /api/themes?wave=&goal=: themes as JSON (masked examples only)."""
    try:
        _, _, found, sample = await _themes(request)
    except ThemeQueryError as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    return JSONResponse(
        {
            "note": NOTE,
            "sample_note": sample,
            "max_comments": MAX_COMMENTS,
            "goals": [
                {
                    "goal": g.goal,
                    "comments": g.comments,
                    "unthemed": g.unthemed,
                    "themes": [theme_json(t) for t in g.themes],
                }
                for g in found
            ],
        }
    )


routes = [
    Route("/themes", themes, methods=["GET"]),
    Route("/api/themes", themes_api, methods=["GET"]),
]
nav = NavItem("テーマ", "/themes", STAFF)
