"""Push messages for invitations and reminders (never for answers: those use the reply token)."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    PushMessageRequest,
)
from linebot.v3.messaging.exceptions import ApiException
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.app.conversation.screens import Button, Reply, Screen
from bot.config import Settings
from bot.line.render import messages_of

DEFAULT_API = "https://api.line.me"


def messaging_api(settings: Settings) -> tuple[AsyncApiClient, AsyncMessagingApi]:
    """The SDK's async client, at MACHIKOE_LINE_API_URL when set (a stand-in)."""
    configuration = Configuration(
        host=settings.line_api_url or DEFAULT_API, access_token=settings.line_channel_token
    )
    client = AsyncApiClient(configuration)
    return client, AsyncMessagingApi(client)


def screen_of(text: str, keyboard: Any) -> Screen:
    """An invitation (HTML text and an inline keyboard's rows) as a plain screen."""
    rows = tuple(
        tuple(Button(button.text, button.callback_data or "") for button in row)
        for row in (getattr(keyboard, "inline_keyboard", None) or ())
    )
    return Screen(text, rows)


class LinePusher:
    """Sends one invitation to one LINE user; errors in the sender's (Telegram's) terms."""

    def __init__(self, settings: Settings) -> None:
        self.client, self.api = messaging_api(settings)

    async def push(self, user_id: str, text: str, keyboard: Any, key: int) -> None:
        """Push the message; `key` (the invitation) makes LINE refuse a second copy."""
        messages = messages_of(Reply((screen_of(text, keyboard),)))
        retry_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"machikoe:invitation:{key}"))
        try:
            await self.api.push_message(
                PushMessageRequest.from_dict({"to": user_id, "messages": messages}),
                x_line_retry_key=retry_key,
            )
        except ApiException as error:
            if error.status == 429:
                raise RetryAfter(1) from error
            if error.status == 409:  # this retry key was accepted before: it was sent
                return
            if error.status in (400, 401, 404):
                raise BadRequest(f"LINE {error.status}: {error.reason}") from error
            if error.status == 403:
                raise Forbidden("LINE 403") from error
            raise NetworkError(f"LINE {error.status}") from error
        except (TimeoutError, OSError, aiohttp.ClientError) as error:
            raise NetworkError(f"LINE unreachable: {type(error).__name__}") from error

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.close()
