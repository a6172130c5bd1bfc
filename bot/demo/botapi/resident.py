"""The resident side of a chat: what a test, the demo page or a benchmark does as a user."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.demo.botapi.chats import Chat, ChatMessage, Tap
from bot.demo.botapi.updates import PendingUpdate

if TYPE_CHECKING:
    from bot.demo.botapi.server import LocalBotApiServer

TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001" + "0d0a2db40000000049454e44ae426082"
)
_callback_ids = itertools.count(1)
ButtonMatch = str | Callable[[str, str | None], bool]


class Resident:
    """A Telegram user in a private chat with the bot."""

    def __init__(self, server: LocalBotApiServer, user: dict[str, Any], chat: Chat) -> None:
        self.server = server
        self.user = user
        self.chat = chat
        self._seen_message_id = 0

    @property
    def id(self) -> int:
        """The user id (also the private chat id)."""
        return int(self.user["id"])

    # -- acting ------------------------------------------------------------------------------
    def _post(self, chat: Chat | None = None, **content: Any) -> PendingUpdate:
        target = chat or self.chat
        message = target.new_message(self.user, **content)
        return self.server.queue_update("message", message, target.id)

    def send_text(self, text: str, chat_id: int | None = None) -> PendingUpdate:
        """Type and send a text message; await the result to wait until the bot received it."""
        return self._post(self._target(chat_id), text=text)

    def send_command(self, command: str, chat_id: int | None = None) -> PendingUpdate:
        """Send a command such as "/start" (or "/start payload") with its bot_command entity."""
        name = command.split()[0] if command.strip() else command
        entity = {"type": "bot_command", "offset": 0, "length": len(name)}
        return self._post(self._target(chat_id), text=command, entities=[entity])

    def send_sticker(self) -> PendingUpdate:
        """Send a sticker."""
        sticker = {
            "file_id": "CAACAgIAAxkBAAEBsticker",
            "file_unique_id": "AgADsticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self._post(sticker=sticker)

    def send_photo(self, content: bytes = TINY_PNG, caption: str | None = None) -> PendingUpdate:
        """Send a photo (a tiny PNG unless given)."""
        stored = self.server.store_file(content, "photo.png", "image/png")
        extra: dict[str, Any] = {"caption": caption} if caption else {}
        return self._post(None, photo=self.server.photo_sizes(stored), **extra)

    def edit_last_text(self, text: str) -> PendingUpdate:
        """Edit this user's latest text message (an edited_message update)."""
        for message in reversed(self.chat.messages.values()):
            if message["from"]["id"] == self.id and "text" in message:
                message["text"] = text
                message.pop("entities", None)
                message["edit_date"] = int(time.time())
                self.chat.touch()
                return self.server.queue_update("edited_message", dict(message), self.chat.id)
        raise LookupError("this resident has sent no text message to edit")

    def tap(self, button: ButtonMatch, message: ChatMessage | int | None = None) -> PendingUpdate:
        """Tap an inline button (by label, or predicate on (label, data)) on the latest message
        that has it, or on `message` even if it is old."""
        matches = _matcher(button)
        if message is not None:
            message_id = message if isinstance(message, int) else message.message_id
            raw = self.chat.messages.get(message_id) or (
                message.raw if isinstance(message, ChatMessage) else None
            )
            candidates = [self.chat.view(raw)] if raw else []
        else:
            candidates = [m for m in reversed(self.chat.transcript()) if m.from_bot]
        for candidate in candidates:
            for row in candidate.buttons:
                for text, data in row:
                    if matches(text, data) and data is not None:
                        return self.tap_data(candidate, data)
        raise LookupError(f"no button matching {button!r} in {self.describe(5)}")

    def tap_data(self, message: ChatMessage | int, callback_data: str) -> PendingUpdate:
        """Send the callback query of a button with `callback_data` on `message`."""
        message_id = message if isinstance(message, int) else message.message_id
        raw = self.chat.messages.get(message_id)
        if raw is None and isinstance(message, ChatMessage):
            raw = message.raw
        if raw is None:
            raise LookupError(f"message {message_id} is not in the chat")
        query_id = f"{self.id}{next(_callback_ids):08d}"
        tap = Tap(query_id, self.chat.id, message_id, callback_data, time.monotonic())
        self.chat.taps.setdefault(message_id, []).append(tap)
        self.server.callbacks[query_id] = tap
        self.chat.touch()
        query = {
            "id": query_id,
            "from": self.user,
            "message": raw,
            "chat_instance": str(self.chat.id),
            "data": callback_data,
        }
        return self.server.queue_update("callback_query", query, self.chat.id)

    def _target(self, chat_id: int | None) -> Chat:
        if chat_id is None:
            return self.chat
        return self.server.chats[chat_id]

    # -- seeing ------------------------------------------------------------------------------
    @property
    def messages(self) -> list[ChatMessage]:
        """The transcript as this user sees it: edits applied, deleted messages gone."""
        return self.chat.transcript()

    @property
    def bot_messages(self) -> list[ChatMessage]:
        """Only the bot's messages in the transcript."""
        return [message for message in self.messages if message.from_bot]

    @property
    def last_bot_message(self) -> ChatMessage | None:
        """The bot's latest message still in the chat."""
        messages = self.bot_messages
        return messages[-1] if messages else None

    async def next_message(self, timeout: float = 5) -> ChatMessage:
        """Return the bot's next new message after the last one returned here, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.bot_messages:
                if message.message_id > self._seen_message_id:
                    self._seen_message_id = message.message_id
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no new bot message within {timeout}s; {self.describe(5)}")
            await self.chat.wait_changed(remaining)

    async def wait_for(
        self, predicate: Callable[[ChatMessage], bool], timeout: float = 5
    ) -> ChatMessage:
        """Wait until a bot message satisfies `predicate`; return the latest such message."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.bot_messages):
                if predicate(message):
                    self._seen_message_id = max(self._seen_message_id, message.message_id)
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching bot message within {timeout}s; {self.describe(5)}")
            await self.chat.wait_changed(remaining)

    async def wait_for_screen(self, fragment: str, timeout: float = 5) -> ChatMessage:
        """Wait until the bot's latest message contains `fragment` (sent or edited into it)."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.last_bot_message
            if message is not None and fragment in message.text:
                self._seen_message_id = max(self._seen_message_id, message.message_id)
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"{fragment!r} not on screen within {timeout}s; {self.describe(5)}"
                )
            await self.chat.wait_changed(remaining)

    async def wait_for_text(self, fragment: str, timeout: float = 5) -> ChatMessage:
        """Wait until a bot message contains `fragment`."""
        return await self.wait_for(lambda message: fragment in message.text, timeout)

    def describe(self, last: int = 5) -> str:
        """The end of the transcript as text, for failure messages."""
        lines = []
        for message in self.messages[-last:]:
            who = "bot" if message.from_bot else "user"
            buttons = " ".join(f"[{text}]" for text in message.button_texts)
            lines.append(f"{who}#{message.message_id}: {message.text[:80]!r} {buttons}".rstrip())
        return "transcript tail:\n  " + ("\n  ".join(lines) if lines else "(empty)")


def _matcher(button: ButtonMatch) -> Callable[[str, str | None], bool]:
    if callable(button):
        return button
    return lambda text, data: text == button
