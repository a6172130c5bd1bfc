"""The Waves page runs waves with the CLI's rules, records every action, and admins only act."""

from __future__ import annotations

import httpx

from bot.app.services import Services
from bot.app.waves import list_waves
from bot.console.core import recent_actions
from tests.builders import NOW, make_wave


async def _waves(services: Services) -> dict[str, str]:
    """Wave names and their status."""
    return {d.wave.name: d.wave.status for d in await list_waves(services)}


async def test_an_admin_creates_schedules_and_opens_a_wave_and_each_step_is_audited(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    form = {
        "csrf_token": admin,
        "survey_id": "residency-livability",
        "name": "令和7年度 第1回",
        "opens": "2025-04-02T09:00",
        "closes": "2025-04-20T17:00",
        "audience.age_band": ["20s", "30s"],
        "reminders": "3d, 12h",
        "summary_day": "mon",
        "summary_time": "09:00",
    }
    created = await client.post("/waves", data=form)
    assert created.status_code == 303
    [details] = await list_waves(services)
    wave = details.wave
    assert wave.status == "draft" and wave.audience == {"age_band": ["20s", "30s"]}
    assert wave.reminders == ["3d", "12h"]
    assert wave.opens_at is not None and wave.opens_at.hour == 0  # 09:00 in Tokyo
    page = await client.get("/waves")
    assert "令和7年度 第1回" in page.text and "20代・30代" in page.text

    scheduled = await client.post(f"/waves/{wave.id}/schedule", data={"csrf_token": admin})
    assert scheduled.status_code == 303
    assert (await _waves(services))["令和7年度 第1回"] == "scheduled"
    opened = await client.post(f"/waves/{wave.id}/open", data={"csrf_token": admin})
    assert opened.status_code == 303
    assert (await _waves(services))["令和7年度 第1回"] == "open"

    actions = [(a.action, a.before, a.after) for a in await recent_actions(services)]
    assert actions == [
        ("wave.open", "scheduled", "open"),
        ("wave.schedule", "draft", "scheduled"),
        ("wave.create", None, "令和7年度 第1回"),
    ]


async def test_a_broken_rule_is_one_line_and_changes_nothing(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    first = await make_wave(services.uow, name="春", status="open")
    second = await make_wave(services.uow, name="夏", status="draft")
    refused = await client.post(
        f"/waves/{second.id}/open", data={"csrf_token": admin}, follow_redirects=True
    )
    assert "操作できませんでした" in refused.text
    assert await _waves(services) == {"春": "open", "夏": "draft"}
    closed = await client.post(f"/waves/{first.id}/close", data={"csrf_token": admin})
    assert closed.status_code == 303
    assert (await _waves(services))["春"] == "closed"


async def test_a_bad_date_in_the_form_names_the_field_and_keeps_what_was_typed(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    form = {
        "csrf_token": admin,
        "survey_id": "residency-livability",
        "name": "秋",
        "closes": "あした",
    }
    page = await client.post("/waves", data=form)
    assert page.status_code == 400
    assert "終了日時" in page.text and 'value="秋"' in page.text
    assert await list_waves(services) == []


async def test_only_a_draft_is_edited(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    draft = await make_wave(services.uow, name="下書き", status="draft")
    edited = await client.post(
        f"/waves/{draft.id}/edit",
        data={
            "csrf_token": admin,
            "survey_id": draft.survey_id,
            "name": "新しい名前",
            "closes": "2025-05-01T12:00",
        },
    )
    assert edited.status_code == 303
    assert "新しい名前" in await _waves(services)
    [entry] = await recent_actions(services)
    assert entry.action == "wave.edit" and entry.before and entry.before.startswith("下書き;")
    opened = await make_wave(services.uow, name="受付中", status="open")
    page = await client.get(f"/waves/{opened.id}/edit", follow_redirects=True)
    assert "下書きの調査回だけ編集できます" in page.text


async def test_an_analyst_sees_the_waves_but_cannot_act(
    client: httpx.AsyncClient, services: Services, analyst: str
) -> None:
    wave = await make_wave(
        services.uow, name="受付中の回", status="open", closes_at=NOW.replace(year=2030)
    )
    page = await client.get("/waves")
    assert page.status_code == 200 and "受付中の回" in page.text
    assert f"/waves/{wave.id}/close" not in page.text
    refused = await client.post(f"/waves/{wave.id}/close", data={"csrf_token": analyst})
    assert refused.status_code == 403
    assert (await _waves(services))["受付中の回"] == "open"
    assert (await client.get("/waves/new")).status_code == 403
