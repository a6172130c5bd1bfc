"""What residents read, as plain Screens: questions, prompts, the review, re-asks."""

from __future__ import annotations

from html import escape

from bot.app.conversation import keyboards
from bot.app.conversation.flow import SurveyState, profile_step
from bot.app.conversation.screens import Screen
from bot.app.texts import t
from surveys.answers import Answer
from surveys.definition import Question, QuestionType
from surveys.engine import (
    AskOther,
    AskQuestion,
    Invalid,
    Reason,
    Step,
    previous_question,
    render_answer,
)
from surveys.profile import PROFILE_FIELDS, profile_survey

TEXT_LIMIT = 4096


def _fit(text: str) -> str:
    """Keep a message within Telegram's 4096 characters."""
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _hint(question: Question, language: str) -> str:
    """How to answer a question, when it is not a plain tap."""
    if question.type is QuestionType.TEXT:
        return t(language, "type_answer")
    if question.type is QuestionType.NUMBER:
        return t(language, "type_number")
    if question.type is QuestionType.MULTI:
        return t(language, "choose_many")
    return ""


def progress_text(language: str, number: int, fewest: int | None, most: int | None) -> str:
    """3/5; 1/4〜5 while skip logic may still add a question; 1問目 when it cannot be told."""
    if fewest is None or most is None:
        return t(language, "progress_open", number=number)
    if fewest == most:
        return t(language, "progress", number=number, total=most)
    return t(language, "progress_range", number=number, fewest=fewest, most=most)


def question_text(
    question: Question, language: str, number: int, fewest: int | None, most: int | None
) -> str:
    """Progress, the question and its help."""
    head = f"<b>{progress_text(language, number, fewest, most)}</b>\n"
    body = f"<b>{escape(question.label.text(language))}</b>"
    if question.help is not None:
        body += f"\n<i>{escape(question.help.text(language))}</i>"
    hint = _hint(question, language)
    return head + body + (f"\n{escape(hint)}" if hint else "")


def question_screen(
    state: SurveyState, step: AskQuestion, language: str, previous: Answer | None = None
) -> Screen:
    """A survey question with its buttons; a reopened question shows the earlier answer."""
    question = step.question
    text = question_text(question, language, step.number, step.fewest, step.most)
    if previous is not None and question.type in (QuestionType.TEXT, QuestionType.NUMBER):
        text += "\n\n" + escape(render_answer(question, previous, language))
    back = previous_question(state.survey, state.answers, state.profile, question.id) is not None
    rows = keyboards.question_rows(state.wave.id, question, language, previous=previous, back=back)
    return Screen(_fit(text), rows)


def other_screen(state: SurveyState, step: AskOther, language: str) -> Screen:
    """Ask the resident to specify their "other" choice."""
    other = step.question.other_choice
    label = other.label.text(language) if other is not None else ""
    text = escape(t(language, "other_prompt", label=label))
    return Screen(text, keyboards.other_rows(state.wave.id, step.question, language))


def review_screen(
    state: SurveyState, items: tuple[tuple[Question, Answer], ...], language: str
) -> Screen:
    """Every answer, a change button for each, and 送信."""
    lines = [
        f"{number}. {escape(question.label.text(language))}\n"
        f"　→ {escape(render_answer(question, answer, language))}"
        for number, (question, answer) in enumerate(items, start=1)
    ]
    text = t(language, "review", items="\n".join(lines))
    rows = keyboards.review_rows(state.wave.id, [q for q, _ in items], language)
    return Screen(_fit(text), rows)


def answered_text(question: Question, answer: Answer, language: str) -> str:
    """What a question message turns into once answered (no buttons)."""
    rendered = escape(render_answer(question, answer, language))
    return _fit(f"{escape(question.label.text(language))}\n→ <b>{rendered}</b>")


def profile_screen(
    profile: dict[str, str | None], language: str, question_id: str | None = None
) -> Screen | None:
    """The next (or given, when updating) profile question; None when the profile is done."""
    survey = profile_survey()
    updating = question_id is not None
    if question_id is None:
        step = profile_step(profile)
        if not isinstance(step, AskQuestion):
            return None
        question, number = step.question, step.number
    else:
        question = survey.question(question_id)
        number = PROFILE_FIELDS.index(question_id) + 1
    total = len(PROFILE_FIELDS)
    text = question_text(question, language, number, total, total)
    back = number > 1
    rows = keyboards.profile_rows(question, language, updating, profile.get(question.id), back)
    return Screen(text, rows)


def invalid_text(invalid: Invalid, question: Question, language: str) -> str:
    """A polite one-line re-ask for a refused answer, then the question again."""
    reason = invalid.reason
    values: dict[str, object] = {
        "minimum": invalid.minimum,
        "maximum": invalid.maximum,
        "limit": invalid.limit,
        "given": invalid.given,
    }
    if reason in (Reason.NOT_A_NUMBER, Reason.OUT_OF_RANGE):
        if invalid.minimum is not None and invalid.maximum is not None:
            values["range"] = t(language, "range_both", **values)
        elif invalid.minimum is not None:
            values["range"] = t(language, "range_min", **values)
        elif invalid.maximum is not None:
            values["range"] = t(language, "range_max", **values)
        else:
            values["range"] = ""
    line = t(language, f"invalid_{reason.value}", **values).strip()
    return _fit(f"{escape(line)}\n\n{escape(question.label.text(language))}")


def typed_hint(step: Step, language: str) -> Screen:
    """One short line below the current step for a message it cannot take (no repost)."""
    question = step.question if isinstance(step, AskQuestion | AskOther) else None
    if isinstance(step, AskOther) or (question is not None and not question.choices):
        return Screen(t(language, "text_needed"))
    if question is not None and question.type is not QuestionType.MULTI:
        return Screen(t(language, "choice_hint", count=len(question.choices or ())))
    return Screen(t(language, "tap_needed"))
