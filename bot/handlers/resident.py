"""Resident commands, button taps and typed answers: thin adapters over bot.flow."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from enum import Enum
from functools import partial
from html import escape

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot.flow import (
    SurveyCache,
    SurveyState,
    WaveChoice,
    choose_wave,
    ensure_response,
    load_state,
    open_wave_step,
    profile_complete,
    profile_step,
    read_step,
    reopen_question,
    store_answer,
    submit_response,
    typed_step_answer,
)
from bot.handlers.fallback import resident_language
from bot.handlers.resident_screens import (
    Screen,
    answered_text,
    invalid_text,
    other_screen,
    profile_screen,
    question_screen,
    review_screen,
    typed_hint,
)
from bot.keyboards import (
    consent_keyboard,
    delete_keyboard,
    language_keyboard,
    question_keyboard,
)
from bot.services import Services
from bot.texts import LANGUAGE_NAMES, LANGUAGES, language_from_telegram, language_or_default, t
from bot.transport import call_unparsed
from storage.db import UnitOfWork
from storage.records import RespondentRecord
from surveys.answers import Answer
from surveys.definition import Question
from surveys.engine import (
    AskOther,
    AskQuestion,
    Invalid,
    Review,
    Step,
    previous_question,
    skip_answer,
    validate_answer,
)
from surveys.profile import PROFILE_FIELDS, profile_survey

ANSWERED = "machikoe_tap_answered"
LATEST = "machikoe_latest_message"
"""chat_data key: the id of the latest message the bot sent in the chat."""
log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
CALLBACK_PATTERN = r"^[LCPQATNBEXDW]:"


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The application's shared services."""
    return context.application.bot_data["services"]  # type: ignore[no-any-return]


def reading(context: ContextTypes.DEFAULT_TYPE) -> UnitOfWork:
    """A unit of work that only reads (takes no lock on SQLite)."""
    return UnitOfWork(services_of(context).sessions)


def writing(context: ContextTypes.DEFAULT_TYPE) -> UnitOfWork:
    """A unit of work for a step that may write (`begin_write()` before its first write)."""
    return UnitOfWork(services_of(context).sessions)


def surveys_of(context: ContextTypes.DEFAULT_TYPE) -> SurveyCache:
    """The application's parsed survey definitions (created on first use)."""
    data = context.application.bot_data
    if "survey_cache" not in data:
        data["survey_cache"] = SurveyCache()
    return data["survey_cache"]  # type: ignore[no-any-return]


async def answer_tap(
    update: Update, context: ContextTypes.DEFAULT_TYPE, toast: str | None = None
) -> None:
    """Answer the tapped button's callback query, once per update (no spinning buttons)."""
    query = update.callback_query
    if query is None or getattr(context, ANSWERED, False):
        return
    setattr(context, ANSWERED, True)
    with suppress(TelegramError):
        await query.answer(toast)


async def with_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *calls: Awaitable[object]
) -> None:
    """Answer the tap while the given Bot API calls run (they do not depend on each other)."""
    await asyncio.gather(answer_tap(update, context), *calls)


# -- sending ---------------------------------------------------------------------------------
async def send(context: ContextTypes.DEFAULT_TYPE, chat_id: int, screen: Screen) -> None:
    """Send one screen as HTML (and remember it as the chat's latest)."""
    sent = await call_unparsed(
        context.bot,
        "sendMessage",
        chat_id=chat_id,
        text=screen.text,
        parse_mode=ParseMode.HTML,
        reply_markup=screen.markup,
    )
    if isinstance(sent, dict) and context.chat_data is not None:
        latest = context.chat_data.get(LATEST, 0)
        context.chat_data[LATEST] = max(latest, int(sent.get("message_id", 0)))


def is_latest(context: ContextTypes.DEFAULT_TYPE, message: Message) -> bool:
    """Whether no later message of ours is known in the chat (after a restart none is, and
    the tapped message most likely is the latest)."""
    known = context.chat_data.get(LATEST, 0) if context.chat_data is not None else 0
    return message.message_id >= known


async def say(context: ContextTypes.DEFAULT_TYPE, chat_id: int, language: str, key: str) -> None:
    """Send one catalogue message."""
    await send(context, chat_id, Screen(t(language, key)))


class Edited(Enum):
    """What became of an edit: made, refused as unchanged, or impossible (message gone)."""

    YES = "yes"
    UNCHANGED = "unchanged"
    NO = "no"


