"""Residents' comments in the running bot: masked, stored and classified in the background.

A submission only queues the work: the resident's thanks never waits for masking or the
classifier. The comments of responses submitted within a second or so are stored and classified
together, in a few transactions and one call of the classifier, so a burst of submissions
costs the bot little. Nothing is lost when the bot stops in between: `catch_up` (at start-up
and every few minutes) stores the comments of any submitted response that has none stored yet,
imported responses included, and classifies whatever is waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from analysis.text.classify import Classification, classify_many
from analysis.text.language import detect_language
from analysis.text.model_store import ModelFileError, TrainedModel, default_model_path
from analysis.text.pii import mask_personal_info
from analysis.text.tokens import normalise
from analysis.text.training import bundled_model, ensure_model
from bot.app.catalog import survey_for_wave
from bot.app.services import Services
from storage.db import UnitOfWork
from storage.records import SubmittedText, WaveRecord
from surveys.definition import QuestionType, Survey

log = logging.getLogger(__name__)
T = TypeVar("T")

CLASSIFY_BATCH = 64
STORE_BATCH = 500
"""Responses whose comments are read and stored in one go."""
GATHER_SECONDS = 1.0
"""How long a submitted comment waits for others to be stored and classified with it."""


@dataclass(frozen=True)
class MaskedComment:
    """A comment ready to store: masked text, its language, and whether anything was masked."""

    answer_id: int
    masked_text: str
    language: str
    changed: bool


def comment_question_ids(survey: Survey) -> tuple[str, ...]:
    """The survey's free-text (comment) questions."""
    return tuple(q.id for q in survey.questions if q.type == QuestionType.TEXT)


def mask_comment(answer_id: int, text: str) -> MaskedComment:
    """Mask personal information and guess the language (runs in a worker thread)."""
    masked = mask_personal_info(text).text
    return MaskedComment(answer_id, masked, detect_language(normalise(text)), masked != text)


def mask_comments(texts: list[SubmittedText]) -> list[MaskedComment]:
    """`mask_comment` for many comments (one trip to the worker thread)."""
    return [mask_comment(text.answer_id, text.text) for text in texts]


# -- the pipeline ------------------------------------------------------------------------


