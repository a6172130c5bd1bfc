"""Chats on the local Bot API server: stored messages, taps, and the transcript a user sees."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

Button = tuple[str, str | None]


@dataclass
class Tap:
    """One callback query a user sent by tapping an inline button."""

    callback_query_id: str
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False


@dataclass(frozen=True)
class ChatMessage:
    """A message as the user sees it now (edits applied), with its buttons and taps."""

    message_id: int
    from_bot: bool
    text: str
    entities: tuple[dict[str, Any], ...]
    buttons: tuple[tuple[Button, ...], ...]
    edited: bool
    photo: bool
    document: str | None
    taps: tuple[Tap, ...]
    raw: dict[str, Any]

    @property
    def answered(self) -> bool:
        """True when every tap on this message got an answerCallbackQuery."""
        return all(tap.answered for tap in self.taps)

    @property
    def button_texts(self) -> list[str]:
        """All button labels, row by row."""
        return [text for row in self.buttons for text, _ in row]

    def to_json(self) -> dict[str, Any]:
        """Return the message for the web chat page's JSON client API."""
        return {
            "message_id": self.message_id,
            "from": "bot" if self.from_bot else "user",
            "text": self.text,
            "entities": list(self.entities),
            "buttons": [
                [{"text": text, "callback_data": data} for text, data in row]
                for row in self.buttons
            ],
            "edited": self.edited,
            "photo": self.photo,
            "document": self.document,
            "date": self.raw.get("date"),
            "answered": self.answered,
            "notices": [
                {"text": tap.answer_text, "show_alert": tap.show_alert}
                for tap in self.taps
                if tap.answer_text
            ],
        }


def _buttons(message: dict[str, Any]) -> tuple[tuple[Button, ...], ...]:
    markup = message.get("reply_markup") or {}
    return tuple(
        tuple((b.get("text", ""), b.get("callback_data") or b.get("url")) for b in row)
        for row in markup.get("inline_keyboard", [])
    )


@dataclass
class Chat:
    """A chat's messages (Telegram JSON, by message_id), deletions, taps and change signal."""

    chat: dict[str, Any]
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    taps: dict[int, list[Tap]] = field(default_factory=dict)
    blocked: bool = False
    next_message_id: int = 1
    version: int = 0
    last_send: float = 0.0
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def id(self) -> int:
        """The chat id."""
        return int(self.chat["id"])

    def new_message(self, sender: dict[str, Any], **content: Any) -> dict[str, Any]:
        """Store and return a new message with the next message_id."""
        message = {
            "message_id": self.next_message_id,
            "from": sender,
            "chat": self.chat,
            "date": int(time.time()),
            **content,
        }
        self.next_message_id += 1
        self.messages[message["message_id"]] = message
        self.touch()
        return message

    def touch(self) -> None:
        """Record a change and wake everyone waiting for one."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, timeout: float) -> bool:
        """Wait until the chat changes; False on timeout."""
        event = self._changed
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def view(self, message: dict[str, Any]) -> ChatMessage:
        """Return how the user sees `message`."""
        document = message.get("document")
        return ChatMessage(
            message_id=message["message_id"],
            from_bot=bool(message["from"].get("is_bot")),
            text=message.get("text") or message.get("caption") or "",
            entities=tuple(message.get("entities") or message.get("caption_entities") or ()),
            buttons=_buttons(message),
            edited="edit_date" in message,
            photo="photo" in message,
            document=document.get("file_name", "") if document else None,
            taps=tuple(self.taps.get(message["message_id"], ())),
            raw=message,
        )

    def transcript(self) -> list[ChatMessage]:
        """All messages that are not deleted, oldest first, as the user sees them."""
        return [self.view(message) for message in self.messages.values()]
