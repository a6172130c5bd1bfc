"""`machikoe wave …`: the id as last line, Tokyo times, lifecycle rules as one-line errors."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.db import UnitOfWork
from tests.bot.cli.conftest import create, fails, ok, query
from tests.builders import PROFILE

ROOT = Path(__file__).parents[3]


def test_create_prints_the_id_last_and_reads_times_as_tokyo(migrated_database_url: str) -> None:
    url = migrated_database_url
    wave_id = create(
        url,
        "--name",
        "2030 春",
        "--opens",
        "2030-05-01T09:00",
        "--closes",
        "2030-05-14T18:00+09:00",
        "--audience",
        "age_band=20s,30s",
        "--audience",
        "district=taga",
        "--reminder",
        "3d",
        "--reminder",
        "2030-05-13T12:00",
        "--summary",
        "mon 09:00",
    )
    wave = query(url, lambda uow: uow.waves.get(wave_id))
    assert wave.opens_at == datetime(2030, 5, 1, 0, 0, tzinfo=UTC)
    assert wave.closes_at == datetime(2030, 5, 14, 9, 0, tzinfo=UTC)
    assert wave.audience == {"age_band": ["20s", "30s"], "district": ["taga"]}
    assert wave.reminders == ["3d", "2030-05-13T12:00:00+09:00"]
    assert wave.summary_schedule == {"day": "mon", "time": "09:00"}
    assert wave.status == "draft" and wave.name == "2030 春"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--survey", "nope"], 'unknown survey "nope"'),
        (["--survey", "residency-livability", "--audience", "age_band=99s"], '"99s"'),
        (["--survey", "residency-livability", "--audience", "shoe=42"], "unknown audience field"),
        (["--survey", "residency-livability", "--opens", "soon"], 'not a date and time: "soon"'),
        (["--survey", "residency-livability", "--reminder", "often"], 'not a reminder: "often"'),
        (["--survey", "residency-livability", "--summary", "someday"], "not a summary time"),
        (
            ["--survey", "residency-livability", "--opens", "2030-05-02", "--closes", "2030-05-01"],
            "must close after it opens",
        ),
    ],
)
def test_bad_wave_plans_are_one_line_errors(
    migrated_database_url: str, args: list[str], message: str
) -> None:
    assert message in fails(migrated_database_url, "wave", "create", *args)


def test_the_lifecycle_rules_hold_from_the_command_line(migrated_database_url: str) -> None:
    url = migrated_database_url
    first = create(url, "--opens", "2030-05-01T09:00", "--closes", "2030-05-14T18:00")
    second = create(url, "--closes", "2030-06-14T18:00")
    assert "scheduled to open at 2030-05-01 09:00" in ok(url, "wave", "schedule", str(first))[0]
    assert "wave is already scheduled" in fails(url, "wave", "schedule", str(first))
    assert "opened wave" in ok(url, "wave", "open", str(first))[0]
    assert f"already has an open wave: {first}" in fails(url, "wave", "open", str(second))
    wave = query(url, lambda uow: uow.waves.get(first))
    definition = query(url, lambda uow: uow.surveys.get("residency-livability"))
    assert wave.definition_id == definition.id  # the bundled survey was loaded and frozen
    ok(url, "wave", "close", str(first))
    assert "admin override" in fails(url, "wave", "open", str(first))
    assert "reopened wave" in ok(url, "wave", "reopen", str(first))[0]
    assert "does not exist" in fails(url, "wave", "open", "999")
    assert "has not opened" in fails(url, "wave", "lift-embargo", str(second))
    ok(url, "wave", "lift-embargo", str(first))
    assert "already lifted" in fails(url, "wave", "lift-embargo", str(first))
    listing = ok(url, "wave", "list")
    assert listing[0].split()[:2] == ["id", "status"]
    assert [line.split()[1] for line in listing[1:]] == ["draft", "open"]


def test_show_reports_invitation_progress_and_counts_by_age_band(
    migrated_database_url: str,
) -> None:
    url = migrated_database_url
    wave_id = create(url, "--closes", "2030-06-14T18:00", "--audience", "age_band=30s,40s")

    async def residents(uow: UnitOfWork) -> None:
        now = datetime(2025, 4, 1, tzinfo=UTC)
        for number, band in enumerate(("30s", "30s", "40s", "70s")):
            person = await uow.respondents.get_or_create(f"cli-{number}", now)
            await uow.respondents.set_consent(person.id, "given", now)
            await uow.contacts.upsert(person.id, 5000 + number, now)
            await uow.profiles.update(person.id, at=now, **{**PROFILE, "age_band": band})

    query(url, residents)
    assert "3 residents to invite" in ok(url, "wave", "open", str(wave_id))[0]

    async def answer(uow: UnitOfWork) -> None:
        now = datetime(2025, 4, 2, tzinfo=UTC)
        pending = await uow.invitations.next_pending(wave_id)
        await uow.invitations.mark(pending[0].invitation_id, "sent", now)
        person = await uow.respondents.get_by_key("cli-0")
        response = await uow.responses.start(wave_id, person.id, person.key, now)
        await uow.responses.submit(response.id, PROFILE, now)

    query(url, answer)
    shown = "\n".join(ok(url, "wave", "show", str(wave_id)))
    assert "invitations: 1/3 processed (pending 2, sent 1, failed 0, blocked 0)" in shown
    assert "invited: 1  started: 1  completed: 1  completion rate: 100%" in shown
    assert "completed by age band: 30s 1" in shown
    assert "next: close at 2030-06-14 18:00" in shown


def test_a_draft_is_edited_with_the_options_of_create(migrated_database_url: str) -> None:
    url = migrated_database_url
    wave_id = create(
        url, "--opens", "2030-05-01T09:00", "--closes", "2030-05-14T18:00", "--summary", "mon 09:00"
    )
    edited = ok(
        url,
        "wave",
        "edit",
        str(wave_id),
        "--name",
        "2030 春 (改)",
        "--closes",
        "2030-05-21T18:00",
        "--audience",
        "district=taga",
        "--reminder",
        "2d",
    )
    assert edited == [
        f"edited draft wave {wave_id} (2030 春 (改)): residency-livability, "
        "opens 2030-05-01 09:00, closes 2030-05-21 18:00, audience district=taga"
    ]
    wave = query(url, lambda uow: uow.waves.get(wave_id))
    assert wave.closes_at == datetime(2030, 5, 21, 9, 0, tzinfo=UTC)
    assert wave.opens_at == datetime(2030, 5, 1, 0, 0, tzinfo=UTC)  # not given: kept
    assert wave.audience == {"district": ["taga"]} and wave.reminders == ["2d"]
    assert wave.summary_schedule == {"day": "mon", "time": "09:00"}
    before = datetime.now(UTC)
    ok(url, "wave", "edit", str(wave_id), "--opens", "+1d", "--closes", "+14d")
    wave = query(url, lambda uow: uow.waves.get(wave_id))
    assert wave.closes_at - wave.opens_at == timedelta(days=13)
    assert before + timedelta(days=14) <= wave.closes_at <= datetime.now(UTC) + timedelta(days=14)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--closes", "2030-04-30T09:00"], "must close after it opens"),  # the stored opening
        (["--opens", "2030-06-01"], "must close after it opens"),  # the stored closing
        (["--closes", "2020-01-01T09:00", "--opens", "2019-12-01"], "closing time is in the past"),
        (["--audience", "age_band=99s"], '"99s"'),
        (["--reminder", "often"], 'not a reminder: "often"'),
        (["--closes", "soon"], 'not a date and time: "soon"'),
        ([], "nothing to change"),
    ],
)
def test_a_bad_edit_is_one_line_and_changes_nothing(
    migrated_database_url: str, args: list[str], message: str
) -> None:
    url = migrated_database_url
    wave_id = create(url, "--name", "春", "--opens", "2030-05-01T09:00", "--closes", "2030-05-14")
    planned = query(url, lambda uow: uow.waves.get(wave_id))
    name = ["--name", "x"] if args else []  # a good change beside the bad one is not kept either
    assert message in fails(url, "wave", "edit", str(wave_id), *name, *args)
    assert query(url, lambda uow: uow.waves.get(wave_id)) == planned


def test_a_deleted_draft_is_gone(migrated_database_url: str) -> None:
    url = migrated_database_url
    kept = create(url, "--name", "kept", "--closes", "2030-06-14T18:00")
    gone = create(url, "--name", "gone", "--closes", "2030-06-14T18:00")
    assert ok(url, "wave", "delete", str(gone)) == [f"deleted draft wave {gone} (gone)"]
    assert [line.split()[0] for line in ok(url, "wave", "list")[1:]] == [str(kept)]
    assert f"wave {gone} does not exist" in fails(url, "wave", "show", str(gone))
    assert f"wave {gone} does not exist" in fails(url, "wave", "delete", str(gone))
    assert f"wave {gone} does not exist" in fails(url, "wave", "edit", str(gone), "--name", "x")


def test_only_a_draft_is_edited_or_deleted_and_the_refusal_says_why(
    migrated_database_url: str,
) -> None:
    url = migrated_database_url
    wave_id = create(url, "--name", "春", "--opens", "2030-05-01T09:00", "--closes", "2030-05-14")
    reasons = {
        "schedule": "it is scheduled and opens by itself at its opening time",
        "open": "it is open and residents may already be answering it",
        "close": "it is closed and its answers are the survey's record",
    }
    for step, why in reasons.items():
        ok(url, "wave", step, str(wave_id))
        planned = query(url, lambda uow: uow.waves.get(wave_id))
        assert fails(url, "wave", "edit", str(wave_id), "--name", "秋") == (
            f"error: wave {wave_id}: only a draft wave can be edited: {why}"
        )
        assert fails(url, "wave", "delete", str(wave_id)) == (
            f"error: wave {wave_id}: only a draft wave can be deleted: {why}"
        )
        assert query(url, lambda uow: uow.waves.get(wave_id)) == planned


def readme_wave_commands() -> list[list[str]]:
    """The `machikoe …` lines of the README's code blocks that plan waves, as arguments."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    wave_blocks = [block for block in blocks if "machikoe wave " in block]
    assert wave_blocks, "the README shows no wave commands"
    lines = [
        shlex.split(line, comments=True) for block in wave_blocks for line in block.splitlines()
    ]
    return [words[1:] for words in lines if words[:1] == ["machikoe"]]


def test_the_readme_wave_commands_work_on_the_day_they_are_read(
    migrated_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the README's paths are from the repository's root
    commands = readme_wave_commands()
    assert ["wave", "open", "1"] in commands
    for args in commands:
        ok(migrated_database_url, *args)
    shown = ok(migrated_database_url, "wave", "show", "1")
    assert "status: open" in shown
    wave = query(migrated_database_url, lambda uow: uow.waves.get(1))
    assert wave.closes_at > datetime.now(UTC) + timedelta(days=7)


@pytest.mark.parametrize("command", [["wave", "list"], ["wave", "show", "1"]])
def test_an_unreachable_database_is_one_line(command: list[str]) -> None:
    line = fails("postgresql://127.0.0.1:1/machikoe", *command)
    assert "127.0.0.1" in line
