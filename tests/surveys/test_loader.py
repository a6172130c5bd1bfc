"""Loading survey definitions: good files load, broken files give one exact line."""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.definition import Survey
from surveys.loader import MAX_FILE_BYTES, SurveyDefinitionError, load_survey, parse_survey

GOOD = """\
id: tiny
version: "1"
title: {ja: 小さな調査, en: Tiny survey}
questions:
  - id: intent
    type: single
    label: {ja: 住み続けたいですか}
    choices:
      - id: stay
        label: {ja: 住み続けたい}
      - id: leave
        label: {ja: 移りたい}
  - id: why
    type: text
    relevant: intent in [leave]
    label: {ja: 理由}
"""


INDICATOR = (
    "indicators:\n  - id: share\n    label: {ja: 割合}\n    question: intent\n    yes: [stay]\n"
)


def write(tmp_path: Path, text: str, name: str = "broken.yaml") -> Path:
    """Write a definition file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads_with_version_and_fingerprint(tmp_path: Path) -> None:
    survey = load_survey(write(tmp_path, GOOD, "tiny.yaml"))
    assert survey.id == "tiny"
    assert survey.version == "1"
    assert survey.question_ids == ("intent", "why")
    assert survey.title.text("en") == "Tiny survey"
    assert survey.title.text("ja-easy") == "小さな調査"
    assert len(survey.fingerprint) == 64


def test_fingerprint_ignores_formatting_but_not_content() -> None:
    reformatted = GOOD.replace(
        "title: {ja: 小さな調査, en: Tiny survey}", "title:\n  en: Tiny survey\n  ja: 小さな調査"
    )
    assert parse_survey(reformatted, "a").fingerprint == parse_survey(GOOD, "b").fingerprint
    changed = GOOD.replace("移りたい", "市外に移りたい")
    assert parse_survey(changed, "c").fingerprint != parse_survey(GOOD, "b").fingerprint


def test_yes_no_words_stay_text_not_booleans() -> None:
    text = GOOD.replace("id: stay", "id: yes").replace("id: leave", "id: no")
    survey = parse_survey(text.replace("intent in [leave]", "intent in [no]"), "t.yaml")
    assert survey.question("intent").choice_ids == ("yes", "no")


def with_question(extra: str) -> str:
    """GOOD plus one more question block (indented list item)."""
    return GOOD + extra


BROKEN: list[tuple[str, str, str]] = [
    ("empty file", "", "broken.yaml: file is empty"),
    ("comments only", "# nothing\n", "broken.yaml: file is empty"),
    (
        "invalid yaml",
        "id: x\nquestions: [\n  - a\n",
        "broken.yaml:3: invalid YAML: expected the node content, but found '-'",
    ),
    ("top level list", "- a\n- b\n", "broken.yaml:1: top level must be a mapping of survey fields"),
    (
        "alias",
        GOOD + "description: &d {ja: x}\nextra: *d\n",
        "broken.yaml:18: YAML aliases (*name) are not allowed",
    ),
    (
        "duplicate yaml key",
        GOOD.replace('version: "1"', 'version: "1"\nversion: "2"'),
        'broken.yaml:3: version: duplicate key "version"',
    ),
    (
        "missing field",
        GOOD.replace('version: "1"\n', ""),
        "broken.yaml:1: version: required field is missing",
    ),
    ("unknown key", GOOD + "owner: city\n", 'broken.yaml:17: owner: unknown field "owner"'),
    (
        "unknown key in question",
        GOOD.replace("    type: text\n", "    type: text\n    hint: x\n"),
        'broken.yaml:15: questions[1].hint: unknown field "hint"',
    ),
    (
        "version not text",
        GOOD.replace('version: "1"', "version: 1.0"),
        "broken.yaml:2: version: expected text (quote numbers and dates)",
    ),
    (
        "unknown type",
        GOOD.replace("type: text", "type: essay"),
        "broken.yaml:14: questions[1].type: unknown question type; "
        "expected single, multi, likert, number or text",
    ),
    (
        "required not a boolean",
        GOOD.replace("    type: text\n", "    type: text\n    required: maybe\n"),
        "broken.yaml:15: questions[1].required: expected true or false",
    ),
    (
        "bad question id",
        GOOD.replace("id: why", "id: Why-Not"),
        'broken.yaml:13: questions[1].id: invalid id "Why-Not": use snake_case (a-z, 0-9, _)',
    ),
    (
        "duplicate question id",
        GOOD.replace("id: why", "id: intent"),
        'broken.yaml:13: questions[1].id: duplicate id "intent"',
    ),
    (
        "duplicate choice id",
        GOOD.replace("id: stay", "id: leave"),
        'broken.yaml:11: questions[0].choices[1].id: duplicate id "leave"',
    ),
    (
        "missing ja",
        GOOD.replace("label: {ja: 理由}", "label: {en: Why}"),
        "broken.yaml:16: questions[1].label.ja: required field is missing",
    ),
    (
        "unknown language",
        GOOD.replace("label: {ja: 理由}", "label: {ja: 理由, fr: Pourquoi}"),
        'broken.yaml:16: questions[1].label: unknown language "fr" (expected ja, en or ja-easy)',
    ),
    (
        "empty label",
        GOOD.replace("label: {ja: 理由}", "label: {ja: ''}"),
        "broken.yaml:16: questions[1].label.ja: must not be empty",
    ),
    (
        "choices on text",
        GOOD.replace(
            "    label: {ja: 理由}\n",
            "    label: {ja: 理由}\n    choices: [{id: a, label: {ja: a}}]\n",
        ),
        "broken.yaml:17: questions[1].choices: text questions take no choices",
    ),
    (
        "likert with four points",
        with_question(
            "  - id: feel\n    type: likert\n    label: {ja: 気分}\n    choices:\n"
            + "".join(f"      - {{id: p{i}, label: {{ja: '{i}'}}}}\n" for i in range(4))
        ),
        "broken.yaml:20: questions[2].choices: likert questions need exactly 5 choices, found 4",
    ),
    (
        "single without choices",
        with_question("  - id: pick\n    type: single\n    label: {ja: 選択}\n"),
        "broken.yaml:17: questions[2].choices: single questions need at least 2 choices",
    ),
    (
        "min greater than max",
        with_question(
            "  - id: age\n    type: number\n    label: {ja: 年齢}\n    min: 99\n    max: 18\n"
        ),
        "broken.yaml:20: questions[2].min: min (99) is greater than max (18)",
    ),
    (
        "min on text",
        GOOD.replace("    type: text\n", "    type: text\n    min: 3\n"),
        "broken.yaml:15: questions[1].min: text questions take no min (only multi and number do)",
    ),
    (
        "other on likert",
        with_question(
            "  - id: feel\n    type: likert\n    label: {ja: 気分}\n    choices:\n"
            + "".join(f"      - {{id: p{i}, label: {{ja: '{i}'}}}}\n" for i in range(4))
            + "      - {id: p4, label: {ja: '4'}, other: true}\n"
        ),
        "broken.yaml:25: questions[2].choices[4].other: "
        "only single and multi questions can have other",
    ),
    (
        "relevant syntax error",
        GOOD.replace("intent in [leave]", "intent in [leave"),
        "broken.yaml:15: questions[1].relevant: syntax error at column 17: "
        "expected ']', found end of condition",
    ),
    (
        "relevant unknown question",
        GOOD.replace("intent in [leave]", "mood == bad"),
        'broken.yaml:15: questions[1].relevant: unknown question "mood"',
    ),
    (
        "relevant later question",
        GOOD.replace("    type: single\n", "    type: single\n    relevant: why answered\n"),
        'broken.yaml:7: questions[0].relevant: "why" is asked later; '
        "conditions may only use earlier questions",
    ),
    (
        "relevant unknown choice",
        GOOD.replace("intent in [leave]", "intent in [leav]"),
        'broken.yaml:15: questions[1].relevant: question "intent" has no choice "leav"',
    ),
    (
        "relevant unknown profile field",
        GOOD.replace("intent in [leave]", "profile.income == high"),
        'broken.yaml:15: questions[1].relevant: unknown profile field "income" '
        "(expected age_band, sex, district, years_lived)",
    ),
    (
        "empty questions",
        GOOD.split("questions:")[0] + "questions: []\n",
        "broken.yaml:4: questions: a survey needs at least one question",
    ),
    (
        "indicator unknown question",
        GOOD + INDICATOR.replace("question: intent", "question: mood"),
        'broken.yaml:20: indicators[0].question: unknown question "mood"',
    ),
    (
        "indicator unknown choice",
        GOOD + INDICATOR.replace("[stay]", "[stay, remain]"),
        'broken.yaml:21: indicators[0].yes[1]: question "intent" has no choice "remain"',
    ),
    (
        "subgroup unknown field",
        GOOD + INDICATOR + "    subgroup: {income: [high]}\n",
        'broken.yaml:22: indicators[0].subgroup.income: unknown profile field "income" '
        "(expected age_band, sex, district, years_lived)",
    ),
    (
        "subgroup unknown value",
        GOOD + INDICATOR + "    subgroup:\n      age_band: [20s, 15-17]\n",
        "broken.yaml:23: indicators[0].subgroup.age_band[1]: "
        'profile field age_band has no value "15-17"',
    ),
    (
        "goal out of range",
        GOOD + INDICATOR + "    goal: 5\n",
        "broken.yaml:22: indicators[0].goal: must be less than or equal to 4",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for _, t, e in BROKEN], ids=[n for n, _, _ in BROKEN]
)
def test_broken_file_gives_one_line_with_file_line_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(SurveyDefinitionError) as caught:
        load_survey(write(tmp_path, text))
    assert str(caught.value) == expected
    assert "\n" not in str(caught.value)


def test_error_exposes_its_parts(tmp_path: Path) -> None:
    with pytest.raises(SurveyDefinitionError) as caught:
        load_survey(write(tmp_path, GOOD.replace("id: stay", "id: leave"), "residency.yaml"))
    error = caught.value
    assert (error.file, error.line, error.field) == (
        "residency.yaml",
        11,
        "questions[0].choices[1].id",
    )
    assert error.message == 'duplicate id "leave"'


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "#" * MAX_FILE_BYTES)
    with pytest.raises(
        SurveyDefinitionError, match=r"^broken.yaml: file is \d+ bytes; the limit is 262144"
    ):
        load_survey(path)


def test_alias_bomb_is_refused_quickly() -> None:
    names = [chr(97 + i) for i in range(21)]
    lines = [
        f"{new}: &{new} [*{old}, *{old}, *{old}, *{old}]\n"
        for old, new in itertools.pairwise(names)
    ]
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(lines)
    with pytest.raises(SurveyDefinitionError, match="aliases"):
        parse_survey(bomb, "bomb.yaml")


def test_missing_file_and_non_utf8_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(SurveyDefinitionError, match=r"^nope.yaml: cannot read file"):
        load_survey(tmp_path / "nope.yaml")
    path = tmp_path / "latin.yaml"
    path.write_bytes("id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(SurveyDefinitionError, match=r"^latin.yaml: file is not UTF-8 text$"):
        load_survey(path)


def test_deep_nesting_and_control_characters_are_one_line() -> None:
    with pytest.raises(SurveyDefinitionError, match=r"^deep.yaml:1: YAML is nested more than 32"):
        parse_survey("a: " + "[" * 900 + "]" * 900, "deep.yaml")
    with pytest.raises(SurveyDefinitionError, match=r"^nul.yaml: invalid YAML: unacceptable char"):
        parse_survey("id: x\n\x00", "nul.yaml")


def test_canonical_json_round_trips_to_the_same_fingerprint() -> None:
    survey = parse_survey(GOOD, "tiny.yaml")
    again = Survey.model_validate_json(survey.canonical_json())
    assert again == survey
    assert again.fingerprint == survey.fingerprint


YAML_BITS = st.sampled_from(
    [
        *"abc:-[]{}, \n'\"&*!#|>?%@`",
        "id: ",
        "version: ",
        "questions:\n",
        "  - ",
        "type: single",
        "label: {ja: x}",
        "choices: ",
        "relevant: ",
        "indicators: ",
        "yes: ",
        "1",
        "true",
        "null",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(YAML_BITS, max_size=60).map("".join))
def test_garbage_files_only_raise_the_definition_error(text: str) -> None:
    with contextlib.suppress(SurveyDefinitionError):
        parse_survey(text, "garbage.yaml")
