"""The stand-in: a Messaging API on loopback (reply, push) and a webhook sender per user."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.demo.line_platform.faults import Faults
from bot.demo.line_platform.limits import request_problems
from bot.demo.line_platform.rich_menus import RichMenus
from bot.embedded_server import EmbeddedServer

Settle = Callable[[], Awaitable[None]]


def signature_of(secret: str, body: bytes) -> str:
    """X-Line-Signature: base64 of the HMAC-SHA256 of the raw body with the channel secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class SentMessage:
    """One message the bot sent to a user, and how (reply or push)."""

    how: str
    body: dict[str, Any]

    @property
    def text(self) -> str:
        """The text (a Flex bubble's first text)."""
        if self.body.get("type") == "text":
            return str(self.body.get("text", ""))
        texts = _find(self.body.get("contents"), "text")
        return str(texts[0].get("text", "")) if texts else ""

    @property
    def actions(self) -> list[dict[str, Any]]:
        """Postback actions: quick-reply items, else Flex buttons."""
        quick = self.body.get("quickReply", {}).get("items", [])
        found = [item["action"] for item in quick]
        found += [button["action"] for button in _find(self.body.get("contents"), "button")]
        return found

    @property
    def labels(self) -> list[str]:
        """The actions' labels."""
        return [str(action.get("label", "")) for action in self.actions]


def _find(node: Any, kind: str) -> list[dict[str, Any]]:
    """Components of a type anywhere in a Flex container, in order."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node)
        for key in ("body", "contents", "header", "footer"):
            found += _find(node.get(key), kind)
    elif isinstance(node, list):
        for value in node:
            found += _find(value, kind)
    return found


@dataclass
class LineUser:
    """One resident on LINE: sends events to the bot, sees what it sends back."""

    platform: LinePlatform
    user_id: str
    messages: list[SentMessage] = field(default_factory=list)
    language: str | None = "ja"  # the LINE app's language (the profile says it)
    display_name: str = "LINE利用者"
    chat: list[dict[str, Any]] = field(default_factory=list)  # the chat screen, both sides
    blocked: bool = False  # unfollowed: LINE still answers a push 200 but shows nothing
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def note(self, entry: dict[str, Any]) -> None:
        """Add a line to the chat screen (what the demo page shows)."""
        self.chat.append(entry)
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, after: int, timeout: float) -> None:
        """Return once the chat has more than `after` lines, or after `timeout` seconds."""
        if len(self.chat) > after:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    async def follow(self) -> int:
        """Add the official account as a friend (or unblock it)."""
        self.note({"from": "system", "text": "友だち追加しました"})
        self.blocked = False
        return await self.platform.send(self, {"type": "follow", "follow": {"isUnblocked": False}})

    async def unfollow(self) -> int:
        """Block the account."""
        self.blocked = True
        return await self.platform.send(self, {"type": "unfollow"}, reply=False)

    async def say(self, text: str) -> int:
        """Type a message."""
        message = {"type": "text", "id": str(next(self.platform.ids)), "text": text}
        self.note({"from": "user", "text": text})
        return await self.platform.send(self, {"type": "message", "message": message})

    async def sticker(self) -> int:
        """Send a sticker (not text)."""
        message = {"type": "sticker", "id": str(next(self.platform.ids)), "packageId": "1"}
        return await self.platform.send(self, {"type": "message", "message": message})

    async def tap(self, label: str) -> int:
        """Tap the newest action labelled `label` (else one whose label contains it)."""
        for match in (lambda text: text == label, lambda text: label in text):
            for message in reversed(self.messages):
                for action in message.actions:
                    if match(str(action.get("label", ""))):
                        return await self.postback(str(action["data"]), action.get("displayText"))
        raise LookupError(f"no button {label!r} in {self.buttons}")

    async def menu(self, label: str) -> int:
        """Tap the area of the channel's default rich menu labelled `label`."""
        menu = self.platform.rich_menus.default
        areas = menu.menu["areas"] if menu is not None and menu.image is not None else []
        for area in areas:
            action = area["action"]
            if label in (action.get("label"), action.get("displayText")):
                return await self.postback(str(action["data"]), action.get("displayText"))
        raise LookupError(f"no rich menu area {label!r}")

    async def postback(self, data: str, shown: str | None = None) -> int:
        """A postback with this data (`shown`: the action's displayText, said in the chat)."""
        if shown:
            self.note({"from": "user", "text": shown})
        return await self.platform.send(self, {"type": "postback", "postback": {"data": data}})

    async def received(self, count: int, timeout: float = 30.0) -> None:
        """Wait until the bot has sent this user `count` messages in all (a bot elsewhere)."""
        async with asyncio.timeout(timeout):
            while len(self.messages) < count:
                await asyncio.sleep(0.02)

    @property
    def last(self) -> str:
        """The text of the bot's latest message."""
        return self.messages[-1].text if self.messages else ""

    @property
    def buttons(self) -> list[str]:
        """Labels of the latest message's actions."""
        return self.messages[-1].labels if self.messages else []


