"""Waves: create, edit a draft, schedule, open, close, reopen — the rules of bot/app/waves.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.app import waves as operations
from bot.app.services import Services
from bot.app.wave_plans import WaveError, parse_time
from bot.console.core import STAFF, Viewer, record, survey_ids
from bot.console.wave_forms import (
    DAY_LABELS,
    WaveForm,
    audience_choices,
    audience_labels,
    channel_choices,
)
from bot.console.wave_messages import in_japanese
from bot.console.web import NavItem, back_to, page, render, services_of
from storage.db import UnitOfWork
from storage.records import WaveRecord
from surveys.roles import Role
from surveys.waves import WaveStatus


class WaveAction(StrEnum):
    """The buttons of a wave, by what they do."""

    SCHEDULE = "schedule"
    OPEN = "open"
    CLOSE = "close"
    REOPEN = "reopen"
    DELETE = "delete"
    LIFT_EMBARGO = "lift-embargo"


ACTIONS_BY_STATUS = {
    WaveStatus.DRAFT: (WaveAction.SCHEDULE, WaveAction.OPEN, WaveAction.DELETE),
    WaveStatus.SCHEDULED: (WaveAction.OPEN,),
    WaveStatus.OPEN: (WaveAction.CLOSE, WaveAction.LIFT_EMBARGO),
    WaveStatus.CLOSED: (WaveAction.REOPEN,),
}
DONE = {
    WaveAction.SCHEDULE: "開始を予約しました",
    WaveAction.OPEN: "回答の受付を始めました（案内は稼働中のボットが送ります）",
    WaveAction.CLOSE: "締め切りました",
    WaveAction.REOPEN: "受付を再開しました",
    WaveAction.DELETE: "下書きを削除しました",
    WaveAction.LIFT_EMBARGO: "結果の公開制限を解除しました",
}


def _refusal(exc: Exception) -> str:
    """A broken rule as one line for staff, in Japanese (the CLI shows the English)."""
    return f"操作できませんでした：{in_japanese(str(exc))}"


@page(*STAFF)
async def wave_list(request: Request, viewer: Viewer) -> Response:
    """Every wave, newest first, with what can be done next."""
    services = services_of(request)
    waves = [
        # an open wave with what waits for the sending hours, as `wave show` and /wave N
        await operations.wave_details(services, d.wave.id)
        if d.wave.status == WaveStatus.OPEN
        else d
        for d in await operations.list_waves(services)
    ]
    return render(
        request,
        viewer,
        "waves.html",
        waves=waves,
        zone=services.timezone,
        actions={status.value: acts for status, acts in ACTIONS_BY_STATUS.items()},
        audience_labels=audience_labels,
        audience_channel=operations.audience_channel,
    )


def _form_page(
    request: Request, viewer: Viewer, form: WaveForm, surveys: list[str], **context: object
) -> Response:
    """The wave form (new or edit), with an error when there is one."""
    return render(
        request,
        viewer,
        "wave_form.html",
        form=form,
        surveys=surveys,
        audience=audience_choices(),
        channels=channel_choices(),
        days=DAY_LABELS,
        status_code=400 if context.get("error") else 200,
        **context,
    )


@page(Role.ADMIN)
async def new_wave(request: Request, viewer: Viewer) -> Response:
    """The empty form for a new draft wave."""
    surveys = await survey_ids(services_of(request))
    return _form_page(request, viewer, WaveForm(survey_id=surveys[0] if surveys else ""), surveys)


@page(Role.ADMIN)
async def create(request: Request, viewer: Viewer) -> Response:
    """Plan a draft wave from the form."""
    services = services_of(request)
    form = WaveForm.of(await request.form())
    try:
        plan = form.plan(services.timezone, services.now())
        async with services.uow() as uow:
            await uow.begin_write()
            wave = await operations.create_wave_in(uow, services, survey_id=form.survey_id, **plan)
            await record(uow, services, viewer, "wave.create", f"wave {wave.id}", after=wave.name)
            await uow.commit()
    except WaveError as exc:
        surveys = await survey_ids(services)
        return _form_page(request, viewer, form, surveys, error=_refusal(exc))
    return back_to("/waves", f"下書き「{wave.name}」を作成しました")


async def _wave(services: Services, wave_id: int) -> WaveRecord | None:
    """The wave, or None."""
    try:
        return (await operations.wave_details(services, wave_id)).wave
    except WaveError:
        return None


@page(Role.ADMIN)
async def edit_form(request: Request, viewer: Viewer) -> Response:
    """A draft's plan in the form."""
    services = services_of(request)
    wave = await _wave(services, int(request.path_params["wave_id"]))
    if wave is None or wave.status != WaveStatus.DRAFT:
        return back_to("/waves", "下書きの調査回だけ編集できます", error=True)
    form = WaveForm.of_wave(wave, services.timezone)
    return _form_page(request, viewer, form, [wave.survey_id], wave=wave)


