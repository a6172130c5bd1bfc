"""`machikoe import responses`: mailed and web responses, checked row by row, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.catalog import ensure_bundled_surveys
from tests.builders import NOW, make_wave
from tests.cli.conftest import Machikoe, lines
from tests.cli.test_report import Uow, seed_wave

HEADER = (
    "respondent,status,submitted_at,age_band,sex,district,years_lived,"
    "livability,residency_intent,leave_reasons\n"
)
GOOD = HEADER + (
    "M-001,complete,2025-06-10T10:00:00+09:00,70plus,female,juo,20plus,livable,always,\n"
    "M-002,,,60s,male,taga,20plus,neutral,leave,work;transport\n"
    "M-003,,,50s,,,,somewhat_livable,,\n"
)


async def empty_wave(uow_factory: Uow) -> int:
    """The bundled survey and an open wave without responses."""
    async with uow_factory() as uow:
        await ensure_bundled_surveys(uow, NOW)
        await uow.commit()
    return (await make_wave(uow_factory, name="2025 mail")).id


def write(tmp_path: Path, text: str, name: str = "mail.csv") -> Path:
    """A CSV file as Excel saves it (with a BOM)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def indicators(machikoe: Machikoe, wave: str) -> dict[str, dict[str, Any]]:
    """The JSON report's indicators by id."""
    result = machikoe("report", "--wave", wave, "--format", "json")
    assert result.exit_code == 0, result.output
    return {i["id"]: i for i in json.loads(result.stdout)["indicators"]}


def test_import_stores_mail_responses_with_item_nonresponse(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    result = machikoe(
        "import", "responses", "--wave", str(wave_id), "--input", str(write(tmp_path, GOOD))
    )
    assert result.exit_code == 0, result.output
    assert lines(result) == ["imported 3 mail responses into wave 2025 mail"]
    found = indicators(machikoe, str(wave_id))
    # M-003 left residency_intent empty: counted as a respondent, not as a valid answer.
    assert found["residency_intent"]["n"] == 2
    assert found["livability"]["n"] == 3
    modes = found["livability"]["breakdowns"]["mode"]
    assert [(c["category"], c["n"]) for c in modes] == [("mail", 3)]
    again = machikoe(
        "import", "responses", "--wave", "2025 mail", "--input", str(write(tmp_path, GOOD))
    )
    assert lines(again) == ["imported 0 mail responses into wave 2025 mail (3 already stored)"]
    assert indicators(machikoe, str(wave_id))["livability"]["n"] == 3


def test_a_bad_row_is_named_and_nothing_is_stored(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = machikoe.seed(empty_wave)
    cases = {
        "M-004,,,40s,male,juo,1-4,livable,mabye,\n": (
            'error: row 5: residency_intent: unknown code "mabye"'
        ),
        "M-004,,,40s,male,juo,1-4,livable,always,work;teleport\n": (
            'error: row 5: leave_reasons: unknown code "teleport"'
        ),
        "M-004,,,40s,robot,juo,1-4,livable,always,\n": 'error: row 5: sex: unknown code "robot"',
        "M-001,,,40s,male,juo,1-4,livable,always,\n": (
            "error: row 5: respondent 'M-001' already on row 2"
        ),
        "M-004,,,40s,male,juo,1-4,livable\n": "error: row 5: 8 cells, the header has 10",
    }
    for bad_row, message in cases.items():
        path = write(tmp_path, GOOD + bad_row)
        result = machikoe("import", "responses", "--wave", str(wave_id), "--input", str(path))
        assert result.exit_code == 1
        assert lines(result) == [message]
    unknown_column = GOOD.replace("leave_reasons", "favourite_colour", 1)
    result = machikoe(
        "import",
        "responses",
        "--wave",
        str(wave_id),
        "--input",
        str(write(tmp_path, unknown_column)),
    )
    assert lines(result) == [
        "error: row 1: unknown column 'favourite_colour' (not a question of this wave)"
    ]
    report = machikoe("report", "--wave", str(wave_id), "--format", "json")
    assert json.loads(report.stdout)["wave"]["respondents"] == 0


def test_web_and_chat_responses_give_per_mode_and_combined_indicators(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(lambda uow: seed_wave(uow, chat=120, mail=0))
    rows = [HEADER]
    for i in range(60):  # everyone on the web wants to stay
        rows.append(f"W-{i:03d},,,40s,female,chubu,5-9,livable,always,\n")
    path = write(tmp_path, "".join(rows), "web.csv")
    result = machikoe(
        "import", "responses", "--wave", str(wave_id), "--input", str(path), "--mode", "web"
    )
    assert lines(result) == ["imported 60 web responses into wave 2025 spring"]
    intent = indicators(machikoe, str(wave_id))["residency_intent"]
    modes = {c["category"]: c for c in intent["breakdowns"]["mode"]}
    assert modes["web"]["value"] == 100.0 and modes["web"]["n"] == 60
    assert modes["chat"]["value"] == 50.0 and modes["chat"]["n"] == 96
    assert intent["n"] == 156 and intent["value"] == round((48 + 60) / 156 * 100, 2)


def test_export_then_import_into_another_wave_gives_the_same_indicators(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    async def two_waves(uow_factory: Uow) -> tuple[int, int]:
        first = await seed_wave(uow_factory, chat=150, mail=50)
        second = await make_wave(uow_factory, name="copy")
        return first, second.id

    first, second = machikoe.seed(two_waves)
    exported = tmp_path / "export.csv"
    result = machikoe("export", "responses", "--wave", str(first), "--output", str(exported))
    assert result.exit_code == 0, result.output
    result = machikoe("import", "responses", "--wave", str(second), "--input", str(exported))
    assert lines(result) == ["imported 200 mail responses into wave copy"]
    before, after = indicators(machikoe, str(first)), indicators(machikoe, str(second))
    for indicator_id, original in before.items():
        copy = after[indicator_id]
        for key in ("value", "ci_low", "ci_high", "n", "n_eff", "suppressed"):
            assert copy[key] == original[key], (indicator_id, key)
        assert copy["breakdowns"]["age_band"] == original["breakdowns"]["age_band"]
