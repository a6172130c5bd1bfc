"""/mydata: what is stored about the resident, in their words: consent, profile, answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from html import escape

from analysis.text.pii import mask_personal_info
from bot.app.conversation.context import Conversation, language_of, said
from bot.app.conversation.flow import SurveyCache, decode_answers
from bot.app.conversation.resident import Resident
from bot.app.conversation.screens import Reply, Screen
from bot.app.conversation.views import TEXT_LIMIT
from bot.app.texts import LANGUAGE_NAMES, t
from storage.db import UnitOfWork
from storage.records import RespondentRecord, ResponseRecord
from surveys.answers import Answer
from surveys.definition import Question, QuestionType, Survey
from surveys.engine import render_answer
from surveys.profile import PROFILE_FIELDS, profile_label


@dataclass(frozen=True)
class StoredResponse:
    """One wave's response as the resident reads it back: free text masked."""

    title: str
    status: str
    items: tuple[tuple[Question, Answer], ...]


async def mydata(conversation: Conversation, resident: Resident) -> Reply:
    """/mydata: the summary, then each wave's answers (question → answer)."""
    services = conversation.services
    async with conversation.uow() as uow:
        respondent = await conversation.respondent(uow, resident)
        language = language_of(respondent, resident)
        if respondent is None:
            return Reply((said(language, "mydata_none", conversation.channel),))
        profile = await uow.profiles.get(respondent.id)
        contact = await uow.contacts.get(respondent.id)
        responses = await stored_responses(uow, conversation.surveys, respondent.id)
    subscribed = contact is not None and contact.subscribed
    text = t(
        language,
        "mydata",
        conversation.channel,
        consent=consent_text(respondent, language, services.timezone),
        language_name=LANGUAGE_NAMES.get(respondent.language, respondent.language),
        profile=escape(profile_text(profile, language)) or t(language, "profile_none"),
        subscribed=t(language, "subscribed_yes" if subscribed else "subscribed_no"),
        responses=t(language, "responses_below", count=len(responses))
        if responses
        else t(language, "responses_none"),
    )
    return Reply((Screen(text), *(Screen(response_text(r, language)) for r in responses)))


def consent_text(respondent: RespondentRecord, language: str, zone: tzinfo) -> str:
    """Given or declined, and when."""
    if not respondent.consent:
        return t(language, "consent_none")
    at = respondent.consent_at
    date = at.astimezone(zone).strftime("%Y-%m-%d") if at is not None else ""
    return t(language, f"consent_{respondent.consent}", date=date)


def profile_text(profile: dict[str, str | None], language: str) -> str:
    """年代: 30代 / 性別: 女性 / … (only the fields given)."""
    return " / ".join(
        f"{t(language, f'profile_field_{field}')}: {profile_label(field, code, language)}"
        for field in PROFILE_FIELDS
        if (code := profile.get(field))
    )


def response_text(response: StoredResponse, language: str) -> str:
    """A wave's title and status, then one line per answer (within Telegram's limit)."""
    status = t(language, f"status_{response.status}")
    lines = [t(language, "response_item", title=escape(response.title), status=status)]
    for question, answer in response.items:
        rendered = escape(render_answer(question, answer, language))
        lines.append(f"・{escape(question.label.text(language))}\n　→ {rendered}")
    text = "\n".join(lines)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


async def stored_responses(
    uow: UnitOfWork, surveys: SurveyCache, respondent_id: int
) -> list[StoredResponse]:
    """Every response of the resident, oldest first, with answers in the survey's order."""
    found = []
    for response in await uow.responses.for_respondent(respondent_id):
        wave = await uow.waves.get(response.wave_id)
        if wave is None:
            continue
        try:
            survey = await surveys.survey_for(uow, wave)
        except LookupError:
            found.append(StoredResponse(wave.name, response.status, ()))
            continue
        items = await masked_items(uow, survey, response)
        found.append(StoredResponse(wave.name, response.status, items))
    return found


async def masked_items(
    uow: UnitOfWork, survey: Survey, response: ResponseRecord
) -> tuple[tuple[Question, Answer], ...]:
    """The response's answers in question order; typed text as the analysts see it, masked."""
    stored = await uow.responses.answers(response.id)
    answers = decode_answers(survey, stored)
    typed = [q.id for q in survey.questions if q.type is QuestionType.TEXT and q.id in answers]
    masked = await uow.comments.masked_texts([stored[question_id].id for question_id in typed])
    items = []
    for question in survey.questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        if question.type is QuestionType.TEXT and isinstance(answer.value, str):
            value = masked.get(stored[question.id].id) or mask_personal_info(answer.value).text
            answer = Answer(question.id, value)
        elif answer.other_text:
            answer = Answer(question.id, answer.value, mask_personal_info(answer.other_text).text)
        items.append((question, answer))
    return tuple(items)