@page(Role.ADMIN)
async def edit(request: Request, viewer: Viewer) -> Response:
    """Change a draft's plan."""
    services = services_of(request)
    wave_id = int(request.path_params["wave_id"])
    before = await _wave(services, wave_id)
    form = WaveForm.of(await request.form())
    try:
        plan = form.plan(services.timezone, services.now())
        if plan["summary"] is None:  # no summary chosen: keep the draft's schedule
            del plan["summary"]
        async with services.uow() as uow:
            await uow.begin_write()
            wave = await operations.edit_wave_in(uow, services, wave_id, **plan)
            await record(
                uow,
                services,
                viewer,
                "wave.edit",
                f"wave {wave_id}",
                before=_plan_text(before) if before else None,
                after=_plan_text(wave),
            )
            await uow.commit()
    except WaveError as exc:
        surveys = [before.survey_id] if before else []
        return _form_page(request, viewer, form, surveys, wave=before, error=_refusal(exc))
    return back_to("/waves", f"「{wave.name}」を保存しました")


def _plan_text(wave: WaveRecord) -> str:
    """A wave's plan in one line for the audit log."""
    times = f"{wave.opens_at:%Y-%m-%d %H:%M}" if wave.opens_at else "-"
    closes = f"{wave.closes_at:%Y-%m-%d %H:%M}" if wave.closes_at else "-"
    return (
        f"{wave.name}; opens {times} UTC; closes {closes} UTC; audience "
        f"{operations.audience_text(wave.audience)}; reminders {','.join(wave.reminders) or '-'}"
    )


Run = Callable[[UnitOfWork, Services, int, str], Awaitable[WaveRecord]]


async def _reopen(uow: UnitOfWork, services: Services, wave_id: int, closes: str) -> WaveRecord:
    """Reopen with the new closing time from the form (needed when the old one passed)."""
    closes_at = parse_time(closes, services.timezone, services.now()) if closes else None
    wave, _ = await operations.open_wave_in(
        uow, services, wave_id, reopen=True, closes_at=closes_at
    )
    return wave


async def _open(uow: UnitOfWork, services: Services, wave_id: int, _: str) -> WaveRecord:
    """Open now."""
    wave, _invited = await operations.open_wave_in(uow, services, wave_id)
    return wave


def _state(wave: WaveRecord, action: WaveAction) -> str:
    """What an action changes, for the audit log: the status, or the embargo."""
    if action is WaveAction.LIFT_EMBARGO:
        return "embargo lifted" if wave.embargo_lifted else "embargo"
    return wave.status


RUN: dict[WaveAction, Run] = {
    WaveAction.SCHEDULE: lambda u, s, w, _: operations.schedule_wave_in(u, s, w),
    WaveAction.OPEN: _open,
    WaveAction.CLOSE: lambda u, s, w, _: operations.close_wave_in(u, s, w),
    WaveAction.REOPEN: _reopen,
    WaveAction.DELETE: lambda u, s, w, _: operations.delete_wave_in(u, s, w),
    WaveAction.LIFT_EMBARGO: lambda u, s, w, _: operations.lift_embargo_in(u, s, w),
}


@page(Role.ADMIN)
async def act(request: Request, viewer: Viewer) -> Response:
    """Run one lifecycle action on a wave and record it."""
    services = services_of(request)
    wave_id = int(request.path_params["wave_id"])
    try:
        action = WaveAction(request.path_params["action"])
    except ValueError:
        return back_to("/waves", "その操作はありません", error=True)
    closes = str((await request.form()).get("closes", "")).strip()
    try:
        async with services.uow() as uow:
            await uow.begin_write()
            before = await uow.waves.get(wave_id)
            wave = await RUN[action](uow, services, wave_id, closes)
            await record(
                uow,
                services,
                viewer,
                f"wave.{action.value}",
                f"wave {wave_id}",
                before=_state(before, action) if before else None,
                after="deleted" if action is WaveAction.DELETE else _state(wave, action),
            )
            await uow.commit()
    except WaveError as exc:
        return back_to("/waves", _refusal(exc), error=True)
    return back_to("/waves", f"{DONE[action]}：{wave.name}")


routes = [
    Route("/waves", wave_list, methods=["GET"]),
    Route("/waves", create, methods=["POST"]),
    Route("/waves/new", new_wave, methods=["GET"]),
    Route("/waves/{wave_id:int}/edit", edit_form, methods=["GET"]),
    Route("/waves/{wave_id:int}/edit", edit, methods=["POST"]),
    Route("/waves/{wave_id:int}/{action}", act, methods=["POST"]),
]
nav = NavItem("調査回", "/waves", STAFF)
