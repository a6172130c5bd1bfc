"""Send a wave's invitations and reminders through each channel's Delivery, paced, resumable,
never twice.

Only inside the wave's sending hours: outside them the sender stops claiming, gives back what
it has not sent, and the scheduler starts it again at the next opening of the window."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.app.delivery import (
    Blocked,
    ChannelHolds,
    Delivery,
    MaybeDelivered,
    OutOfQuota,
    Rejected,
    RetryLater,
    Unreachable,
)
from bot.app.invitation_texts import invitation_screen, is_results, results_screen
from bot.app.services import Services
from storage.db import UnitOfWork
from storage.records import InvitationTarget, WaveRecord
from surveys.modes import Channel
from surveys.schedule import InvitationState
from surveys.sending import ContactRules
from surveys.waves import WaveStatus

log = logging.getLogger(__name__)

GLOBAL_LIMIT = 30.0
"""Telegram's bulk limit: about 30 messages per second overall."""
PER_CHAT_INTERVAL = 1.0
"""At most one message per second to one chat."""
CLAIM_LEASE = timedelta(minutes=10)
"""An invitation ``sending`` for longer belongs to a sender that died: it is marked failed.

Never resent: the message may have reached the resident just before the crash and nothing tells
whether it did. Sending is at most once: a resident may miss one invitation, never gets two.
A sender that stops gracefully gives its unsent claims back to ``pending`` instead."""
MAX_TRIES = 5
SENDING_STATUSES = (WaveStatus.OPEN, WaveStatus.CLOSED)
"""A closed wave sends only its results message (its other pending messages were dropped)."""

ProgressCallback = Callable[[dict[InvitationState, int]], Awaitable[None]]


