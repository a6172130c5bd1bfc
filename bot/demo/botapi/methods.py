"""Bot API methods served by the local server, behaving (and failing) like Telegram."""

from __future__ import annotations

import hashlib
import json
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.demo.botapi.chats import Chat
from bot.demo.botapi.errors import NOT_MODIFIED, QUERY_TOO_OLD, ApiError, bad_request, forbidden
from bot.demo.botapi.limits import parsed_text

if TYPE_CHECKING:
    from bot.demo.botapi.server import LocalBotApiServer

Params = dict[str, Any]
Upload = tuple[str, bytes, str]
SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}
IMPLEMENTED = (
    "GetMe",
    "GetUpdates",
    "SetWebhook",
    "DeleteWebhook",
    "GetWebhookInfo",
    "SendMessage",
    "EditMessageText",
    "EditMessageReplyMarkup",
    "EditMessageCaption",
    "AnswerCallbackQuery",
    "DeleteMessage",
    "SetMyCommands",
    "GetMyCommands",
    "DeleteMyCommands",
    "SendPhoto",
    "SendDocument",
    "SendChatAction",
    "SetMyDescription",
    "SetMyShortDescription",
    "GetMyDescription",
    "GetMyShortDescription",
    "GetChat",
    "GetFile",
    "Close",
    "LogOut",
    "SetChatMenuButton",
)


@dataclass
class StoredFile:
    """A file uploaded by the bot or sent by a user, downloadable through file_base_url."""

    file_id: str
    file_unique_id: str
    content: bytes
    file_name: str
    mime_type: str

    @property
    def file_path(self) -> str:
        """Path under the file URL."""
        return f"files/{self.file_unique_id}/{self.file_name}"


