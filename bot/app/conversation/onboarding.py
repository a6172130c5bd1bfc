"""Before and beside the survey: /start, language, consent, profile, delete, stop."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from html import escape

from bot.app import callbacks as cb
from bot.app.conversation.context import Conversation, consented, language_of, said
from bot.app.conversation.current import screens_for, show_current, stale
from bot.app.conversation.flow import Profile, profile_complete, profile_step
from bot.app.conversation.keyboards import consent_rows, delete_rows, language_rows
from bot.app.conversation.resident import Resident
from bot.app.conversation.screens import Reply, Screen
from bot.app.conversation.views import answered_text, profile_screen
from bot.app.texts import LANGUAGE_NAMES, LANGUAGES, t
from storage.db import UnitOfWork
from surveys.answers import Answer
from surveys.engine import AskQuestion
from surveys.modes import Channel
from surveys.profile import PROFILE_FIELDS, profile_survey
from surveys.status import Consent

log = logging.getLogger(__name__)


class Command(StrEnum):
    """A resident command (Telegram's /language …; LINE's keywords or rich menu)."""

    LANGUAGE = "language"
    PROFILE = "profile"
    DELETE = "delete"
    STOP = "stop"
    MYDATA = "mydata"


async def remember_contact(
    uow: UnitOfWork, respondent_id: int, resident: Resident, at: datetime
) -> None:
    """Keep where to reach the resident (Telegram chat ids; other channels keep theirs)."""
    if isinstance(resident.address, int):
        await uow.contacts.upsert(respondent_id, resident.address, at)


def wave_of_start(args: Sequence[str]) -> int | None:
    """The wave a deep link names (/start w12), if any."""
    if args and args[0].startswith("w"):
        return cb.parse_int(args[0][1:])
    return None


async def start(conversation: Conversation, resident: Resident, args: Sequence[str]) -> Reply:
    """/start: welcome and language choice, or continue where the resident was."""
    services = conversation.services
    async with conversation.uow() as uow:
        respondent = await conversation.respondent(uow, resident)
        language = language_of(respondent, resident)
        if respondent is not None and consented(respondent):
            now = services.now()
            await uow.begin_write()
            await remember_contact(uow, respondent.id, resident, now)
            await uow.contacts.set_subscribed(respondent.id, True, now)
            await uow.commit()
            wave_id = wave_of_start(args)
            return Reply(await screens_for(conversation, uow, respondent, language, wave_id))
    return Reply(
        (
            said(language, "welcome", conversation.channel),
            Screen(t(language, "choose_language"), language_rows()),
        )
    )


async def language_command(conversation: Conversation, resident: Resident) -> Reply:
    """/language: choose among 日本語 / English / やさしい日本語."""
    language = await conversation.language(resident)
    return Reply((Screen(t(language, "choose_language"), language_rows()),))


async def profile_command(conversation: Conversation, resident: Resident) -> Reply:
    """/profile: go through the profile questions again, current values ticked."""
    async with conversation.uow() as uow:
        respondent = await conversation.respondent(uow, resident)
        language = language_of(respondent, resident)
        if respondent is None or not consented(respondent):
            return Reply((said(language, "consent_needed", conversation.channel),))
        profile = await uow.profiles.get(respondent.id)
    screen = profile_screen(profile, language, PROFILE_FIELDS[0])
    return Reply(
        (
            said(language, "profile_update", conversation.channel),
            *([screen] if screen is not None else []),
        )
    )


async def delete_command(conversation: Conversation, resident: Resident) -> Reply:
    """/delete: ask for confirmation before erasing everything."""
    async with conversation.uow() as uow:
        respondent = await conversation.respondent(uow, resident)
    language = language_of(respondent, resident)
    if respondent is None:
        return Reply((said(language, "mydata_none", conversation.channel),))
    return Reply((Screen(t(language, "delete_confirm"), delete_rows(language)),))


async def stop_command(conversation: Conversation, resident: Resident) -> Reply:
    """/stop: no more invitations."""
    async with conversation.uow() as uow:
        respondent = await conversation.respondent(uow, resident)
        if respondent is not None:
            await uow.begin_write()
            await uow.contacts.set_subscribed(respondent.id, False, conversation.services.now())
            await uow.commit()
    return Reply((said(language_of(respondent, resident), "stopped", conversation.channel),))


async def tap_language(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """L:<lang> — set the language (residents) or show the consent in it (newcomers)."""
    language = parts[0] if parts and parts[0] in LANGUAGES else "ja"
    settings = conversation.services.settings
    chosen = f"{t(language, 'choose_language')}\n→ <b>{escape(LANGUAGE_NAMES[language])}</b>"
    async with conversation.uow() as uow:
        respondent = await conversation.respondent(uow, resident)
        if respondent is not None and consented(respondent):
            await uow.begin_write()
            await uow.respondents.set_language(respondent.id, language)
            await uow.commit()
            respondent = replace(respondent, language=language)
            screens = await screens_for(conversation, uow, respondent, language)
            return Reply(
                (said(language, "language_set", conversation.channel), *screens),
                answered=chosen,
                once=True,
            )
    retention = (
        t(language, "retention_days", days=settings.retention_days)
        if settings.retention_days
        else t(language, "retention_default")
    )
    text = t(language, "consent", conversation.channel, retention=retention)
    return Reply((Screen(text, consent_rows(language)),), answered=chosen, once=True)


async def tap_consent(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """C:<y|n>:<lang> — store consent (and the contact) or only the refusal."""
    if len(parts) != 2:
        return Reply()
    agreed = parts[0] == "y"
    language = parts[1] if parts[1] in LANGUAGES else "ja"
    appended = f"→ <b>{escape(t(language, 'agree' if agreed else 'decline'))}</b>"
    now = conversation.services.now()
    async with conversation.uow() as uow:
        respondent = await conversation.respondent(uow, resident)
        if respondent is None or not consented(respondent):
            await uow.begin_write()
            respondent = await uow.respondents.get_or_create(
                conversation.key(resident), now, language=language
            )
            await uow.respondents.set_language(respondent.id, language)
            consent = Consent.GIVEN if agreed else Consent.DECLINED
            await uow.respondents.set_consent(respondent.id, consent, now)
            if agreed:
                await remember_contact(uow, respondent.id, resident, now)
            await uow.commit()
            if not agreed:
                return Reply(
                    (said(language, "declined", conversation.channel),),
                    appended=appended,
                    once=True,
                )
            respondent = replace(respondent, consent=consent, consent_at=now, language=language)
        shown = language_of(respondent, resident)
        screens = await screens_for(conversation, uow, respondent, shown)
    return Reply(screens, appended=appended, once=True)


async def tap_profile(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """P:<field>:<choice>:<updating> — store one profile answer and ask the next."""
    if len(parts) != 3 or parts[0] not in PROFILE_FIELDS:
        return Reply()
    field, updating = parts[0], parts[2] == "1"
    question = profile_survey().question(field)
    index = cb.parse_int(parts[1], -1)
    choices = question.choices or ()
    if index is None or not 0 <= index < len(choices):
        return Reply()
    async with conversation.uow() as uow:
        respondent = await conversation.respondent(uow, resident)
        language = language_of(respondent, resident)
        if respondent is None or not consented(respondent):
            return Reply((said(language, "consent_needed", conversation.channel),))
        profile = await uow.profiles.get(respondent.id)
        step = profile_step(profile)
        current = updating or (isinstance(step, AskQuestion) and step.question.id == field)
        if current:
            await uow.begin_write()
            profile = await uow.profiles.update(
                respondent.id, at=conversation.services.now(), **{field: choices[index].id}
            )
            await uow.commit()
            answered = answered_text(question, Answer(field, choices[index].id), language)
            if updating:
                return Reply(
                    updated(profile, field, language, conversation.channel),
                    answered=answered,
                    once=True,
                )
            done = (
                (said(language, "profile_done", conversation.channel),)
                if profile_complete(profile)
                else ()
            )
            after = await screens_for(conversation, uow, respondent, language, profile=profile)
            return Reply((*done, *after), answered=answered)
    return await stale(conversation, resident)


def updated(profile: Profile, field: str, language: str, channel: Channel) -> tuple[Screen, ...]:
    """After a field of /profile: the next field, or done."""
    position = PROFILE_FIELDS.index(field)
    if position + 1 < len(PROFILE_FIELDS):
        screen = profile_screen(profile, language, PROFILE_FIELDS[position + 1])
        return (screen,) if screen is not None else ()
    return (said(language, "profile_done", channel),)


async def tap_profile_back(
    conversation: Conversation, resident: Resident, parts: list[str]
) -> Reply:
    """Q:<field>:<updating> — back to the previous profile question."""
    if len(parts) != 2 or parts[0] not in PROFILE_FIELDS:
        return Reply()
    position = PROFILE_FIELDS.index(parts[0])
    if position == 0:
        return Reply()
    target, updating = PROFILE_FIELDS[position - 1], parts[1] == "1"
    async with conversation.uow() as uow:
        respondent = await conversation.respondent(uow, resident)
        language = language_of(respondent, resident)
        if respondent is None or not consented(respondent):
            return Reply()
        profile = await uow.profiles.get(respondent.id)
        step = profile_step(profile)
        current = isinstance(step, AskQuestion) and step.question.id == parts[0]
        if not updating and current:
            await uow.begin_write()
            at = conversation.services.now()
            profile = await uow.profiles.update(respondent.id, at=at, **{target: None})
            await uow.commit()
    if not updating and not current:
        return await stale(conversation, resident)
    screen = profile_screen(profile, language, target if updating else None)
    return Reply((screen,) if screen is not None else (), close=True, once=True)


async def tap_delete(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """D:<y|n> — erase everything about the resident, or keep it."""
    async with conversation.uow() as uow:
        respondent = await conversation.respondent(uow, resident)
        language = language_of(respondent, resident)
        if parts[:1] == ["y"] and respondent is not None:
            await uow.begin_write()
            await uow.respondents.delete_everything(respondent.id)
            await uow.commit()
            log.info("resident %s erased their data", respondent.key)
            return Reply((said(language, "deleted", conversation.channel),), close=True, once=True)
    key = "delete_cancelled" if respondent else "mydata_none"
    return Reply((said(language, key, conversation.channel),), close=True, once=True)


async def tap_wave(conversation: Conversation, resident: Resident, parts: list[str]) -> Reply:
    """W:<wave> — an invitation's button: show that wave's current step."""
    wave_id = cb.parse_int(parts[0]) if parts else None
    return Reply(await show_current(conversation, resident, wave_id))
