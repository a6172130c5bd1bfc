"""Respondents, contacts, profiles and erasing a resident completely."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import inspect, text

from storage.db import UnitOfWork
from storage.errors import StorageError
from storage.models import Base
from tests.builders import NOW, PROFILE, make_respondent, make_response, make_wave

Uow = Callable[[], UnitOfWork]


async def test_get_or_create_returns_the_same_respondent(uow_factory: Uow) -> None:
    async with uow_factory() as uow:
        first = await uow.respondents.get_or_create("abc", NOW)
        again = await uow.respondents.get_or_create("abc", NOW)
        await uow.commit()
    assert first == again
    assert (first.consent, first.language) == (None, "ja")
    async with uow_factory() as uow:
        assert await uow.respondents.get_by_key("abc") == first
        assert await uow.respondents.get_by_key("nobody") is None


async def test_concurrent_first_contacts_make_one_respondent(uow_factory: Uow) -> None:
    import asyncio

    async def arrive() -> int:
        async with uow_factory() as uow:
            respondent = await uow.respondents.get_or_create("same-person", NOW)
            await uow.commit()
            return respondent.id

    ids = await asyncio.gather(*(arrive() for _ in range(5)))
    assert len(set(ids)) == 1


async def test_consent_and_language_are_remembered(uow_factory: Uow) -> None:
    respondent = await make_respondent(uow_factory, consent=None)
    async with uow_factory() as uow:
        await uow.respondents.set_consent(respondent.id, "given", NOW)
        await uow.respondents.set_language(respondent.id, "ja-easy")
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.respondents.get(respondent.id)
        assert stored is not None
        assert (stored.consent, stored.consent_at, stored.language) == ("given", NOW, "ja-easy")
        with pytest.raises(StorageError, match="unknown consent"):
            await uow.respondents.set_consent(respondent.id, "maybe", NOW)


async def test_contact_upsert_subscribe_and_block(uow_factory: Uow) -> None:
    respondent = await make_respondent(uow_factory, chat_id=111)
    async with uow_factory() as uow:
        contact = await uow.contacts.get(respondent.id)
        assert contact is not None and (contact.chat_id, contact.subscribed) == (111, True)
        await uow.contacts.set_subscribed(respondent.id, False, NOW)
        contact = await uow.contacts.upsert(respondent.id, 222, NOW)
        assert (contact.chat_id, contact.subscribed) == (222, False)  # own choice is kept
        await uow.contacts.mark_blocked(respondent.id, NOW)
        blocked = await uow.contacts.get(respondent.id)
        assert blocked is not None and blocked.blocked_at == NOW and not blocked.subscribed
        back = await uow.contacts.upsert(respondent.id, 222, NOW)
        assert back.blocked_at is None and back.subscribed  # wrote again after unblocking
        assert await uow.contacts.get(999_999) is None


async def test_profile_update_keeps_other_fields(uow_factory: Uow) -> None:
    respondent = await make_respondent(uow_factory)
    async with uow_factory() as uow:
        assert await uow.profiles.get(respondent.id) == dict.fromkeys(PROFILE)
        await uow.profiles.update(respondent.id, at=NOW, age_band="20s", sex="male")
        profile = await uow.profiles.update(respondent.id, at=NOW, district="taga")
        assert profile == {
            "age_band": "20s",
            "sex": "male",
            "district": "taga",
            "years_lived": None,
        }
        with pytest.raises(StorageError, match="unknown profile field 'income'"):
            await uow.profiles.update(respondent.id, at=NOW, income="high")


async def _audience(uow_factory: Uow, filters: dict[str, list[str]], batch: int) -> list[int]:
    """Respondent ids of the audience, with the batches' sizes checked."""
    found: list[int] = []
    async with uow_factory() as uow:
        async for members in uow.contacts.iter_audience(filters, batch=batch):
            assert 0 < len(members) <= batch
            found.extend(m.respondent_id for m in members)
    return found


async def test_audience_is_consenting_subscribed_and_filtered(uow_factory: Uow) -> None:
    young = [
        await make_respondent(uow_factory, profile={**PROFILE, "age_band": "20s"}) for _ in range(5)
    ]
    old = await make_respondent(uow_factory, profile={**PROFILE, "age_band": "70plus"})
    declined = await make_respondent(uow_factory, consent="declined", profile=PROFILE)
    blocked = await make_respondent(uow_factory, profile={**PROFILE, "age_band": "20s"})
    no_profile = await make_respondent(uow_factory)
    async with uow_factory() as uow:
        await uow.contacts.mark_blocked(blocked.id, NOW)
        await uow.commit()
    everyone = await _audience(uow_factory, {}, batch=2)
    assert everyone == sorted([r.id for r in young] + [old.id, no_profile.id])
    assert declined.id not in everyone
    assert await _audience(uow_factory, {"age_band": ["20s", "30s"]}, 2) == [r.id for r in young]
    async with uow_factory() as uow:
        async for members in uow.contacts.iter_audience({"age_band": ["20s"]}):
            assert all(m.language == "ja" and m.chat_id > 0 for m in members)
        with pytest.raises(StorageError, match="unknown audience filter"):
            async for _ in uow.contacts.iter_audience({"income": ["x"]}):
                pass


