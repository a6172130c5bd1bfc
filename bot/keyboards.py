"""Inline keyboards for residents: language, consent, questions, multi toggles, review."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.texts import LANGUAGE_NAMES, LANGUAGES, t
from surveys.answers import Answer
from surveys.definition import Question, QuestionType

CHECK = "✓ "
BUTTON_LABEL_MAX = 40


def _short(text: str, limit: int = BUTTON_LABEL_MAX) -> str:
    """A button label that fits on a phone."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def language_keyboard() -> InlineKeyboardMarkup:
    """日本語 / English / やさしい日本語."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=cb.pack(cb.LANGUAGE, code))]
            for code in LANGUAGES
        ]
    )


def consent_keyboard(language: str) -> InlineKeyboardMarkup:
    """Agree or decline, carrying the chosen language (nothing is stored before consent)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "agree"), callback_data=cb.pack(cb.CONSENT, "y", language)
                )
            ],
            [
                InlineKeyboardButton(
                    t(language, "decline"), callback_data=cb.pack(cb.CONSENT, "n", language)
                )
            ],
        ]
    )


def delete_keyboard(language: str) -> InlineKeyboardMarkup:
    """Confirm or cancel erasure."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "delete_yes"), callback_data=cb.pack(cb.DELETE, "y")
                )
            ],
            [InlineKeyboardButton(t(language, "delete_no"), callback_data=cb.pack(cb.DELETE, "n"))],
        ]
    )


def profile_keyboard(
    question: Question, language: str, updating: bool, current: str | None, back: bool
) -> InlineKeyboardMarkup:
    """A profile question's choices (the current value ticked) and a back button."""
    flag = "1" if updating else "0"
    rows = [
        [
            InlineKeyboardButton(
                (CHECK if choice.id == current else "") + _short(choice.label.text(language)),
                callback_data=cb.pack(cb.PROFILE, question.id, index, flag),
            )
        ]
        for index, choice in enumerate(question.choices or ())
    ]
    if back:
        rows.append(
            [
                InlineKeyboardButton(
                    t(language, "back"), callback_data=cb.pack(cb.PROFILE_BACK, question.id, flag)
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def question_keyboard(
    wave_id: int,
    question: Question,
    language: str,
    *,
    previous: Answer | None = None,
    mask: int | None = None,
    back: bool = True,
) -> InlineKeyboardMarkup | None:
    """Choices (single, likert), toggles with ✓ and 次へ (multi), skip and back."""
    rows: list[list[InlineKeyboardButton]] = []
    chosen = set(previous.codes) if previous is not None else set()
    choices = question.choices or ()
    if question.type is QuestionType.MULTI:
        if mask is None:
            mask = cb.mask_of([i for i, c in enumerate(choices) if c.id in chosen])
        for index, choice in enumerate(choices):
            mark = CHECK if mask >> index & 1 else ""
            data = cb.pack(cb.TOGGLE, wave_id, question.id, f"{mask:x}", index)
            rows.append(
                [
                    InlineKeyboardButton(
                        mark + _short(choice.label.text(language)), callback_data=data
                    )
                ]
            )
        rows.append(
            [
                InlineKeyboardButton(
                    t(language, "next"),
                    callback_data=cb.pack(cb.NEXT, wave_id, question.id, f"{mask:x}"),
                )
            ]
        )
    elif question.choices:
        for index, choice in enumerate(choices):
            mark = CHECK if choice.id in chosen else ""
            data = cb.pack(cb.ANSWER, wave_id, question.id, index)
            rows.append(
                [
                    InlineKeyboardButton(
                        mark + _short(choice.label.text(language)), callback_data=data
                    )
                ]
            )
    if not question.required and question.type is not QuestionType.MULTI:
        rows.append(
            [
                InlineKeyboardButton(
                    t(language, "skip"),
                    callback_data=cb.pack(cb.ANSWER, wave_id, question.id, cb.SKIP),
                )
            ]
        )
    if back:
        rows.append(
            [
                InlineKeyboardButton(
                    t(language, "back"), callback_data=cb.pack(cb.BACK, wave_id, question.id)
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def other_keyboard(wave_id: int, question: Question, language: str) -> InlineKeyboardMarkup:
    """Under the "please specify" prompt: back to the choices."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "back"), callback_data=cb.pack(cb.BACK, wave_id, question.id)
                )
            ]
        ]
    )


def review_keyboard(wave_id: int, questions: list[Question], language: str) -> InlineKeyboardMarkup:
    """A change button per answered question, then 送信."""
    rows = [
        [
            InlineKeyboardButton(
                _short(t(language, "change", label=f"{number}. {question.label.text(language)}")),
                callback_data=cb.pack(cb.CHANGE, wave_id, question.id),
            )
        ]
        for number, question in enumerate(questions, start=1)
    ]
    rows.append(
        [InlineKeyboardButton(t(language, "submit"), callback_data=cb.pack(cb.SUBMIT, wave_id))]
    )
    return InlineKeyboardMarkup(rows)
