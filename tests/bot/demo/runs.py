"""The demo started for a test: free ports, SQLite in the test's folder, stopped at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.config import Settings
from bot.demo.run import DemoOptions, DemoRun, Say, start_demo, stop_demo


def _quiet(_: str) -> None:
    """Say nothing."""


@asynccontextmanager
async def running_demo(data_dir: Path, secret: str, say: Say = _quiet) -> AsyncIterator[DemoRun]:
    """The demo (real bot, local Bot API, console) on free ports with its data in `data_dir`."""
    run = await start_demo(DemoOptions(data_dir=data_dir, port=0), Settings(secret=secret), say)
    try:
        yield run
    finally:
        await stop_demo(run)