class CommentPipeline:
    """Stores each submitted comment masked, then classifies it in a worker thread."""

    def __init__(self, services: Services, gather_seconds: float = GATHER_SECONDS) -> None:
        self.services = services
        self.gather_seconds = gather_seconds
        self._queued: set[int] = set()
        self._draining: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()
        self._masking = ThreadPoolExecutor(max_workers=1, thread_name_prefix="comment-mask")
        self._classifying = ThreadPoolExecutor(max_workers=1, thread_name_prefix="comment-model")
        self._model: TrainedModel | None = None
        self._model_stamp: float | None = None
        self._lock = asyncio.Lock()
        self._storing = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()

    async def _in(self, executor: ThreadPoolExecutor, work: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(executor, partial(work, *args))

    async def on_response_submitted(self, response_id: int) -> None:
        """The hook: queue the response's comments, stored and classified in the background
        together with those submitted around the same time."""
        self._queued.add(response_id)
        if self._draining is None or self._draining.done():
            self._hurry.clear()
            self._draining = self._soon(self._drain())

    async def _drain(self) -> None:
        """After a moment (cut short by `wait_idle`), store and classify what is queued."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._hurry.wait(), self.gather_seconds)
        while self._queued:
            response_ids = sorted(self._queued)
            self._queued.clear()
            if await self._store_quietly(response_ids):
                await self._classify_quietly()

    async def _store_quietly(self, response_ids: list[int]) -> int:
        """Store the responses' comments (a failure is logged, never raised); how many."""
        try:
            return len(await self.store_comments(response_ids))
        except Exception as error:  # the resident's submission stands whatever happens here
            if len(response_ids) == 1:
                log.error(
                    "comments of response %d not stored: %s", response_ids[0], type(error).__name__
                )
                return 0
        # one broken response must not hold up the others: each on its own
        return sum([await self._store_quietly([response_id]) for response_id in response_ids])

    async def catch_up(self) -> int:
        """Store the comments of submitted responses that have none stored yet (the bot stopped
        in between, or they were imported), then classify every waiting comment; returns how
        many comments were stored."""
        missing = await self._missing()
        stored = await self._store_quietly(missing)
        if missing:
            log.info("caught up on %d comment(s) of %d response(s)", stored, len(missing))
        await self.classify_pending()
        return stored

    async def _missing(self) -> list[int]:
        """Submitted responses, in every wave, whose comments are not stored yet."""
        async with self.services.uow() as uow:
            waves = await uow.waves.list()
        missing: list[int] = []
        for wave in waves:
            try:
                async with self.services.uow() as uow:
                    questions = await self._questions_of(uow, wave)
                    missing += await uow.comments.missing(wave.id, questions)
            except Exception as error:  # one broken wave must not hold up the others
                log.error("comments of wave %d not checked: %s", wave.id, type(error).__name__)
        return missing

    def catch_up_soon(self) -> None:
        """Run `catch_up` in the background (the caller does not wait)."""
        self._soon(self.catch_up_quietly())

    async def catch_up_quietly(self) -> None:
        """`catch_up`, a failure logged by its kind only (error messages may quote comments)."""
        try:
            await self.catch_up()
        except Exception as error:  # tried again at the next sweep
            log.error("comment catch-up stopped: %s", type(error).__name__)

    async def store_comments(self, response_ids: list[int]) -> list[int]:
        """Mask and store the comment answers of submitted responses; return comment ids."""
        ids: list[int] = []
        for start in range(0, len(response_ids), STORE_BATCH):
            async with self._storing:  # a submission and a catch-up never store one twice
                ids += await self._store_comments(response_ids[start : start + STORE_BATCH])
        return ids

    async def _store_comments(self, response_ids: list[int]) -> list[int]:
        async with self.services.uow() as uow:
            texts = await uow.answers.submitted_texts(response_ids)
            questions = {
                wave_id: await self._questions_of(uow, await uow.waves.get(wave_id))
                for wave_id in {text.wave_id for text in texts}
            }
        comments = [text for text in texts if text.question_id in questions[text.wave_id]]
        if not comments:
            return []
        masked: list[MaskedComment] = await self._in(self._masking, mask_comments, comments)
        wave_of = {text.answer_id: text.wave_id for text in comments}
        keep_raw = self.services.settings.keep_raw_comments
        ids = []
        async with self.services.uow() as uow:
            await uow.begin_write()  # take the writers' turn like every other writer
            known = await uow.comments.masked_texts([m.answer_id for m in masked])
            for comment in masked:
                if not keep_raw and comment.changed:
                    await uow.comments.replace_raw_text(comment.answer_id, comment.masked_text)
                if known.get(comment.answer_id) == comment.masked_text:
                    continue  # the same submission reported twice: keep its classification
                record = await uow.comments.add(
                    comment.answer_id,
                    wave_of[comment.answer_id],
                    comment.masked_text,
                    at=self.services.now(),
                    language=comment.language,
                )
                ids.append(record.id)
            await uow.commit()
        responses = len({text.response_id for text in comments})
        log.info("stored %d comment(s) of %d response(s)", len(ids), responses)
        return ids

    async def _questions_of(self, uow: UnitOfWork, wave: WaveRecord | None) -> tuple[str, ...]:
        """The comment questions of the wave's survey; none for a wave that is gone, or whose
        survey cannot be read (that is logged, and the other waves go ahead)."""
        if wave is None:
            return ()
        try:
            return comment_question_ids(await survey_for_wave(uow, wave))
        except LookupError as error:
            log.error("comments of wave %d not stored: %s", wave.id, type(error).__name__)
            return ()

    def _soon(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run the work as a background task that `wait_idle` waits for and `close` cancels."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _classify_quietly(self) -> None:
        try:
            await self.classify_pending()
        except Exception as error:  # left unclassified; picked up at the next comment or start
            log.error("comment classification stopped: %s", type(error).__name__)

    async def wait_idle(self) -> None:
        """Have the background storage and classification done now, and wait for them."""
        while self._tasks:
            self._hurry.set()
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def classify_pending(self) -> int:
        """Classify every stored comment that has no classification yet; return how many."""
        done = 0
        async with self._lock:
            while True:
                async with self.services.uow() as uow:
                    pending = await uow.comments.unclassified(CLASSIFY_BATCH)
                if not pending:
                    return done
                try:
                    version, results = await self._in(
                        self._classifying, self._classify, [c.masked_text for c in pending]
                    )
                except Exception as error:  # never lose the bot over the model; retry later
                    log.error("comment classification failed: %s", type(error).__name__)
                    return done
                async with self.services.uow() as uow:
                    await uow.begin_write()
                    for comment, result in zip(pending, results, strict=True):
                        await uow.comments.set_classification(
                            comment.id,
                            goals=result.goals,
                            primary_goal=result.primary,
                            confidence=result.confidence,
                            needs_review=result.needs_review,
                            model_version=version,
                            at=self.services.now(),
                        )
                    await uow.commit()
                done += len(pending)
                log.info("classified %d comment(s) with model %s", len(pending), version)

    def _classify(self, texts: list[str]) -> tuple[str, list[Classification]]:
        """Classify in the worker thread, loading (or reloading a retrained) model first."""
        model = self._current_model()
        return model.info.version, classify_many(model, texts)

    def _current_model(self) -> TrainedModel:
        """The model, loaded once; loaded again when `machikoe model train` replaced the file."""
        data_dir = Path(self.services.settings.data_dir)
        path = default_model_path(data_dir)
        stamp = path.stat().st_mtime if path.is_file() else None
        if self._model is None or stamp != self._model_stamp:
            try:
                self._model = ensure_model(data_dir)
            except ModelFileError as error:  # keep classifying; staff retrain to replace the file
                log.error("model file not usable, using the bundled model: %s", error)
                self._model = bundled_model()
            self._model_stamp = path.stat().st_mtime if path.is_file() else None
        return self._model

    async def warm_up(self) -> None:
        """Load the model ahead of the first comment (in the worker thread)."""
        await self._in(self._classifying, self._current_model)

    async def finish(self, timeout: float) -> None:
        """Give the background work up to `timeout` seconds to end, then close (what is left
        is picked up by the next start's catch-up)."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self.wait_idle(), timeout)
        self.close()

    def close(self) -> None:
        """Stop the worker threads (waiting classification is picked up at the next start)."""
        for task in list(self._tasks):
            task.cancel()
        self._masking.shutdown(wait=False, cancel_futures=True)
        self._classifying.shutdown(wait=False, cancel_futures=True)


def pipeline_of(services: Services) -> CommentPipeline | None:
    """The comment pipeline installed on these services, if any."""
    for hook in services.on_response_submitted:
        owner = getattr(hook, "__self__", None)
        if isinstance(owner, CommentPipeline):
            return owner
    return None


def install(services: Services) -> CommentPipeline:
    """Register comment storage and classification on response submission (once)."""
    pipeline = pipeline_of(services)
    if pipeline is None:
        pipeline = CommentPipeline(services)
        services.on_response_submitted.append(pipeline.on_response_submitted)
    return pipeline
