"""What the resident should do now: consent, profile, the current question, or news."""

from __future__ import annotations

from html import escape

from bot.app.conversation.context import Conversation, consented, language_of, said
from bot.app.conversation.flow import (
    Profile,
    SurveyState,
    WaveChoice,
    choose_wave,
    ensure_response,
    load_state,
    profile_complete,
)
from bot.app.conversation.resident import Resident
from bot.app.conversation.screens import Placement, Reply, Screen
from bot.app.conversation.views import other_screen, profile_screen, question_screen, review_screen
from bot.app.services import Services
from bot.app.texts import t
from storage.db import UnitOfWork
from storage.records import RespondentRecord
from surveys.answers import Answer
from surveys.engine import AskOther, AskQuestion, Step
from surveys.profile import PROFILE_FIELDS


def step_screen(
    state: SurveyState, step: Step, language: str, previous: Answer | None = None
) -> Screen:
    """The screen of a survey step."""
    if isinstance(step, AskQuestion):
        return question_screen(state, step, language, previous)
    if isinstance(step, AskOther):
        return other_screen(state, step, language)
    return review_screen(state, step.items, language)


async def current_screens(
    conversation: Conversation, uow: UnitOfWork, resident: Resident, wave_id: int | None = None
) -> tuple[Screen, ...]:
    """The screens of what to do now (a survey's response is started when first shown)."""
    respondent = await conversation.respondent(uow, resident)
    language = language_of(respondent, resident)
    return await screens_for(conversation, uow, respondent, language, wave_id)


async def screens_for(
    conversation: Conversation,
    uow: UnitOfWork,
    respondent: RespondentRecord | None,
    language: str,
    wave_id: int | None = None,
    profile: Profile | None = None,
) -> tuple[Screen, ...]:
    """What to do now for a respondent (and profile) already read by the use case."""
    services = conversation.services
    if respondent is None or not consented(respondent):
        return (said(language, "consent_needed", conversation.channel),)
    if profile is None:
        profile = await uow.profiles.get(respondent.id)
    if not profile_complete(profile):
        return profile_screens(profile, language)
    choice = await choose_wave(uow, respondent.id, profile, wave_id)
    if choice.wave is None:
        return (no_wave_screen(services, language, choice),)
    lane = conversation.lane(uow)
    state = await load_state(uow, conversation.surveys, lane, respondent, profile, choice)
    return await state_screens(conversation, uow, state, language)


def profile_screens(profile: Profile, language: str) -> tuple[Screen, ...]:
    """The next profile question (after the profile's intro when nothing is given yet)."""
    intro = t(language, "profile_intro", count=len(PROFILE_FIELDS))
    screens = [Screen(intro)] if not any(profile.values()) else []
    screen = profile_screen(profile, language)
    return (*screens, *([screen] if screen is not None else []))


async def state_screens(
    conversation: Conversation, uow: UnitOfWork, state: SurveyState, language: str
) -> tuple[Screen, ...]:
    """The current step of a survey state (after the survey's intro when its response starts
    now, shown for the first time)."""
    if state.response is not None:
        return (step_screen(state, state.step, language),)
    services = conversation.services
    lane = conversation.lane(uow)
    await ensure_response(lane, state, services.now(), conversation.mode)
    await uow.commit()
    description = state.survey.description
    intro = t(
        language,
        "survey_intro",
        title=escape(state.survey.title.text(language)),
        description=escape(description.text(language)) if description else "",
    )
    return (Screen(intro), step_screen(state, state.step, language))


async def show_current(
    conversation: Conversation, resident: Resident, wave_id: int | None = None
) -> tuple[Screen, ...]:
    """What to do now, in a unit of work of its own."""
    async with conversation.uow() as uow:
        return await current_screens(conversation, uow, resident, wave_id)


def no_wave_screen(services: Services, language: str, choice: WaveChoice) -> Screen:
    """Already answered, or nothing open (and when the next wave is planned)."""
    if choice.answered is not None:
        return Screen(t(language, "already_answered", title=escape(choice.answered.name)))
    text = t(language, "no_open_wave")
    planned = choice.next_planned
    if planned is not None and planned.opens_at is not None:
        date = planned.opens_at.astimezone(services.timezone).strftime("%Y-%m-%d")
        text += "\n" + t(language, "next_wave", date=date)
    return Screen(text)


async def stale(conversation: Conversation, resident: Resident) -> Reply:
    """An old or repeated tap shows the current step, read afresh."""
    return stale_reply(await show_current(conversation, resident))


def stale_reply(screens: tuple[Screen, ...]) -> Reply:
    """The current step as the answer to an old or repeated tap: in the tapped message when it
    is the latest (a repeated tap finds it showing that already), else below it, once."""
    if len(screens) == 1:
        return Reply(screens, stale=True, placement=Placement.IN_PLACE, once=True)
    return Reply(screens, stale=True, close=True, once=True)
