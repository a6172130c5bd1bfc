"""What tests that start `machikoe` processes or servers share: the command, a free port, and a
`machikoe` child process stopped as a service manager stops it."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

MACHIKOE = str(Path(sys.executable).with_name("machikoe"))
"""The installed `machikoe` command of this virtualenv."""


def free_port() -> int:
    """A free TCP port on loopback (nobody listens on it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def machikoe_process(
    *args: str, env: Mapping[str, str]
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`machikoe ARGS…` as a child process, its stderr piped; killed if it still runs at the end."""
    process = await asyncio.create_subprocess_exec(
        MACHIKOE, *args, env=dict(env), stderr=asyncio.subprocess.PIPE
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def sigterm(process: asyncio.subprocess.Process) -> int:
    """Send SIGTERM; the exit code, within 20 seconds."""
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), timeout=20)


async def stderr_of(process: asyncio.subprocess.Process) -> str:
    """What a finished process wrote to its stderr."""
    return (await process.stderr.read()).decode() if process.stderr else ""
