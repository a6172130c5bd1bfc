"""The at-a-glance reads on a synchronous connection agree with the models and the repositories."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import TableClause

from storage.db import UnitOfWork
from storage.models import Base
from storage.overview import INVITATIONS, RESPONSES, WAVES, wave_lines
from tests.builders import NOW, make_respondent, make_response, make_wave

Uow = Callable[[], UnitOfWork]


@pytest.mark.parametrize("light", [WAVES, RESPONSES, INVITATIONS], ids=lambda t: t.name)
def test_the_light_tables_name_columns_of_the_schema_with_their_types(light: TableClause) -> None:
    schema = Base.metadata.tables[light.name]
    for column in light.c:
        assert column.name in schema.c
        assert type(column.type) is type(schema.c[column.name].type)


async def test_wave_lines_are_the_waves_newest_first_with_the_repositories_counts(
    uow_factory: Uow, migrated_database_url: str
) -> None:
    older = await make_wave(uow_factory, status="draft", name="older")
    wave = await make_wave(uow_factory)
    people = [await make_respondent(uow_factory) for _ in range(3)]
    await make_response(uow_factory, wave.id, people[0])
    await make_response(uow_factory, wave.id, people[1])
    await make_response(uow_factory, wave.id, people[2], submit=False)
    async with uow_factory() as uow:
        await uow.invitations.create_pending(wave.id, [p.id for p in people], "invite", NOW)
        for target in await uow.invitations.next_pending(wave.id, "invite", limit=2):
            await uow.invitations.mark(target.invitation_id, "sent", NOW)
        await uow.commit()
        counts = await uow.waves.counts(wave.id)

    lines = await asyncio.to_thread(wave_lines, migrated_database_url)

    assert [line.name for line in lines] == [wave.name, "older"]
    newest = lines[0]
    assert (newest.invited, newest.started, newest.completed) == (
        counts.invited,
        counts.started,
        counts.completed,
    )
    assert newest.completion_rate == counts.completion_rate
    assert (newest.status, newest.opens_at, newest.closes_at) == (
        "open",
        wave.opens_at,
        wave.closes_at,
    )
    assert (lines[1].id, lines[1].started, lines[1].completion_rate) == (older.id, 0, None)


def test_a_new_database_is_migrated_first_and_lists_no_waves(tmp_path: Path) -> None:
    assert wave_lines(f"sqlite:///{tmp_path / 'fresh' / 'machikoe.db'}") == []