class LinePlatform:
    """Messaging API stand-in on loopback; every limit broken is a violation."""

    def __init__(
        self, secret: str = "line-secret", token: str = "line-token", host: str = "127.0.0.1"
    ) -> None:
        self.secret = secret
        self.token = token
        self.webhook_url = ""
        self.settle: Settle | None = None
        self.users: dict[str, LineUser] = {}
        self.violations: list[str] = []
        self.replies = 0
        self.pushes = 0
        self.ids = itertools.count(1)
        self._tokens: dict[str, str] = {}  # reply token → user id
        self._used: set[str] = set()
        self._expired: set[str] = set()
        self._retry_keys: set[str] = set()
        self.profile_fails = False  # the profile endpoint answers 500 (a LINE outage)
        self.faults = Faults()
        self.rich_menus = RichMenus(self.violations, self._authorised)
        self._client = httpx.AsyncClient(timeout=10)
        app = Starlette(
            routes=[
                Route("/v2/bot/message/reply", self._reply, methods=["POST"]),
                Route("/v2/bot/message/push", self._push, methods=["POST"]),
                Route("/v2/bot/profile/{user_id}", self._profile, methods=["GET"]),
                *self.rich_menus.routes(),
                *self.extra_routes(),
            ]
        )
        self._web = EmbeddedServer(app, host, name="the LINE platform stand-in")

    async def __aenter__(self) -> LinePlatform:
        await self._web.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._web.stop()
        await self._client.aclose()

    @property
    def api_url(self) -> str:
        """Where the SDK is to send its calls (MACHIKOE_LINE_API_URL)."""
        return self._web.url

    def user(self, user_id: str | None = None) -> LineUser:
        """A user (a new one with a LINE-like id when none is named)."""
        user_id = user_id or "U" + secrets.token_hex(16)
        return self.users.setdefault(user_id, LineUser(self, user_id))

    def expire_reply_tokens(self) -> None:
        """Every reply token given so far expires (as after a minute)."""
        self._expired |= set(self._tokens)

    def event(self, user: LineUser, body: dict[str, Any], *, reply: bool = True) -> dict[str, Any]:
        """A webhook event from `user` (with a fresh webhookEventId and reply token)."""
        event = {
            **body,
            "mode": "active",
            "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": user.user_id},
            "webhookEventId": "01" + secrets.token_hex(12).upper(),
            "deliveryContext": {"isRedelivery": False},
        }
        if reply:
            token = secrets.token_hex(16)
            self._tokens[token] = user.user_id
            event["replyToken"] = token
        return event

    async def post(
        self, events: list[dict[str, Any]], *, signature: str | None = "sign", body: bytes = b""
    ) -> int:
        """POST a webhook body (signed unless told otherwise); the bot's status code."""
        raw = body or json.dumps({"destination": "Ubot", "events": events}).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Line-Signature"] = signature_of(self.secret, raw)
        elif signature is not None:
            headers["X-Line-Signature"] = signature
        response = await self._client.post(self.webhook_url, content=raw, headers=headers)
        if self.settle is not None:
            await self.settle()
        return response.status_code

    async def send(self, user: LineUser, body: dict[str, Any], *, reply: bool = True) -> int:
        """One event from a user, signed; waits until the bot has handled it."""
        return await self.post([self.event(user, body, reply=reply)])

    def _authorised(self, request: Request) -> bool:
        """The channel access token is the one the bot was given."""
        if request.headers.get("authorization") == f"Bearer {self.token}":
            return True
        self.violations.append(f"{request.url.path}: wrong or missing channel access token")
        return False

    async def _reply(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"message": "Authentication failed"}, status_code=401)
        body = await request.json()
        problems = request_problems(body, "replyToken")
        if problems:
            self.violations += [f"reply: {problem}" for problem in problems]
            return JSONResponse({"message": "; ".join(problems)}, status_code=400)
        fault = self.faults.take("reply")
        if fault is not None:
            return fault.response()
        token = str(body["replyToken"])
        if token in self._used:
            self.violations.append("reply: a reply token used twice")
            return JSONResponse({"message": "Invalid reply token"}, status_code=400)
        if token not in self._tokens or token in self._expired:
            return JSONResponse({"message": "Invalid reply token"}, status_code=400)
        self._used.add(token)
        self.replies += 1
        user = self.user(self._tokens[token])
        self._deliver(user, "reply", body["messages"])
        return JSONResponse({"sentMessages": self._sent(body["messages"])})

    async def _push(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"message": "Authentication failed"}, status_code=401)
        body = await request.json()
        problems = request_problems(body, "to")
        if problems:
            self.violations += [f"push: {problem}" for problem in problems]
            return JSONResponse({"message": "; ".join(problems)}, status_code=400)
        key = request.headers.get("x-line-retry-key")
        fault = self.faults.take("push")
        if fault is not None and not fault.delivered:
            return fault.response()  # LINE did not take it: the retry key stays unused
        if key is not None:
            if key in self._retry_keys:
                return JSONResponse({"message": "The retry key is already accepted"}, 409)
            self._retry_keys.add(key)
        self.pushes += 1
        user = self.user(str(body["to"]))
        if not user.blocked:  # LINE's reference: 200 for a user who blocked us, not shown
            self._deliver(user, "push", body["messages"])
        if fault is not None:
            return fault.response()
        return JSONResponse({"sentMessages": self._sent(body["messages"])})

    def extra_routes(self) -> list[Route]:
        """More routes on the same server (the demo page's client API)."""
        return []

    async def _profile(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"message": "Authentication failed"}, status_code=401)
        if self.profile_fails:
            return JSONResponse({"message": "Internal server error"}, status_code=500)
        user = self.users.get(request.path_params["user_id"])
        if user is None:
            return JSONResponse({"message": "Not found"}, status_code=404)
        profile = {"userId": user.user_id, "displayName": user.display_name}
        if user.language:
            profile["language"] = user.language
        return JSONResponse(profile)

    def _deliver(self, user: LineUser, how: str, messages: list[Any]) -> None:
        """The user's phone shows the messages."""
        for message in messages:
            user.messages.append(SentMessage(how, message))
            user.note({"from": "bot", "how": how, "message": message})

    def _sent(self, messages: list[Any]) -> list[dict[str, str]]:
        """The ids LINE gives sent messages."""
        return [{"id": str(next(self.ids)), "quoteToken": secrets.token_hex(8)} for _ in messages]
