"""`machikoe backup` / `restore`: a restored backup exports byte for byte what was backed up."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.db import UnitOfWork
from tests.builders import NOW, make_bundled_wave, make_respondent, make_response
from tests.ops.conftest import OpsCli

Uow = Callable[[], UnitOfWork]


def _seed(ops_cli: OpsCli) -> tuple[int, int]:
    """A wave with complete and partial responses and a classified comment; (wave, resident)."""

    async def work(uow_factory: Uow) -> tuple[int, int]:
        wave = await make_bundled_wave(uow_factory)
        first = await make_respondent(uow_factory, chat_id=812345678901)
        response = await make_response(
            uow_factory,
            wave.id,
            first,
            answers={
                "livability": "livable",
                "residency_intent": "always",
                "comment": "駅前が寂しい",
            },
        )
        async with uow_factory() as uow:
            answer = (await uow.responses.answers(response.id))["comment"]
            comment = await uow.comments.add(answer.id, wave.id, "駅前が寂しい", NOW)
            await uow.comments.add_label(comment.id, ["2"], 42, NOW)
            await uow.commit()
        await make_response(uow_factory, wave.id, answers={"livability": "neutral"}, submit=False)
        await make_response(uow_factory, wave.id, answers={"livability": "unlivable"})
        return wave.id, first.id

    return ops_cli.seed(work)


def _change(ops_cli: OpsCli, wave_id: int, respondent_id: int) -> None:
    """What happens after the backup: a resident erases their data, another one answers."""

    async def work(uow_factory: Uow) -> None:
        async with uow_factory() as uow:
            await uow.respondents.delete_everything(respondent_id)
            await uow.commit()
        await make_response(uow_factory, wave_id, answers={"livability": "somewhat_livable"})

    ops_cli.seed(work)


def _export(ops_cli: OpsCli, wave_id: int, output: Path, fmt: str = "csv") -> bytes:
    result = ops_cli(
        "export", "responses", "--wave", str(wave_id), "--format", fmt, "--output", str(output)
    )
    assert result.exit_code == 0, result.output
    return output.read_bytes()


def test_restore_brings_back_exactly_what_was_backed_up(ops_cli: OpsCli, tmp_path: Path) -> None:
    wave_id, resident_id = _seed(ops_cli)
    before = _export(ops_cli, wave_id, tmp_path / "before.csv")
    backup = tmp_path / "machikoe.backup"

    result = ops_cli("backup", "--output", str(backup))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("backed up ")
    assert backup.stat().st_mode & 0o077 == 0  # personal data: readable by the owner only
    assert not list(tmp_path.glob("*.part"))

    _change(ops_cli, wave_id, resident_id)
    assert _export(ops_cli, wave_id, tmp_path / "changed.csv") != before

    refused = ops_cli("restore", "--input", str(backup))
    assert refused.exit_code == 1
    assert refused.output.strip().startswith("error: ")
    assert "--force" in refused.output and len(refused.output.strip().splitlines()) == 1
    assert _export(ops_cli, wave_id, tmp_path / "still.csv") != before

    restored = ops_cli("restore", "--input", str(backup), "--force")
    assert restored.exit_code == 0, restored.output
    assert _export(ops_cli, wave_id, tmp_path / "after.csv") == before


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_sqlite_backup_is_one_file_that_restores_into_a_new_data_folder(
    ops_cli: OpsCli, tmp_path: Path
) -> None:
    wave_id, _ = _seed(ops_cli)
    before = _export(ops_cli, wave_id, tmp_path / "before.csv")
    backup = tmp_path / "copy" / "machikoe.backup"
    backup.parent.mkdir()
    assert ops_cli("backup", "--output", str(backup)).exit_code == 0
    assert sorted(p.name for p in backup.parent.iterdir()) == ["machikoe.backup"]

    fresh = OpsCli(f"sqlite+aiosqlite:///{tmp_path / 'new' / 'machikoe.db'}", tmp_path / "new")
    result = fresh("restore", "--input", str(backup))  # nothing there yet: no --force needed
    assert result.exit_code == 0, result.output
    assert _export(fresh, wave_id, tmp_path / "after.csv") == before


@pytest.mark.parametrize("backend", ["sqlite"])
def test_backup_while_the_bot_writes_holds_committed_data_only(
    ops_cli: OpsCli, tmp_path: Path
) -> None:
    _seed(ops_cli)
    path = Path(str(make_url(ops_cli.database_url).database))
    writer = sqlite3.connect(path, timeout=5)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the bot is in the middle of storing an answer
        writer.execute("UPDATE answers SET value = 'unlivable' WHERE value = 'livable'")
        backup = tmp_path / "during.backup"
        result = ops_cli("backup", "--output", str(backup))
        assert result.exit_code == 0, result.output
        writer.commit()
    finally:
        writer.close()
    copy = sqlite3.connect(backup)
    try:
        values = [row[0] for row in copy.execute("SELECT value FROM answers ORDER BY id")]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    finally:
        copy.close()
    assert "livable" in values  # the uncommitted change is not in the backup


@pytest.mark.parametrize("backend", ["sqlite"])
def test_restore_refuses_files_that_are_not_machikoe_backups(
    ops_cli: OpsCli, tmp_path: Path
) -> None:
    wave_id, _ = _seed(ops_cli)
    before = _export(ops_cli, wave_id, tmp_path / "before.csv")
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n", encoding="utf-8")
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as other:
        other.execute("CREATE TABLE things (id INTEGER)")
    newer = tmp_path / "newer.backup"
    assert ops_cli("backup", "--output", str(newer)).exit_code == 0
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    expected = {
        text: "is not a SQLite backup",
        foreign: "is not a machikoe database (no alembic_version)",
        newer: "has schema revision 9999, unknown to this machikoe",
    }
    for path, message in expected.items():
        result = ops_cli("restore", "--input", str(path), "--force")
        assert result.exit_code == 1
        assert len(result.output.strip().splitlines()) == 1
        assert message in result.output
    assert _export(ops_cli, wave_id, tmp_path / "after.csv") == before


def test_backup_of_a_missing_database_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nothing" / "machikoe.db"
    cli = OpsCli(f"sqlite+aiosqlite:///{missing}", tmp_path / "nothing")
    result = cli("backup", "--output", str(tmp_path / "x.backup"))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: no database at {missing}"
    assert not missing.exists() and not (tmp_path / "x.backup").exists()


@pytest.mark.parametrize("backend", ["postgres"])
def test_postgres_backup_is_a_pg_dump_custom_file(ops_cli: OpsCli, tmp_path: Path) -> None:
    _seed(ops_cli)
    backup = tmp_path / "machikoe.dump"
    result = ops_cli("backup", "--output", str(backup))
    assert result.exit_code == 0, result.output
    assert backup.read_bytes()[:5] == b"PGDMP"
