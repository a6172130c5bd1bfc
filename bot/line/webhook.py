"""`POST /line/webhook`: signed by LINE, recorded durably, answered 200, handled after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhook import WebhookParser
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.line.events import Recorded
from bot.line.handler import LineChannel

PATH = "/line/webhook"
MAX_BODY = 1 << 20
"""Bytes a webhook body may have: LINE's are a few KB; anything bigger is refused (413)."""


class BodyTooLarge(Exception):
    """The request body is over MAX_BODY."""


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, refused as soon as it passes `limit` (a stated length is checked first)."""
    stated = request.headers.get("content-length")
    if stated is not None and stated.isdigit() and int(stated) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def webhook_app(channel: LineChannel, secret: str, *, recover: bool = True) -> Starlette:
    """The webhook as an ASGI app; on start-up it takes over what a stopped bot left."""
    parser = WebhookParser(secret)

    async def receive(request: Request) -> Response:
        try:
            body = await read_body(request)
        except BodyTooLarge:
            return PlainTextResponse("body too large", status_code=413)
        signature = request.headers.get("x-line-signature")
        if not signature:
            return PlainTextResponse("missing X-Line-Signature", status_code=400)
        try:
            text = body.decode("utf-8")
            parser.parse(text, signature)  # verifies the HMAC before anything is read
            events = orjson.loads(text).get("events", [])
        except (InvalidSignatureError, UnicodeDecodeError):
            return PlainTextResponse("bad signature", status_code=400)
        except (ValueError, AttributeError, KeyError):
            return PlainTextResponse("not a webhook body", status_code=400)
        usable = [e for e in events if isinstance(e, dict) and e.get("webhookEventId")]
        recorded = await channel.inbox.record(usable)  # durable before LINE hears 200
        channel.dispatch(recorded)
        return PlainTextResponse("OK")

    async def hand_on(recorded: list[Recorded]) -> None:
        """Queue events taken over from a replica now gone."""
        channel.dispatch(recorded)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await channel.inbox.open()
        if recover:
            channel.dispatch(await channel.inbox.recover())
        sweeper = asyncio.create_task(channel.inbox.watch(hand_on))  # lock, takeover, purge
        try:
            yield
        finally:
            sweeper.cancel()
            await channel.stop()
            await channel.inbox.close()

    return Starlette(routes=[Route(PATH, receive, methods=["POST"])], lifespan=lifespan)
