"""Push messages for invitations and reminders (never for answers: those use the reply token).

How LINE's answers to a push map to bot.app.delivery's errors, after the Messaging API reference
and its "Retry failed API requests" page:

- 200: accepted. Also for a user who blocked the account (LINE says so and shows them nothing),
  so a push never means "blocked"; the unfollow webhook marks those residents (bot/line/handler).
- 409: the retry key was accepted before: that invitation was sent, not an error.
- 429: "The API rate limit has been exceeded" (or many messages to one user): RetryLater, backing
  off exponentially per invitation as LINE recommends. "You have reached your monthly limit.":
  OutOfQuota, so the sender holds the channel and its messages wait until the quota renews.
- 5xx: Unreachable; LINE says retry (the message may have arrived, the retry key keeps a second
  attempt from delivering it twice).
- 403: the channel's plan may not use this API ("Access to this API is not available for your
  account"), other 4xx: a bad request or token. Rejected: LINE says retrying changes nothing.
"""

from __future__ import annotations

import uuid

import aiohttp
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    ErrorResponse,
    PushMessageRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from bot.app.conversation.screens import Reply, Screen
from bot.app.delivery import OutOfQuota, Rejected, RetryLater, Unreachable
from bot.config import Settings
from bot.line.render import messages_of

DEFAULT_API = "https://api.line.me"
RATE_LIMIT_WAIT = 1.0
"""Seconds before resending after a rate-limit 429. LINE sends no Retry-After and documents its
push limit per second (2,000 requests a second per channel), so one second is the shortest wait
after which the limit can have cleared; each further 429 for the same invitation doubles it."""
MAX_RATE_LIMIT_WAIT = 30.0
MONTHLY_LIMIT = "monthly limit"  # in LINE's "You have reached your monthly limit."


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
        self._throttled: dict[int, int] = {}  # invitation → rate-limit 429s in a row

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
            if error.status == 429 and MONTHLY_LIMIT not in message_of(error):
                raise RetryLater(self._backoff(key, error)) from error
            self._throttled.pop(key, None)
            if error.status == 409:  # this retry key was accepted before: it was sent
                return
            reason = f"LINE {error.status}: {message_of(error) or error.reason}"
            if error.status == 429:  # the monthly limit: nothing goes out until it renews
                raise OutOfQuota(reason) from error
            if error.status is not None and 400 <= error.status < 500:
                raise Rejected(reason) from error
            raise Unreachable(reason) from error
        except (TimeoutError, OSError, aiohttp.ClientError) as error:
            self._throttled.pop(key, None)
            raise Unreachable(type(error).__name__) from error
        self._throttled.pop(key, None)

    def _backoff(self, key: int, error: ApiException) -> float:
        """How long to wait after a rate-limit 429: a Retry-After if LINE ever sends one,
        else RATE_LIMIT_WAIT doubled for each 429 this invitation got in a row."""
        tries = self._throttled[key] = self._throttled.get(key, 0) + 1
        header = (error.headers or {}).get("Retry-After")
        if header is not None and header.strip().isdigit():
            return float(header)
        return min(RATE_LIMIT_WAIT * 2 ** (tries - 1), MAX_RATE_LIMIT_WAIT)

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.close()


def message_of(error: ApiException) -> str:
    """The `message` of LINE's error JSON (the SDK's ErrorResponse; empty when it is not one)."""
    body = error.body.decode("utf-8", "replace") if isinstance(error.body, bytes) else error.body
    try:
        return ErrorResponse.from_json(body).message if body else ""
    except ValueError:  # not JSON, or not LINE's error shape
        return ""
