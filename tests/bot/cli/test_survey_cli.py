"""`machikoe survey validate|load|list` and `machikoe db upgrade`, end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from surveys.bundled import bundled_survey_path
from tests.bot.cli.conftest import Machikoe, lines

BUNDLED = bundled_survey_path("residency-livability")


def test_validate_accepts_the_bundled_survey(machikoe: Machikoe) -> None:
    result = machikoe("survey", "validate", str(BUNDLED))
    assert result.exit_code == 0
    assert "ok:" in result.output and "residency-livability" in result.output


def test_validate_names_file_line_and_field_of_each_broken_file(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    text = BUNDLED.read_text(encoding="utf-8").replace("id: for_now", "id: always", 1)
    broken.write_text(text, encoding="utf-8")
    result = machikoe("survey", "validate", str(BUNDLED), str(broken))
    assert result.exit_code == 1
    errors = [line for line in lines(result) if line.startswith("error:")]
    assert len(errors) == 1
    assert "broken.yaml:" in errors[0] and 'duplicate id "always"' in errors[0]
    assert "Traceback" not in result.output


def test_load_stores_a_version_once_and_list_shows_it(machikoe: Machikoe) -> None:
    first = machikoe("survey", "load", str(BUNDLED))
    again = machikoe("survey", "load", str(BUNDLED))
    assert first.exit_code == 0 and again.exit_code == 0
    listed = machikoe("survey", "list")
    rows = [line for line in lines(listed) if line.startswith("residency-livability")]
    assert len(rows) == 1 and "定住意向" in rows[0]


def test_load_refuses_changed_content_under_the_same_version(
    machikoe: Machikoe, tmp_path: Path
) -> None:
    assert machikoe("survey", "load", str(BUNDLED)).exit_code == 0
    changed = tmp_path / "changed.yaml"
    text = BUNDLED.read_text(encoding="utf-8").replace("住みやすい", "とても住みやすい", 1)
    changed.write_text(text, encoding="utf-8")
    result = machikoe("survey", "load", str(changed))
    assert result.exit_code == 1
    assert lines(result) == [lines(result)[0]] and "new version" in result.output


def test_list_on_an_empty_database_says_how_to_load(machikoe: Machikoe) -> None:
    result = machikoe("survey", "list")
    assert result.exit_code == 0 and "machikoe survey load" in result.output


def test_installed_console_script_upgrades_a_fresh_sqlite_database(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("machikoe")
    env = {"MACHIKOE_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [str(script), "db", "upgrade"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
    assert (tmp_path / "data" / "machikoe.db").exists()


def test_unknown_file_is_one_line_without_traceback(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("machikoe")
    env = {"MACHIKOE_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [str(script), "survey", "load", "missing.yaml"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "missing.yaml" in done.stderr


def test_every_area_is_a_command_whichever_module_is_imported_first() -> None:
    code = (
        "import bot.cli.model\n"
        "from click.testing import CliRunner\n"
        "from bot.cli import cli\n"
        "print(CliRunner().invoke(cli, ['--help']).output)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for area in ("model", "classify", "survey", "wave", "report", "export", "demo", "run"):
        assert f"  {area} " in done.stdout
