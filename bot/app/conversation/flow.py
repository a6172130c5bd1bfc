"""The resident flow over the database: who the resident is, which wave, which step.

One source of truth: answers committed at every step; the next step is derived from them.
Every read of where a resident stands and every write of a step goes through the step's lane
(storage/lanes.py: the same programs on the fast connection or the unit of work's session).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.app.catalog import survey_for_wave
from storage.db import UnitOfWork
from storage.lanes import Lane
from storage.records import RespondentRecord, ResponseRecord, StoredAnswer, WaveRecord
from storage.repositories.steps import AnswerToStore
from surveys import codec
from surveys.answers import Answer
from surveys.definition import QuestionType, Survey
from surveys.engine import (
    AskOther,
    AskQuestion,
    Invalid,
    Step,
    answers_to_drop,
    choice_from_text,
    next_step,
    validate_answer,
    validate_other_text,
    with_other_text,
)
from surveys.modes import ResponseMode
from surveys.profile import PROFILE_FIELDS, profile_survey
from surveys.status import Consent, ResponseStatus
from surveys.waves import Audience, WaveStatus

Profile = dict[str, str | None]


@dataclass(frozen=True)
class SurveyState:
    """Where a resident stands in one wave: the survey, the stored answers, the next step."""

    respondent: RespondentRecord
    profile: Profile
    wave: WaveRecord
    survey: Survey
    response: ResponseRecord | None
    answers: dict[str, Answer]

    @property
    def step(self) -> Step:
        """The next thing to show, derived from the stored answers."""
        return next_step(self.survey, self.answers, self.profile)

    @property
    def submitted(self) -> bool:
        """Whether the response is already sent."""
        return self.response is not None and self.response.status == ResponseStatus.COMPLETE


@dataclass(frozen=True)
class WaveChoice:
    """The wave to answer, or why there is none (all answered / none open, next planned)."""

    wave: WaveRecord | None
    answered: WaveRecord | None = None
    next_planned: WaveRecord | None = None
    response: ResponseRecord | None = None


@dataclass(frozen=True)
class StepRead:
    """A resident as a tap on a wave's button finds them: who, their profile, the wave, and
    their state in it when the wave is open (None otherwise or when unknown)."""

    respondent: RespondentRecord | None
    profile: Profile
    wave: WaveRecord | None
    state: SurveyState | None


class SurveyCache:
    """Parsed definitions by stored version id: a stored version never changes, so a step
    needs no query for it once seen (waves without a frozen version look up the latest)."""

    def __init__(self) -> None:
        self._by_definition: dict[int, Survey] = {}

    async def survey_for(self, uow: UnitOfWork, wave: WaveRecord) -> Survey:
        """The definition a wave runs (frozen at opening, else the latest loaded)."""
        if wave.definition_id is not None:
            cached = self._by_definition.get(wave.definition_id)
            if cached is not None:
                return cached
        survey = await survey_for_wave(uow, wave)
        if wave.definition_id is not None:
            self._by_definition[wave.definition_id] = survey
        return survey


def profile_answers(profile: Profile) -> dict[str, Answer]:
    """The profile as answers of the profile survey."""
    return {name: Answer(name, value) for name, value in profile.items() if value is not None}


def profile_complete(profile: Profile) -> bool:
    """Whether every profile field is given."""
    return all(profile.get(name) for name in PROFILE_FIELDS)


def profile_step(profile: Profile) -> Step:
    """The next profile question (or the review when complete)."""
    return next_step(profile_survey(), profile_answers(profile), {})


def typed_step_answer(state: SurveyState, step: Step, text: str) -> Answer | Invalid | None:
    """What a typed message answers at this step: text, a number, an "other" detail, or a
    choice typed as its number or label; None when it names no choice (or the step wants
    taps: a multi question, the review)."""
    if isinstance(step, AskOther):
        other = validate_other_text(text)
        if isinstance(other, Invalid):
            return other
        return with_other_text(state.answers[step.question.id], other)
    if not isinstance(step, AskQuestion) or step.question.type is QuestionType.MULTI:
        return None
    question = step.question
    if question.type in (QuestionType.TEXT, QuestionType.NUMBER):
        return validate_answer(question, text)
    code = choice_from_text(question, text)
    return validate_answer(question, code) if code is not None else None


def _audience_matches(wave: WaveRecord, profile: Profile) -> bool:
    """Whether the resident belongs to the wave's audience (bad audiences match nobody)."""
    try:
        audience = Audience.model_validate(wave.audience or {})
    except ValueError:
        return False
    return audience.matches(profile)


