"""Comments: the analysts' table (filters, sorting, seek pages), bulk labels, keyboard review,
hiding with a reason; and GET /api/comments for scripts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from analysis.report.goals import goal_name
from bot.console import comment_views as views
from bot.console.core import STAFF, Viewer
from bot.console.theme_views import find_theme, themes_of
from bot.console.web import TEMPLATES, NavItem, api, back_to, page, render, services_of
from storage.repositories.comment_search import CursorError

ACTIONS = ("confirm", "relabel", "hide", "unhide")
TEMPLATES.env.globals.update(goal_label=goal_name, category_label=views.category_label)


async def _query(request: Request) -> views.CommentQuery:
    """The query of a request, a theme's comments resolved to their ids."""
    services = services_of(request)
    params = dict(request.query_params)
    ids = None
    if params.get("theme"):
        wave = params.get("wave", "").strip()
        found = await themes_of(services, int(wave) if wave.isdigit() else None)
        theme = find_theme(found, params["theme"])
        if theme is None:
            raise views.QueryError(
                f"テーマ「{params['theme']}」はもうありません（テーマ一覧から開き直してください）"
            )
        ids = list(theme.comment_ids)
    return views.parse_query(params, services.timezone, ids)


@page(*STAFF)
async def comments(request: Request, viewer: Viewer) -> Response:
    """The comment table."""
    services = services_of(request)
    async with services.uow() as uow:
        waves = await uow.waves.list()
    lines, hard_cases = views.guide()
    context: dict[str, Any] = {
        "waves": waves,
        "goals": views.goal_choices(),
        "districts": views.category_choices("district"),
        "ages": views.category_choices("age_band"),
        "sorts": views.SORT_LABELS,
        "guide": lines,
        "hard_cases": hard_cases,
        "params": dict(request.query_params),
        "zone": services.timezone,
    }
    try:
        query = await _query(request)
        found = await views.comment_page(services, query)
    except (views.QueryError, CursorError) as error:
        return render(
            request, viewer, "comments.html", status_code=400, problem=str(error), **context
        )
    more = {**query.params, "page": found.next_cursor} if found.next_cursor else None
    return render(
        request,
        viewer,
        "comments.html",
        rows=found.rows,
        next_link=f"/comments?{urlencode(more)}" if more else None,
        first_link=f"/comments?{urlencode(query.params)}" if query.after else None,
        back=urlencode({k: v for k, v in query.params.items()}),
        **context,
    )


@page(*STAFF)
async def act(request: Request, viewer: Viewer) -> Response:
    """Confirm, relabel, hide or show again the selected comments."""
    services = services_of(request)
    form = await request.form()
    back = f"/comments?{form.get('back') or ''}"
    action = str(form.get("action") or "")
    try:
        if action not in ACTIONS:
            raise views.QueryError("操作を選んでください")
        ids = views.parse_ids([str(v) for v in form.getlist("id")])
        if action == "hide":
            done = len(await views.hide(services, viewer, ids, str(form.get("reason") or "")))
            return back_to(back, f"{done}件を非表示にしました（報告書に出ません）")
        if action == "unhide":
            done = len(await views.unhide(services, viewer, ids))
            return back_to(back, f"{done}件を再表示しました")
        goals = (
            None
            if action == "confirm"
            else views.parse_goals([str(v) for v in form.getlist("goal")])
        )
        changes = await views.label(services, viewer, ids, goals)
    except views.QueryError as error:
        return back_to(back, str(error), error=True)
    verb = "確定" if goals is None else "変更"
    return back_to(back, f"{len(changes)}件のラベルを{verb}しました")


@api(*STAFF)
async def comments_api(request: Request, viewer: Viewer) -> Response:
    """GET /api/comments?wave=&goal=&q=&page=: a page of comments as JSON."""
    try:
        query = await _query(request)
        found = await views.comment_page(services_of(request), query)
    except (views.QueryError, CursorError) as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    return JSONResponse(
        {"comments": [views.row_json(row) for row in found.rows], "next_page": found.next_cursor}
    )


@api(*STAFF)
async def label_api(request: Request, viewer: Viewer) -> Response:
    """POST /api/comments/label {"ids": [...], "goals": [...] or null}: relabel or confirm."""
    try:
        body = await request.json()
        ids = views.parse_ids([str(v) for v in body.get("ids") or []])
        raw = body.get("goals")
        goals = None if raw is None else views.parse_goals([str(v) for v in raw])
    except (ValueError, AttributeError) as error:
        message = (
            str(error) if isinstance(error, views.QueryError) else "JSON の形が正しくありません"
        )
        return JSONResponse({"error": message}, status_code=400)
    changes = await views.label(services_of(request), viewer, ids, goals)
    return JSONResponse(
        {"changed": [{"id": c.comment_id, "goals": list(c.goals)} for c in changes]}
    )


routes = [
    Route("/comments", comments, methods=["GET"]),
    Route("/comments/act", act, methods=["POST"]),
    Route("/api/comments", comments_api, methods=["GET"]),
    Route("/api/comments/label", label_api, methods=["POST"]),
]
nav = NavItem("コメント", "/comments", STAFF)
