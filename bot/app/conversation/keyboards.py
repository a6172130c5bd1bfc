"""Resident buttons as rows of plain Buttons: language, consent, questions, toggles, review."""

from __future__ import annotations

from bot.app import callbacks as cb
from bot.app.conversation.screens import Button
from bot.app.texts import LANGUAGE_NAMES, LANGUAGES, t
from surveys.answers import Answer
from surveys.definition import Question, QuestionType

CHECK = "✓ "
BUTTON_LABEL_MAX = 40
Rows = tuple[tuple[Button, ...], ...]


def _short(text: str, limit: int = BUTTON_LABEL_MAX) -> str:
    """A button label that fits on a phone."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _column(*buttons: Button) -> Rows:
    """One button a row."""
    return tuple((button,) for button in buttons)


def language_rows() -> Rows:
    """日本語 / English / やさしい日本語."""
    return _column(
        *(Button(LANGUAGE_NAMES[code], cb.pack(cb.LANGUAGE, code)) for code in LANGUAGES)
    )


def consent_rows(language: str) -> Rows:
    """Agree or decline, carrying the chosen language (nothing is stored before consent)."""
    return _column(
        Button(t(language, "agree"), cb.pack(cb.CONSENT, "y", language)),
        Button(t(language, "decline"), cb.pack(cb.CONSENT, "n", language)),
    )


def delete_rows(language: str) -> Rows:
    """Confirm or cancel erasure."""
    return _column(
        Button(t(language, "delete_yes"), cb.pack(cb.DELETE, "y")),
        Button(t(language, "delete_no"), cb.pack(cb.DELETE, "n")),
    )


def profile_rows(
    question: Question, language: str, updating: bool, current: str | None, back: bool
) -> Rows:
    """A profile question's choices (the current value ticked) and a back button."""
    flag = "1" if updating else "0"
    buttons = [
        Button(
            (CHECK if choice.id == current else "") + _short(choice.label.text(language)),
            cb.pack(cb.PROFILE, question.id, index, flag),
        )
        for index, choice in enumerate(question.choices or ())
    ]
    if back:
        buttons.append(Button(t(language, "back"), cb.pack(cb.PROFILE_BACK, question.id, flag)))
    return _column(*buttons)


def question_rows(
    wave_id: int,
    question: Question,
    language: str,
    *,
    previous: Answer | None = None,
    mask: int | None = None,
    back: bool = True,
) -> Rows:
    """Choices (single, likert), toggles with ✓ and 次へ (multi), skip and back."""
    buttons: list[Button] = []
    chosen = set(previous.codes) if previous is not None else set()
    choices = question.choices or ()
    if question.type is QuestionType.MULTI:
        if mask is None:
            mask = cb.mask_of([i for i, c in enumerate(choices) if c.id in chosen])
        for index, choice in enumerate(choices):
            mark = CHECK if mask >> index & 1 else ""
            data = cb.pack(cb.TOGGLE, wave_id, question.id, f"{mask:x}", index)
            buttons.append(Button(mark + _short(choice.label.text(language)), data))
        buttons.append(
            Button(t(language, "next"), cb.pack(cb.NEXT, wave_id, question.id, f"{mask:x}"))
        )
    elif question.choices:
        for index, choice in enumerate(choices):
            mark = CHECK if choice.id in chosen else ""
            data = cb.pack(cb.ANSWER, wave_id, question.id, index)
            buttons.append(Button(mark + _short(choice.label.text(language)), data))
    if not question.required and question.type is not QuestionType.MULTI:
        buttons.append(
            Button(t(language, "skip"), cb.pack(cb.ANSWER, wave_id, question.id, cb.SKIP))
        )
    if back:
        buttons.append(Button(t(language, "back"), cb.pack(cb.BACK, wave_id, question.id)))
    return _column(*buttons)


def other_rows(wave_id: int, question: Question, language: str) -> Rows:
    """Under the "please specify" prompt: back to the choices."""
    return _column(Button(t(language, "back"), cb.pack(cb.BACK, wave_id, question.id)))


def review_rows(wave_id: int, questions: list[Question], language: str) -> Rows:
    """A change button per answered question, then 送信."""
    return _column(
        *(
            Button(
                _short(t(language, "change", label=f"{number}. {question.label.text(language)}")),
                cb.pack(cb.CHANGE, wave_id, question.id),
            )
            for number, question in enumerate(questions, start=1)
        ),
        Button(t(language, "submit"), cb.pack(cb.SUBMIT, wave_id)),
    )
