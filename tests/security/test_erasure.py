"""`/delete` (delete_everything) leaves nothing that points to the resident, in any table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Table, Text, cast, func, or_, select

from storage.db import UnitOfWork
from storage.models import Base
from tests.builders import NOW, PROFILE, make_respondent, make_response, make_wave

Uow = Callable[[], UnitOfWork]
CHAT_ID = 7_123_456_789
OTHER_CHAT_ID = 7_987_654_321


def _pk(table: Table) -> str | None:
    """The single primary-key column of a table (None for composite keys)."""
    columns = list(table.primary_key.columns)
    return columns[0].name if len(columns) == 1 else None


async def _owned_rows(uow: UnitOfWork, respondent_id: int) -> dict[str, set[Any]]:
    """Rows of every table that lead to the respondent through foreign keys (a fixpoint)."""
    owned: dict[str, set[Any]] = {"respondents": {respondent_id}}
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            key = _pk(table)
            for fk in table.foreign_keys:
                parents = owned.get(fk.column.table.name)
                if not parents or fk.column.name != _pk(fk.column.table):
                    continue
                column = table.c[fk.parent.name]
                wanted = table.c[key] if key else column
                found = set(
                    await uow.session.scalars(select(wanted).where(column.in_(list(parents))))
                )
                if not found <= owned.setdefault(table.name, set()):
                    owned[table.name] |= found
                    changed = True
    return owned


async def _mentions(uow: UnitOfWork, needles: list[str], numbers: list[int]) -> dict[str, int]:
    """Per table.column: rows whose text holds a needle or whose integer equals a number."""
    found: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                text = cast(column, Text)
                condition = or_(*(text.contains(needle, autoescape=True) for needle in needles))
            elif isinstance(column.type, Integer | BigInteger):
                condition = cast(column, BigInteger).in_(numbers)
            else:
                continue
            count = await uow.session.scalar(
                select(func.count()).select_from(table).where(condition)
            )
            if count:
                found[f"{table.name}.{column.name}"] = int(count)
    return found


async def test_no_row_in_any_table_points_to_an_erased_resident(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, chat_id=CHAT_ID, profile=PROFILE)
    other = await make_respondent(uow_factory, chat_id=OTHER_CHAT_ID, profile=PROFILE)
    for who, chat_id in ((resident, CHAT_ID), (other, OTHER_CHAT_ID)):
        response = await make_response(
            uow_factory,
            wave.id,
            who,
            answers={
                "livability": "livable",
                "comment": f"私の番号は{chat_id}です",
                "extra": f"key {who.key}",
            },
        )
        async with uow_factory() as uow:
            answers = await uow.responses.answers(response.id)
            comment = await uow.comments.add(answers["comment"].id, wave.id, "私の番号は…", NOW)
            await uow.comments.add_label(comment.id, ["2"], 42, NOW)
            await uow.invitations.create_pending(wave.id, [who.id], "invite", NOW)
            await uow.commit()
    async with uow_factory() as uow:
        owned = await _owned_rows(uow, resident.id)
        before = await _mentions(uow, [resident.key, str(CHAT_ID)], [CHAT_ID])
    reached = {name for name, rows in owned.items() if rows}
    assert {"contacts", "profiles", "responses", "answers", "comments", "comment_labels"} <= reached
    assert "invitations" in reached and "contacts.chat_id" in before
    assert "responses.respondent_ref" in before and "respondents.key" in before
    assert "answers.value" in before  # the resident typed their chat id in a comment

    async with uow_factory() as uow:
        assert await uow.respondents.delete_everything(resident.id)
        await uow.commit()

    async with uow_factory() as uow:
        for name, rows in owned.items():
            table = Base.metadata.tables[name]
            key = _pk(table)
            if key and rows:
                left = await uow.session.scalar(
                    select(func.count()).select_from(table).where(table.c[key].in_(list(rows)))
                )
                assert left == 0, name
        assert await _mentions(uow, [resident.key, str(CHAT_ID)], [CHAT_ID]) == {}
        # The other resident keeps everything, including a comment that quotes the number.
        assert await _mentions(uow, [other.key, str(OTHER_CHAT_ID)], [OTHER_CHAT_ID]) != {}
        assert await uow.contacts.get(other.id) is not None
