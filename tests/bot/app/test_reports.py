"""A comment hidden in the console is left out of the wave report's counts and examples."""

from __future__ import annotations

from collections.abc import Callable

from bot.app.reports import build_wave_report
from storage.db import UnitOfWork
from storage.repositories.comment_search import CommentSearch
from tests.builders import NOW, Seed, make_bundled_wave, store_comments

Uow = Callable[[], UnitOfWork]


async def test_a_hidden_comment_is_not_counted_nor_quoted_in_the_report(uow_factory: Uow) -> None:
    wave = await make_bundled_wave(uow_factory, status="closed")
    _, rude = await store_comments(
        uow_factory, wave.id, [Seed("バスを増やして", ["4"]), Seed("ひどい悪口", ["4", "2"])]
    )
    async with uow_factory() as uow:
        before = await build_wave_report(uow, wave)
        await CommentSearch(uow.session).hide([rude], "誹謗中傷", 501, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        after = await build_wave_report(uow, wave)
    assert before.comments_by_goal == {"2": 1, "4": 2}
    assert after.comments_by_goal == {"4": 1}
    assert after.masked_examples == {"4": ("バスを増やして",)}
