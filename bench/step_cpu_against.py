"""The bot's CPU per survey step now, next to an earlier commit's, measured in one run.

    .venv/bin/python bench/step_cpu_against.py [--rev 2a7458d] [--rounds 3] [--users 100]

The earlier commit is checked out into a temporary git worktree; each round runs that tree's
own `bench/survey_bench.py` and this tree's, one right after the other (in alternating order,
so a machine getting busier or quieter favours neither), each for one round on SQLite and on
PostgreSQL. Both use this virtualenv's packages; PYTHONPATH points each run at its own tree.
The default commit is the last one before `bot/` was restructured into an application core
and adapters (issue 15), whose measured figures the restructure had to keep within 10 %.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE_RESTRUCTURE = "2a7458d"
BOTS = ("machikoe survey, SQLite", "machikoe survey, PostgreSQL")
_MEDIAN = re.compile(r"^(?P<bot>machikoe survey, \w+):\s+(?P<rate>\d+)/s\s+(?P<cpu>[\d.]+) ms$")
TARGET = 0.10


def cpu_per_step(tree: Path, users: int) -> dict[str, float]:
    """One round of a tree's own survey bench: the bot's CPU per step (ms) by bot."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    argv = [sys.executable, "bench/survey_bench.py", "--rounds", "1", "--users", str(users)]
    done = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: survey bench failed:\n{done.stderr[-2000:]}")
    medians = done.stdout.split("-- medians", 1)[-1]
    figures = {
        match["bot"]: float(match["cpu"])
        for line in medians.splitlines()
        if (match := _MEDIAN.match(line.strip()))
    }
    missing = [bot for bot in BOTS if bot not in figures]
    if missing:
        raise SystemExit(f"{tree}: no figure for {', '.join(missing)} in:\n{done.stdout}")
    return figures


def main() -> None:
    """Alternate the two trees for `--rounds` rounds, then print medians and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default=BEFORE_RESTRUCTURE, help="the earlier commit")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="machikoe-before-") as scratch:
        before = Path(scratch) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(before), args.rev],
            cwd=ROOT,
            check=True,
        )
        try:
            runs = _alternate({"before": before, "now": ROOT}, args.rounds, args.users)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT)
    _verdict(runs, args.rev)


def _alternate(
    trees: dict[str, Path], rounds: int, users: int
) -> dict[str, dict[str, list[float]]]:
    """Each round runs every tree once, the order swapped every other round."""
    runs: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    for round_ in range(1, rounds + 1):
        order = list(trees) if round_ % 2 else list(reversed(trees))
        for name in order:
            figures = cpu_per_step(trees[name], users)
            for bot, cpu in figures.items():
                runs[name].setdefault(bot, []).append(cpu)
            shown = ", ".join(f"{bot.split(', ')[1]} {figures[bot]:.2f} ms" for bot in BOTS)
            print(f"round {round_}, {name:<6}: {shown}", flush=True)
    return runs


def _verdict(runs: dict[str, dict[str, list[float]]], rev: str) -> None:
    """Medians per tree and the change in the median round, against the 10 % target."""
    print(f"-- the bot's CPU per survey step: now against {rev} (medians of rounds)")
    for bot in BOTS:
        before, now = runs["before"][bot], runs["now"][bot]
        change = statistics.median(b / a for a, b in zip(before, now, strict=True)) - 1
        verdict = "within" if change <= TARGET else "beyond"
        print(
            f"{bot}: {statistics.median(now):.2f} ms now, {statistics.median(before):.2f} ms"
            f" before; {change:+.0%} in the median round, {verdict} {TARGET:.0%}"
        )


if __name__ == "__main__":
    main()
