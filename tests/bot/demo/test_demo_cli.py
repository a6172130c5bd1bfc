"""`machikoe demo --simulate N --exit` and `machikoe preview` as a user runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from bot.demo.personas import OTHER_TEXT, Persona, demo_comments, make_personas
from bot.demo.run import DemoOptions, DemoRun, start_demo, stop_demo
from bot.demo.simulate import ResidentPlayer, simulate_residents
from surveys.bundled import load_bundled

MACHIKOE = [sys.executable, "-c", "from bot.cli import main; main()"]


def machikoe(
    *args: str, cwd: Path, timeout: float = 300, temp: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a clean environment (no database URL; temporary folders in ``temp``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MACHIKOE_")}
    if temp is not None:
        temp.mkdir(exist_ok=True)
        env["TMPDIR"] = str(temp)
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
    assert "chat page" not in result.stdout and "http://" not in result.stdout  # not served
    assert (data / "machikoe.db").is_file()  # --data-dir is kept


def test_demo_exit_prints_no_page_it_will_not_serve_and_leaves_no_temporary_folder(
    tmp_path: Path,
) -> None:
    temp = tmp_path / "tmp"
    result = machikoe("demo", "--exit", "--port", "0", cwd=tmp_path, temp=temp)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "chat page" not in result.stdout and "http://" not in result.stdout
    assert "started and stopped" in result.stdout
    assert list(temp.iterdir()) == []


def test_the_chat_page_printed_is_served_until_ctrl_c_then_the_folder_is_gone(
    tmp_path: Path,
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MACHIKOE_")}
    env |= {"TMPDIR": str(temp), "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen(
        [*MACHIKOE, "demo", "--port", "0"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert demo.stdout is not None
        said = [demo.stdout.readline() for _ in range(2)]
        assert "removed when the demo stops" in said[0]
        url = said[1].removeprefix("chat page: ").split()[0]
        assert httpx.get(url).status_code == 200
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)
    assert demo.returncode == 0
    assert list(temp.iterdir()) == []


@pytest.mark.slow
def test_demo_without_a_data_folder_keeps_only_the_report(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    result = machikoe("demo", "--simulate", "3", "--exit", "--port", "0", cwd=tmp_path, temp=temp)
    assert result.returncode == 0, result.stderr[-2000:]
    report = Path(result.stdout.splitlines()[-1].removeprefix("report: "))
    assert report.parent == tmp_path  # the folder the demo was run in
    assert "住み続けたいと思う市民の割合" in report.read_text(encoding="utf-8")
    assert list(temp.iterdir()) == []


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


def _picking_other(run: DemoRun) -> list[Persona]:
    """A resident leaving for shopping and "other" reasons, and one staying for "other" ones."""
    base = make_personas(run.survey, 2)
    leaving = {**base[0].choices, "residency_intent": ("leave",)}
    leaving["leave_reasons"] = ("shopping", "other")
    staying = {**base[1].choices, "residency_intent": ("always",), "stay_reasons": ("other",)}
    return [
        Persona(base[0].user_id, base[0].first_name, leaving, None),
        Persona(base[1].user_id, base[1].first_name, staying, None),
    ]


async def test_simulated_residents_type_their_other_reason_and_submit(tmp_path: Path) -> None:
    options = DemoOptions(data_dir=tmp_path / "demo", port=0, progress=False)
    run = await start_demo(options, Settings(secret="test-secret"), lambda _: None)
    try:
        people = _picking_other(run)
        result = await simulate_residents(run.server.url, run.survey, people, step_timeout=10)
        assert (result.submitted, result.stuck) == (2, 0), result.problems
        async with run.services.uow() as uow:
            stored = []
            for person in people:
                key = run.services.respondent_key(person.user_id)
                respondent = await uow.respondents.get_by_key(key)
                assert respondent is not None
                response = await uow.responses.get_for(run.wave_id, respondent.id)
                assert response is not None and response.status == "complete"
                stored.append(await uow.responses.answers(response.id))
        assert stored[0]["leave_reasons"].value == "shopping;other"
        assert stored[0]["leave_reasons"].other_text == OTHER_TEXT
        assert stored[1]["stay_reasons"].value == "other"
        assert stored[1]["stay_reasons"].other_text == OTHER_TEXT
        async with httpx.AsyncClient(base_url=run.server.url) as http:
            player = ResidentPlayer(http, people[0], run.survey, step_timeout=1)
            await player.refresh(0)
        described = [player.describe(m) for m in player.messages if m["from"] == "bot"]
        # the survey moves on in one message until the typed reason, then in the next one
        assert described[-3:] == ["other prompt", "review", "thanks"]
        assert player.tail().endswith("review / thanks")
        assert "買い物" not in player.tail() and OTHER_TEXT not in player.tail()
    finally:
        await stop_demo(run)
