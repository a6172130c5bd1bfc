"""`machikoe import responses` on files as city offices make them: Excel's encodings, Japanese
labels, 「その他」 texts, skip logic and a run that stores the good rows only."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from storage.models import Answer, Response
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
from tests.builders import UowFactory

OTHER_HEADER = HEADER.replace("leave_reasons,", "leave_reasons,leave_reasons_other,")
LABELLED = HEADER + (
    "M-101,,,30代,女性,十王地区,20年以上,住みやすい,市外に移りたい,働く場所・仕事が少ない；その他,,,\n"
    "M-102,,,18～19歳,男性,,1〜4年,どちらかといえば住みにくい,ずっと住み続けたい,,海と山の自然が豊か,満足,\n"
)


def stored_other_texts(machikoe: Machikoe, wave_id: int) -> dict[str, str | None]:
    """The 「その他」 text stored with each respondent's leave_reasons answer."""

    async def read(uow_factory: UowFactory) -> dict[str, str | None]:
        async with uow_factory() as uow:
            rows = await uow.session.execute(
                select(Response.respondent_ref, Answer.other_text)
                .join(Answer, Answer.response_id == Response.id)
                .where(Response.wave_id == wave_id, Answer.question_id == "leave_reasons")
            )
            return {ref: text for ref, text in rows}

    return machikoe.seed(read)


