"""Response files for `machikoe import responses`, the run itself, and what it stored."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import Result

from tests.bot.cli.conftest import Machikoe
from tests.builders import UowFactory, make_bundled_wave

HEADER = (
    "respondent,status,submitted_at,age_band,sex,district,years_lived,"
    "livability,residency_intent,leave_reasons,stay_reasons,transport_satisfaction,comment\n"
)
GOOD = HEADER + (
    "M-001,complete,2025-06-10T10:00:00+09:00,70plus,female,juo,20plus,livable,always,,,,\n"
    "M-002,,,60s,male,taga,20plus,neutral,leave,work;transport,,,\n"
    "M-003,,,50s,,,,somewhat_livable,,,,,\n"
)


async def empty_wave(uow_factory: UowFactory) -> int:
    """The bundled survey and an open wave without responses."""
    return (await make_bundled_wave(uow_factory, name="2025 mail")).id


def write(tmp_path: Path, text: str, name: str = "mail.csv", encoding: str = "utf-8-sig") -> Path:
    """A CSV file as Excel saves it ("CSV UTF-8", with a BOM, unless told otherwise)."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def import_file(machikoe: Machikoe, wave: int | str, path: Path, *options: str) -> Result:
    """Run `machikoe import responses --wave WAVE --input PATH OPTIONS…`."""
    return machikoe("import", "responses", "--wave", str(wave), "--input", str(path), *options)


def exported(machikoe: Machikoe, wave: int, tmp_path: Path) -> dict[str, dict[str, str]]:
    """The wave's responses as `machikoe export responses` writes them, by respondent."""
    output = tmp_path / "export.csv"
    result = machikoe("export", "responses", "--wave", str(wave), "--output", str(output))
    assert result.exit_code == 0, result.output
    rows = csv.DictReader(output.read_text(encoding="utf-8-sig").splitlines())
    return {row["respondent"]: row for row in rows}


def respondents(machikoe: Machikoe, wave: int) -> int:
    """How many responses the wave has stored."""

    async def count(uow_factory: UowFactory) -> int:
        async with uow_factory() as uow:
            return await uow.responses.count(wave)

    return machikoe.seed(count)
