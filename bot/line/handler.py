"""LINE events to the core's use cases, one user's events in order, replies by reply token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import aiohttp
from linebot.v3.messaging import AsyncMessagingApi, PushMessageRequest, ReplyMessageRequest
from linebot.v3.messaging.exceptions import ApiException

from bot.app.conversation import onboarding, taps, typed
from bot.app.conversation.context import Conversation, consented
from bot.app.conversation.onboarding import Command
from bot.app.conversation.resident import Channel, Resident
from bot.app.conversation.screens import Reply
from bot.app.services import Services
from bot.app.texts import LINE_MENU
from bot.line.events import LineInbox, Raw, Recorded
from bot.line.render import messages_of

log = logging.getLogger(__name__)

START = "start"
POSTBACKS: dict[str, Command | str] = {START: START, **{str(c): c for c in Command}}
"""What a rich menu area's postback data asks for (the command's own name)."""
KEYWORDS: dict[str, Command | str] = {
    **{label: POSTBACKS[name] for name, label in LINE_MENU.items()},
    "answer": START,
    "start": START,
    "my data": Command.MYDATA,
    "mydata": Command.MYDATA,
    "delete": Command.DELETE,
    "stop": Command.STOP,
    "言語": Command.LANGUAGE,
    "language": Command.LANGUAGE,
    "プロフィール": Command.PROFILE,
    "profile": Command.PROFILE,
}
"""What a typed keyword (or a rich menu's message action) asks for."""
PROFILE_TIMEOUT = 5.0
"""Seconds the follow waits for the profile's language before greeting without it."""


def keyword_of(text: str) -> Command | str | None:
    """The command a typed text names, if it is one of the keywords."""
    return KEYWORDS.get(text.strip().lstrip("/").lower())


class LineChannel:
    """Handles recorded LINE events: each user's in order, each at least once."""

    def __init__(
        self, conversation: Conversation, api: AsyncMessagingApi, inbox: LineInbox
    ) -> None:
        self.conversation = conversation
        self.api = api
        self.inbox = inbox
        self._queues: dict[str, asyncio.Queue[Recorded]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    @property
    def services(self) -> Services:
        """The application's services."""
        return self.conversation.services

    def dispatch(self, recorded: Sequence[Recorded]) -> None:
        """Queue events for handling, behind the same user's earlier ones."""
        for event in recorded:
            user = event.user_id or ""
            queue = self._queues.setdefault(user, asyncio.Queue())
            queue.put_nowait(event)
            worker = self._workers.get(user)
            if worker is None or worker.done():
                self._workers[user] = asyncio.create_task(self._drain(user, queue))

    async def idle(self) -> None:
        """Wait until every queued event is handled."""
        while any(not worker.done() for worker in self._workers.values()):
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def stop(self) -> None:
        """Stop handling (events in hand stay 'received' and are handled after a restart)."""
        for worker in self._workers.values():
            worker.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def _drain(self, user: str, queue: asyncio.Queue[Recorded]) -> None:
        """Handle one user's events until none is waiting."""
        while not queue.empty():
            event = queue.get_nowait()
            try:
                await self.handle(event.raw)
            except Exception as error:  # logged; the row stays 'received' for a restart
                # the type and status only: a message could quote the resident's words
                status = getattr(error, "status", "")
                log.warning(
                    "line: an event failed (%s %s); handled again after a restart",
                    type(error).__name__,
                    status,
                )
                continue
            await self.inbox.done(event.key)
        self._queues.pop(user, None)

    async def handle(self, raw: Raw) -> None:
        """One event: follow, unfollow, a text message, a postback."""
        user_id = raw.get("source", {}).get("userId")
        if not user_id:
            return
        kind = raw.get("type")
        hint = await self.language_hint(user_id) if kind == "follow" else None
        resident = Resident(Channel.LINE, user_id, hint)
        if kind == "unfollow":
            await self._unfollowed(resident)
            return
        reply = await self._reply_to(resident, kind, raw)
        if reply is None:
            return
        await self._remember(resident, refollowed=kind == "follow")
        token = raw.get("replyToken")
        await self.send(user_id, token, reply)

    async def _reply_to(self, resident: Resident, kind: object, raw: Raw) -> Reply | None:
        """The use case an event calls, and its reply."""
        conversation = self.conversation
        if kind == "follow":
            return await onboarding.start(conversation, resident, ())
        if kind == "postback":
            data = raw.get("postback", {}).get("data")
            which = POSTBACKS.get(data) if isinstance(data, str) else None
            if which is not None:
                return await self._command(resident, which)
            return await taps.tap(conversation, resident, data)
        if kind == "message":
            message = raw.get("message", {})
            text = message.get("text") if message.get("type") == "text" else None
            which = keyword_of(text) if text else None
            if which is not None:
                return await self._command(resident, which)
            return await typed.text(conversation, resident, text)
        return None

    async def _command(self, resident: Resident, which: Command | str) -> Reply:
        """A keyword's or a rich menu area's command."""
        if isinstance(which, Command):
            return await taps.command(self.conversation, resident, which)
        return await onboarding.start(self.conversation, resident, ())

    async def language_hint(self, user_id: str) -> str | None:
        """The language of the user's LINE app (their profile), if LINE tells in time."""
        try:
            profile = await self.api.get_profile(user_id, _request_timeout=PROFILE_TIMEOUT)
        except (ApiException, TimeoutError, OSError, aiohttp.ClientError) as error:
            # onboarding goes on in Japanese; the status only (no user id in logs)
            status = getattr(error, "status", "")
            log.warning("line: no profile language (%s %s)", type(error).__name__, status)
            return None
        return profile.language

    async def send(self, user_id: str, token: str | None, reply: Reply) -> None:
        """Answer by the event's reply token (single use); an event handled late (after a
        restart, its token expired) is answered by push so the resident is not left hanging."""
        messages = messages_of(reply)
        if not messages:
            return
        if token:
            try:
                await self.api.reply_message(
                    ReplyMessageRequest.from_dict({"replyToken": token, "messages": messages})
                )
                return
            except ApiException as error:
                if error.status != 400:
                    raise
                log.warning("line: a late event's reply token had expired; answered by push")
        await self.api.push_message(
            PushMessageRequest.from_dict({"to": user_id, "messages": messages})
        )

    async def _unfollowed(self, resident: Resident) -> None:
        """Unfollow (LINE's block): no more invitations until the resident follows again."""
        async with self.conversation.uow() as uow:
            respondent = await self.conversation.respondent(uow, resident)
            if respondent is not None:
                await uow.begin_write()
                await uow.contacts.mark_blocked(respondent.id, self.services.now())
                await uow.commit()

    async def _remember(self, resident: Resident, *, refollowed: bool) -> None:
        """Keep a consenting resident's LINE user id in contacts (a follow subscribes them
        again); their responses are LINE's already (the conversation's mode)."""
        async with self.conversation.uow() as uow:
            respondent = await self.conversation.respondent(uow, resident)
            if not consented(respondent):
                return
            assert respondent is not None
            known = await uow.contacts.get(respondent.id)
            if known is not None and not refollowed:
                return
            await uow.begin_write()
            await uow.contacts.upsert(respondent.id, str(resident.user_id), self.services.now())
            await uow.commit()
