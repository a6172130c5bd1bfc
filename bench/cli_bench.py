"""Time how long quick `machikoe` commands take to start, next to `python -c "import click"`.

    .venv/bin/python bench/cli_bench.py [--runs 9]

Each command runs as a fresh process (the way staff meet it), against a throwaway data folder
whose SQLite database is migrated and holds one wave, so `wave list` does its real query. The
reference is the cost of starting Python and importing click, measured in the same run; the
target is under 0.5 s per command on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "surveys" / "data" / "residency-livability.yaml"
TARGET_SECONDS = 0.5


def machikoe(*args: str) -> list[str]:
    """The argv of a `machikoe` command run by this interpreter."""
    return [sys.executable, "-c", "from bot.cli import main; main()", *args]


def timed(argv: list[str], env: dict[str, str], runs: int) -> float:
    """The median wall time of running argv, which must succeed."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per command (median shown)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="machikoe-cli-bench-") as folder:
        env = {**os.environ, "MACHIKOE_DATA_DIR": folder}
        env.pop("MACHIKOE_DATABASE_URL", None)
        subprocess.run(
            machikoe("wave", "create", "--survey", "residency-livability", "--name", "bench"),
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        reference = timed([sys.executable, "-c", "import click"], env, args.runs)
        label = 'python -c "import click" (reference)'
        print(f"{label:<44} {reference:6.3f} s")
        for label, argv in (
            ("machikoe --help", machikoe("--help")),
            ("machikoe wave list", machikoe("wave", "list")),
            ("machikoe survey validate FILE", machikoe("survey", "validate", str(SURVEY))),
        ):
            median = timed(argv, env, args.runs)
            verdict = "meets" if median < TARGET_SECONDS else "MISSES"
            print(
                f"{label:<44} {median:6.3f} s  ({median / reference:4.1f}× the reference; "
                f"target < {TARGET_SECONDS} s: {verdict})"
            )


if __name__ == "__main__":
    main()
