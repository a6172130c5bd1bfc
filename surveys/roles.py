"""The city staff's roles: an admin runs waves and staff, an analyst reads and labels results."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A staff member's role (stored in the staff table); residents have none."""

    ADMIN = "admin"
    ANALYST = "analyst"
