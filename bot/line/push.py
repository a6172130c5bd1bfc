"""Push messages for invitations and reminders (never for answers: those use the reply token)."""

from __future__ import annotations

import uuid

import aiohttp
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    PushMessageRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from bot.app.conversation.screens import Reply, Screen
from bot.app.delivery import Blocked, Rejected, RetryLater, Unreachable
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


class LinePusher:
    """Sends one invitation to one LINE user by push; errors in bot.app.delivery's terms."""

    def __init__(self, settings: Settings) -> None:
        self.client, self.api = messaging_api(settings)

    async def deliver(self, to: int | str, screen: Screen, key: int) -> None:
        """Push the screen; `key` (the invitation) makes LINE refuse a second copy, so a
        timed-out push is safe to send again (LINE answers 409 if the first one arrived)."""
        messages = messages_of(Reply((screen,)))
        retry_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"machikoe:invitation:{key}"))
        try:
            await self.api.push_message(
                PushMessageRequest.from_dict({"to": str(to), "messages": messages}),
                x_line_retry_key=retry_key,
            )
        except ApiException as error:
            if error.status == 429:
                raise RetryLater(1.0) from error
            if error.status == 409:  # this retry key was accepted before: it was sent
                return
            if error.status in (400, 401, 404):
                raise Rejected(f"LINE {error.status}: {error.reason}") from error
            if error.status == 403:
                raise Blocked("LINE 403") from error
            raise Unreachable(f"LINE {error.status}") from error
        except (TimeoutError, OSError, aiohttp.ClientError) as error:
            raise Unreachable(type(error).__name__) from error

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.close()
