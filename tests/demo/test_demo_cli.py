"""`machikoe demo --simulate N --exit` and `machikoe preview` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.demo.personas import demo_comments, make_personas
from surveys.bundled import load_bundled

MACHIKOE = [sys.executable, "-c", "from bot.cli import main; main()"]


def machikoe(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a clean environment (no database URL from the caller)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MACHIKOE_")}
    return subprocess.run(
        [*MACHIKOE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow
def test_demo_simulates_residents_and_writes_the_report(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    result = machikoe(
        "demo", "--simulate", "20", "--exit", "--port", "0", "--data-dir", str(data), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "20 of 20 simulated residents submitted" in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.startswith("report: ")]
    assert len(lines) == 1
    report = Path(lines[0].removeprefix("report: "))
    assert report.parent == data and report.is_file()
    html = report.read_text(encoding="utf-8")
    for indicator in ("住み続けたいと思う市民の割合", "住みやすいと思う市民の割合"):
        assert indicator in html
    assert "090-1234-5678" not in html  # comments in the report are masked


def test_preview_of_a_broken_survey_is_one_line_naming_the_file_and_field(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        'id: broken\nversion: "1"\ntitle: {ja: 壊れた調査}\nquestions:\n'
        "  - id: q1\n    type: likert\n    label: {ja: 質問}\n",
        encoding="utf-8",
    )
    result = machikoe("preview", str(broken), "--port", "0", "--exit", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "broken.yaml" in lines[0] and "choices" in lines[0]


def test_simulated_residents_look_like_the_city() -> None:
    people = make_personas(load_bundled("residency-livability"), 400)
    ages = [p.choices["age_band"][0] for p in people]
    middle = sum(age in ("30s", "40s", "50s") for age in ages)
    assert middle > ages.count("20s") * 3
    districts = [p.choices["district"][0] for p in people]
    assert districts.count("taga") > districts.count("juo") * 2 > 0
    intents = [p.choices["residency_intent"][0] for p in people]
    staying = sum(i in ("always", "for_now") for i in intents)
    assert 0.5 < staying / len(people) < 0.8
    leavers = [p for p in people if p.choices["residency_intent"][0] in ("prefer_leave", "leave")]
    assert leavers and all(1 <= len(p.choices["leave_reasons"]) <= 3 for p in leavers)
    commenters = [p.comment for p in people if p.comment]
    assert 0.3 < len(commenters) / len(people) < 0.6
    assert len(set(commenters)) > 40


def test_the_demo_comments_are_varied_and_some_show_masking() -> None:
    comments = demo_comments()
    assert len(comments) >= 80
    assert len(set(comments)) == len(comments)
    assert sum(any(c.isdigit() for c in text) and "-" in text for text in comments) >= 3
