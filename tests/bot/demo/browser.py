"""Headless Debian chromium driven by Playwright (never downloads a browser)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-quic",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def chromium_path() -> str:
    """Debian's chromium, or skip the test when it is not installed."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless chromium for one test."""
    path = chromium_path()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


def artifact(name: str) -> Path:
    """A path under test-artifacts/ (created here; the folder is not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


_answering: set[asyncio.Future[None]] = set()


def _accept(dialog: Dialog) -> None:
    task = asyncio.ensure_future(dialog.accept())
    _answering.add(task)  # held until done, so the task is not collected half-way
    task.add_done_callback(_answering.discard)


def accept_dialogs(page: Page) -> None:
    """Say yes to every confirmation dialog the page opens."""
    page.on("dialog", _accept)
