"""Indicators: a wave's estimates, intervals, n, n_eff, KPI status and trend (embargo respected),
and the report's downloads (HTML, XLSX, CSV)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.console import indicator_views as views
from bot.console.core import STAFF, Viewer, record
from bot.console.web import NavItem, page, render, services_of
from storage.records import WaveRecord


class Breakdown(StrEnum):
    """What the page breaks the indicators down by, besides the combined value."""

    NONE = ""
    CHANNEL = "channel"


BREAKDOWN_LABELS = {Breakdown.NONE: "なし（全体のみ）", Breakdown.CHANNEL: "チャネル別"}


def _breakdown(request: Request) -> Breakdown:
    """The `by` parameter (an unknown one shows the combined values only)."""
    try:
        return Breakdown(request.query_params.get("by", "").strip())
    except ValueError:
        return Breakdown.NONE


def _chosen(request: Request, waves: list[WaveRecord]) -> WaveRecord | None:
    """The wave of the `wave` parameter, else the newest one."""
    wanted = request.query_params.get("wave", "").strip()
    for wave in waves:
        if str(wave.id) == wanted:
            return wave
    return waves[0] if waves and not wanted else None


@page(*STAFF)
async def indicators(request: Request, viewer: Viewer) -> Response:
    """The indicators of one wave."""
    services = services_of(request)
    waves = await views.reportable_waves(services)
    wave = _chosen(request, waves)
    by = _breakdown(request)
    context: dict[str, Any] = {
        "waves": waves,
        "wave": wave,
        "by": by,
        "breakdowns": BREAKDOWN_LABELS,
    }
    if wave is None:
        status = 404 if request.query_params.get("wave") else 200
        return render(request, viewer, "indicators.html", status_code=status, **context)
    found = await views.wave_indicators(services, wave)
    rows = views.page_rows(found.report) if found.report else []
    if found.report and by is Breakdown.CHANNEL:
        context["channel_rows"] = views.channel_rows(found.report)
    return render(request, viewer, "indicators.html", report=found.report, rows=rows, **context)


@page(*STAFF)
async def download(request: Request, viewer: Viewer) -> Response:
    """The report of a wave as HTML, XLSX or CSV (refused under embargo); audited."""
    services = services_of(request)
    fmt = request.path_params["fmt"]
    wave = _chosen(request, await views.reportable_waves(services))
    if fmt not in views.FORMATS or wave is None:
        return Response("この形式・調査回の報告書はありません", status_code=404)
    found = await views.wave_indicators(services, wave)
    if found.report is None:
        return Response(
            "この回の結果は公開制限中です（締め切り後、または解除後に出せます）", status_code=403
        )
    body = views.download(found.report, fmt)
    # the file leaves only once its audit entry is committed; a failed build records nothing
    async with services.uow() as uow:
        await uow.begin_write()
        await record(uow, services, viewer, f"export.{fmt}", f"wave {wave.id}")
        await uow.commit()
    headers = {"Content-Disposition": f'attachment; filename="report-wave-{wave.id}.{fmt}"'}
    return Response(body, media_type=views.FORMATS[fmt], headers=headers)


routes = [
    Route("/indicators", indicators, methods=["GET"]),
    Route("/indicators/report.{fmt}", download, methods=["GET"]),
]
nav = NavItem("指標", "/indicators", STAFF)
