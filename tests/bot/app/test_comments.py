"""Comments on arrival: masked, stored, classified off the event loop (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.text.model_store import TrainedModel, default_model_path, save_model
from analysis.text.training import bundled_model
from bot.app.catalog import ensure_bundled_surveys
from bot.app.comments import CommentPipeline, install, pipeline_of
from bot.app.services import Services
from bot.config import Settings
from storage.db import UnitOfWork, session_factory
from tests.bot.backends import BOTH_BACKENDS
from tests.builders import NOW, make_comment, make_response, make_wave

PHONE_AND_NAME = "保育園が足りなくて子育てが大変です。山田太郎 090-1234-5678 まで連絡ください"
ENGLISH = "The bus to the station is too infrequent, please add more buses."


def shared_model() -> TrainedModel:
    """The model trained once per test process on the bundled corpus (the bot's own cache)."""
    return bundled_model()


@pytest.fixture(scope="session")
def model_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding a trained classifier (trained once per session)."""
    data_dir = tmp_path_factory.mktemp("comments-data")
    save_model(shared_model(), default_model_path(data_dir))
    return data_dir


def make_services(engine: AsyncEngine, data_dir: Path, *, keep_raw: bool = True) -> Services:
    """Services over the test database with a fixed clock."""
    settings = Settings(data_dir=data_dir, keep_raw_comments=keep_raw, secret="test-secret")
    return Services(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        secret="test-secret",
        clock=lambda: NOW,
    )


@pytest.fixture
async def services(engine: AsyncEngine, model_data_dir: Path) -> AsyncIterator[Services]:
    """Services with the bundled surveys loaded and the comment pipeline installed."""
    services = make_services(engine, model_data_dir)
    async with services.uow() as uow:
        await ensure_bundled_surveys(uow, NOW)
        await uow.commit()
    pipeline = install(services)
    yield services
    await pipeline.wait_idle()
    pipeline.close()


async def submit_comment(
    services: Services, text: str | None, uow_factory: Callable[[], UnitOfWork]
) -> int:
    """A resident submits a response with this comment; returns the response id."""
    wave = await make_wave(uow_factory, name=f"wave {text!r:.10}")
    answers = {"livability": "livable", "residency_intent": "always", "comment": text}
    response = await make_response(uow_factory, wave.id, answers=answers)
    await services.response_submitted(response.id)
    await idle(services)
    return response.id


async def idle(services: Services) -> CommentPipeline:
    """Wait for the installed pipeline's background work; return the pipeline."""
    pipeline = pipeline_of(services)
    assert pipeline is not None
    await pipeline.wait_idle()
    return pipeline


@BOTH_BACKENDS
async def test_a_submission_does_not_wait_for_its_comment(
    services: Services, uow_factory: Callable[[], UnitOfWork]
) -> None:
    wave = await make_wave(uow_factory)
    response = await make_response(uow_factory, wave.id, answers={"comment": PHONE_AND_NAME})
    await services.response_submitted(response.id)
    async with uow_factory() as uow:
        answer = (await uow.responses.answers(response.id))["comment"]
        assert await uow.comments.masked_texts([answer.id]) == {}
    await idle(services)
    async with uow_factory() as uow:
        [masked] = (await uow.comments.masked_texts([answer.id])).values()
    assert "【電話番号】" in masked


@BOTH_BACKENDS
async def test_catch_up_stores_and_classifies_comments_a_stop_left_behind(
    services: Services, uow_factory: Callable[[], UnitOfWork]
) -> None:
    wave = await make_wave(uow_factory)
    # submitted, but the bot stopped before the comment was stored (nobody reported it)
    lost = await make_response(uow_factory, wave.id, answers={"comment": PHONE_AND_NAME})
    draft = await make_response(uow_factory, wave.id, answers={"comment": ENGLISH}, submit=False)
    pipeline = await idle(services)
    assert await pipeline.catch_up() == 1
    assert await pipeline.catch_up() == 0
    async with uow_factory() as uow:
        answers = await uow.responses.answers(lost.id)
        [comment] = await uow.comments.by_goal("3")
        assert (
            await uow.comments.masked_texts([(await uow.responses.answers(draft.id))["comment"].id])
            == {}
        )
    assert comment.answer_id == answers["comment"].id and "【氏名】" in comment.masked_text
    assert comment.classified_at == NOW and comment.model_version


@BOTH_BACKENDS
async def test_comment_is_stored_masked_and_classified(
    services: Services, uow_factory: Callable[[], UnitOfWork]
) -> None:
    response_id = await submit_comment(services, PHONE_AND_NAME, uow_factory)
    async with uow_factory() as uow:
        answer = (await uow.responses.answers(response_id))["comment"]
        comments = await uow.comments.by_goal("3")
    assert len(comments) == 1
    comment = comments[0]
    assert comment.answer_id == answer.id
    assert "090" not in comment.masked_text and "山田" not in comment.masked_text
    assert "【電話番号】" in comment.masked_text and "【氏名】" in comment.masked_text
    assert comment.language == "ja"
    assert "3" in comment.goals and comment.primary_goal in comment.goals
    assert comment.confidence is not None and 0.0 <= comment.confidence <= 1.0
    assert comment.model_version == shared_model().info.version
    assert comment.classified_at == NOW
    assert answer.value == PHONE_AND_NAME  # raw kept only because configuration allows it


@BOTH_BACKENDS
async def test_raw_comment_is_replaced_when_not_kept(
    engine: AsyncEngine, model_data_dir: Path, uow_factory: Callable[[], UnitOfWork]
) -> None:
    services = make_services(engine, model_data_dir, keep_raw=False)
    async with services.uow() as uow:
        await ensure_bundled_surveys(uow, NOW)
        await uow.commit()
    pipeline = install(services)
    try:
        response_id = await submit_comment(services, PHONE_AND_NAME, uow_factory)
    finally:
        pipeline.close()
    async with uow_factory() as uow:
        answer = (await uow.responses.answers(response_id))["comment"]
    assert answer.value is not None
    assert "090-1234-5678" not in answer.value and "山田太郎" not in answer.value
    assert "【電話番号】" in answer.value


async def test_foreign_language_comment_waits_for_review(
    services: Services, uow_factory: Callable[[], UnitOfWork]
) -> None:
    await submit_comment(services, ENGLISH, uow_factory)
    async with uow_factory() as uow:
        queue = await uow.comments.needs_review()
    assert [c.language for c in queue] == ["en"]
    assert queue[0].masked_text == ENGLISH
    assert queue[0].classified_at is not None


async def test_empty_or_unsubmitted_responses_store_no_comment(
    services: Services, uow_factory: Callable[[], UnitOfWork]
) -> None:
    await submit_comment(services, None, uow_factory)
    await submit_comment(services, "   ", uow_factory)
    wave = await make_wave(uow_factory, name="partial")
    partial = await make_response(
        uow_factory, wave.id, answers={"comment": PHONE_AND_NAME}, submit=False
    )
    await services.response_submitted(partial.id)
    await idle(services)
    async with uow_factory() as uow:
        assert await uow.comments.unclassified() == []
        assert await uow.comments.needs_review() == []
        assert await uow.comments.by_goal("3") == []


@BOTH_BACKENDS
async def test_second_report_of_a_submission_keeps_the_review(
    services: Services, uow_factory: Callable[[], UnitOfWork]
) -> None:
    response_id = await submit_comment(services, ENGLISH, uow_factory)
    async with uow_factory() as uow:
        [comment] = await uow.comments.needs_review()
        await uow.comments.add_label(comment.id, ["4"], by=42, at=NOW)
        await uow.commit()
    await services.response_submitted(response_id)
    pipeline = pipeline_of(services)
    assert pipeline is not None
    await pipeline.wait_idle()
    async with uow_factory() as uow:
        again = await uow.comments.get(comment.id)
        assert await uow.comments.needs_review() == []
    assert again is not None and again.classified_at is not None


async def test_comments_left_unclassified_are_classified_at_the_next_start(
    engine: AsyncEngine, model_data_dir: Path, uow_factory: Callable[[], UnitOfWork]
) -> None:
    wave = await make_wave(uow_factory)
    await make_comment(uow_factory, wave.id, "公園を増やして", confidence=None)
    pipeline = CommentPipeline(make_services(engine, model_data_dir))
    try:
        assert await pipeline.classify_pending() == 1
        assert await pipeline.classify_pending() == 0
    finally:
        pipeline.close()
    async with uow_factory() as uow:
        assert await uow.comments.unclassified() == []


async def test_a_retrained_model_file_is_picked_up_without_restart(
    engine: AsyncEngine, tmp_path: Path, uow_factory: Callable[[], UnitOfWork]
) -> None:
    services = make_services(engine, tmp_path)
    save_model(shared_model(), default_model_path(tmp_path))
    pipeline = CommentPipeline(services)
    try:
        await pipeline.warm_up()
        newer = dataclasses.replace(
            shared_model(), info=dataclasses.replace(shared_model().info, version="retrained")
        )
        path = default_model_path(tmp_path)
        save_model(newer, path)
        os.utime(path, (1, 1))  # a different modification time, as a real retraining gives
        wave = await make_wave(uow_factory)
        comment_id = await make_comment(uow_factory, wave.id, "公園を増やして", confidence=None)
        await pipeline.classify_pending()
    finally:
        pipeline.close()
    async with uow_factory() as uow:
        stored = await uow.comments.get(comment_id)
    assert stored is not None and stored.model_version == "retrained"


@BOTH_BACKENDS
async def test_comments_submitted_together_are_stored_and_classified_together(
    services: Services,
    uow_factory: Callable[[], UnitOfWork],
    caplog: pytest.LogCaptureFixture,
) -> None:
    wave = await make_wave(uow_factory)
    broken = await make_wave(uow_factory, name="no survey", survey_id="not-loaded")
    texts = ["駅前にベンチを", "公園を増やして", "バスを増やして"]
    responses = [
        await make_response(uow_factory, wave.id, answers={"comment": text}) for text in texts
    ]
    lost = await make_response(uow_factory, broken.id, answers={"comment": "読めない回"})
    caplog.set_level("INFO", logger="bot.app.comments")
    for response in [*responses, lost]:
        await services.response_submitted(response.id)
    await idle(services)
    stored = [r.getMessage() for r in caplog.records if r.getMessage().startswith("stored")]
    classified = [r.getMessage() for r in caplog.records if r.getMessage().startswith("classif")]
    assert stored == ["stored 3 comment(s) of 3 response(s)"], "the broken one held none up"
    assert len(classified) == 1 and classified[0].startswith("classified 3 comment(s)")
    assert any(f"wave {broken.id} not stored" in r.getMessage() for r in caplog.records)
    async with uow_factory() as uow:
        answers = [(await uow.responses.answers(r.id))["comment"].id for r in responses]
        assert sorted((await uow.comments.masked_texts(answers)).values()) == sorted(texts)
        assert await uow.comments.unclassified() == []


def test_install_is_idempotent(engine: AsyncEngine, model_data_dir: Path) -> None:
    services = make_services(engine, model_data_dir)
    first = install(services)
    assert install(services) is first
    assert len(services.on_response_submitted) == 1
    first.close()


async def test_a_failure_to_store_comments_never_breaks_the_submission(
    engine: AsyncEngine, model_data_dir: Path, uow_factory: Callable[[], UnitOfWork]
) -> None:
    services = make_services(engine, model_data_dir)  # no survey definition loaded at all
    pipeline = install(services)
    wave = await make_wave(uow_factory)
    response = await make_response(uow_factory, wave.id, answers={"comment": PHONE_AND_NAME})
    try:
        await services.response_submitted(response.id)
        await pipeline.wait_idle()
    finally:
        pipeline.close()
    async with uow_factory() as uow:
        assert await uow.comments.unclassified() == []
        assert (await uow.responses.get(response.id)).status == "complete"  # type: ignore[union-attr]


async def test_an_unreadable_model_file_falls_back_to_the_bundled_model(
    engine: AsyncEngine, tmp_path: Path, uow_factory: Callable[[], UnitOfWork]
) -> None:
    path = default_model_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a model")
    wave = await make_wave(uow_factory)
    await make_comment(uow_factory, wave.id, "公園を増やして", confidence=None)
    pipeline = CommentPipeline(make_services(engine, tmp_path))
    try:
        assert await pipeline.classify_pending() == 1
    finally:
        pipeline.close()
    assert path.read_bytes() == b"not a model"  # staff decide when to retrain
