"""Replacing imported responses: with their answers, comments and labels, never a chat one."""

from __future__ import annotations

from collections.abc import Callable

from storage.db import UnitOfWork
from tests.builders import NOW, PROFILE, make_response, make_wave

Uow = Callable[[], UnitOfWork]


async def test_remove_imported_takes_answers_comments_and_labels_and_spares_chat(
    uow_factory: Uow,
) -> None:
    wave = await make_wave(uow_factory)
    chat = await make_response(uow_factory, wave.id, answers={"livability": "livable"})
    async with uow_factory() as uow:
        mailed = await uow.imports.add(
            wave.id, "M-1", "mail", PROFILE, {"livability": "neutral", "comment": "駅前"}, NOW
        )
        answer = (await uow.responses.answers(mailed.id))["comment"]
        comment = await uow.comments.add(answer.id, wave.id, "駅前", NOW)
        await uow.comments.add_label(comment.id, ["2"], by=1, at=NOW)
        await uow.commit()
    async with uow_factory() as uow:
        refs = ["M-1", chat.respondent_ref, "M-unknown"]
        assert await uow.imports.remove(wave.id, refs) == 1
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.imports.stored_modes(wave.id, refs) == {chat.respondent_ref: "chat"}
        assert await uow.comments.get(comment.id) is None
        counts = await uow.answers.value_counts(wave.id, "livability")
    assert counts == {"livable": 1}
