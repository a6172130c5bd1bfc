"""The wave form as staff fill it in, read with the CLI's own parsers (bot/app/wave_plans.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from starlette.datastructures import FormData

from bot.app.wave_plans import (
    WEEKDAYS,
    WaveError,
    parse_audience,
    parse_reminder,
    parse_summary,
    parse_time,
)
from bot.app.waves import AudienceChannel, audience_channel
from bot.console.web import CHANNEL_LABELS
from storage.records import WaveRecord
from surveys.profile import PROFILE_FIELDS, profile_label, profile_values

FIELD_TITLES = {"age_band": "年代", "sex": "性別", "district": "地区", "years_lived": "居住年数"}
DAY_LABELS = {
    "": "送らない",
    "daily": "毎日",
    **dict(zip(WEEKDAYS, ("月曜", "火曜", "水曜", "木曜", "金曜", "土曜", "日曜"), strict=True)),
}


@dataclass
class WaveForm:
    """The form's values as text (what the page shows again after an error)."""

    survey_id: str = ""
    name: str = ""
    opens: str = ""
    closes: str = ""
    audience: dict[str, list[str]] = field(default_factory=dict)
    reminders: str = ""
    summary_day: str = ""
    summary_time: str = "09:00"
    channel: str = AudienceChannel.BOTH

    @classmethod
    def of(cls, form: FormData) -> WaveForm:
        """The values posted."""
        text = {key: str(form.get(key, "")).strip() for key in cls.__dataclass_fields__}
        text.pop("audience")
        text["channel"] = text["channel"] or AudienceChannel.BOTH
        audience = {
            name: [str(v) for v in form.getlist(f"audience.{name}")]
            for name in PROFILE_FIELDS
            if form.getlist(f"audience.{name}")
        }
        return cls(audience=audience, **text)

    @classmethod
    def of_wave(cls, wave: WaveRecord, zone: tzinfo) -> WaveForm:
        """A draft's plan, to edit it."""
        summary = wave.summary_schedule or {}
        return cls(
            survey_id=wave.survey_id,
            name=wave.name,
            opens=_local(wave.opens_at, zone),
            closes=_local(wave.closes_at, zone),
            audience={k: v for k, v in wave.audience.items() if k in PROFILE_FIELDS},
            reminders=", ".join(wave.reminders),
            summary_day=str(summary.get("day", "")),
            summary_time=str(summary.get("time", "09:00")),
            channel=audience_channel(wave.audience),
        )

    def plan(self, zone: tzinfo, now: datetime) -> dict[str, Any]:
        """The plan as `create_wave` / `edit_wave` take it; WaveError names what is wrong."""
        items = [f"{name}={','.join(values)}" for name, values in self.audience.items()]
        reminders = [r for r in re.split(r"[,、\s]+", self.reminders) if r]
        return {
            "name": self.name or None,
            "opens_at": _time("開始日時", self.opens, zone, now),
            "closes_at": _time("終了日時", self.closes, zone, now),
            "audience": parse_audience(items),
            "reminders": [parse_reminder(r, zone, now) for r in reminders],
            "summary": (
                parse_summary(f"{self.summary_day} {self.summary_time}")
                if self.summary_day
                else None
            ),
            "channel": self.channel or AudienceChannel.BOTH,
        }


def _local(value: datetime | None, zone: tzinfo) -> str:
    """A time as a datetime-local input shows it."""
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if value else ""


def _time(label: str, text: str, zone: tzinfo, now: datetime) -> datetime | None:
    """An optional time field, its label in the error."""
    if not text:
        return None
    try:
        return parse_time(text, zone, now)
    except WaveError as exc:
        raise WaveError(f"{label}: {exc}") from None


def audience_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(field, title, [(code, label)]) for the audience checkboxes."""
    return [
        (name, FIELD_TITLES[name], [(code, profile_label(name, code)) for code in codes])
        for name, codes in profile_values().items()
    ]


def channel_choices() -> list[tuple[str, str]]:
    """(value, label) of the audience channel's radio buttons, both first (the default)."""
    order = (AudienceChannel.BOTH, AudienceChannel.TELEGRAM, AudienceChannel.LINE)
    return [(channel.value, CHANNEL_LABELS[channel]) for channel in order]


def audience_labels(audience: dict[str, list[str]]) -> str:
    """An audience's profile filters as staff read it (everyone subscribed when unfiltered);
    the channel is shown on its own (CHANNEL_LABELS)."""
    profile = {name: values for name, values in audience.items() if name in PROFILE_FIELDS}
    if not profile:
        return "登録しているすべての市民"
    return "／".join(
        f"{FIELD_TITLES.get(name, name)}：{'・'.join(profile_label(name, v) for v in values)}"
        for name, values in sorted(profile.items())
    )