def image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, or a plausible default."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    index = 2
    while content[:2] == b"\xff\xd8" and index + 9 < len(content):
        marker, length = content[index + 1], struct.unpack(">H", content[index + 2 : index + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", content[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + length
    return 320, 240


class Methods:
    """The implemented methods; each takes checked parameters and uploads, returns the result."""

    def __init__(self, server: LocalBotApiServer) -> None:
        self.server = server
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.descriptions: dict[str, str] = {}
        self.table: dict[str, Callable[[Params, dict[str, Upload]], Awaitable[Any]]] = {
            name[0].lower() + name[1:]: getattr(self, "do_" + _snake(name)) for name in IMPLEMENTED
        }

    # -- identity and lifecycle -------------------------------------------------------------
    async def do_get_me(self, p: Params, f: dict[str, Upload]) -> Any:
        return {
            **self.server.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def do_close(self, p: Params, f: dict[str, Upload]) -> Any:
        return True

    async def do_log_out(self, p: Params, f: dict[str, Upload]) -> Any:
        return True

    # -- updates -----------------------------------------------------------------------------
    async def do_get_updates(self, p: Params, f: dict[str, Upload]) -> Any:
        if self.server.webhooks.targets:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        return await self.server.queue.get_updates(
            p.get("offset"), p.get("limit", 100), p.get("timeout", 0), p.get("allowed_updates")
        )

    async def do_set_webhook(self, p: Params, f: dict[str, Upload]) -> Any:
        url = p["url"]
        if not url:
            return await self.do_delete_webhook(p, f)
        if p.get("drop_pending_updates"):
            self.server.queue.drop_all()
        if "allowed_updates" in p:
            self.server.queue.allowed_updates = p["allowed_updates"]
        self.server.webhooks.set(url, p.get("secret_token"), p.get("max_connections", 40))
        return True

    async def do_delete_webhook(self, p: Params, f: dict[str, Upload]) -> Any:
        if p.get("drop_pending_updates"):
            self.server.queue.drop_all()
        self.server.webhooks.delete()
        return True

    async def do_get_webhook_info(self, p: Params, f: dict[str, Upload]) -> Any:
        return self.server.webhooks.info()

    # -- messages ----------------------------------------------------------------------------
    def _chat(self, chat_id: int | str, sending: bool = True) -> Chat:
        chat = self.server.chats.get(int(chat_id)) if str(chat_id).lstrip("-").isdigit() else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.blocked and sending:
            raise forbidden("bot was blocked by the user")
        return chat

    def _reply_to(self, chat: Chat, p: Params) -> dict[str, Any]:
        reply = p.get("reply_parameters")
        if not reply:
            return {}
        original = chat.messages.get(reply["message_id"])
        if original is None:
            if reply.get("allow_sending_without_reply"):
                return {}
            raise bad_request("message to be replied not found")
        return {"reply_to_message": original}

    def _text(self, p: Params, key: str = "text", entities_key: str = "entities") -> Params:
        text, entities = parsed_text(p[key], p.get("parse_mode"))
        entities = p.get(entities_key) or entities
        content: Params = {key: text}
        if entities:
            content[entities_key] = entities
        return content

    @staticmethod
    def _markup(p: Params) -> Params:
        markup = p.get("reply_markup")
        if markup and "inline_keyboard" in markup:
            return {"reply_markup": markup}
        return {}

    async def do_send_message(self, p: Params, f: dict[str, Upload]) -> Any:
        chat = self._chat(p["chat_id"])
        self.server.take_send_slot(chat)
        content = self._text(p) | self._markup(p) | self._reply_to(chat, p)
        return chat.new_message(self.server.bot_user, **content)

    async def do_send_photo(self, p: Params, f: dict[str, Upload]) -> Any:
        chat = self._chat(p["chat_id"])
        self.server.take_send_slot(chat)
        stored = self._file(p["photo"], f, "photo.jpg", "image/jpeg")
        content = {"photo": self.server.photo_sizes(stored)} | self._caption(p)
        return chat.new_message(
            self.server.bot_user, **content, **self._markup(p), **self._reply_to(chat, p)
        )

    async def do_send_document(self, p: Params, f: dict[str, Upload]) -> Any:
        chat = self._chat(p["chat_id"])
        self.server.take_send_slot(chat)
        stored = self._file(p["document"], f, "document", "application/octet-stream")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.content),
        }
        content = {"document": document} | self._caption(p)
        return chat.new_message(
            self.server.bot_user, **content, **self._markup(p), **self._reply_to(chat, p)
        )

    def _caption(self, p: Params) -> Params:
        if not p.get("caption"):
            return {}
        return self._text(p, "caption", "caption_entities")

    def _file(self, value: Any, uploads: dict[str, Upload], name: str, mime: str) -> StoredFile:
        if isinstance(value, dict) and "_file" in value:
            upload = uploads[value["_file"]]
        elif isinstance(value, str) and value.startswith("attach://"):
            upload = uploads[value[len("attach://") :]]
        elif isinstance(value, str) and value in self.server.files:
            return self.server.files[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            upload = (value.rsplit("/", 1)[-1] or name, b"", mime)
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return self.server.store_file(upload[1], upload[0] or name, upload[2] or mime)

    def _editable(self, p: Params) -> tuple[Chat, dict[str, Any]]:
        if "inline_message_id" in p:
            raise bad_request("MESSAGE_ID_INVALID")
        if "chat_id" not in p:
            raise bad_request("chat_id is empty")
        if "message_id" not in p:
            raise bad_request("message identifier is not specified")
        chat = self._chat(p["chat_id"])
        message = chat.messages.get(p["message_id"])
        if message is None:
            raise bad_request("message to edit not found")
        if not message["from"].get("is_bot"):
            raise bad_request("message can't be edited")
        return chat, message

    def _apply_edit(self, chat: Chat, message: dict[str, Any], content: Params) -> Any:
        keys = ("text", "entities", "caption", "caption_entities", "reply_markup")
        before = {k: message.get(k) for k in keys}
        after = before | {k: content.get(k) for k in content}
        if json.dumps(before, sort_keys=True) == json.dumps(after, sort_keys=True):
            raise bad_request(NOT_MODIFIED)
        for key, value in content.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        chat.touch()
        return message

    async def do_edit_message_text(self, p: Params, f: dict[str, Upload]) -> Any:
        chat, message = self._editable(p)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        content: Params = {"entities": None, "reply_markup": None}
        content |= self._text(p) | self._markup(p)
        return self._apply_edit(chat, message, content)

    async def do_edit_message_caption(self, p: Params, f: dict[str, Upload]) -> Any:
        chat, message = self._editable(p)
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        content: Params = {"caption": None, "caption_entities": None, "reply_markup": None}
        content |= self._caption(p) | self._markup(p)
        return self._apply_edit(chat, message, content)

    async def do_edit_message_reply_markup(self, p: Params, f: dict[str, Upload]) -> Any:
        chat, message = self._editable(p)
        return self._apply_edit(chat, message, {"reply_markup": None} | self._markup(p))

    async def do_delete_message(self, p: Params, f: dict[str, Upload]) -> Any:
        chat = self._chat(p["chat_id"], sending=False)
        if chat.messages.pop(p["message_id"], None) is None:
            raise bad_request("message to delete not found")
        chat.touch()
        return True

    async def do_answer_callback_query(self, p: Params, f: dict[str, Upload]) -> Any:
        tap = self.server.callbacks.get(p["callback_query_id"])
        too_old = tap is not None and time.monotonic() - tap.created > self.server.callback_timeout
        if tap is None or tap.answered or too_old:
            raise bad_request(QUERY_TOO_OLD)
        tap.answered = True
        tap.answer_text = p.get("text")
        tap.show_alert = bool(p.get("show_alert"))
        chat = self.server.chats.get(tap.chat_id)
        if chat is not None:
            chat.touch()
        return True

    async def do_send_chat_action(self, p: Params, f: dict[str, Upload]) -> Any:
        self._chat(p["chat_id"])
        return True

    async def do_get_chat(self, p: Params, f: dict[str, Upload]) -> Any:
        chat = self._chat(p["chat_id"], sending=False)
        return {
            **chat.chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def do_get_file(self, p: Params, f: dict[str, Upload]) -> Any:
        stored = self.server.files.get(p["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    # -- bot settings ------------------------------------------------------------------------
    @staticmethod
    def _scope_key(p: Params) -> str:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps([scope, p.get("language_code", "")], sort_keys=True)

    async def do_set_my_commands(self, p: Params, f: dict[str, Upload]) -> Any:
        self.commands[self._scope_key(p)] = p["commands"]
        return True

    async def do_get_my_commands(self, p: Params, f: dict[str, Upload]) -> Any:
        return self.commands.get(self._scope_key(p), [])

    async def do_delete_my_commands(self, p: Params, f: dict[str, Upload]) -> Any:
        self.commands.pop(self._scope_key(p), None)
        return True

    async def do_set_my_description(self, p: Params, f: dict[str, Upload]) -> Any:
        self.descriptions["description:" + p.get("language_code", "")] = p.get("description", "")
        return True

    async def do_set_my_short_description(self, p: Params, f: dict[str, Upload]) -> Any:
        key = "short_description:" + p.get("language_code", "")
        self.descriptions[key] = p.get("short_description", "")
        return True

    async def do_get_my_description(self, p: Params, f: dict[str, Upload]) -> Any:
        key = "description:" + p.get("language_code", "")
        return {"description": self.descriptions.get(key, "")}

    async def do_get_my_short_description(self, p: Params, f: dict[str, Upload]) -> Any:
        key = "short_description:" + p.get("language_code", "")
        return {"short_description": self.descriptions.get(key, "")}

    async def do_set_chat_menu_button(self, p: Params, f: dict[str, Upload]) -> Any:
        return True


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def file_ids(content: bytes, serial: int) -> tuple[str, str]:
    """A file_id and file_unique_id for stored content."""
    digest = hashlib.sha1(content + serial.to_bytes(8, "big")).hexdigest()
    return f"AgAD{digest[:24]}{serial}", f"AQAD{digest[:12]}"
