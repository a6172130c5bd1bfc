"""Wave lifecycle rules and audiences: which transitions are allowed, who is invited."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator


class WaveStatus(StrEnum):
    """Where a wave is in its life."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class WaveRuleError(Exception):
    """A wave operation the lifecycle rules forbid; ``str()`` is one line for staff."""


_ALLOWED: dict[WaveStatus, frozenset[WaveStatus]] = {
    WaveStatus.DRAFT: frozenset({WaveStatus.SCHEDULED, WaveStatus.OPEN}),
    WaveStatus.SCHEDULED: frozenset({WaveStatus.OPEN, WaveStatus.DRAFT}),
    WaveStatus.OPEN: frozenset({WaveStatus.CLOSED}),
    WaveStatus.CLOSED: frozenset(),
}


def check_transition(
    current: WaveStatus | str, target: WaveStatus | str, *, admin_override: bool = False
) -> None:
    """Raise WaveRuleError unless a wave may move from ``current`` to ``target``."""
    current, target = WaveStatus(current), WaveStatus(target)
    if current == target:
        raise WaveRuleError(f"wave is already {current.value}")
    if target in _ALLOWED[current]:
        return
    if current is WaveStatus.CLOSED and target is WaveStatus.OPEN:
        if admin_override:
            return
        raise WaveRuleError("a closed wave can be reopened only by an admin override")
    article = "an" if current is WaveStatus.OPEN else "a"
    raise WaveRuleError(f"{article} {current.value} wave cannot become {target.value}")


class PlanChange(StrEnum):
    """What staff do to a wave's plan that only a draft allows."""

    EDIT = "edited"
    DELETE = "deleted"


_WHY_NOT_DRAFT: dict[WaveStatus, str] = {
    WaveStatus.SCHEDULED: "it is scheduled and opens by itself at its opening time",
    WaveStatus.OPEN: "it is open and residents may already be answering it",
    WaveStatus.CLOSED: "it is closed and its answers are the survey's record",
}


def check_draft_only(status: WaveStatus | str, change: PlanChange) -> None:
    """Raise WaveRuleError unless the wave is a draft (only a draft is edited or deleted)."""
    status = WaveStatus(status)
    if status is not WaveStatus.DRAFT:
        raise WaveRuleError(f"only a draft wave can be {change.value}: {_WHY_NOT_DRAFT[status]}")


def check_can_edit_survey(status: WaveStatus | str) -> None:
    """Raise WaveRuleError when the wave's survey is frozen (the wave has opened)."""
    status = WaveStatus(status)
    if status in (WaveStatus.OPEN, WaveStatus.CLOSED):
        article = "an" if status is WaveStatus.OPEN else "a"
        raise WaveRuleError(
            f"the survey of {article} {status.value} wave is frozen; create a new wave to change it"
        )


def check_single_open(survey_id: str, other_open_ids: Collection[str]) -> None:
    """Raise WaveRuleError when another wave of the same survey is already open."""
    if other_open_ids:
        listed = ", ".join(sorted(str(wave_id) for wave_id in other_open_ids))
        raise WaveRuleError(f"survey {survey_id} already has an open wave: {listed}")


class Audience(BaseModel):
    """Who a wave invites: allowed values per profile field; an unset field allows anyone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    age_band: tuple[str, ...] | None = None
    sex: tuple[str, ...] | None = None
    district: tuple[str, ...] | None = None
    years_lived: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _known_values(self) -> Audience:
        from surveys.profile import PROFILE_FIELDS, profile_values

        known = profile_values()
        for field in PROFILE_FIELDS:
            for value in getattr(self, field) or ():
                if value not in known[field]:
                    raise ValueError(f'profile field {field} has no value "{value}"')
        return self

    def filters(self) -> dict[str, tuple[str, ...]]:
        """The fields that restrict the audience, with their allowed values."""
        return {field: values for field, values in self.model_dump().items() if values is not None}

    def matches(self, profile: Mapping[str, str | None]) -> bool:
        """Whether a resident with this profile is in the audience (missing values are not)."""
        return all(profile.get(field) in values for field, values in self.filters().items())
