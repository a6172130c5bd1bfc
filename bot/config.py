"""Configuration from the environment (and command-line overrides), in one typed object."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_TIMEZONE = "Asia/Tokyo"


class ConfigError(Exception):
    """A configuration value is missing or malformed."""


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_int(name: str, value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}: not an integer: {value!r}") from None


@dataclass(frozen=True)
class Settings:
    """Everything machikoe reads from its environment."""

    data_dir: Path = field(default_factory=lambda: Path("var"))
    database_url: str | None = None
    secret: str | None = None
    telegram_token: str | None = None
    telegram_api_url: str | None = None
    staff_chat_id: int | None = None
    timezone: str = DEFAULT_TIMEZONE
    keep_raw_comments: bool = True
    log_chat_ids: bool = False
    retention_days: int | None = None
    contact_retention_days: int | None = None
    comment_retention_days: int | None = None
    inbox_max_age_hours: int = 24
    console_url: str | None = None
    line_channel_secret: str | None = None
    line_channel_token: str | None = None
    line_api_url: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            data_dir=Path(env.get("MACHIKOE_DATA_DIR") or "var"),
            database_url=env.get("MACHIKOE_DATABASE_URL") or None,
            secret=env.get("MACHIKOE_SECRET") or None,
            telegram_token=env.get("MACHIKOE_TELEGRAM_TOKEN") or None,
            telegram_api_url=env.get("MACHIKOE_TELEGRAM_API_URL") or None,
            staff_chat_id=_optional_int(
                "MACHIKOE_STAFF_CHAT_ID", env.get("MACHIKOE_STAFF_CHAT_ID")
            ),
            timezone=env.get("MACHIKOE_TIMEZONE") or DEFAULT_TIMEZONE,
            keep_raw_comments=_flag(env.get("MACHIKOE_KEEP_RAW_COMMENTS"), default=True),
            log_chat_ids=_flag(env.get("MACHIKOE_LOG_CHAT_IDS")),
            retention_days=_optional_int(
                "MACHIKOE_RETENTION_DAYS", env.get("MACHIKOE_RETENTION_DAYS")
            ),
            contact_retention_days=_optional_int(
                "MACHIKOE_CONTACT_RETENTION_DAYS", env.get("MACHIKOE_CONTACT_RETENTION_DAYS")
            ),
            comment_retention_days=_optional_int(
                "MACHIKOE_COMMENT_RETENTION_DAYS", env.get("MACHIKOE_COMMENT_RETENTION_DAYS")
            ),
            inbox_max_age_hours=_optional_int(
                "MACHIKOE_INBOX_MAX_AGE_HOURS", env.get("MACHIKOE_INBOX_MAX_AGE_HOURS")
            )
            or 24,
            console_url=env.get("MACHIKOE_CONSOLE_URL") or None,
            line_channel_secret=env.get("MACHIKOE_LINE_CHANNEL_SECRET") or None,
            line_channel_token=env.get("MACHIKOE_LINE_CHANNEL_TOKEN") or None,
            line_api_url=env.get("MACHIKOE_LINE_API_URL") or None,
        )

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given non-None values replaced (command-line options win)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def resolved_secret(self) -> str:
        """The pseudonym key: configured, or generated once and kept in the data folder."""
        if self.secret:
            return self.secret
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        return value