async def choose_wave(
    uow: UnitOfWork, respondent_id: int, profile: Profile, wave_id: int | None = None
) -> WaveChoice:
    """The open wave for this resident: earliest closing first, skipping answered ones."""
    candidates = [w for w in await uow.waves.open_waves() if _audience_matches(w, profile)]
    if wave_id is not None:
        chosen = [w for w in candidates if w.id == wave_id]
        candidates = chosen + [w for w in candidates if w.id != wave_id]
    else:
        candidates.sort(key=lambda w: (w.closes_at is None, w.closes_at or w.created_at, w.id))
    answered = None
    for wave in candidates:
        response = await uow.responses.get_for(wave.id, respondent_id)
        if response is None or response.status != ResponseStatus.COMPLETE:
            return WaveChoice(wave, response=response)
        answered = answered or wave
    if answered is not None:
        return WaveChoice(None, answered=answered)
    return WaveChoice(None, next_planned=await uow.waves.next_planned())


async def open_wave_step(
    uow: UnitOfWork, surveys: SurveyCache, key: str, lane: Lane
) -> SurveyState | None:
    """In one trip, the resident's state in the only open wave when they are simply answering
    it (consented, profile complete, in its audience, not yet submitted); None otherwise —
    `choose_wave` then decides, and says why when there is nothing to answer."""
    waves, found = await lane.read_open(key)
    if found is None or found.respondent.consent != Consent.GIVEN:
        return None
    wave, response = waves[0], found.response
    if not profile_complete(found.profile) or not _audience_matches(wave, found.profile):
        return None
    if response is not None and response.status == ResponseStatus.COMPLETE:
        return None
    survey = await surveys.survey_for(uow, wave)
    answers = decode_answers(survey, found.answers)
    return SurveyState(found.respondent, found.profile, wave, survey, response, answers)


async def load_state(
    uow: UnitOfWork,
    surveys: SurveyCache,
    lane: Lane,
    respondent: RespondentRecord,
    profile: Profile,
    choice: WaveRecord | WaveChoice,
) -> SurveyState:
    """The resident's state in a wave: their response and its answers, in one read."""
    wave = choice.wave if isinstance(choice, WaveChoice) else choice
    assert wave is not None
    _, found = await lane.read(respondent.key, wave.id)
    response = found.response if found is not None else None
    stored = found.answers if found is not None else {}
    survey = await surveys.survey_for(uow, wave)
    return SurveyState(respondent, profile, wave, survey, response, decode_answers(survey, stored))


def decode_answers(survey: Survey, stored: dict[str, StoredAnswer]) -> dict[str, Answer]:
    """The engine's answers from stored ones (answers to unknown questions are left out)."""
    known = {q.id: q for q in survey.questions}
    return {
        question_id: codec.decode(known[question_id], answer.value, answer.other_text)
        for question_id, answer in stored.items()
        if question_id in known
    }


async def read_step(
    uow: UnitOfWork, surveys: SurveyCache, lane: Lane, key: str, wave_id: int | None
) -> StepRead:
    """Everything a survey tap needs in one read: the wave, and the resident with their
    profile, response and answers."""
    wave, found = await lane.read(key, wave_id)
    if found is None:
        return StepRead(None, {name: None for name in PROFILE_FIELDS}, wave, None)
    state = None
    if wave is not None and wave.status == WaveStatus.OPEN:
        survey = await surveys.survey_for(uow, wave)
        answers = decode_answers(survey, found.answers)
        state = SurveyState(found.respondent, found.profile, wave, survey, found.response, answers)
    return StepRead(found.respondent, found.profile, wave, state)


async def ensure_response(
    lane: Lane, state: SurveyState, at: datetime, mode: ResponseMode = ResponseMode.CHAT
) -> ResponseRecord:
    """The resident's response to the wave, started now (in the channel's mode) if needed."""
    if state.response is not None:
        return state.response
    return await lane.start(state.wave.id, state.respondent, at, mode)


async def store_answer(
    lane: Lane,
    state: SurveyState,
    answer: Answer,
    at: datetime,
    mode: ResponseMode = ResponseMode.CHAT,
) -> SurveyState:
    """Store one answer, drop answers skip logic no longer reaches; returns the new state."""
    value, other = codec.encode(answer)
    answers = {**state.answers, answer.question_id: answer}
    dropped = tuple(answers_to_drop(state.survey, answers, state.profile))
    stored = AnswerToStore(
        state.wave.id,
        state.respondent,
        state.response,
        answer.question_id,
        value,
        other,
        dropped,
        mode,
    )
    response, _ = await lane.store(stored, at)
    for question_id in dropped:
        answers.pop(question_id, None)
    return SurveyState(state.respondent, state.profile, state.wave, state.survey, response, answers)


async def submit_response(lane: Lane, state: SurveyState, at: datetime) -> bool:
    """Submit the response with the resident's profile; False if it was submitted already."""
    assert state.response is not None
    return await lane.submit(state.response.id, state.profile, at)


async def reopen_question(
    lane: Lane, state: SurveyState, question_id: str, at: datetime
) -> SurveyState:
    """Make a question current again (back / change): its stored answer is removed."""
    if state.response is None or question_id not in state.answers:
        return state
    await lane.drop(state.response.id, [question_id], at)
    answers = {k: v for k, v in state.answers.items() if k != question_id}
    return SurveyState(
        state.respondent, state.profile, state.wave, state.survey, state.response, answers
    )
