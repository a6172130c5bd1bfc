"""The HTTP transport the bot talks to the Bot API with: aiohttp and orjson under PTB's API.

python-telegram-bot's default transport (httpx) spends about three times as much CPU per
request as aiohttp, and a survey step makes three requests; PTB documents `BaseRequest` as the
place to plug another client in. orjson writes the requests (JSON bodies) and parses the
replies.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
from aiohttp.payload import BytesPayload
from telegram import Bot
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.ext import ApplicationBuilder
from telegram.request import BaseRequest, RequestData

JSON = "application/json"
DEFAULT_TIMEOUT = 5.0
MEDIA_WRITE_TIMEOUT = 20.0


def _chosen(value: Any, default: float | None) -> float | None:
    """A per-call timeout when one was given, else this transport's default."""
    return default if isinstance(value, DefaultValue) else value


class AiohttpRequest(BaseRequest):
    """Bot API requests over one aiohttp session with a bounded connection pool."""

    def __init__(
        self,
        connection_pool_size: int = 128,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = 30.0,
        write_timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._write_timeout = write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds the long-polling timeout to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again after a shutdown)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """Telegram's JSON reply (orjson; a broken body is a TelegramError, as in PTB)."""
        try:
            parsed = orjson.loads(payload)
        except orjson.JSONDecodeError as error:
            raise TelegramError("Invalid server response") from error
        if not isinstance(parsed, dict):
            raise TelegramError("Invalid server response")
        return parsed

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; PTB turns the status and body into results or errors."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data is not None and request_data.contains_files
        write = _chosen(write_timeout, MEDIA_WRITE_TIMEOUT if files else self._write_timeout)
        read = _chosen(read_timeout, self._read_timeout)
        # aiohttp has no write timeout of its own: an upload may take write + read in all
        timeout = aiohttp.ClientTimeout(
            total=None if read is None or write is None else read + write,
            connect=_chosen(pool_timeout, self._pool_timeout),
            sock_connect=_chosen(connect_timeout, self._connect_timeout),
            sock_read=read,
        )
        try:
            async with session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


async def call_unparsed(bot: Bot, method: str, **params: object) -> Any:
    """Call a Bot API method and return its result as plain JSON (a survey step's send and
    edit, which read at most a message id).

    PTB's own methods turn every reply into objects (a sent message with its keyboard: about
    0.15 ms a call); this goes through the same request path (defaults, rate limiter, errors
    raised as TelegramError) and skips that. None values are left out, as PTB does."""
    return await bot._post(method, dict(params))


def use_aiohttp(builder: ApplicationBuilder, max_concurrent_updates: int) -> ApplicationBuilder:  # type: ignore[type-arg]
    """Bot API calls and long polling over aiohttp: two connections per update in progress
    (a step makes up to two calls at once), and one for polling."""
    pool_size = max(8, min(2 * max_concurrent_updates, 128))
    return builder.request(AiohttpRequest(pool_size)).get_updates_request(
        AiohttpRequest(connection_pool_size=1)
    )


def _body(request_data: RequestData | None) -> aiohttp.FormData | BytesPayload | None:
    """A JSON body (which the Bot API accepts for everything but uploads; cheaper to build
    than a form), or a multipart form when files are uploaded."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return BytesPayload(orjson.dumps(request_data.parameters), content_type=JSON)
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
