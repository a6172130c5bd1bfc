"""The Comments page and /api/comments over HTTP: filters, bulk labels, hiding, role checks."""

from __future__ import annotations

import httpx
import pytest

from bot.app.services import Services
from storage.repositories.comment_search import CommentSearch
from tests.bot.console.conftest import ADMIN_ID
from tests.builders import Seed, make_wave, store_comments

pytestmark = pytest.mark.usefixtures("backend")


async def _seed(services: Services) -> tuple[int, list[int]]:
    """A wave with four classified comments."""
    wave = await make_wave(services.uow)
    ids = await store_comments(
        services.uow,
        wave.id,
        [
            Seed("バスが少ない", ["4"], 0.9),
            Seed("保育園に入れない", ["3"], 0.4, review=True, district="taga"),
            Seed("駅前が寂しい", ["2"], 0.55, review=True),
            Seed("景色がきれい", ["other"], 0.8),
        ],
    )
    return wave.id, ids


async def test_the_table_shows_masked_comments_filtered_with_the_labelling_guide(
    client: httpx.AsyncClient, analyst: str, services: Services
) -> None:
    wave_id, _ = await _seed(services)
    page = await client.get("/comments", params={"wave": wave_id, "unsure": "1"})
    assert page.status_code == 200
    assert "保育園に入れない" in page.text and "駅前が寂しい" in page.text
    assert "バスが少ない" not in page.text
    assert "ラベルの付け方" in page.text and "保育園・学童" in page.text
    wrong = await client.get("/comments", params={"min": "150"})
    assert wrong.status_code == 400 and "確信度は0〜100" in wrong.text


async def test_bulk_relabel_records_the_change_and_the_audit_log(
    client: httpx.AsyncClient, admin: str, services: Services
) -> None:
    wave_id, (bus, nursery, station, _) = await _seed(services)
    done = await client.post(
        "/comments/act",
        data={
            "csrf_token": admin,
            "action": "relabel",
            "id": [str(nursery), str(station)],
            "goal": ["3", "4"],
            "back": f"wave={wave_id}",
        },
    )
    assert done.status_code == 303 and "2" in done.headers["location"]
    async with services.uow() as uow:
        history = await CommentSearch(uow.session).history(station)
        assert [(h.previous, h.goals, h.by) for h in history] == [(("2",), ("3", "4"), ADMIN_ID)]
        assert await uow.comments.review_queue_size() == 0
    staff = await client.get("/staff")
    assert "comment.relabel" in staff.text and f"comment {station}" in staff.text
    refused = await client.post(
        "/comments/act", data={"action": "hide", "id": str(bus), "reason": "x"}
    )
    assert refused.status_code == 403


async def test_a_hidden_comment_is_marked_and_needs_a_reason(
    client: httpx.AsyncClient, analyst: str, services: Services
) -> None:
    wave_id, (bus, *_) = await _seed(services)
    no_reason = await client.post(
        "/comments/act", data={"csrf_token": analyst, "action": "hide", "id": str(bus)}
    )
    assert "理由" in httpx.URL(no_reason.headers["location"]).params["error"]
    await client.post(
        "/comments/act",
        data={"csrf_token": analyst, "action": "hide", "id": str(bus), "reason": "誹謗中傷"},
    )
    async with services.uow() as uow:
        assert await CommentSearch(uow.session).visible_counts_by_goal(wave_id) == {
            "2": 1,
            "3": 1,
            "other": 1,
        }
    page = await client.get("/comments", params={"wave": wave_id})
    assert "非表示：誹謗中傷" in page.text


async def test_the_api_pages_comments_and_refuses_without_a_session(
    client: httpx.AsyncClient, services: Services
) -> None:
    wave_id, ids = await _seed(services)
    assert (await client.get("/api/comments")).status_code == 401
    from surveys.roles import Role
    from tests.bot.console.conftest import ANALYST_ID, add_staff, log_in

    await add_staff(services, ANALYST_ID, Role.ANALYST)
    token = await log_in(client, services, ANALYST_ID)
    first = (await client.get("/api/comments", params={"wave": wave_id})).json()
    assert [c["id"] for c in first["comments"]] == ids[::-1]
    assert first["next_page"] is None
    found = (await client.get("/api/comments", params={"q": "保育園", "goal": "3"})).json()
    assert [c["text"] for c in found["comments"]] == ["保育園に入れない"]
    assert "chat_id" not in str(found)
    labelled = await client.post(
        "/api/comments/label",
        json={"ids": [ids[0]], "goals": ["2"]},
        headers={"X-CSRF-Token": token},
    )
    assert labelled.json() == {"changed": [{"id": ids[0], "goals": ["2"]}]}
    no_csrf = await client.post("/api/comments/label", json={"ids": [ids[0]], "goals": ["2"]})
    assert no_csrf.status_code == 403
