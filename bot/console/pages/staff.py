"""Staff (admins only): who is staff with which role, and the audit log of staff actions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.console.core import Viewer, access, recent_actions, record
from bot.console.web import NavItem, back_to, page, render, services_of
from surveys.roles import Role


@page(Role.ADMIN)
async def staff_page(request: Request, viewer: Viewer) -> Response:
    """Staff and roles, then the newest audit entries."""
    services = services_of(request)
    async with services.uow() as uow:
        staff = await uow.staff.list()
    return render(
        request,
        viewer,
        "staff.html",
        staff=staff,
        roles=list(Role),
        actions=await recent_actions(services),
        zone=services.timezone,
    )


def _user_id(text: str) -> int | None:
    """A Telegram user id typed in the form, or None."""
    value = text.strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


@page(Role.ADMIN)
async def grant(request: Request, viewer: Viewer) -> Response:
    """Make someone staff, or change their role."""
    services = services_of(request)
    form = await request.form()
    user_id = _user_id(str(form.get("user_id", "")))
    role = str(form.get("role", ""))
    if user_id is None or role not in set(Role):
        return back_to("/staff", "利用者ID（数字）と役割を指定してください", error=True)
    if user_id == viewer.user_id:
        return back_to(
            "/staff", "自分の役割は変えられません（別の管理者に依頼してください）", error=True
        )
    async with services.uow() as uow:
        await uow.begin_write()
        before = await uow.staff.role_of(user_id)
        await uow.staff.add(user_id, Role(role), services.now())
        await record(
            uow, services, viewer, "staff.role", f"user {user_id}", before=before, after=role
        )
        await uow.commit()
    return back_to("/staff", f"利用者 {user_id} の役割を保存しました")


@page(Role.ADMIN)
async def remove(request: Request, viewer: Viewer) -> Response:
    """Take away someone's staff role; their console sessions end."""
    services = services_of(request)
    user_id = int(request.path_params["user_id"])
    if user_id == viewer.user_id:
        return back_to("/staff", "自分自身は外せません（別の管理者に依頼してください）", error=True)
    async with services.uow() as uow:
        await uow.begin_write()
        before = await uow.staff.role_of(user_id)
        removed = await uow.staff.remove(user_id)
        if not removed:
            return back_to("/staff", f"利用者 {user_id} は職員ではありません", error=True)
        await access(uow).close_sessions_of(user_id)
        await record(uow, services, viewer, "staff.remove", f"user {user_id}", before=before)
        await uow.commit()
    return back_to("/staff", f"利用者 {user_id} を職員から外しました")


routes = [
    Route("/staff", staff_page, methods=["GET"]),
    Route("/staff", grant, methods=["POST"]),
    Route("/staff/{user_id:int}/remove", remove, methods=["POST"]),
]
nav = NavItem("職員と操作記録", "/staff", (Role.ADMIN,))
