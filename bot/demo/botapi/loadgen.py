"""Drive many residents against a bot on the local server and measure steps/s and latency."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import statistics
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from bot.demo.botapi.resident import Resident
from bot.demo.botapi.server import LocalBotApiServer

Step = Callable[[Resident, int], Awaitable[None]]


@dataclass
class LoadResult:
    """Timings of a load run: one latency per step, and the wall-clock duration."""

    users: int
    steps_per_user: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    bot_cpu_seconds: float | None = None
    """CPU the bot's process spent while the steps were timed (known when it ran elsewhere)."""
    server_cpu_seconds: float | None = None
    """CPU the server's and residents' process spent while the steps were timed."""

    @property
    def steps(self) -> int:
        """Steps completed."""
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Steps per second."""
        return self.steps / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Latency percentile in seconds (q in 0-100)."""
        if not self.latencies:
            return 0.0
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1]

    @property
    def bot_cpu_per_step(self) -> float | None:
        """The bot's CPU seconds per step, when known."""
        if self.bot_cpu_seconds is None or not self.steps:
            return None
        return self.bot_cpu_seconds / self.steps

    def summary(self, label: str = "steps") -> str:
        """One line: count, rate, p50 and p99 in milliseconds, and the bot's CPU per step."""
        line = (
            f"{self.steps} {label} by {self.users} users in {self.seconds:.2f}s: "
            f"{self.rate:.0f} {label}/s, p50 {self.percentile(50) * 1000:.1f} ms, "
            f"p99 {self.percentile(99) * 1000:.1f} ms"
        )
        per_step = self.bot_cpu_per_step
        if per_step is not None:
            line += f", bot CPU {per_step * 1000:.2f} ms per {label.removesuffix('s')}"
        if self.server_cpu_seconds is not None and self.seconds:
            line += f", server busy {self.server_cpu_seconds / self.seconds:.0%}"
        if self.bot_cpu_seconds is not None and self.seconds:
            line += f", bot busy {self.bot_cpu_seconds / self.seconds:.0%}"
        return line


async def echo_step(resident: Resident, index: int) -> None:
    """Send a text and wait for the bot's next message."""
    resident.send_text(f"メッセージ {index}")
    await resident.next_message(timeout=30)


async def drive_users(
    server: LocalBotApiServer,
    users: int,
    steps_per_user: int,
    step: Step = echo_step,
    *,
    first_user_id: int = 500_000,
    setup: Callable[[Resident], Awaitable[None]] | None = None,
    timing: Callable[[bool], None] | None = None,
) -> LoadResult:
    """Run `steps_per_user` steps for each of `users` residents concurrently; time each step
    (`timing(True)` is called as the timed part starts, `timing(False)` as it ends)."""
    residents = [server.user(first_user_id + n, f"住民{n}") for n in range(users)]
    if setup is not None:
        await asyncio.gather(*(setup(resident) for resident in residents))
    # what the server holds so far lives on: keep it out of the collector's full passes, which
    # would otherwise stall every bot measured here for a tenth of a second now and then
    gc.freeze()
    result = LoadResult(users, steps_per_user, 0.0)

    async def play(resident: Resident) -> None:
        for index in range(steps_per_user):
            started = time.perf_counter()
            await step(resident, index)
            result.latencies.append(time.perf_counter() - started)

    if timing is not None:
        timing(True)
    started = time.perf_counter()
    cpu_started = time.process_time()
    await asyncio.gather(*(play(resident) for resident in residents))
    result.seconds = time.perf_counter() - started
    result.server_cpu_seconds = time.process_time() - cpu_started
    if timing is not None:
        timing(False)
    return result


async def hammer_server(server: LocalBotApiServer, requests: int, concurrency: int = 20) -> float:
    """Send getMe over raw keep-alive connections (no bot, tiny client) and return requests/s."""
    path = f"/bot{server.token}/getMe"
    request = (f"POST {path} HTTP/1.1\r\nHost: {server.host}\r\nContent-Length: 0\r\n\r\n").encode()
    per_worker = max(1, requests // concurrency)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(server.host, server.port)
        try:
            for _ in range(per_worker):
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(head.decode(errors="replace").splitlines()[0])
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return per_worker * concurrency / (time.perf_counter() - started)


@dataclass(frozen=True)
class LoadPlan:
    """What the simulated residents do: how many, how many steps each, which step, the setup."""

    users: int
    steps_per_user: int
    step: Step = echo_step
    setup: Callable[[Resident], Awaitable[None]] | None = None
    first_user_id: int = 500_000


@dataclass(frozen=True)
class ProcessResult:
    """A load run played in the server's process: its timings and the Bot API violations."""

    load: LoadResult
    violations: list[str]


def _serve_and_play(connection: Connection, token: str) -> None:
    """Child process: run the server, report its port, play each plan received, until None."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        async with LocalBotApiServer(token) as server:
            connection.send(server.port)
            while True:
                plan = await loop.run_in_executor(None, connection.recv)
                if plan is None:
                    return
                load = await drive_users(
                    server,
                    plan.users,
                    plan.steps_per_user,
                    plan.step,
                    first_user_id=plan.first_user_id,
                    setup=plan.setup,
                    timing=connection.send,
                )
                found = [f"{v.method}: {v.kind}: {v.detail}" for v in server.violations]
                connection.send(ProcessResult(load, found))

    asyncio.run(main())


class LoadProcess:
    """The local Bot API server and its simulated residents in a process of their own, so
    their CPU is not charged to the bot being measured (which runs in the caller's process).

    `plan.step` and `plan.setup` must be module-level functions (they are pickled)."""

    def __init__(self, token: str = "123456:LOAD-TOKEN", host: str = "127.0.0.1") -> None:
        self.token = token
        self.host = host
        self.port = 0
        self._context = multiprocessing.get_context("spawn")
        self._connection: Connection | None = None
        self._process: BaseProcess | None = None

    @property
    def base_url(self) -> str:
        """Value for python-telegram-bot's `base_url` (it appends the token)."""
        return f"http://{self.host}:{self.port}/bot"

    async def __aenter__(self) -> LoadProcess:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve_and_play, args=(theirs, self.token), daemon=True
        )
        process.start()
        self._connection, self._process = ours, process
        if not await asyncio.to_thread(ours.poll, 120):
            raise RuntimeError("the load process did not start within 120 s")
        self.port = int(ours.recv())
        return self

    async def drive(self, plan: LoadPlan) -> ProcessResult:
        """Play the plan in the server's process; returns when every resident is done, with
        the CPU this process (the bot's) spent while the steps were timed."""
        connection = self._connection
        assert connection is not None, "use `async with LoadProcess()`"
        connection.send(plan)
        cpu: dict[bool, float] = {}
        while True:
            message = await asyncio.to_thread(connection.recv)
            if not isinstance(message, bool):
                break
            cpu[message] = time.process_time()
        result: ProcessResult = message
        load = replace(result.load, bot_cpu_seconds=cpu[False] - cpu[True])
        return replace(result, load=load)

    async def __aexit__(self, *exc: object) -> None:
        if self._connection is not None:
            with suppress(OSError):
                self._connection.send(None)
        if self._process is not None:
            await asyncio.to_thread(self._process.join, 10)
            if self._process.is_alive():
                self._process.terminate()
                await asyncio.to_thread(self._process.join, 5)
