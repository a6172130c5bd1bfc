"""Time the console's comment table and themes against their references, in one run.

    .venv/bin/python bench/console_bench.py [--backend sqlite|postgres] [--comments 100000]
        [--themes 10000]

Builds a throwaway database (a SQLite file, or a new database on MACHIKOE_BENCH_POSTGRES_URL)
with that many comments (bulk inserts, one wave, texts and goals from the bundled corpus), then
times the comments page's first screen
(`CommentSearch.page` for the wave, newest first: labels, profile and hiding joined in) against
a bare `SELECT … FROM comments LIMIT 50` on the same table and session (target: within 3×), a
deep page and a filtered page for the record, and themes for `--themes` comments on one core
(target: under 10 s).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from threadpoolctl import threadpool_limits

from analysis.text.corpus import held_out_comments, training_comments
from analysis.themes import ThemeComment, find_themes
from storage.db import UnitOfWork, create_engine, session_factory, upgrade_database
from storage.repositories.comment_search import CommentFilter, CommentSearch, CommentSort

AT = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
POSTGRES = os.environ.get("MACHIKOE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
DISTRICTS = ("juo", "hokubu", "chubu", "nakasato", "taga", "nanbu")
AGE_BANDS = ("18-19", "20s", "30s", "40s", "50s", "60s", "70plus")
ENDINGS = ("", "。", "！", "です。", "と思います。", "ほしい。", "🙏")
CHUNK = 20_000
RUNS = 30


def corpus() -> list[tuple[str, str]]:
    """(text, ';'-joined goals) of the bundled labelled comments."""
    return [(c.text, ";".join(c.goals)) for c in training_comments() + held_out_comments()]


Batch = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]
RESPONSE_COLUMNS = [
    "id", "wave_id", "respondent_ref", "mode", "status", "started_at", "updated_at",
    "submitted_at", "age_band", "sex", "district", "years_lived",
]  # fmt: skip
ANSWER_COLUMNS = ["id", "response_id", "question_id", "value", "answered_at"]
COMMENT_COLUMNS = [
    "id", "answer_id", "wave_id", "masked_text", "language", "goals", "primary_goal",
    "confidence", "needs_review", "model_version", "classified_at", "created_at",
]  # fmt: skip


def batches(count: int, stamp: Any) -> Iterator[Batch]:
    """Responses, answers and comments of wave 1 in chunks (deterministic)."""
    rng = random.Random(18)
    texts = corpus()
    for start in range(1, count + 1, CHUNK):
        ids = range(start, min(start + CHUNK, count + 1))
        responses = [
            (i, 1, f"bench-{i:07d}", "chat", "complete", stamp, stamp, stamp,
             rng.choice(AGE_BANDS), "female", rng.choice(DISTRICTS), "10-19")
            for i in ids
        ]  # fmt: skip
        picked = [(i, *rng.choice(texts)) for i in ids]
        answers = [(i, i, "comment", body, stamp) for i, body, _ in picked]
        comments = [
            (i, i, 1, body + rng.choice(ENDINGS), "ja", goals, goals.split(";")[0],
             round(rng.random(), 3), rng.random() < 0.1, "bench", stamp, stamp)
            for i, body, goals in picked
        ]  # fmt: skip
        yield responses, answers, comments


def _insert(table: str, columns: list[str]) -> str:
    """An INSERT of every column with ? placeholders."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def fill_sqlite(url: str, count: int) -> None:
    """One wave of `count` submitted responses, each with one classified comment."""
    stamp = AT.strftime("%Y-%m-%d %H:%M:%S.000000")
    db = sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///"))
    db.execute("PRAGMA synchronous=OFF")
    db.execute(
        "INSERT INTO waves (id, name, survey_id, status, audience, reminders, embargo_lifted,"
        " created_at) VALUES (1, 'bench', 'residency-livability', 'closed', '{}', '[]', 0, ?)",
        (stamp,),
    )
    for responses, answers, comments in batches(count, stamp):
        db.executemany(_insert("responses", RESPONSE_COLUMNS), responses)
        db.executemany(_insert("answers", ANSWER_COLUMNS), answers)
        db.executemany(_insert("comments", COMMENT_COLUMNS), comments)
        db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.close()


