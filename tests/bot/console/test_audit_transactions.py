"""A console action and its audit entry commit together: no entry for a refused action, and no
change when the entry cannot be written."""

from __future__ import annotations

import httpx
import pytest

from bot.app.services import Services
from bot.app.waves import list_waves
from bot.console.core import recent_actions
from storage.repositories.audit import AuditRepository
from storage.repositories.comment_search import CommentSearch
from tests.bot.report_data import seed_wave
from tests.builders import Seed, make_wave, store_comments

pytestmark = pytest.mark.usefixtures("backend")


class AuditDown(RuntimeError):
    """The audit log cannot be written (a full disk, a dropped connection)."""


@pytest.fixture
def audit_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every audit write fails, after the action's own writes went through."""

    async def fail(self: AuditRepository, **_: object) -> None:
        raise AuditDown("audit log unavailable")

    monkeypatch.setattr(AuditRepository, "add", fail)


async def _statuses(services: Services) -> dict[str, str]:
    return {d.wave.name: d.wave.status for d in await list_waves(services)}


async def _actions(services: Services) -> list[tuple[str, str]]:
    return [(a.action, a.target) for a in await recent_actions(services)]


async def test_a_refused_action_leaves_no_audit_entry(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    spring = await make_wave(services.uow, name="春", status="open")
    summer = await make_wave(services.uow, name="夏", status="draft")
    for action in ("open", "close"):
        refused = await client.post(f"/waves/{summer.id}/{action}", data={"csrf_token": admin})
        assert "error=" in refused.headers["location"], action
    for attempt in ("done", "refused"):
        lift = await client.post(f"/waves/{spring.id}/lift-embargo", data={"csrf_token": admin})
        assert ("error=" in lift.headers["location"]) == (attempt == "refused")
    embargoed = await seed_wave(services.uow, name="秋", status="open", chat=10, mail=0)
    download = await client.get("/indicators/report.csv", params={"wave": embargoed})
    assert download.status_code == 403
    assert await _statuses(services) == {"春": "open", "夏": "draft", "秋": "open"}
    assert await _actions(services) == [("wave.lift-embargo", f"wave {spring.id}")]


async def test_every_successful_action_has_exactly_its_entry(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    wave = await make_wave(services.uow, name="春", status="open")
    bus, station = await store_comments(
        services.uow, wave.id, [Seed("バスが少ない", ["4"], 0.9), Seed("駅前が寂しい", ["2"], 0.5)]
    )
    form = {"csrf_token": admin, "back": f"wave={wave.id}"}
    await client.post(
        "/comments/act",
        data={**form, "action": "relabel", "id": [str(bus), str(station)], "goal": "3"},
    )
    await client.post(
        "/comments/act", data={**form, "action": "hide", "id": str(bus), "reason": "重複"}
    )
    await client.post(f"/waves/{wave.id}/lift-embargo", data={"csrf_token": admin})
    await client.post(f"/waves/{wave.id}/close", data={"csrf_token": admin})
    assert sorted(await _actions(services)) == sorted(
        [
            ("comment.relabel", f"comment {bus}"),
            ("comment.relabel", f"comment {station}"),
            ("comment.hide", f"comment {bus}"),
            ("wave.lift-embargo", f"wave {wave.id}"),
            ("wave.close", f"wave {wave.id}"),
        ]
    )


async def test_when_the_audit_entry_fails_the_relabel_and_the_hide_are_not_kept(
    client: httpx.AsyncClient, services: Services, admin: str, audit_down: None
) -> None:
    wave = await make_wave(services.uow, status="open")
    [station] = await store_comments(services.uow, wave.id, [Seed("駅前が寂しい", ["2"], 0.5)])
    form = {"csrf_token": admin, "id": str(station), "back": f"wave={wave.id}"}
    with pytest.raises(AuditDown):
        await client.post("/comments/act", data={**form, "action": "relabel", "goal": "3"})
    with pytest.raises(AuditDown):
        await client.post("/comments/act", data={**form, "action": "hide", "reason": "重複"})
    async with services.uow() as uow:
        search = CommentSearch(uow.session)
        assert await search.history(station) == []
        assert await search.visible_counts_by_goal(wave.id) == {"2": 1}


async def test_when_the_audit_entry_fails_the_wave_keeps_its_state(
    client: httpx.AsyncClient, services: Services, admin: str, audit_down: None
) -> None:
    draft = await make_wave(services.uow, name="夏", status="draft")
    with pytest.raises(AuditDown):
        await client.post(f"/waves/{draft.id}/open", data={"csrf_token": admin})
    opened = await make_wave(services.uow, name="春", status="open")
    for action in ("close", "lift-embargo"):
        with pytest.raises(AuditDown):
            await client.post(f"/waves/{opened.id}/{action}", data={"csrf_token": admin})
    details = {d.wave.name: d for d in await list_waves(services)}
    assert details["夏"].wave.status == "draft" and details["夏"].invitations_total == 0
    assert details["春"].wave.status == "open" and not details["春"].wave.embargo_lifted


async def test_when_the_audit_entry_fails_no_report_is_downloaded(
    client: httpx.AsyncClient, services: Services, admin: str, audit_down: None
) -> None:
    wave_id = await seed_wave(services.uow, chat=30, mail=0)
    with pytest.raises(AuditDown):
        await client.get("/indicators/report.csv", params={"wave": wave_id})
