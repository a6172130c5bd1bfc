"""Play simulated residents over the local server's client API (the page's HTTP path)."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from bot.app.texts import LANGUAGE_NAMES, t
from bot.demo.personas import OTHER_TEXT, Persona
from surveys.definition import Question, QuestionType, Survey
from surveys.profile import PROFILE_FIELDS, profile_survey

log = logging.getLogger(__name__)

CHECK = "✓ "
LANGUAGE = "ja"
SETTLE = 0.05
Message = dict[str, Any]
CATALOGUE = (
    "welcome",
    "profile_intro",
    "profile_done",
    "tap_needed",
    "text_needed",
    "error",
    "thanks",
)
"""Bot messages the stuck warning names by their catalogue key."""


class ResidentStuck(Exception):
    """The bot stopped answering a simulated resident."""


@dataclass
class SimulationResult:
    """How many simulated residents submitted, and how many got stuck."""

    submitted: int = 0
    stuck: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def _signature(message: Message) -> str:
    """What identifies a message's current state (edits change it)."""
    buttons = [[b["text"] for b in row] for row in message["buttons"]]
    return f"{message['message_id']}|{message['text']}|{buttons}"


def _buttons(message: Message) -> list[dict[str, str]]:
    return [button for row in message["buttons"] for button in row]


def _plain(html: str) -> str:
    """A catalogue text as the chat shows it (formatting tags removed)."""
    return re.sub(r"<[^>]+>", "", html)


def other_prompts(questions: Sequence[Question]) -> frozenset[str]:
    """The bot's "please specify" prompts for the questions' "other" choices."""
    labels = {q.other_choice.label.text(LANGUAGE) for q in questions if q.other_choice}
    return frozenset(t(LANGUAGE, "other_prompt", label=label) for label in labels)


def _label_matches(button_text: str, label: str) -> bool:
    """A button shows a choice's label, maybe ticked and shortened with …."""
    text = button_text.removeprefix(CHECK)
    return text == label or (text.endswith("…") and label.startswith(text[:-1]))


