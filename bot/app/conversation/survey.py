"""Survey taps: answer, multi toggles and 次へ, back, change from the review, submit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from bot.app import callbacks as cb
from bot.app.conversation.context import Conversation, consented, language_of, said
from bot.app.conversation.current import (
    profile_screens,
    stale,
    stale_reply,
    state_screens,
    step_screen,
)
from bot.app.conversation.flow import (
    Profile,
    SurveyState,
    profile_complete,
    read_step,
    reopen_question,
    store_answer,
    submit_response,
)
from bot.app.conversation.keyboards import question_rows
from bot.app.conversation.resident import Resident
from bot.app.conversation.screens import Placement, Reply, Screen
from bot.app.conversation.views import answered_text, question_screen
from bot.app.texts import t
from storage.db import UnitOfWork
from surveys.answers import Answer
from surveys.definition import Question
from surveys.engine import (
    AskOther,
    AskQuestion,
    Invalid,
    Review,
    previous_question,
    skip_answer,
    validate_answer,
)


@dataclass(frozen=True)
class TapState:
    """The state behind a survey tap, or what to answer instead (a refusal, else the
    unfinished profile's screens: the profile read with the tap)."""

    state: SurveyState | None
    language: str
    refusal: Reply | None = None
    profile: Profile | None = None


async def survey_state(
    conversation: Conversation, uow: UnitOfWork, resident: Resident, wave_text: str
) -> TapState:
    """The state behind a survey tap (one read), or why there is none."""
    key = conversation.key(resident)
    wave_id = cb.parse_int(wave_text)
    read = await read_step(uow, conversation.surveys, conversation.lane(uow), key, wave_id)
    respondent, wave, state = read.respondent, read.wave, read.state
    language = language_of(respondent, resident)
    if not consented(respondent):
        return TapState(
            None,
            language,
            Reply((said(language, "consent_needed", conversation.channel),), close=True),
        )
    if wave is None or state is None:
        return TapState(
            None,
            language,
            Reply((said(language, "closed", conversation.channel),), close=True, once=True),
        )
    if not profile_complete(read.profile):
        return TapState(None, language, profile=read.profile)
    if state.submitted:
        screen = Screen(t(language, "already_answered", title=escape(wave.name)))
        return TapState(None, language, Reply((screen,), close=True, once=True))
    return TapState(state, language)


def refused(found: TapState) -> Reply:
    """The answer to a tap that found no state to act on (from what the tap read)."""
    if found.refusal is not None or found.profile is None:
        return found.refusal or Reply()
    return stale_reply(profile_screens(found.profile, found.language))


async def stale_tap(
    conversation: Conversation, uow: UnitOfWork, state: SurveyState, language: str
) -> Reply:
    """An old or repeated tap: the current step of the state the tap read (no second read)."""
    return stale_reply(await state_screens(conversation, uow, state, language))


def is_current(state: SurveyState, question_id: str) -> AskQuestion | None:
    """The current question step when it is this question."""
    step = state.step
    if isinstance(step, AskQuestion) and step.question.id == question_id:
        return step
    return None


def reason_toast(invalid: Invalid, language: str) -> str:
    """A short toast for a refused tap."""
    return t(
        language,
        f"invalid_{invalid.reason.value}",
        minimum=invalid.minimum,
        maximum=invalid.maximum,
        limit=invalid.limit,
        given=invalid.given,
        range="",
    )


async def tap_answer(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """A:<wave>:<question>:<choice | -> — answer the current question."""
    if len(parts) != 3:
        return Reply()

    def chosen(question: Question) -> Answer | Invalid:
        if parts[2] == cb.SKIP:
            return skip_answer(question)
        index = cb.parse_int(parts[2], -1)
        ids = question.choice_ids
        code = ids[index] if index is not None and 0 <= index < len(ids) else ""
        return validate_answer(question, code)

    return await store_tapped(conversation, resident, parts[0], parts[1], chosen)


async def tap_next(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """N:<wave>:<question>:<mask> — store the ticked choices of a multi question."""
    if len(parts) != 3:
        return Reply()

    def ticked(question: Question) -> Answer | Invalid:
        mask = cb.parse_int("0x" + parts[2], 0) or 0
        indices = cb.indices_of(mask, len(question.choice_ids))
        return validate_answer(question, [question.choice_ids[i] for i in indices])

    return await store_tapped(conversation, resident, parts[0], parts[1], ticked)


async def store_tapped(
    conversation: Conversation,
    resident: Resident,
    wave_text: str,
    question_id: str,
    answer_of: Callable[[Question], Answer | Invalid],
) -> Reply:
    """Store a tapped answer to the current question and show the next step in its place (a
    toast when the answer is refused; the current step again when the tap is stale)."""
    services = conversation.services
    async with conversation.uow() as uow:
        found = await survey_state(conversation, uow, resident, wave_text)
        state, language = found.state, found.language
        step = is_current(state, question_id) if state is not None else None
        if state is not None and step is not None:
            answer = answer_of(step.question)
            if isinstance(answer, Invalid):
                return Reply(toast=reason_toast(answer, language))
            lane = conversation.lane(uow)
            state = await store_answer(lane, state, answer, services.now(), conversation.mode)
            await uow.commit()
            answered = answered_text(step.question, answer, language)
            screen = step_screen(state, state.step, language)
            return Reply((screen,), answered=answered, placement=Placement.IN_PLACE)
        if state is not None:
            return await stale_tap(conversation, uow, state, language)
    return refused(found)


async def tap_toggle(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """T:<wave>:<question>:<mask>:<choice> — tick or untick a multi choice (kept in buttons)."""
    if len(parts) != 4:
        return Reply()
    async with conversation.uow() as uow:
        found = await survey_state(conversation, uow, resident, parts[0])
        state, language = found.state, found.language
        if state is None:
            return refused(found)
        step = is_current(state, parts[1])
        if step is None:
            return await stale_tap(conversation, uow, state, language)
    question = step.question
    mask = cb.parse_int("0x" + parts[2], 0) or 0
    index = cb.parse_int(parts[3], -1)
    if index is None or not 0 <= index < len(question.choice_ids):
        return Reply()
    new_mask = cb.toggled(mask, index)
    if len(cb.indices_of(new_mask, len(question.choice_ids))) > question.max_selections:
        return Reply(toast=t(language, "invalid_too_many", maximum=question.max_selections))
    back = previous_question(state.survey, state.answers, state.profile, question.id) is not None
    rows = question_rows(state.wave.id, question, language, mask=new_mask, back=back)
    return Reply((Screen("", rows),), placement=Placement.KEYBOARD)


async def reopened(
    conversation: Conversation, uow: UnitOfWork, state: SurveyState, question: str, language: str
) -> Reply:
    """Make a question current again and show it in the tapped message, with its answer."""
    previous = state.answers.get(question)
    lane = conversation.lane(uow)
    state = await reopen_question(lane, state, question, conversation.services.now())
    await uow.commit()
    step = state.step
    if isinstance(step, AskQuestion) and step.question.id == question:
        screen = question_screen(state, step, language, previous)
    else:
        screen = step_screen(state, step, language)
    return Reply((screen,), placement=Placement.IN_PLACE)


async def tap_back(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """B:<wave>:<question | -> — back one question (from a question, a prompt or the review)."""
    if len(parts) != 2:
        return Reply()
    async with conversation.uow() as uow:
        found = await survey_state(conversation, uow, resident, parts[0])
        state, language = found.state, found.language
        current, target = True, None
        if state is not None:
            step = state.step
            if isinstance(step, AskOther) and step.question.id == parts[1]:
                target = step.question
            elif parts[1] == cb.SKIP and isinstance(step, Review):
                target = previous_question(state.survey, state.answers, state.profile, None)
            elif is_current(state, parts[1]) is not None:
                target = previous_question(state.survey, state.answers, state.profile, parts[1])
            else:
                current = False
            if target is not None:
                return await reopened(conversation, uow, state, target.id, language)
            if not current:
                return await stale_tap(conversation, uow, state, language)
    return refused(found) if state is None else Reply()


async def tap_change(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """E:<wave>:<question> — from the review, change one answer."""
    if len(parts) != 2:
        return Reply()
    async with conversation.uow() as uow:
        found = await survey_state(conversation, uow, resident, parts[0])
        state, language = found.state, found.language
        if state is not None:
            step = state.step
            if isinstance(step, Review) and parts[1] in {q.id for q, _ in step.items}:
                return await reopened(conversation, uow, state, parts[1], language)
            return await stale_tap(conversation, uow, state, language)
    return refused(found)


async def tap_submit(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """X:<wave> — submit the reviewed response, once."""
    if len(parts) != 1:
        return Reply()
    services = conversation.services
    async with conversation.uow() as uow:
        found = await survey_state(conversation, uow, resident, parts[0])
        state, language = found.state, found.language
        if state is None:
            return refused(found)
        if not isinstance(state.step, Review) or state.response is None:
            return await stale_tap(conversation, uow, state, language)
        lane = conversation.lane(uow)
        submitted = await submit_response(lane, state, services.now())
        await uow.commit()
    if not submitted:  # submitted meanwhile (a double tap): what is current now
        return await stale(conversation, resident)
    await services.response_submitted(state.response.id)
    return Reply((said(language, "thanks", conversation.channel),), close=True)
