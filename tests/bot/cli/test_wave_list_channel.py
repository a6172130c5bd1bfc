"""`machikoe wave list` shows each wave's audience channel: telegram, line or both."""

from __future__ import annotations

import re

from tests.bot.cli.conftest import Machikoe, lines


def created(machikoe: Machikoe, *extra: str) -> int:
    """`wave create` of the bundled survey; its id."""
    result = machikoe("wave", "create", "--survey", "residency-livability", *extra)
    assert result.exit_code == 0, result.output
    return int(lines(result)[-1])


def listed(machikoe: Machikoe) -> list[dict[str, str]]:
    """`wave list`'s rows, each cell read under its header (names may hold spaces)."""
    result = machikoe("wave", "list")
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    words = [(word.group(), word.start()) for word in re.finditer(r"\S+", header)]
    ends: list[int | None] = [start for _, start in words[1:]] + [None]
    return [
        {name: row[start:end].strip() for (name, start), end in zip(words, ends, strict=True)}
        for row in rows
    ]


def test_each_wave_shows_the_channel_its_audience_is_reached_through(machikoe: Machikoe) -> None:
    both = created(machikoe, "--name", "every channel")
    line = created(
        machikoe, "--name", "line thirties", "--channel", "line", "--audience", "age_band=30s"
    )
    telegram = created(machikoe, "--name", "telegram only", "--channel", "telegram")

    rows = listed(machikoe)

    assert [(r["id"], r["name"], r["channel"]) for r in rows] == [
        (str(telegram), "telegram only", "telegram"),
        (str(line), "line thirties", "line"),
        (str(both), "every channel", "both"),
    ]
    assert all(r["survey"] == "residency-livability" and r["status"] == "draft" for r in rows)


def test_the_channel_column_sits_between_the_survey_and_the_opening_time(
    machikoe: Machikoe,
) -> None:
    created(machikoe, "--channel", "line", "--opens", "2030-05-01T09:00")
    header = lines(machikoe("wave", "list"))[0].split()
    assert header[header.index("survey") + 1 : header.index("survey") + 3] == ["channel", "opens"]
    (row,) = listed(machikoe)
    assert (row["channel"], row["opens"]) == ("line", "2030-05-01 09:00")


def test_an_edited_channel_is_what_the_list_shows(machikoe: Machikoe) -> None:
    wave_id = created(machikoe, "--channel", "line", "--audience", "age_band=30s")
    assert machikoe("wave", "edit", str(wave_id), "--channel", "both").exit_code == 0
    assert [r["channel"] for r in listed(machikoe)] == ["both"]
    assert machikoe("wave", "edit", str(wave_id), "--channel", "telegram").exit_code == 0
    assert [r["channel"] for r in listed(machikoe)] == ["telegram"]