class ResidentPlayer:
    """One simulated resident answering through HTTP like the web page does."""

    def __init__(
        self, http: httpx.AsyncClient, persona: Persona, survey: Survey, step_timeout: float
    ) -> None:
        self.http = http
        self.persona = persona
        self.questions: list[Question] = [*profile_survey().questions, *survey.questions]
        self.step_timeout = step_timeout
        self.version = -1
        self.messages: list[Message] = []
        self.acted: set[str] = set()
        self.refreshes = 0
        self.error = t(LANGUAGE, "error")
        self.errors_seen = 0
        self.done_texts = (t(LANGUAGE, "thanks"),)
        self.catalogue_texts = {
            key: _plain(t(LANGUAGE, key, count=len(PROFILE_FIELDS))) for key in CATALOGUE
        }
        self.other_prompts = other_prompts(self.questions)
        self.review_heading = _plain(t(LANGUAGE, "review", items="\0").split("\0")[0]).strip()

    @property
    def base(self) -> str:
        return f"/_client/chats/{self.persona.user_id}"

    async def _post(self, path: str, body: dict[str, Any]) -> None:
        response = await self.http.post(path, json=body)
        response.raise_for_status()

    async def send(self, text: str) -> None:
        """Type and send a message."""
        await self._post(f"{self.base}/send", {"text": text})

    async def tap(self, message: Message, button: dict[str, str]) -> None:
        """Tap a button of a message."""
        data = {"message_id": message["message_id"], "callback_data": button["callback_data"]}
        await self._post(f"{self.base}/tap", data)

    async def refresh(self, wait: float) -> bool:
        """Fetch the chat, waiting up to `wait` seconds for a change; True if it changed."""
        response = await self.http.get(
            f"{self.base}/messages", params={"after": self.version, "timeout": wait}
        )
        response.raise_for_status()
        data = response.json()
        changed = data["version"] != self.version
        self.version = data["version"]
        self.messages = data["messages"]
        return changed

    async def play(self) -> None:
        """Start the chat and answer until the bot thanks us; ResidentStuck if it stops."""
        await self._post(
            "/_client/users",
            {"user_id": self.persona.user_id, "first_name": self.persona.first_name},
        )
        await self.send("/start")
        nudged = False
        deadline = time.monotonic() + self.step_timeout
        while True:
            if self._finished():
                return
            errors = sum(1 for m in self.messages if m["from"] == "bot" and m["text"] == self.error)
            if errors > self.errors_seen:
                self.errors_seen = errors
                self.acted.clear()  # the bot could not handle our last step: do it again
            action = self._next_action()
            if action is not None:
                self.acted.add(_signature(action[0]))
                await action[1]()
                deadline = time.monotonic() + self.step_timeout
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if nudged:
                    raise ResidentStuck(self.tail())
                nudged = True
                self.acted.clear()
                await self.send("/start")
                deadline = time.monotonic() + self.step_timeout
                continue
            if action is None and self.refreshes:
                await asyncio.sleep(SETTLE)  # let the bot finish its burst of edits and sends
            await self.refresh(min(remaining, 10))
            self.refreshes += 1

    def _finished(self) -> bool:
        return any(
            m["from"] == "bot" and any(done in m["text"] for done in self.done_texts)
            for m in self.messages
        )

    def tail(self) -> str:
        """What the bot's last messages were, by question id or kind (never answer text)."""
        said = [self.describe(m) for m in self.messages if m["from"] == "bot"]
        return " / ".join(said[-3:])

    def describe(self, message: Message) -> str:
        """A bot message named without its text: the review, a prompt, a question id, a key."""
        text = message["text"]
        if text.startswith(self.review_heading):
            return "review"
        if self._asks_other(text):
            return "other prompt"
        question = self._question_in(text)
        if question is not None:
            return question.id + ("" if message["buttons"] else " (answered)")
        key = next((k for k, said in self.catalogue_texts.items() if said == text), None)
        return key or f"bot message with {len(_buttons(message))} buttons"

    def _asks_other(self, text: str) -> bool:
        """Whether this message asks for the text of an "other" choice."""
        return any(prompt in text for prompt in self.other_prompts)

    def _next_action(self) -> tuple[Message, Callable[[], Any]] | None:
        """The latest bot message with buttons we have not acted on, and what to do with it."""
        for message in reversed(self.messages):
            if message["from"] != "bot" or not message["buttons"]:
                continue
            if _signature(message) in self.acted:
                return None
            step = self._decide(message)
            return (message, step) if step is not None else None
        return None

    def _button(self, message: Message, text: str) -> dict[str, str] | None:
        return next((b for b in _buttons(message) if b["text"] == text), None)

    def _decide(self, message: Message) -> Callable[[], Any] | None:
        """Pick the tap or text that answers this message as the persona would."""
        for fixed in (LANGUAGE_NAMES[LANGUAGE], t(LANGUAGE, "agree"), t(LANGUAGE, "submit")):
            button = self._button(message, fixed)
            if button is not None:
                return partial(self.tap, message, button)
        if self._asks_other(message["text"]):
            return lambda: self.send(OTHER_TEXT)
        question = self._question_in(message["text"])
        if question is None:
            return None
        wanted = self.persona.choices.get(question.id, ())
        if question.type is QuestionType.TEXT:
            comment = self.persona.comment if question.id == "comment" or wanted else None
            if comment:
                return lambda: self.send(comment)
            skip = self._button(message, t(LANGUAGE, "skip"))
            return (lambda: self.tap(message, skip)) if skip else (lambda: self.send("特になし"))
        if question.type is QuestionType.NUMBER:
            return lambda: self.send(wanted[0] if wanted else "1")
        return self._choose(message, question, wanted)

    def _choose(
        self, message: Message, question: Question, wanted: Sequence[str]
    ) -> Callable[[], Any] | None:
        labels = {c.id: c.label.text(LANGUAGE) for c in question.choices or ()}
        buttons = _buttons(message)
        for code in wanted:
            label = labels.get(code, "")
            button = next((b for b in buttons if _label_matches(b["text"], label)), None)
            if button is None:
                continue
            ticked = button["text"].startswith(CHECK)
            if question.type is not QuestionType.MULTI or not ticked:
                return partial(self.tap, message, button)
        next_button = self._button(message, t(LANGUAGE, "next"))
        if question.type is QuestionType.MULTI and next_button is not None:
            return lambda: self.tap(message, next_button)
        return None

    def _question_in(self, text: str) -> Question | None:
        """The question a message asks (the longest label it contains)."""
        found = [q for q in self.questions if q.label.text(LANGUAGE) in text]
        return max(found, key=lambda q: len(q.label.text(LANGUAGE)), default=None)


async def simulate_residents(
    base_url: str,
    survey: Survey,
    personas: Sequence[Persona],
    *,
    concurrency: int = 8,
    step_timeout: float = 20.0,
    on_done: Callable[[bool], None] | None = None,
) -> SimulationResult:
    """Play every persona to the end of the survey, `concurrency` at a time."""
    result = SimulationResult()
    gate = asyncio.Semaphore(concurrency)
    started = time.monotonic()
    limits = httpx.Limits(max_connections=concurrency * 2 + 4)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:

        async def one(persona: Persona) -> None:
            async with gate:
                player = ResidentPlayer(http, persona, survey, step_timeout)
                try:
                    await player.play()
                    result.submitted += 1
                    ok = True
                except (ResidentStuck, httpx.HTTPError) as exc:
                    result.stuck += 1
                    result.problems.append(f"{type(exc).__name__}: {str(exc)[:200]}")
                    log.warning(
                        "a simulated resident got stuck: %s %.300s", type(exc).__name__, exc
                    )
                    ok = False
            if on_done is not None:
                on_done(ok)

        await asyncio.gather(*(one(persona) for persona in personas))
    result.seconds = time.monotonic() - started
    return result
