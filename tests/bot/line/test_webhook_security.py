"""The webhook refuses what LINE did not sign, what is too big, and what it saw before."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.line.events import user_of
from bot.line.webhook import MAX_BODY
from storage.models import LineEvent
from storage.repositories.inbox import LINE, InboxRepository, ReceivedUpdate
from tests.bot.backends import BOTH_BACKENDS
from tests.bot.line.conftest import LineBot, answers_of, onboard


async def stored_events(line: LineBot) -> int:
    """Rows in the LINE inbox."""
    async with line.services.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(LineEvent)) or 0)


async def test_a_bad_signature_is_refused_and_nothing_is_stored_or_sent(line: LineBot) -> None:
    user = line.user()
    event = line.platform.event(user, {"type": "follow"})
    assert await line.platform.post([event], signature="bm90IHRoZSBzaWduYXR1cmU=") == 400
    assert await stored_events(line) == 0
    assert line.platform.replies == 0 and user.messages == []


async def test_a_missing_signature_is_refused(line: LineBot) -> None:
    user = line.user()
    assert (
        await line.platform.post([line.platform.event(user, {"type": "follow"})], signature=None)
        == 400
    )
    assert await stored_events(line) == 0
    assert user.messages == []


async def test_a_body_signed_with_another_secret_is_refused(line: LineBot) -> None:
    from bot.demo.line_platform.platform import signature_of

    user = line.user()
    body = json.dumps({"events": [line.platform.event(user, {"type": "follow"})]}).encode()
    signature = signature_of("someone-elses-secret", body)
    assert await line.platform.post([], signature=signature, body=body) == 400
    assert user.messages == []


async def test_an_oversized_body_is_refused_with_413(line: LineBot) -> None:
    user = line.user()
    event = line.platform.event(
        user, {"type": "message", "message": {"type": "text", "id": "1", "text": "x" * MAX_BODY}}
    )
    assert await line.platform.post([event]) == 413
    assert await stored_events(line) == 0
    assert user.messages == []


@BOTH_BACKENDS
async def test_a_replayed_event_is_handled_once(line: LineBot) -> None:
    user = line.user()
    await onboard(user)
    tap = line.platform.event(user, {"type": "postback", "postback": {"data": ""}})
    question = user.messages[-1]
    data = next(a["data"] for a in question.actions if a["label"] == "住みやすい")
    tap["postback"]["data"] = data
    shown = len(user.messages)
    assert await line.platform.post([tap]) == 200
    assert len(user.messages) == shown + 1 and "2/4〜5" in user.last
    replayed = {**tap, "deliveryContext": {"isRedelivery": True}}
    assert await line.platform.post([replayed]) == 200  # LINE is told it arrived
    assert len(user.messages) == shown + 1  # but nothing is handled or sent again
    assert await answers_of(line.services, user.user_id, line.wave_id) == {"livability": "livable"}


@BOTH_BACKENDS
async def test_events_a_stopped_bot_recorded_are_handled_after_a_restart(line: LineBot) -> None:
    user = line.user()
    await onboard(user)
    question = user.messages[-1]
    data = next(a["data"] for a in question.actions if a["label"] == "住みやすい")
    event = line.platform.event(user, {"type": "postback", "postback": {"data": data}})
    event["deliveryContext"] = {"isRedelivery": True}
    async with line.services.uow() as uow:  # recorded by a process that died before handling
        await uow.begin_write()
        received = ReceivedUpdate(event["webhookEventId"], user_of(event), json.dumps(event))
        await InboxRepository(uow.session, LINE).record([received], 12345, line.services.now())
        await uow.commit()
    line.platform.expire_reply_tokens()
    await line.restart()
    assert "2/4〜5" in user.last and user.messages[-1].how == "push"
    assert await answers_of(line.services, user.user_id, line.wave_id) == {"livability": "livable"}
    assert await stored_events(line) > 0
    async with line.services.uow() as uow:
        assert await InboxRepository(uow.session, LINE).unhandled() == []


async def test_one_users_events_in_one_body_are_handled_in_order(line: LineBot) -> None:
    from bot.app import callbacks as cb

    user = line.user()
    await onboard(user)
    first = cb.pack(cb.ANSWER, line.wave_id, "livability", 0)
    second = cb.pack(cb.ANSWER, line.wave_id, "residency_intent", 0)
    events = [
        line.platform.event(user, {"type": "postback", "postback": {"data": data}})
        for data in (first, second)
    ]
    assert await line.platform.post(events) == 200
    answers = await answers_of(line.services, user.user_id, line.wave_id)
    assert answers == {"livability": "livable", "residency_intent": "always"}
    assert "3/5" in user.last


async def test_an_expired_reply_token_is_answered_by_push(line: LineBot) -> None:
    user = line.user()
    event = line.platform.event(user, {"type": "follow"})
    line.platform.expire_reply_tokens()  # handled too late for its token
    assert await line.platform.post([event]) == 200
    assert "まちの声" in user.messages[0].text and user.messages[0].how == "push"