def test_excel_shift_jis_and_plain_utf8_files_are_read_and_named(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    sjis = write(tmp_path, LABELLED, "sjis.csv", encoding="cp932")
    result = import_file(machikoe, wave_id, sjis)
    assert lines(result) == [
        "read sjis.csv as Shift_JIS (CP932)",
        "imported 2 mail responses into wave 2025 mail",
    ]
    plain = write(tmp_path, GOOD, "plain.csv", encoding="utf-8")
    result = import_file(machikoe, wave_id, plain)
    assert lines(result) == [
        "read plain.csv as UTF-8",
        "imported 3 mail responses into wave 2025 mail",
    ]
    assert respondents(machikoe, wave_id) == 5


def test_a_file_in_another_encoding_is_refused_with_what_to_do(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    path = tmp_path / "latin.csv"
    before = GOOD.encode("utf-8") + "M-009,,,30s,,,,livable,,,,,Ça va".encode("latin-1")
    path.write_bytes(before + b"\x81\n")  # a CP932 lead byte without its second byte
    result = import_file(machikoe, wave_id, path)
    assert result.exit_code == 1
    assert lines(result) == [
        f"error: {path}: byte {len(before)} is neither UTF-8 nor Shift_JIS (CP932); save the CSV"
        ' from Excel as "CSV UTF-8" or "CSV (comma delimited)"'
    ]
    path.write_bytes(GOOD.encode("utf-16"))  # Excel's "Unicode text"
    result = import_file(machikoe, wave_id, path)
    assert lines(result) == [
        f'error: {path}: UTF-16 text (Excel\'s "Unicode text"); save the CSV from Excel as'
        ' "CSV UTF-8" or "CSV (comma delimited)"'
    ]
    assert respondents(machikoe, wave_id) == 0


def test_japanese_labels_are_stored_as_codes(machikoe: Machikoe, tmp_path: Path) -> None:
    wave_id = machikoe.seed(empty_wave)
    result = import_file(machikoe, wave_id, write(tmp_path, LABELLED, "sjis.csv", "cp932"))
    assert result.exit_code == 0, result.output
    rows = exported(machikoe, wave_id, tmp_path)
    first, second = rows["M-101"], rows["M-102"]
    assert [first[c] for c in ("age_band", "sex", "district", "years_lived")] == [
        "30s",
        "female",
        "juo",
        "20plus",
    ]
    assert (first["livability"], first["residency_intent"]) == ("livable", "leave")
    assert first["leave_reasons"] == "work;other"
    assert [second[c] for c in ("age_band", "sex", "district", "years_lived")] == [
        "18-19",
        "male",
        "",
        "1-4",
    ]
    assert (second["livability"], second["stay_reasons"]) == ("somewhat_unlivable", "nature")
    assert second["transport_satisfaction"] == "satisfied"


def test_an_unknown_label_lists_the_codes_and_labels_allowed(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    text = HEADER + "M-103,,,三十代,女性,,,とても住みやすい,,,,,\n"
    result = import_file(machikoe, wave_id, write(tmp_path, text))
    assert result.exit_code == 1
    assert lines(result)[1:3] == [
        'row 2: age_band: unknown value "三十代"; allowed: 18-19 (18〜19歳), 20s (20代),'
        " 30s (30代), 40s (40代), 50s (50代), 60s (60代), 70plus (70歳以上)",
        'row 2: livability: unknown value "とても住みやすい"; allowed: livable (住みやすい),'
        " somewhat_livable (どちらかといえば住みやすい), neutral (どちらともいえない),"
        " somewhat_unlivable (どちらかといえば住みにくい), unlivable (住みにくい)",
    ]


def test_other_texts_are_stored_and_must_go_with_the_other_choice(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    bad = OTHER_HEADER + "M-203,,,40s,,,,livable,leave,work,通勤が大変,,,\n"
    result = import_file(machikoe, wave_id, write(tmp_path, bad))
    assert lines(result)[1] == (
        "row 2: leave_reasons_other: text given, but leave_reasons does not pick other (その他)"
    )
    assert "通勤" not in result.output  # a resident's own words are never echoed
    good = OTHER_HEADER + (
        "M-201,,,40s,,,,livable,leave,work;other,親の介護,,,\n"
        "M-202,,,40s,,,,livable,prefer_leave,other,,,,\n"
    )
    result = import_file(machikoe, wave_id, write(tmp_path, good))
    assert lines(result)[1:] == ["imported 2 mail responses into wave 2025 mail"]
    assert stored_other_texts(machikoe, wave_id) == {"M-201": "親の介護", "M-202": None}


def test_an_answer_that_skip_logic_does_not_ask_is_reported_not_stored(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    text = HEADER + (
        "M-301,,,40s,,,,livable,always,work,nature,,\nM-302,,,40s,,,,livable,,,nature,,\n"
    )
    result = import_file(machikoe, wave_id, write(tmp_path, text))
    assert result.exit_code == 1
    assert lines(result)[1:3] == [
        "row 2: leave_reasons: answered, but skip logic does not ask it here"
        " (asked when residency_intent in [prefer_leave, leave])",
        "row 3: stay_reasons: answered, but skip logic does not ask it here"
        " (asked when residency_intent in [always, for_now])",
    ]
    assert respondents(machikoe, wave_id) == 0


def test_skip_bad_rows_stores_the_good_ones_and_the_corrected_bad_rows_import_later(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    text = GOOD + "M-004,,,40s,robot,,,livable,mabye,,,,\n" + "M-005,,,=1+1,,,,,,,,,\n"
    result = import_file(machikoe, wave_id, write(tmp_path, text), "--skip-bad-rows")
    assert result.exit_code == 0, result.output
    bad_path = tmp_path / "mail.bad-rows.csv"
    assert lines(result)[-1] == (
        f"imported 3 mail responses into wave 2025 mail (2 bad rows skipped, written to {bad_path})"
    )
    assert respondents(machikoe, wave_id) == 3
    bad = list(csv.DictReader(bad_path.read_text(encoding="utf-8-sig").splitlines()))
    assert [row["respondent"] for row in bad] == ["M-004", "M-005"]
    assert bad[0]["import_error"].startswith('sex: unknown value "robot"; allowed: male (男性)')
    assert 'residency_intent: unknown value "mabye"' in bad[0]["import_error"]
    assert bad[1]["age_band"] == "'=1+1"  # safe to open in Excel
    fixed = bad_path.read_text(encoding="utf-8-sig")
    fixed = fixed.replace(",robot,", ",male,").replace("mabye", "for_now").replace("'=1+1", "40s")
    result = import_file(machikoe, wave_id, write(tmp_path, fixed, "fixed.csv"))
    assert lines(result)[1:] == ["imported 2 mail responses into wave 2025 mail"]
    assert respondents(machikoe, wave_id) == 5


def test_many_bad_rows_are_counted_beyond_the_lines_shown(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    text = HEADER + "".join(f"M-{i:03d},,,40s,,,,mabye,,,,,\n" for i in range(30))
    result = import_file(machikoe, wave_id, write(tmp_path, text))
    output = lines(result)
    assert len(output) == 1 + 20 + 2
    assert output[20].startswith('row 21: livability: unknown value "mabye"')
    assert output[-2:] == [
        "… and 10 more problems",
        "error: 30 bad rows, nothing stored (correct them and import again,"
        " or use --skip-bad-rows to store the good ones)",
    ]


def test_label_columns_of_a_labelled_export_fill_empty_codes_and_must_agree(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    wave_id = machikoe.seed(empty_wave)
    header = HEADER.replace("livability,", "livability,livability_label,")
    disagree = header + "M-401,,,40s,,,,livable,住みにくい,,,,,\n"
    result = import_file(machikoe, wave_id, write(tmp_path, disagree))
    assert lines(result)[1] == (
        'row 2: livability_label: "住みにくい" does not match livability "livable"'
    )
    agree = header + (
        "M-401,,,40s,,,,livable,住みやすい,,,,,\nM-402,,,40s,,,,,どちらともいえない,,,,,\n"
    )
    result = import_file(machikoe, wave_id, write(tmp_path, agree))
    assert lines(result)[1:] == ["imported 2 mail responses into wave 2025 mail"]
    rows = exported(machikoe, wave_id, tmp_path)
    assert (rows["M-401"]["livability"], rows["M-402"]["livability"]) == ("livable", "neutral")