class Pacer:
    """Spaces sends under a global rate and one per interval per chat; 429s pause it.

    Besides even spacing, a send waits until the send ``limit`` places before it came back
    more than ``window`` seconds ago, so no window of the server ever holds more than
    ``limit`` messages, whatever the network jitter (a 429 costs a whole second).
    """

    def __init__(
        self,
        per_second: float = GLOBAL_LIMIT,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / per_second
        self.per_chat_interval = per_chat_interval
        self.window = window
        self._clock = clock
        self._next = 0.0
        self._chats: dict[int | str, float] = {}
        self._recent: deque[asyncio.Future[float]] = deque(maxlen=max(1, int(per_second)))

    async def wait(self, chat_id: int | str) -> asyncio.Future[float]:
        """Wait for this chat's next send slot; settle the returned ticket after sending."""
        now = self._clock()
        slot = max(now, self._next, self._chats.get(chat_id, -1e9) + self.per_chat_interval)
        self._next = slot + self.interval
        self._chats[chat_id] = slot
        if len(self._chats) > 256:
            horizon = now - self.per_chat_interval
            self._chats = {chat: at for chat, at in self._chats.items() if at > horizon}
        oldest = self._recent[0] if len(self._recent) == self._recent.maxlen else None
        ticket: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._recent.append(ticket)
        try:
            if slot > now:
                await asyncio.sleep(slot - now)
            if oldest is not None:
                back = await asyncio.shield(oldest)
                delay = back + self.window - self._clock()
                if delay > 0:
                    await asyncio.sleep(delay)
        except BaseException:
            self.settle(ticket, counted=False)
            raise
        return ticket

    def settle(self, ticket: asyncio.Future[float], *, counted: bool) -> None:
        """The send of this ticket came back (counted: the server took it as a message)."""
        if not ticket.done():
            ticket.set_result(self._clock() if counted else float("-inf"))

    def pause(self, seconds: float) -> None:
        """The channel said "retry later": no send before that."""
        self._next = max(self._next, self._clock() + seconds)


@dataclass
class SendTally:
    """What one sending run did."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    retried: int = 0
    held: int = 0
    """Given back unsent because their channel's quota is used up."""


def channel_of(target: InvitationTarget) -> Channel:
    """The channel an invitation goes through (LINE residents have a LINE user id)."""
    return Channel.LINE if target.line_user_id is not None else Channel.TELEGRAM


class InvitationSender:
    """Sends one wave's pending invitations and reminders; stops cleanly when told to."""

    def __init__(
        self,
        deliveries: Mapping[Channel, Delivery],
        services: Services,
        pacer: Pacer,
        *,
        keep_going: Callable[[], bool] = lambda: True,
        batch: int = 60,
        workers: int = 48,
        progress_every: float = 2.0,
        holds: ChannelHolds | None = None,
    ) -> None:
        self.deliveries = deliveries
        self.holds = holds or ChannelHolds(services.now)
        self.services = services
        self.pacer = pacer
        self.keep_going = keep_going
        self.batch = batch
        self.workers = workers
        self.progress_every = progress_every
        self.name = uuid.uuid4().hex[:8]
        self.tally = SendTally()
        self.rules = ContactRules()

    async def run(self, wave_id: int, progress: ProgressCallback | None = None) -> SendTally:
        """Claim and send until nothing is pending, the wave closes, or keep_going() is False."""
        now = self.services.now()
        async with self.services.uow() as uow:
            await uow.invitations.fail_stale_claims(now - CLAIM_LEASE, now)
            wave = await uow.waves.get(wave_id)
            title = await self._title(uow, wave) if wave else ""
            await uow.commit()
        if wave is None or wave.status not in SENDING_STATUSES:
            return self.tally
        self.rules = ContactRules.from_stored(wave.contact_rules)
        if not self._in_window():
            return self.tally
        queue: asyncio.Queue[InvitationTarget | None] = asyncio.Queue(maxsize=self.batch * 2)
        workers = [asyncio.create_task(self._work(queue, wave, title)) for _ in range(self.workers)]
        reporter = asyncio.create_task(self._report(wave_id, progress)) if progress else None
        try:
            await self._produce(queue, wave_id)
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
            leftovers = []
            while not queue.empty():
                item = queue.get_nowait()
                if item is not None:
                    leftovers.append(item.invitation_id)
            if leftovers:
                async with self.services.uow() as uow:
                    await uow.invitations.release(leftovers, self.services.now())
                    await uow.commit()
            if reporter is not None:
                reporter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reporter
        if progress is not None:
            await progress(await self._progress(wave_id))
        log.info(
            "wave %s: sent %s, failed %s, blocked %s, retried %s, held %s",
            wave_id,
            self.tally.sent,
            self.tally.failed,
            self.tally.blocked,
            self.tally.retried,
            self.tally.held,
        )
        return self.tally

    def _in_window(self) -> bool:
        """Whether now is inside the wave's sending hours."""
        now = self.services.now()
        return self.rules.next_send_time(now, self.services.timezone) <= now

    def _going(self) -> bool:
        """Told to go on, and still inside the sending hours."""
        return self.keep_going() and self._in_window()

    async def _title(self, uow: UnitOfWork, wave: WaveRecord) -> str:
        """The survey's title as residents know it."""
        record = None
        if wave.definition_id is not None:
            record = await uow.surveys.get_by_id(wave.definition_id)
        return record.title if record else wave.name

    async def _produce(self, queue: asyncio.Queue[InvitationTarget | None], wave_id: int) -> None:
        """Claim batches while the wave is open and we are told to go on; then stop workers."""
        try:
            while self._going():
                async with self.services.uow() as uow:
                    wave = await uow.waves.get(wave_id)
                    if wave is None or wave.status not in SENDING_STATUSES:
                        break
                    targets = await uow.invitations.claim(
                        wave_id, self.name, self.services.now(), self.batch, self.holds.held()
                    )
                    await uow.commit()
                if not targets:
                    break
                for target in targets:
                    await queue.put(target)
        finally:
            for _ in range(self.workers):
                await queue.put(None)

    async def _work(
        self, queue: asyncio.Queue[InvitationTarget | None], wave: WaveRecord, title: str
    ) -> None:
        """Send queued invitations one by one until the stop marker."""
        while True:
            target = await queue.get()
            if target is None:
                return
            if not self._going() or channel_of(target) in self.holds.held():
                await self._give_back(target)
                continue
            await self._deliver(target, wave, title)

    async def _give_back(self, target: InvitationTarget) -> None:
        """Return a claimed, unsent invitation to pending (sent when sending resumes)."""
        async with self.services.uow() as uow:
            await uow.invitations.release([target.invitation_id], self.services.now())
            await uow.commit()

    async def _deliver(self, target: InvitationTarget, wave: WaveRecord, title: str) -> None:
        """Send one message and record what happened right after the channel answers."""
        if is_results(target.kind):
            screen = results_screen(target.language, title, wave.results_message or "")
        else:
            screen = invitation_screen(
                target.kind,
                target.language,
                title,
                wave.closes_at,
                self.services.timezone,
                wave.id,
                started=target.started,
            )
        channel = channel_of(target)
        delivery = self.deliveries.get(channel)
        if delivery is None:
            await self._record(
                target, InvitationState.FAILED, f"no {channel} delivery in the sending process"
            )
            return
        to: int | str = target.line_user_id or target.chat_id
        outcome, error = InvitationState.FAILED, f"gave up after {MAX_TRIES} tries"
        for attempt in range(MAX_TRIES):
            ticket = await self.pacer.wait(to)
            if not self._going():  # the sending hours ended (or the process stops) while it waited
                self.pacer.settle(ticket, counted=False)
                await self._give_back(target)
                return
            try:
                await delivery.deliver(to, screen, target.invitation_id)
                self.pacer.settle(ticket, counted=True)
            except RetryLater as exc:
                self.tally.retried += 1
                self.pacer.pause(exc.seconds)
                continue
            except OutOfQuota as exc:  # held: it and the channel's others wait, unsent
                self.holds.hold(channel, exc.reason)
                self.tally.held += 1
                await self._give_back(target)
                return
            except Blocked:
                outcome, error = InvitationState.BLOCKED, f"{channel}: the resident blocked the bot"
            except Rejected as exc:
                outcome, error = InvitationState.FAILED, f"{channel}: {exc.reason}"[:200]
            except MaybeDelivered:
                self.pacer.settle(ticket, counted=True)  # it may have reached the channel
                outcome, error = (
                    InvitationState.FAILED,
                    "timed out; not resent so nobody gets it twice",
                )
            except Unreachable as exc:
                self.tally.retried += 1
                error = f"{channel} unreachable: {exc}"[:200]
                await asyncio.sleep(min(2**attempt, 10))
                continue
            else:
                outcome, error = InvitationState.SENT, ""
            finally:
                self.pacer.settle(ticket, counted=False)  # no-op when already settled
            break
        await self._record(target, outcome, error or None)

    async def _record(
        self, target: InvitationTarget, outcome: InvitationState, error: str | None
    ) -> None:
        """Store the invitation's final state (and unsubscribe residents who blocked us)."""
        now = self.services.now()
        async with self.services.uow() as uow:
            await uow.invitations.mark(target.invitation_id, outcome, now, error)
            if outcome is InvitationState.BLOCKED:
                await uow.contacts.mark_blocked(target.respondent_id, now)
            await uow.commit()
        setattr(self.tally, outcome, getattr(self.tally, outcome) + 1)

    async def _progress(self, wave_id: int) -> dict[InvitationState, int]:
        """Invitation counts by state (invitations and reminders together)."""
        async with self.services.uow() as uow:
            return await uow.invitations.progress(wave_id, kind=None)

    async def _report(self, wave_id: int, progress: ProgressCallback) -> None:
        """Tell the progress callback every few seconds."""
        while True:
            await asyncio.sleep(self.progress_every)
            try:
                await progress(await self._progress(wave_id))
            except Exception as exc:  # progress display must never stop sending
                log.warning("progress update failed: %s", type(exc).__name__)
