"""Time a wave's full report against a bare GROUP BY count (the floor), on SQLite or PostgreSQL.

    .venv/bin/python bench/report_bench.py --backend sqlite --responses 1000000
    .venv/bin/python bench/report_bench.py --backend postgres --responses 1000000

Builds the responses with bulk inserts (executemany on SQLite, COPY on PostgreSQL) in a throwaway
database, then times `bot.app.reports.build_wave_report` (raked to age and sex margins) and
`SELECT value, count(*) FROM answers WHERE question_id=… GROUP BY value`; prints the ratio.
The inserts go through the tally triggers (migration 0002) exactly as submissions do, so the
build time includes keeping the tallies; the report reads the tallies, the floor the answers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.stats.cells import AGE_BANDS
from bot.app.catalog import ensure_bundled_surveys
from bot.app.reports import ReportOptions, build_wave_report
from storage.db import UnitOfWork, create_engine, session_factory, upgrade_database

POSTGRES = os.environ.get("MACHIKOE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
AT = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
SEXES = ("male", "female", "no_answer")
DISTRICTS = ("juo", "hokubu", "chubu", "nakasato", "taga", "nanbu")
YEARS = ("under_1", "1-4", "5-9", "10-19", "20plus")
LIVABILITY = ("livable", "somewhat_livable", "neutral", "somewhat_unlivable", "unlivable")
INTENT = ("always", "for_now", "prefer_leave", "leave", "unsure")
REASONS = ("work", "housing", "childcare", "medical", "transport", "shopping", "community")
AGE_WEIGHTS = (2, 12, 18, 20, 18, 16, 14)
MARGINS = {
    "age_band": dict(zip(AGE_BANDS, (4500, 17850, 19500, 24800, 23900, 25400, 38050), strict=True)),
    "sex": {"male": 76500, "female": 77500},
}
CHUNK = 50_000


def rows(count: int, wave_id: int) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """Deterministic responses (id from 1) and their three answers (one skipped now and then)."""
    rng = random.Random(6)
    answer_id = 0
    for response_id in range(1, count + 1):
        age = rng.choices(AGE_BANDS, AGE_WEIGHTS)[0]
        mode = "chat" if rng.random() < 0.8 else rng.choice(("mail", "web"))
        response = (
            response_id,
            wave_id,
            f"bench-{response_id:07d}",
            mode,
            age,
            rng.choices(SEXES, (48, 50, 2))[0],
            rng.choice(DISTRICTS),
            rng.choice(YEARS),
        )
        intent = None if rng.random() < 0.04 else rng.choices(INTENT, (40, 35, 10, 5, 10))[0]
        reasons = ";".join(sorted(rng.sample(REASONS, rng.randint(1, 3))))
        answers = []
        for question, value in (
            ("livability", rng.choices(LIVABILITY, (25, 40, 20, 10, 5))[0]),
            ("residency_intent", intent),
            ("stay_reasons", reasons),
        ):
            answer_id += 1
            answers.append((answer_id, response_id, question, value))
        yield response, answers


def fill_sqlite(path: Path, count: int, wave_id: int) -> None:
    """Bulk insert with executemany in large transactions."""
    stamp = AT.strftime("%Y-%m-%d %H:%M:%S.000000")
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    responses: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []

    def flush() -> None:
        db.executemany(
            "INSERT INTO responses (id, wave_id, respondent_id, respondent_ref, mode, status,"
            " started_at, updated_at, submitted_at, age_band, sex, district, years_lived)"
            " VALUES (?, ?, NULL, ?, ?, 'complete', ?, ?, ?, ?, ?, ?, ?)",
            [(r[0], r[1], r[2], r[3], stamp, stamp, stamp, *r[4:]) for r in responses],
        )
        db.executemany(
            "INSERT INTO answers (id, response_id, question_id, value, other_text, answered_at)"
            " VALUES (?, ?, ?, ?, NULL, ?)",
            [(*a, stamp) for a in answers],
        )
        db.commit()
        responses.clear()
        answers.clear()

    for response, its_answers in rows(count, wave_id):
        responses.append(response)
        answers.extend(its_answers)
        if len(responses) >= CHUNK:
            flush()
    flush()
    db.execute("ANALYZE")
    db.commit()
    db.close()


async def fill_postgres(url: str, count: int, wave_id: int) -> None:
    """Bulk insert with COPY, then VACUUM ANALYZE."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        responses: list[tuple[Any, ...]] = []
        answers: list[tuple[Any, ...]] = []

        async def flush() -> None:
            await connection.copy_records_to_table(
                "responses",
                records=[(*r[:2], None, *r[2:4], "complete", AT, AT, AT, *r[4:]) for r in responses],  # noqa: E501
                columns=[
                    "id", "wave_id", "respondent_id", "respondent_ref", "mode", "status",
                    "started_at", "updated_at", "submitted_at",
                    "age_band", "sex", "district", "years_lived",
                ],
            )  # fmt: skip
            await connection.copy_records_to_table(
                "answers",
                records=[(*a, None, AT) for a in answers],
                columns=["id", "response_id", "question_id", "value", "other_text", "answered_at"],
            )
            responses.clear()
            answers.clear()

        for response, its_answers in rows(count, wave_id):
            responses.append(response)
            answers.extend(its_answers)
            if len(responses) >= CHUNK:
                await flush()
        await flush()
        for table in ("responses", "answers"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def best_of(times: int, work: Callable[[], Awaitable[Any]]) -> float:
    """The fastest of several warm runs, in seconds."""
    await work()
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        await work()
        best = min(best, time.perf_counter() - start)
    return best


async def measure(url: str, fill: Callable[[int], Awaitable[None]], count: int) -> None:
    """Migrate, seed, then time the report and the floor."""
    from sqlalchemy import text

    await upgrade_database(url)
    engine = create_engine(url)
    factory = session_factory(engine)
    try:
        async with UnitOfWork(factory) as uow:
            await ensure_bundled_surveys(uow, AT)
            wave = await uow.waves.create(
                name="bench", survey_id="residency-livability", at=AT, status="closed"
            )
            await uow.commit()
        start = time.perf_counter()
        await fill(wave.id)
        built = time.perf_counter() - start
        print(f"built {count:,} responses and {3 * count:,} answers in {built:.1f} s", flush=True)
        options = ReportOptions(margins=MARGINS, year=2025)

        async def report() -> None:
            async with UnitOfWork(factory) as uow:
                await build_wave_report(uow, wave, options)

        floor_sql = text(
            "SELECT value, count(*) FROM answers WHERE question_id = 'residency_intent' "
            "GROUP BY value"
        )

        async def floor() -> None:
            async with engine.connect() as connection:
                (await connection.execute(floor_sql)).all()

        report_s = await best_of(3, report)
        floor_s = await best_of(3, floor)
        ratio = report_s / floor_s
        verdict = "within" if ratio <= 3 else "OVER"
        print(
            f"{engine.dialect.name}: report {report_s * 1000:.0f} ms,"
            f" floor {floor_s * 1000:.0f} ms, ratio {ratio:.2f}x ({verdict} the 3x target)"
        )
    finally:
        await engine.dispose()


async def run(backend: str, count: int, keep: bool) -> None:
    """Set up a throwaway database of the backend and measure."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="machikoe-bench-"))
        path = folder / "bench.db"
        url = f"sqlite+aiosqlite:///{path}"

        async def fill_file(wave_id: int) -> None:
            await asyncio.to_thread(fill_sqlite, path, count, wave_id)

        try:
            await measure(url, fill_file, count)
        finally:
            if not keep:
                path.unlink(missing_ok=True)
                folder.rmdir()
        return
    import asyncpg

    name = f"machikoe_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{POSTGRES}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://{POSTGRES.split('://', 1)[1]}/{name}"
    try:
        await measure(url, lambda wave_id: fill_postgres(url, count, wave_id), count)
    finally:
        if not keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    asyncio.run(run(args.backend, args.responses, args.keep))


if __name__ == "__main__":
    main()
