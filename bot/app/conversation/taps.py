"""The resident's inputs, each to one use case: a tap's callback data, a command, text."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.app import callbacks as cb
from bot.app.conversation import onboarding, survey
from bot.app.conversation.context import Conversation
from bot.app.conversation.mydata import mydata
from bot.app.conversation.onboarding import Command
from bot.app.conversation.resident import Resident
from bot.app.conversation.screens import Reply

TapCase = Callable[[Conversation, Resident, list[str]], Awaitable[Reply]]
TAPS: dict[str, TapCase] = {
    cb.LANGUAGE: onboarding.tap_language,
    cb.CONSENT: onboarding.tap_consent,
    cb.PROFILE: onboarding.tap_profile,
    cb.PROFILE_BACK: onboarding.tap_profile_back,
    cb.ANSWER: survey.tap_answer,
    cb.TOGGLE: survey.tap_toggle,
    cb.NEXT: survey.tap_next,
    cb.BACK: survey.tap_back,
    cb.CHANGE: survey.tap_change,
    cb.SUBMIT: survey.tap_submit,
    cb.DELETE: onboarding.tap_delete,
    cb.WAVE: onboarding.tap_wave,
}


async def tap(conversation: Conversation, resident: Resident, data: str | None) -> Reply:
    """A tapped button: the use case its callback data names (nothing for unknown data)."""
    kind, parts = cb.unpack(data)
    case = TAPS.get(kind)
    return await case(conversation, resident, parts) if case is not None else Reply()


async def command(conversation: Conversation, resident: Resident, which: Command) -> Reply:
    """A resident command."""
    if which is Command.LANGUAGE:
        return await onboarding.language_command(conversation, resident)
    if which is Command.PROFILE:
        return await onboarding.profile_command(conversation, resident)
    if which is Command.DELETE:
        return await onboarding.delete_command(conversation, resident)
    if which is Command.STOP:
        return await onboarding.stop_command(conversation, resident)
    return await mydata(conversation, resident)
