"""What a long-running machikoe process does whatever its channels: stop on SIGTERM or SIGINT,
and keep its start-up objects out of the garbage collector's full passes."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Iterator


@contextlib.contextmanager
def signals_set(done: asyncio.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set `done` while inside (installed before anything starts)."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, done.set)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def settle_memory() -> None:
    """Keep what start-up made (modules, handlers, the classifier) out of the garbage
    collector's full passes. Those objects live as long as the process, and walking them took
    over a tenth of a second per pass, a stall every resident's step waited through."""
    gc.collect()
    gc.freeze()
