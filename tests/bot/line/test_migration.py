"""Migration 0009 (LINE): up and down on SQLite and PostgreSQL, keeping every answer."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, text

from storage.db import create_engine
from storage.migrate import alembic_config
from tests.storage.schema import schema_diff

SEED = [
    "INSERT INTO respondents (id, key, consent, language, created_at) "
    "VALUES (1, 'k1', 'given', 'ja', '2026-06-01 00:00:00+00')",
    "INSERT INTO contacts (respondent_id, chat_id, subscribed, updated_at) "
    "VALUES (1, 101, true, '2026-06-01 00:00:00+00')",
    "INSERT INTO waves (id, name, survey_id, status, audience, reminders, embargo_lifted, "
    "created_at) VALUES (1, 'w', 's', 'open', '{}', '[]', false, '2026-06-01 00:00:00+00')",
    "INSERT INTO responses (id, wave_id, respondent_id, respondent_ref, mode, status, "
    "started_at, updated_at) VALUES (1, 1, 1, 'k1', 'chat', 'partial', "
    "'2026-06-01 00:00:00+00', '2026-06-01 00:00:00+00')",
    "INSERT INTO answers (response_id, question_id, value, answered_at) "
    "VALUES (1, 'q1', 'a', '2026-06-01 00:00:00+00')",
]

LINE_ROWS = [
    "INSERT INTO respondents (id, key, consent, language, created_at) "
    "VALUES (2, 'k2', 'given', 'ja', '2026-06-01 00:00:00+00')",
    "INSERT INTO contacts (respondent_id, channel, line_user_id, subscribed, updated_at) "
    "VALUES (2, 'line', 'U0123456789abcdef0123456789abcdef', true, '2026-06-01 00:00:00+00')",
    "INSERT INTO responses (id, wave_id, respondent_id, respondent_ref, mode, status, "
    "started_at, updated_at) VALUES (2, 1, 2, 'k2', 'line', 'partial', "
    "'2026-06-01 00:00:00+00', '2026-06-01 00:00:00+00')",
    "INSERT INTO line_events (event_id, user_id, payload, received_at, state, owner) "
    "VALUES ('01HX', 'U0', '{}', '2026-06-01 00:00:00+00', 'received', 1)",
]


def _count(connection: Connection, sql: str) -> int:
    """One number from the database."""
    return int(connection.execute(text(sql)).scalar_one())


def _up_and_down(connection: Connection) -> dict[str, object]:
    """0008 with data → head with LINE rows → 0008 again; what survived at each point."""
    config = alembic_config(connection)
    command.upgrade(config, "0008")
    for sql in SEED:
        connection.execute(text(sql))
    command.upgrade(config, "0009")
    seen: dict[str, object] = {"diff": schema_diff(connection)}
    seen["channel"] = connection.execute(text("SELECT channel FROM contacts")).scalar_one()
    for sql in LINE_ROWS:
        connection.execute(text(sql))
    seen["answers_up"] = _count(connection, "SELECT count(*) FROM answers")
    command.downgrade(config, "0008")
    seen["answers_down"] = _count(connection, "SELECT count(*) FROM answers")
    seen["contacts_down"] = _count(connection, "SELECT count(*) FROM contacts")
    seen["modes_down"] = sorted(
        row[0] for row in connection.execute(text("SELECT mode FROM responses"))
    )
    command.upgrade(config, "head")
    seen["diff_again"] = schema_diff(connection)
    return seen


async def test_0009_goes_up_and_down_without_losing_an_answer(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            seen = await connection.run_sync(_up_and_down)
    finally:
        await engine.dispose()
    assert seen["diff"] == []
    assert seen["channel"] == "telegram"  # existing contacts are Telegram's
    assert seen["answers_up"] == 1
    assert seen["answers_down"] == 1  # responses was not rebuilt: no cascade to answers
    assert seen["contacts_down"] == 1  # the LINE contact goes, the Telegram one stays
    assert seen["modes_down"] == ["chat", "chat"]
    assert seen["diff_again"] == []


async def test_a_line_response_is_refused_before_0009_and_accepted_after(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda c: command.upgrade(alembic_config(c), "head"))
            for sql in SEED[:4]:
                await connection.execute(text(sql))
            await connection.execute(text("UPDATE responses SET mode = 'line'"))
            mode = (await connection.execute(text("SELECT mode FROM responses"))).scalar_one()
    finally:
        await engine.dispose()
    assert mode == "line"
