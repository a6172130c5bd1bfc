"""Hostile survey files: Python tags and alias bombs are refused with one line, nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from surveys.bundled import bundled_survey_path
from surveys.loader import SurveyDefinitionError, load_survey


def _validate(path: Path) -> tuple[int, list[str]]:
    """Run `machikoe survey validate PATH`; exit code and non-empty output lines."""
    result = CliRunner().invoke(cli, ["survey", "validate", str(path)], catch_exceptions=False)
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
    ],
)
def test_python_tags_are_refused_and_never_executed(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    good = bundled_survey_path("residency-livability").read_text(encoding="utf-8")
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(f"x-payload: {tag.format(marker=marker)}\n" + good, encoding="utf-8")

    with pytest.raises(SurveyDefinitionError, match=r"^hostile.yaml"):
        load_survey(hostile)
    code, lines = _validate(hostile)

    assert code == 1 and len(lines) == 1 and lines[0].startswith("error: hostile.yaml")
    assert not marker.exists()


def test_billion_laughs_is_one_line_from_the_cli(tmp_path: Path) -> None:
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, 10):
        refs = ", ".join([f"*lol{level - 1}"] * 10)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, output = _validate(bomb)

    assert code == 1 and len(output) == 1
    assert output[0].startswith("error: laughs.yaml") and "alias" in output[0]
