"""`machikoe import responses`: mailed and web responses, checked row by row, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.bot.cli.conftest import Machikoe, lines
from tests.bot.cli.importing import (
    GOOD,
    HEADER,
    empty_wave,
    exported,
    import_file,
    respondents,
    write,
)
from tests.bot.report_data import seed_wave
from tests.builders import UowFactory, make_wave

READ = "read mail.csv as UTF-8 (with BOM)"


def indicators(machikoe: Machikoe, wave: str) -> dict[str, dict[str, Any]]:
    """The JSON report's indicators by id."""
    result = machikoe("report", "--wave", wave, "--format", "json", "--ignore-embargo")
    assert result.exit_code == 0, result.output
    return {i["id"]: i for i in json.loads(result.stdout)["indicators"]}


def test_import_stores_mail_responses_with_item_nonresponse(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    result = import_file(machikoe, wave_id, write(tmp_path, GOOD))
    assert result.exit_code == 0, result.output
    assert lines(result) == [READ, "imported 3 mail responses into wave 2025 mail"]
    found = indicators(machikoe, str(wave_id))
    # M-003 left residency_intent empty: counted as a respondent, not as a valid answer.
    assert found["residency_intent"]["n"] == 2
    assert found["livability"]["n"] == 3
    modes = found["livability"]["breakdowns"]["mode"]
    assert [(c["category"], c["n"]) for c in modes] == [("mail", 3)]
    again = import_file(machikoe, "2025 mail", write(tmp_path, GOOD))
    assert lines(again) == [
        READ,
        "imported 0 mail responses into wave 2025 mail"
        " (3 already stored, kept (--replace replaces them))",
    ]
    assert indicators(machikoe, str(wave_id))["livability"]["n"] == 3


def test_every_bad_row_is_named_with_what_is_allowed_and_nothing_is_stored(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    bad_rows = (
        "M-004,,,40s,male,juo,1-4,livable,mabye,,,,\n"
        "M-005,,,40s,robot,juo,1-4,livable,leave,work;teleport,,,\n"
        "M-001,,,40s,male,juo,1-4,livable,always,,,,\n"
        "M-006,,,40s,male,juo,1-4,livable\n"
        "M-007,later,yesterday,40s,male,juo,1-4,livable,leave,work;housing;medical;roads,,,\n"
    )
    result = import_file(machikoe, wave_id, write(tmp_path, GOOD + bad_rows))
    assert result.exit_code == 1
    intent = (
        "always (ずっと住み続けたい), for_now (当分は住み続けたい),"
        " prefer_leave (できれば市外に移りたい), leave (市外に移りたい), unsure (わからない)"
    )
    output = lines(result)
    reasons = output.pop(3)
    assert reasons.startswith('row 6: leave_reasons: unknown value "teleport"; allowed: work (')
    assert reasons.endswith(", family (家族の事情（進学・就職・結婚など）), other (その他)")
    assert output == [
        READ,
        f'row 5: residency_intent: unknown value "mabye"; allowed: {intent}',
        'row 6: sex: unknown value "robot";'
        " allowed: male (男性), female (女性), no_answer (答えたくない)",
        "row 7: respondent: 'M-001' already on row 2",
        "row 8: 8 cells, the header has 13",
        'row 9: status: unknown value "later"; allowed: complete, partial or empty',
        "row 9: leave_reasons: 4 choices; at most 3",
        'row 9: submitted_at: "yesterday" is not an ISO time (e.g. 2025-06-10T10:00:00+09:00)',
        "error: 5 bad rows, nothing stored (correct them and import again,"
        " or use --skip-bad-rows to store the good ones)",
    ]
    assert respondents(machikoe, wave_id) == 0


def test_a_file_without_a_question_column_is_refused_and_the_corrected_one_imports(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    short = "\n".join(line.rsplit(",", 3)[0] for line in GOOD.splitlines()) + "\n"
    with_typo = GOOD.replace("leave_reasons", "favourite_colour", 1)
    result = import_file(machikoe, wave_id, write(tmp_path, short))
    assert result.exit_code == 1
    assert lines(result) == [
        READ,
        "error: row 1: missing column(s) stay_reasons, transport_satisfaction, comment (every"
        " question of the wave needs a column; leave a cell empty where there is no answer);"
        " nothing stored",
    ]
    result = import_file(machikoe, wave_id, write(tmp_path, with_typo))
    assert lines(result)[1:] == [
        "row 1: missing column(s) leave_reasons (every question of the wave needs a column;"
        " leave a cell empty where there is no answer)",
        "error: row 1: unknown column 'favourite_colour' (not a question of this wave);"
        " nothing stored",
    ]
    assert respondents(machikoe, wave_id) == 0
    result = import_file(machikoe, wave_id, write(tmp_path, GOOD))
    assert lines(result)[1:] == ["imported 3 mail responses into wave 2025 mail"]


def test_replace_brings_in_corrected_rows_in_one_go(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = machikoe.seed(empty_wave)
    assert import_file(machikoe, wave_id, write(tmp_path, GOOD)).exit_code == 0
    corrected = (
        GOOD.replace("M-003,,,50s,,,,somewhat_livable,,", "M-003,,,50s,,,,unlivable,leave,")
        + "M-004,,,30s,female,chubu,1-4,livable,for_now,,,,\n"
    )
    result = import_file(machikoe, wave_id, write(tmp_path, corrected), "--replace")
    assert lines(result) == [READ, "imported 1 mail responses into wave 2025 mail (3 replaced)"]
    rows = exported(machikoe, wave_id, tmp_path)
    assert sorted(rows) == ["M-001", "M-002", "M-003", "M-004"]
    assert (rows["M-003"]["livability"], rows["M-003"]["residency_intent"]) == (
        "unlivable",
        "leave",
    )
    found = indicators(machikoe, str(wave_id))
    assert found["livability"]["n"] == 4 and found["residency_intent"]["n"] == 4


def test_replace_never_overwrites_a_chat_response(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = machikoe.seed(lambda uow: seed_wave(uow, chat=3, mail=0))
    export = tmp_path / "chat.csv"
    machikoe("export", "responses", "--wave", str(wave_id), "--output", str(export))
    result = import_file(machikoe, wave_id, export, "--replace")
    assert result.exit_code == 1
    assert lines(result)[1:] == [
        f"row {n}: respondent: '2025 spring-c{n - 2:05d}' answered in the chat;"
        " an import cannot replace it"
        for n in (2, 3, 4)
    ] + [
        "error: 3 bad rows, nothing stored (correct them and import again,"
        " or use --skip-bad-rows to store the good ones)"
    ]
    modes = indicators(machikoe, str(wave_id))["livability"]["breakdowns"]["mode"]
    assert [(c["category"], c["n"]) for c in modes] == [("chat", 3)]


def test_web_and_chat_responses_give_per_mode_and_combined_indicators(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(lambda uow: seed_wave(uow, chat=120, mail=0))
    rows = [HEADER]
    for i in range(60):  # everyone on the web wants to stay
        rows.append(f"W-{i:03d},,,40s,female,chubu,5-9,livable,always,,,,\n")
    path = write(tmp_path, "".join(rows), "web.csv")
    result = import_file(machikoe, wave_id, path, "--mode", "web")
    assert lines(result) == [
        "read web.csv as UTF-8 (with BOM)",
        "imported 60 web responses into wave 2025 spring",
    ]
    intent = indicators(machikoe, str(wave_id))["residency_intent"]
    modes = {c["category"]: c for c in intent["breakdowns"]["mode"]}
    assert modes["web"]["value"] == 100.0 and modes["web"]["n"] == 60
    assert modes["chat"]["value"] == 50.0 and modes["chat"]["n"] == 96
    assert intent["n"] == 156 and intent["value"] == round((48 + 60) / 156 * 100, 2)


def test_export_then_import_into_another_wave_gives_the_same_indicators(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    async def two_waves(uow_factory: UowFactory) -> tuple[int, int]:
        first = await seed_wave(uow_factory, chat=150, mail=50)
        second = await make_wave(uow_factory, name="copy")
        return first, second.id

    first, second = machikoe.seed(two_waves)
    exported = tmp_path / "export.csv"
    result = machikoe("export", "responses", "--wave", str(first), "--output", str(exported))
    assert result.exit_code == 0, result.output
    result = import_file(machikoe, second, exported)
    assert lines(result) == [
        "read export.csv as UTF-8 (with BOM)",
        "imported 200 mail responses into wave copy",
    ]
    before, after = indicators(machikoe, str(first)), indicators(machikoe, str(second))
    for indicator_id, original in before.items():
        copy = after[indicator_id]
        for key in ("value", "ci_low", "ci_high", "n", "n_eff", "suppressed"):
            assert copy[key] == original[key], (indicator_id, key)
        assert copy["breakdowns"]["age_band"] == original["breakdowns"]["age_band"]
