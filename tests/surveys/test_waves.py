"""Wave lifecycle rules and audiences."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from surveys.waves import (
    Audience,
    PlanChange,
    WaveRuleError,
    WaveStatus,
    check_can_edit_survey,
    check_draft_only,
    check_single_open,
    check_transition,
)

DRAFT, SCHED, OPEN, CLOSED = (
    WaveStatus.DRAFT,
    WaveStatus.SCHEDULED,
    WaveStatus.OPEN,
    WaveStatus.CLOSED,
)


@pytest.mark.parametrize(
    ("current", "target"),
    [(DRAFT, SCHED), (DRAFT, OPEN), (SCHED, OPEN), (SCHED, DRAFT), (OPEN, CLOSED)],
)
def test_allowed_transitions(current: WaveStatus, target: WaveStatus) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (DRAFT, CLOSED, "a draft wave cannot become closed"),
        (SCHED, CLOSED, "a scheduled wave cannot become closed"),
        (OPEN, DRAFT, "an open wave cannot become draft"),
        (OPEN, SCHED, "an open wave cannot become scheduled"),
        (CLOSED, DRAFT, "a closed wave cannot become draft"),
        (CLOSED, OPEN, "a closed wave can be reopened only by an admin override"),
        (OPEN, OPEN, "wave is already open"),
    ],
)
def test_forbidden_transitions_say_why(
    current: WaveStatus, target: WaveStatus, message: str
) -> None:
    with pytest.raises(WaveRuleError) as caught:
        check_transition(current, target)
    assert str(caught.value) == message


def test_admin_can_reopen_a_closed_wave() -> None:
    check_transition("closed", "open", admin_override=True)
    with pytest.raises(WaveRuleError):
        check_transition("closed", "draft", admin_override=True)


def test_survey_is_frozen_once_a_wave_opened() -> None:
    check_can_edit_survey("draft")
    check_can_edit_survey(SCHED)
    for status in (OPEN, CLOSED):
        with pytest.raises(WaveRuleError, match="frozen"):
            check_can_edit_survey(status)


@pytest.mark.parametrize("change", list(PlanChange))
def test_only_a_draft_plan_is_edited_or_deleted_and_the_refusal_says_why(
    change: PlanChange,
) -> None:
    check_draft_only(DRAFT, change)
    reasons = {SCHED: "opens by itself", OPEN: "may already be answering", CLOSED: "record"}
    for status, why in reasons.items():
        with pytest.raises(WaveRuleError) as caught:
            check_draft_only(status.value, change)
        assert str(caught.value).startswith(f"only a draft wave can be {change.value}: ")
        assert why in str(caught.value)


def test_only_one_open_wave_per_survey() -> None:
    check_single_open("residency-livability", [])
    with pytest.raises(WaveRuleError) as caught:
        check_single_open("residency-livability", ["w7", "w3"])
    assert str(caught.value) == "survey residency-livability already has an open wave: w3, w7"


def test_audience_matches_profile_filters() -> None:
    everyone = Audience()
    assert everyone.matches({}) and everyone.matches({"age_band": "70plus"})
    young_taga = Audience(age_band=("18-19", "20s"), district=("taga",))
    assert young_taga.matches({"age_band": "20s", "district": "taga", "sex": "female"})
    assert not young_taga.matches({"age_band": "30s", "district": "taga"})
    assert not young_taga.matches({"age_band": "20s"})
    assert young_taga.filters() == {"age_band": ("18-19", "20s"), "district": ("taga",)}


def test_audience_refuses_unknown_values_and_fields() -> None:
    with pytest.raises(ValidationError, match='profile field district has no value "mito"'):
        Audience(district=("mito",))
    with pytest.raises(ValidationError):
        Audience.model_validate({"income": ["high"]})
