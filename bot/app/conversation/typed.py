"""A typed message: the answer to the current text, number or "other" step, or a re-ask."""

from __future__ import annotations

from dataclasses import dataclass

from bot.app.conversation.context import Conversation, consented, language_of, said
from bot.app.conversation.current import no_wave_screen, show_current, step_screen
from bot.app.conversation.flow import (
    SurveyState,
    choose_wave,
    load_state,
    open_wave_step,
    profile_complete,
    store_answer,
    typed_step_answer,
)
from bot.app.conversation.resident import Resident
from bot.app.conversation.screens import Reply, Screen
from bot.app.conversation.views import invalid_text, typed_hint
from storage.db import UnitOfWork
from surveys.engine import Invalid, Review


@dataclass(frozen=True)
class Nudge:
    """A catalogue line to say before the current step."""

    language: str
    key: str


async def text(conversation: Conversation, resident: Resident, typed: str | None) -> Reply:
    """A message in the private chat: a typed answer and the next step, or a polite re-ask."""
    async with conversation.uow() as uow:
        found = await typed_state(conversation, uow, resident)
        if isinstance(found, SurveyState):
            return await answered(conversation, uow, resident, found, typed)
    if isinstance(found, tuple):
        return Reply(found)
    # a line before the current step (the profile is unfinished)
    line = said(found.language, found.key, conversation.channel)
    return Reply((line, *await show_current(conversation, resident)))


async def answered(
    conversation: Conversation,
    uow: UnitOfWork,
    resident: Resident,
    state: SurveyState,
    typed: str | None,
) -> Reply:
    """Store the typed answer to the current step and show the next, or re-ask."""
    language = language_of(state.respondent, resident)
    step = state.step
    answer = typed_step_answer(state, step, typed) if typed is not None else None
    if answer is None:
        return Reply((typed_hint(step, language),))
    if isinstance(answer, Invalid):
        assert not isinstance(step, Review)
        return Reply((Screen(invalid_text(answer, step.question, language)),))
    services = conversation.services
    lane = conversation.lane(uow)
    state = await store_answer(lane, state, answer, services.now(), conversation.mode)
    await uow.commit()
    return Reply((step_screen(state, state.step, language),))


async def typed_state(
    conversation: Conversation, uow: UnitOfWork, resident: Resident
) -> SurveyState | tuple[Screen, ...] | Nudge:
    """The resident's state in their current wave (in one trip when they are simply answering
    the only open wave), else the screens to send, or a catalogue key to say first."""
    services = conversation.services
    key = conversation.key(resident)
    state = await open_wave_step(uow, conversation.surveys, key, conversation.lane(uow))
    if state is not None:
        return state
    respondent = await conversation.respondent(uow, resident)
    language = language_of(respondent, resident)
    if respondent is None or not consented(respondent):
        return (said(language, "consent_needed", conversation.channel),)
    profile = await uow.profiles.get(respondent.id)
    if not profile_complete(profile):
        return Nudge(language, "tap_needed")
    choice = await choose_wave(uow, respondent.id, profile)
    if choice.wave is None:
        return (no_wave_screen(services, language, choice),)
    lane = conversation.lane(uow)
    return await load_state(uow, conversation.surveys, lane, respondent, profile, choice)