async def edit(
    message: Message | None, text: str | None = None, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Edit a bot message (text or only its keyboard); False when unchanged or gone."""
    return await _edit(message, text, markup) is Edited.YES


async def _edit(
    message: Message | None, text: str | None = None, markup: InlineKeyboardMarkup | None = None
) -> Edited:
    if message is None:
        return Edited.NO
    where = {"chat_id": message.chat_id, "message_id": message.message_id}
    try:
        if text is None:
            await call_unparsed(
                message.get_bot(), "editMessageReplyMarkup", **where, reply_markup=markup
            )
        else:
            await call_unparsed(
                message.get_bot(),
                "editMessageText",
                **where,
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
    except BadRequest as error:
        log.debug("edit refused: %s", error.message)
        unchanged = "not modified" in error.message.lower()
        return Edited.UNCHANGED if unchanged else Edited.NO
    return Edited.YES


async def show_in_place(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    screen: Screen,
    leave: str | None = None,
    *,
    once: bool = False,
) -> None:
    """Turn the tapped message into this screen when it is the chat's latest: the survey moves
    on in one message. A message further up keeps `leave` (or its text) without buttons, and
    the screen comes as a new message, so the current step is always at the bottom; `once`:
    not when that message had lost its buttons already (a repeated tap)."""
    chat, message = update.effective_chat, tapped_message(update)
    if chat is None:
        return
    if message is not None and is_latest(context, message):
        if await _edit(message, screen.text, screen.markup) is not Edited.NO:
            return
    elif await _edit(message, leave, None) is not Edited.YES and once:
        return
    await send(context, chat.id, screen)


def tapped_message(update: Update) -> Message | None:
    """The bot message whose button was tapped (None when too old to edit)."""
    query = update.callback_query
    message = query.message if query is not None else None
    return message if isinstance(message, Message) else None


# -- who is writing ----------------------------------------------------------------------------
async def respondent_of(
    uow: UnitOfWork, services: Services, user_id: int
) -> RespondentRecord | None:
    """The resident's record, if any."""
    return await uow.respondents.get_by_key(services.respondent_key(user_id))


def language_of(respondent: RespondentRecord | None, update: Update) -> str:
    """The resident's language, else a guess from Telegram."""
    if respondent is not None:
        return language_or_default(respondent.language)
    user = update.effective_user
    return language_from_telegram(user.language_code if user else None)


def step_screen(
    state: SurveyState, step: Step, language: str, previous: Answer | None = None
) -> Screen:
    """The screen of a survey step."""
    if isinstance(step, AskQuestion):
        return question_screen(state, step, language, previous)
    if isinstance(step, AskOther):
        return other_screen(state, step, language)
    return review_screen(state, step.items, language)


async def show_current(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    wave_id: int | None = None,
) -> None:
    """Show what the resident should do now: consent, profile, the current question, or news."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    async with writing(context) as uow:
        screens = await current_screens(update, context, uow, user.id, wave_id)
    for screen in screens:
        await send(context, chat.id, screen)


async def current_screens(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    uow: UnitOfWork,
    user_id: int,
    wave_id: int | None,
) -> list[Screen]:
    """The screens of what to do now (a survey's response is started when first shown)."""
    services = services_of(context)
    respondent = await respondent_of(uow, services, user_id)
    language = language_of(respondent, update)
    if respondent is None or respondent.consent != "given":
        return [Screen(t(language, "consent_needed"))]
    profile = await uow.profiles.get(respondent.id)
    if not profile_complete(profile):
        intro = t(language, "profile_intro", count=len(PROFILE_FIELDS))
        screens = [Screen(intro)] if not any(profile.values()) else []
        screen = profile_screen(profile, language)
        return screens + ([screen] if screen is not None else [])
    choice = await choose_wave(uow, respondent.id, profile, wave_id)
    if choice.wave is None:
        return [no_wave_screen(services, language, choice)]
    state = await load_state(uow, surveys_of(context), respondent, profile, choice)
    screens = []
    if state.response is None:
        await ensure_response(uow, state, services.now())
        await uow.commit()
        description = state.survey.description
        intro = t(
            language,
            "survey_intro",
            title=escape(state.survey.title.text(language)),
            description=escape(description.text(language)) if description else "",
        )
        screens.append(Screen(intro))
    return [*screens, step_screen(state, state.step, language)]


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


# -- commands ----------------------------------------------------------------------------------
async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: welcome and language choice, or continue where the resident was."""
    services = services_of(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    wave_id = None
    if context.args and context.args[0].startswith("w"):
        wave_id = cb.parse_int(context.args[0][1:])
    async with writing(context) as uow:
        respondent = await respondent_of(uow, services, user.id)
        if respondent is not None and respondent.consent == "given":
            now = services.now()
            await uow.begin_write()
            await uow.contacts.upsert(respondent.id, chat.id, now)
            await uow.contacts.set_subscribed(respondent.id, True, now)
            await uow.commit()
    if respondent is not None and respondent.consent == "given":
        await show_current(update, context, wave_id)
        return
    language = language_of(respondent, update)
    await say(context, chat.id, language, "welcome")
    await send(context, chat.id, Screen(t(language, "choose_language"), language_keyboard()))


async def current_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The language of the resident writing."""
    return await resident_language(services_of(context), update)


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language: choose among 日本語 / English / やさしい日本語."""
    language = await current_language(update, context)
    if update.effective_chat is not None:
        screen = Screen(t(language, "choose_language"), language_keyboard())
        await send(context, update.effective_chat.id, screen)


async def profile_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/profile: go through the profile questions again, current values ticked."""
    services = services_of(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    async with reading(context) as uow:
        respondent = await respondent_of(uow, services, user.id)
        language = language_of(respondent, update)
        if respondent is None or respondent.consent != "given":
            await say(context, chat.id, language, "consent_needed")
            return
        profile = await uow.profiles.get(respondent.id)
    screen = profile_screen(profile, language, PROFILE_FIELDS[0])
    await say(context, chat.id, language, "profile_update")
    if screen is not None:
        await send(context, chat.id, screen)


async def delete_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/delete: ask for confirmation before erasing everything."""
    services = services_of(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    async with reading(context) as uow:
        respondent = await respondent_of(uow, services, user.id)
    language = language_of(respondent, update)
    if respondent is None:
        await say(context, chat.id, language, "mydata_none")
        return
    await send(context, chat.id, Screen(t(language, "delete_confirm"), delete_keyboard(language)))


async def stop_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stop: no more invitations."""
    services = services_of(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    async with writing(context) as uow:
        respondent = await respondent_of(uow, services, user.id)
        if respondent is not None:
            await uow.begin_write()
            await uow.contacts.set_subscribed(respondent.id, False, services.now())
            await uow.commit()
    await say(context, chat.id, language_of(respondent, update), "stopped")


# -- taps ------------------------------------------------------------------------------------
async def on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every tap is answered, whatever happens; stale taps show the current step."""
    query = update.callback_query
    if query is None:
        return
    kind, parts = cb.unpack(query.data)
    toast: str | None = None
    try:
        handler = TAPS.get(kind)
        if handler is not None:
            toast = await handler(update, context, parts)
    finally:
        await answer_tap(update, context, toast)


async def stale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An old or repeated tap shows the current step: in the tapped message when it is the
    latest (a repeated tap finds it showing that already), else below it, once."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    async with writing(context) as uow:
        screens = await current_screens(update, context, uow, user.id, None)
    if len(screens) == 1:
        await show_in_place(update, context, screens[0], once=True)
        return
    if await edit(tapped_message(update), None, None):
        for screen in screens:
            await send(context, chat.id, screen)


async def tap_language(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """L:<lang> — set the language (residents) or show the consent in it (newcomers)."""
    language = parts[0] if parts and parts[0] in LANGUAGES else "ja"
    services = services_of(context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    chosen = f"{t(language, 'choose_language')}\n→ <b>{escape(LANGUAGE_NAMES[language])}</b>"
    if not await edit(tapped_message(update), chosen):
        return None
    async with writing(context) as uow:
        respondent = await respondent_of(uow, services, user.id)
        if respondent is not None and respondent.consent == "given":
            await uow.begin_write()
            await uow.respondents.set_language(respondent.id, language)
            await uow.commit()
    if respondent is not None and respondent.consent == "given":
        await say(context, chat.id, language, "language_set")
        await show_current(update, context)
        return None
    retention = (
        t(language, "retention_days", days=services.settings.retention_days)
        if services.settings.retention_days
        else t(language, "retention_default")
    )
    text = t(language, "consent", retention=retention)
    await send(context, chat.id, Screen(text, consent_keyboard(language)))
    return None


async def tap_consent(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """C:<y|n>:<lang> — store consent (and the chat) or only the refusal."""
    services = services_of(context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or len(parts) != 2:
        return None
    agreed = parts[0] == "y"
    language = parts[1] if parts[1] in LANGUAGES else "ja"
    answer = t(language, "agree" if agreed else "decline")
    message = tapped_message(update)
    if message is not None and not await edit(
        message, f"{message.text_html}\n\n→ <b>{escape(answer)}</b>" if message.text else None
    ):
        return None
    now = services.now()
    async with writing(context) as uow:
        existing = await respondent_of(uow, services, user.id)
        already = existing is not None and existing.consent == "given"
        if not already:
            await uow.begin_write()
            respondent = await uow.respondents.get_or_create(
                services.respondent_key(user.id), now, language=language
            )
            await uow.respondents.set_language(respondent.id, language)
            consent = "given" if agreed else "declined"
            await uow.respondents.set_consent(respondent.id, consent, now)
            if agreed:
                await uow.contacts.upsert(respondent.id, chat.id, now)
            await uow.commit()
    if already:
        await show_current(update, context)
        return None
    if not agreed:
        await say(context, chat.id, language, "declined")
        return None
    await show_current(update, context)
    return None


Reaction = Callable[[], Awaitable[None]]


async def tap_profile(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """P:<field>:<choice>:<updating> — store one profile answer and ask the next."""
    services = services_of(context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or len(parts) != 3 or parts[0] not in PROFILE_FIELDS:
        return None
    field, updating = parts[0], parts[2] == "1"
    question = profile_survey().question(field)
    index = cb.parse_int(parts[1], -1)
    choices = question.choices or ()
    if index is None or not 0 <= index < len(choices):
        return None
    reaction: Reaction | None = None
    async with writing(context) as uow:
        respondent = await respondent_of(uow, services, user.id)
        language = language_of(respondent, update)
        if respondent is None or respondent.consent != "given":
            reaction = partial(say, context, chat.id, language, "consent_needed")
        else:
            profile = await uow.profiles.get(respondent.id)
            step = profile_step(profile)
            current = isinstance(step, AskQuestion) and step.question.id == field
            if not updating and not current:
                reaction = partial(stale, update, context)
            else:
                await uow.begin_write()
                profile = await uow.profiles.update(
                    respondent.id, at=services.now(), **{field: choices[index].id}
                )
                await uow.commit()
    if reaction is not None:
        await reaction()
        return None
    answer = Answer(field, choices[index].id)
    if (
        not await edit(tapped_message(update), answered_text(question, answer, language))
        and updating
    ):
        return None
    if updating:
        position = PROFILE_FIELDS.index(field)
        if position + 1 < len(PROFILE_FIELDS):
            screen = profile_screen(profile, language, PROFILE_FIELDS[position + 1])
            if screen is not None:
                await send(context, chat.id, screen)
            return None
        await say(context, chat.id, language, "profile_done")
        return None
    if profile_complete(profile):
        await say(context, chat.id, language, "profile_done")
    await show_current(update, context)
    return None


async def tap_profile_back(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """Q:<field>:<updating> — back to the previous profile question."""
    services = services_of(context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or len(parts) != 2 or parts[0] not in PROFILE_FIELDS:
        return None
    position = PROFILE_FIELDS.index(parts[0])
    if position == 0:
        return None
    target, updating = PROFILE_FIELDS[position - 1], parts[1] == "1"
    async with writing(context) as uow:
        respondent = await respondent_of(uow, services, user.id)
        language = language_of(respondent, update)
        if respondent is None or respondent.consent != "given":
            return None
        profile = await uow.profiles.get(respondent.id)
        step = profile_step(profile)
        stale_tap = not updating and not (
            isinstance(step, AskQuestion) and step.question.id == parts[0]
        )
        if not updating and not stale_tap:
            await uow.begin_write()
            profile = await uow.profiles.update(respondent.id, at=services.now(), **{target: None})
            await uow.commit()
    if stale_tap:
        await stale(update, context)
        return None
    if not await edit(tapped_message(update), None, None):
        return None
    screen = profile_screen(profile, language, target if updating else None)
    if screen is not None:
        await send(context, chat.id, screen)
    return None


@dataclass(frozen=True)
class TapState:
    """The state behind a survey tap, or what to do instead (after the unit of work)."""

    state: SurveyState | None
    language: str
    reaction: Reaction | None = None


async def survey_state(
    update: Update, context: ContextTypes.DEFAULT_TYPE, uow: UnitOfWork, wave_text: str
) -> TapState:
    """The state behind a survey tap, or why not (told to the resident by its reaction)."""
    services = services_of(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    key = services.respondent_key(user.id)
    wave_id = cb.parse_int(wave_text)
    read = await read_step(uow, surveys_of(context), key, wave_id, services.steps)
    respondent, wave, state = read.respondent, read.wave, read.state
    language = language_of(respondent, update)
    if respondent is None or respondent.consent != "given":
        reaction = partial(refuse, update, context, language, "consent_needed")
        return TapState(None, language, reaction)
    if wave is None or state is None:
        return TapState(None, language, partial(tell_closed, update, context, language))
    if not profile_complete(read.profile):
        return TapState(None, language, partial(stale, update, context))
    if state.submitted:
        screen = Screen(t(language, "already_answered", title=escape(wave.name)))
        return TapState(None, language, partial(tell_once, update, context, screen))
    return TapState(state, language)


async def refuse(
    update: Update, context: ContextTypes.DEFAULT_TYPE, language: str, key: str
) -> None:
    """Remove the tapped buttons and say one catalogue line."""
    await edit(tapped_message(update), None, None)
    chat = update.effective_chat
    if chat is not None:
        await say(context, chat.id, language, key)


async def tell_closed(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> None:
    """The wave is closed: say so the first time its buttons are tapped."""
    await tell_once(update, context, Screen(t(language, "closed")))


async def tell_once(update: Update, context: ContextTypes.DEFAULT_TYPE, screen: Screen) -> None:
    """Remove the tapped buttons and, the first time, send this screen."""
    chat = update.effective_chat
    if chat is not None and await edit(tapped_message(update), None, None):
        await send(context, chat.id, screen)


async def after_answer(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    state: SurveyState,
    language: str,
    answered: str | None = None,
) -> None:
    """Show the next step once an answer is stored: the tapped question turns into it (one
    further up keeps the `answered` text), a typed answer gets it as a new message."""
    chat = update.effective_chat
    assert chat is not None
    screen = step_screen(state, state.step, language)
    if update.callback_query is None:
        await send(context, chat.id, screen)
        return
    await with_answer(update, context, show_in_place(update, context, screen, answered))


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


async def tap_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """A:<wave>:<question>:<choice | -> — answer the current question."""
    if len(parts) != 3:
        return None

    def chosen(question: Question) -> Answer | Invalid:
        if parts[2] == cb.SKIP:
            return skip_answer(question)
        index = cb.parse_int(parts[2], -1)
        ids = question.choice_ids
        code = ids[index] if index is not None and 0 <= index < len(ids) else ""
        return validate_answer(question, code)

    return await store_tapped(update, context, parts[0], parts[1], chosen)


async def tap_next(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """N:<wave>:<question>:<mask> — store the ticked choices of a multi question."""
    if len(parts) != 3:
        return None

    def ticked(question: Question) -> Answer | Invalid:
        mask = cb.parse_int("0x" + parts[2], 0) or 0
        indices = cb.indices_of(mask, len(question.choice_ids))
        return validate_answer(question, [question.choice_ids[i] for i in indices])

    return await store_tapped(update, context, parts[0], parts[1], ticked)


async def store_tapped(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    wave_text: str,
    question_id: str,
    answer_of: Callable[[Question], Answer | Invalid],
) -> str | None:
    """Store a tapped answer to the current question and show the next step (a toast when
    the answer is refused; the current step again when the tap is stale)."""
    services = services_of(context)
    answered: str | None = None
    async with writing(context) as uow:
        found = await survey_state(update, context, uow, wave_text)
        state, language = found.state, found.language
        step = is_current(state, question_id) if state is not None else None
        if state is not None and step is not None:
            answer = answer_of(step.question)
            if isinstance(answer, Invalid):
                return reason_toast(answer, language)
            state = await store_answer(uow, state, answer, services.now(), services.steps)
            await uow.commit()
            answered = answered_text(step.question, answer, language)
    if state is None or answered is None:
        await run(found.reaction or partial(stale, update, context))
        return None
    await after_answer(update, context, state, language, answered)
    return None


async def run(reaction: Reaction | None) -> None:
    """Do what a refused step asked for, if anything."""
    if reaction is not None:
        await reaction()


async def tap_toggle(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """T:<wave>:<question>:<mask>:<choice> — tick or untick a multi choice (kept in buttons)."""
    if len(parts) != 4:
        return None
    async with reading(context) as uow:
        found = await survey_state(update, context, uow, parts[0])
    state, language = found.state, found.language
    if state is None:
        await run(found.reaction)
        return None
    step = is_current(state, parts[1])
    if step is None:
        await stale(update, context)
        return None
    question = step.question
    mask = cb.parse_int("0x" + parts[2], 0) or 0
    index = cb.parse_int(parts[3], -1)
    if index is None or not 0 <= index < len(question.choice_ids):
        return None
    new_mask = cb.toggled(mask, index)
    if len(cb.indices_of(new_mask, len(question.choice_ids))) > question.max_selections:
        return t(language, "invalid_too_many", maximum=question.max_selections)
    back = previous_question(state.survey, state.answers, state.profile, question.id) is not None
    markup = question_keyboard(state.wave.id, question, language, mask=new_mask, back=back)
    await with_answer(update, context, edit(tapped_message(update), None, markup))
    return None


async def reopen(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    uow: UnitOfWork,
    state: SurveyState,
    question_id: str,
) -> tuple[SurveyState, Answer | None]:
    """Make a question current again; returns the new state and the earlier answer."""
    services = services_of(context)
    previous = state.answers.get(question_id)
    state = await reopen_question(uow, state, question_id, services.now())
    await uow.commit()
    return state, previous


async def show_reopened(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    state: SurveyState,
    question_id: str,
    language: str,
    previous: Answer | None,
) -> None:
    """Turn the tapped message into the reopened question, with its earlier answer."""
    step = state.step
    if isinstance(step, AskQuestion) and step.question.id == question_id:
        screen = question_screen(state, step, language, previous)
    else:
        screen = step_screen(state, step, language)
    await with_answer(update, context, show_in_place(update, context, screen))


async def tap_back(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """B:<wave>:<question | -> — go back one question (from a question, a prompt or the review)."""
    if len(parts) != 2:
        return None
    async with writing(context) as uow:
        found = await survey_state(update, context, uow, parts[0])
        state, language, reaction = found.state, found.language, found.reaction
        target = None
        if state is not None:
            step = state.step
            if isinstance(step, AskOther) and step.question.id == parts[1]:
                target = step.question
            elif parts[1] == cb.SKIP and isinstance(step, Review):
                target = previous_question(state.survey, state.answers, state.profile, None)
            elif is_current(state, parts[1]) is not None:
                target = previous_question(state.survey, state.answers, state.profile, parts[1])
            else:
                reaction = partial(stale, update, context)
            if target is not None:
                state, previous = await reopen(update, context, uow, state, target.id)
    if reaction is not None or state is None:
        await run(reaction)
        return None
    if target is not None:
        await show_reopened(update, context, state, target.id, language, previous)
    return None


async def tap_change(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """E:<wave>:<question> — from the review, change one answer."""
    if len(parts) != 2:
        return None
    async with writing(context) as uow:
        found = await survey_state(update, context, uow, parts[0])
        state, language, reaction = found.state, found.language, found.reaction
        if state is not None:
            step = state.step
            if not isinstance(step, Review) or parts[1] not in {q.id for q, _ in step.items}:
                reaction = partial(stale, update, context)
            else:
                state, previous = await reopen(update, context, uow, state, parts[1])
    if reaction is not None or state is None:
        await run(reaction)
        return None
    await show_reopened(update, context, state, parts[1], language, previous)
    return None


async def tap_submit(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """X:<wave> — submit the reviewed response, once."""
    if len(parts) != 1:
        return None
    services = services_of(context)
    chat = update.effective_chat
    assert chat is not None
    submitted = False
    async with writing(context) as uow:
        found = await survey_state(update, context, uow, parts[0])
        state, language, reaction = found.state, found.language, found.reaction
        if state is not None and isinstance(state.step, Review) and state.response is not None:
            submitted = await submit_response(uow, state, services.now(), services.steps)
            await uow.commit()
    if reaction is not None or state is None:
        await run(reaction)
        return None
    if not submitted or state.response is None:
        await stale(update, context)
        return None
    await with_answer(
        update,
        context,
        edit(tapped_message(update), None, None),
        say(context, chat.id, language, "thanks"),
    )
    await services.response_submitted(state.response.id)
    return None


async def tap_delete(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """D:<y|n> — erase everything about the resident, or keep it."""
    services = services_of(context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    if not await edit(tapped_message(update), None, None):
        return None
    async with writing(context) as uow:
        respondent = await respondent_of(uow, services, user.id)
        language = language_of(respondent, update)
        if parts[:1] == ["y"] and respondent is not None:
            await uow.begin_write()
            await uow.respondents.delete_everything(respondent.id)
            await uow.commit()
            log.info("resident %s erased their data", respondent.key)
            await say(context, chat.id, language, "deleted")
            return None
    await say(context, chat.id, language, "delete_cancelled" if respondent else "mydata_none")
    return None


async def tap_wave(
    update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
) -> str | None:
    """W:<wave> — an invitation's button: show that wave's current step."""
    await show_current(update, context, cb.parse_int(parts[0]) if parts else None)
    return None


TAPS = {
    cb.LANGUAGE: tap_language,
    cb.CONSENT: tap_consent,
    cb.PROFILE: tap_profile,
    cb.PROFILE_BACK: tap_profile_back,
    cb.ANSWER: tap_answer,
    cb.TOGGLE: tap_toggle,
    cb.NEXT: tap_next,
    cb.BACK: tap_back,
    cb.CHANGE: tap_change,
    cb.SUBMIT: tap_submit,
    cb.DELETE: tap_delete,
    cb.WAVE: tap_wave,
}


# -- typed answers ----------------------------------------------------------------------------
async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message in the private chat: a typed answer, or a polite re-ask."""
    message, chat = update.message, update.effective_chat
    if message is None or update.effective_user is None or chat is None:
        return
    async with writing(context) as uow:
        language, screens, state = await typed_answer(update, context, uow, message.text)
    if isinstance(screens, str):
        await say(context, chat.id, language, screens)
        await show_current(update, context)
        return
    for screen in screens:
        await send(context, chat.id, screen)
    if state is not None:
        await after_answer(update, context, state, language)


async def typed_answer_state(
    update: Update, context: ContextTypes.DEFAULT_TYPE, uow: UnitOfWork
) -> SurveyState | tuple[str, list[Screen] | str, None]:
    """The resident's state in their current wave, or what to say when there is none."""
    services = services_of(context)
    assert update.effective_user is not None
    respondent = await respondent_of(uow, services, update.effective_user.id)
    language = language_of(respondent, update)
    if respondent is None or respondent.consent != "given":
        return language, [Screen(t(language, "consent_needed"))], None
    profile = await uow.profiles.get(respondent.id)
    if not profile_complete(profile):
        return language, "tap_needed", None
    choice = await choose_wave(uow, respondent.id, profile)
    if choice.wave is None:
        return language, [no_wave_screen(services, language, choice)], None
    return await load_state(uow, surveys_of(context), respondent, profile, choice)


async def typed_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, uow: UnitOfWork, text: str | None
) -> tuple[str, list[Screen] | str, SurveyState | None]:
    """Store a typed answer: (language, screens to send or a line before the current step,
    the new state when stored)."""
    services = services_of(context)
    assert update.effective_user is not None
    state = None
    if services.steps is not None:
        key = services.respondent_key(update.effective_user.id)
        state = await open_wave_step(uow, surveys_of(context), key, services.steps)
    if state is None:
        found = await typed_answer_state(update, context, uow)
        if not isinstance(found, SurveyState):
            return found
        state = found
    language = language_of(state.respondent, update)
    step = state.step
    answer = typed_step_answer(state, step, text) if text is not None else None
    if answer is None:
        return language, [typed_hint(step, language)], None
    if isinstance(answer, Invalid):
        assert not isinstance(step, Review)
        return language, [Screen(invalid_text(answer, step.question, language))], None
    state = await store_answer(uow, state, answer, services.now(), services.steps)
    await uow.commit()
    return language, [], state


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """Resident commands (private chats), taps, and typed answers."""
    new_private = PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("start", start_command, filters=new_private),
        CommandHandler("language", language_command, filters=new_private),
        CommandHandler("profile", profile_command, filters=new_private),
        CommandHandler("delete", delete_command, filters=new_private),
        CommandHandler("stop", stop_command, filters=new_private),
        CallbackQueryHandler(on_tap, pattern=CALLBACK_PATTERN),
        MessageHandler(new_private & ~filters.COMMAND, on_message),
    ]
