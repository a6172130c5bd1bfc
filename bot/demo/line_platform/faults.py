"""Faults the LINE platform stand-in can be told to answer with (429, 403, 5xx, ...), in the
Messaging API's own words: a status, the error JSON `{"message": ...}` and any headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.responses import JSONResponse

Endpoint = Literal["push", "reply"]

RATE_LIMITED = "The API rate limit has been exceeded. Try again later."
MONTHLY_LIMIT = "You have reached your monthly limit."
NOT_AVAILABLE = "Access to this API is not available for your account"

MESSAGES = {
    400: "Failed to send messages",
    401: "Authentication failed due to the following reason: invalid token",
    403: NOT_AVAILABLE,
    429: RATE_LIMITED,
    500: "Internal server error",
}
"""The `message` LINE's reference gives for each status (the reference names none for 5xx)."""


@dataclass
class Fault:
    """The answer for the next `times` calls of one endpoint."""

    status: int
    body: dict[str, Any]
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    delivered: bool = False  # the push arrives (and its retry key counts) before the error

    def response(self) -> JSONResponse:
        """The HTTP answer."""
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


class Faults:
    """Injected failures, by endpoint; each is used up call by call."""

    def __init__(self) -> None:
        self._next: dict[str, Fault] = {}

    def fail_next(
        self,
        endpoint: Endpoint,
        status: int,
        body: dict[str, Any] | None = None,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        delivered: bool = False,
    ) -> None:
        """Answer the next `times` calls of `endpoint` with `status` and LINE's error JSON
        (`body`, else `{"message": ...}` as LINE words it for that status). LINE sends no
        Retry-After; `headers` adds one for a test of it. `delivered`: a 5xx whose push
        was delivered anyway (LINE's docs warn of it), so its retry key is taken."""
        message = MESSAGES.get(status, "Internal server error" if status >= 500 else "Error")
        self._next[endpoint] = Fault(
            status, body or {"message": message}, times, dict(headers or {}), delivered
        )

    def take(self, endpoint: Endpoint) -> Fault | None:
        """The fault for this call of `endpoint`, if one is due (counting it)."""
        fault = self._next.get(endpoint)
        if fault is None or fault.times <= 0:
            return None
        fault.times -= 1
        if fault.times == 0:
            del self._next[endpoint]
        return fault

    def remaining(self, endpoint: Endpoint) -> int:
        """How many more calls of `endpoint` will get the fault (each call counts one)."""
        fault = self._next.get(endpoint)
        return fault.times if fault is not None else 0

    def clear(self, endpoint: Endpoint) -> None:
        """Answer `endpoint` normally again (the outage or the quota is over)."""
        self._next.pop(endpoint, None)