async def _rows_pointing_at(uow_factory: Uow, respondent_id: int, key: str) -> dict[str, int]:
    """Scan every table for rows that mention the resident."""
    found: dict[str, int] = {}
    async with uow_factory() as uow:
        connection = await uow.session.connection()
        for table in Base.metadata.sorted_tables:
            clauses = []
            for column in table.columns:
                if column.name in ("respondent_id",) or (
                    table.name == "respondents" and column.name == "id"
                ):
                    clauses.append(f"{column.name} = {respondent_id}")
                if column.name in ("key", "respondent_ref"):
                    clauses.append(f"{column.name} = '{key}'")
            references = [fk for fk in table.foreign_keys if fk.column.table.name == "respondents"]
            assert all(fk.parent.name == "respondent_id" for fk in references)
            if clauses:
                sql = f"SELECT count(*) FROM {table.name} WHERE " + " OR ".join(clauses)
                found[table.name] = (await connection.execute(text(sql))).scalar_one()
        names = await connection.run_sync(lambda c: inspect(c).get_table_names())
    assert set(Base.metadata.tables) <= set(names)
    return found


async def _count(uow_factory: Uow, table: str) -> int:
    """Rows in a table."""
    async with uow_factory() as uow:
        connection = await uow.session.connection()
        return (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


async def test_delete_everything_leaves_no_row_about_the_resident(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    other = await make_respondent(uow_factory, profile=PROFILE)
    for who in (resident, other):
        response = await make_response(
            uow_factory, wave.id, who, answers={"livability": "livable", "comment": "駅前が寂しい"}
        )
        async with uow_factory() as uow:
            answers = await uow.responses.answers(response.id)
            comment = await uow.comments.add(answers["comment"].id, wave.id, "駅前が寂しい", NOW)
            await uow.comments.add_label(comment.id, ["2"], 42, NOW)
            await uow.invitations.create_pending(wave.id, [who.id], "invite", NOW)
            await uow.commit()
    before = await _rows_pointing_at(uow_factory, resident.id, resident.key)
    assert before["contacts"] == before["profiles"] == before["responses"] == 1
    async with uow_factory() as uow:
        assert await uow.respondents.delete_everything(resident.id)
        await uow.commit()
    after = await _rows_pointing_at(uow_factory, resident.id, resident.key)
    assert set(after.values()) == {0}, after
    # The other resident's rows are untouched: 2 answers, 1 comment, 1 label remain.
    assert await _count(uow_factory, "answers") == 2
    assert await _count(uow_factory, "comments") == 1
    assert await _count(uow_factory, "comment_labels") == 1
    async with uow_factory() as uow:
        assert not await uow.respondents.delete_everything(resident.id)


async def test_database_cascade_alone_removes_dependent_rows(uow_factory: Uow) -> None:
    wave = await make_wave(uow_factory)
    resident = await make_respondent(uow_factory, profile=PROFILE)
    await make_response(uow_factory, wave.id, resident, answers={"livability": "livable"})
    async with uow_factory() as uow:
        connection = await uow.session.connection()
        await connection.execute(text(f"DELETE FROM respondents WHERE id = {resident.id}"))
        await uow.commit()
    for table in ("contacts", "profiles", "responses", "answers"):
        assert await _count(uow_factory, table) == 0, table


async def test_a_large_audience_comes_in_keyset_batches(uow_factory: Uow) -> None:
    from sqlalchemy import insert

    from storage.models import Contact, Profile, Respondent

    total = 2_500
    async with uow_factory() as uow:
        await uow.session.execute(
            insert(Respondent),
            [
                {
                    "id": i,
                    "key": f"bulk-{i}",
                    "consent": "given",
                    "consent_at": NOW,
                    "language": "ja",
                    "created_at": NOW,
                }
                for i in range(1, total + 1)
            ],
        )
        await uow.session.execute(
            insert(Contact),
            [
                {"respondent_id": i, "chat_id": 10_000 + i, "subscribed": True, "updated_at": NOW}
                for i in range(1, total + 1)
            ],
        )
        await uow.session.execute(
            insert(Profile),
            [
                {"respondent_id": i, "age_band": "20s" if i % 2 else "60s", "updated_at": NOW}
                for i in range(1, total + 1)
            ],
        )
        await uow.commit()
    sizes: list[int] = []
    seen: list[int] = []
    async with uow_factory() as uow:
        async for members in uow.contacts.iter_audience({}, batch=1_000):
            sizes.append(len(members))
            seen.extend(m.respondent_id for m in members)
        odd = [
            m
            async for batch in uow.contacts.iter_audience({"age_band": ["20s"]}, 400)
            for m in batch
        ]
    assert sizes == [1_000, 1_000, 500]
    assert seen == list(range(1, total + 1))
    assert len(odd) == 1_250 and all(m.chat_id == 10_000 + m.respondent_id for m in odd)