async def fill_postgres(url: str, count: int) -> None:
    """The same rows with COPY, then VACUUM ANALYZE."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(
            "INSERT INTO waves (id, name, survey_id, status, audience, reminders, embargo_lifted,"
            " created_at) VALUES (1, 'bench', 'residency-livability', 'closed', '{}', '[]',"
            " false, $1)",
            AT,
        )
        for responses, answers, comments in batches(count, AT):
            await connection.copy_records_to_table(
                "responses", records=responses, columns=RESPONSE_COLUMNS
            )
            await connection.copy_records_to_table(
                "answers", records=answers, columns=ANSWER_COLUMNS
            )
            await connection.copy_records_to_table(
                "comments", records=comments, columns=COMMENT_COLUMNS
            )
        for table in ("waves", "responses", "answers", "comments"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


@asynccontextmanager
async def bench_database(backend: str) -> AsyncIterator[str]:
    """A throwaway database's URL: a temporary SQLite file or a new PostgreSQL database."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    import asyncpg

    name = f"machikoe_bench_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(f"{admin}/postgres")
    await connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def timed(work: Callable[[], Awaitable[Any]]) -> float:
    """The median of warm runs, in milliseconds."""
    await work()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        await work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


async def bench_table(backend: str, count: int) -> bool:
    """Comments page vs bare LIMIT 50; True when within 3×."""
    wave_id = 1
    async with bench_database(backend) as url:
        await upgrade_database(url)
        start = time.perf_counter()
        if backend == "sqlite":
            fill_sqlite(url, count)
        else:
            await fill_postgres(url, count)
        took = time.perf_counter() - start
        print(f"built {count:,} comments on {backend} in {took:.1f} s", flush=True)
        engine = create_engine(url)
        factory = session_factory(engine)
        deep: str | None = None
        try:
            async with UnitOfWork(factory) as uow:
                search = CommentSearch(uow.session)
                for _ in range(200):
                    deep = (
                        await search.page(CommentFilter(wave_id=wave_id), after=deep)
                    ).next_cursor

            async def first_screen() -> None:
                async with UnitOfWork(factory) as uow:
                    await CommentSearch(uow.session).page(CommentFilter(wave_id=wave_id))

            async def deep_page() -> None:
                async with UnitOfWork(factory) as uow:
                    await CommentSearch(uow.session).page(
                        CommentFilter(wave_id=wave_id), after=deep
                    )

            async def filtered() -> None:
                wanted = CommentFilter(wave_id=wave_id, goal="3", unsure=True, district="taga")
                async with UnitOfWork(factory) as uow:
                    await CommentSearch(uow.session).page(wanted, CommentSort.LEAST_CONFIDENT)

            async def bare() -> None:
                async with UnitOfWork(factory) as uow:
                    result = await uow.session.execute(text("SELECT * FROM comments LIMIT 50"))
                    result.all()

            reference = await timed(bare)
            screen = await timed(first_screen)
            print(f"bare SELECT … LIMIT 50 (reference):     {reference:7.2f} ms")
            print(f"comments page, first screen:            {screen:7.2f} ms  "
                  f"({screen / reference:.1f}× the reference; target ≤ 3×)")  # fmt: skip
            print(f"comments page, page 201 (10,000 in):    {await timed(deep_page):7.2f} ms")
            print(f"goal 3 + unsure + district, by conf.:   {await timed(filtered):7.2f} ms")
        finally:
            await engine.dispose()
    return screen <= 3 * reference


def bench_themes(count: int) -> bool:
    """Themes for `count` comments; True when under 10 s."""
    rng = random.Random(18)
    texts = corpus()
    comments = []
    for i in range(count):
        body, goals = rng.choice(texts)
        comments.append(
            ThemeComment(
                i, body + rng.choice(ENDINGS), tuple(goals.split(";")),
                rng.choice(AGE_BANDS), rng.choice(DISTRICTS),
            )
        )  # fmt: skip
    start = time.perf_counter()
    with threadpool_limits(limits=1):  # one core, as the target says
        found = find_themes(comments)
    took = time.perf_counter() - start
    themes = sum(len(goal.themes) for goal in found)
    print(f"themes for {count:,} comments ({themes} themes in {len(found)} goals): "
          f"{took:5.2f} s  (target < 10 s, one core)")  # fmt: skip
    return took < 10


def main() -> int:
    """Run both benches; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--themes", type=int, default=10_000)
    args = parser.parse_args()
    table_ok = asyncio.run(bench_table(args.backend, args.comments))
    themes_ok = bench_themes(args.themes)
    return 0 if table_ok and themes_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
