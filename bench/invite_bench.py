"""Benchmark: invite N residents through a rate-limited local Bot API server.

The server (in its own process, so its message store does not count against the bot) enforces
30 messages/s overall and 1/s per chat, answering 429 beyond that. The bot side opens a wave
with bot.app.waves.open_wave and runs bot.app.invitations.InvitationSender through
bot.telegram.delivery's TelegramDelivery, as the running bot does.
Prints the achieved rate against the limit (target ≥ 95 %) and the bot process's RSS after the
invitations are created and at 5k / 10k / 20k sent (flat memory).
Usage: python bench/invite_bench.py [--residents 20000] [--limit 30]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.app.invitations import InvitationSender, Pacer
from bot.app.services import Services
from bot.app.waves import create_wave, open_wave
from bot.config import Settings
from bot.telegram.delivery import TelegramDelivery
from storage.models import Contact, Respondent
from surveys.modes import Channel

TOKEN = "123456:BENCH-TOKEN"
FIRST_CHAT = 10_000_000


def rss_mb() -> float:
    """Resident set size of this process now, in MB (from /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(port: multiprocessing.Queue, residents: int, limit: float) -> None:  # type: ignore[type-arg]
    """Run the local Bot API server with flood limits until killed."""
    from bot.demo.botapi import LocalBotApiServer

    async def main() -> None:
        server = LocalBotApiServer(TOKEN, global_rate_limit=limit, per_chat_rate_limit=1.0)
        await server.start()
        for offset in range(residents):
            server.user(FIRST_CHAT + offset)
        port.put(server.port)
        await asyncio.Event().wait()

    asyncio.run(main())


async def seed(services: Services, residents: int) -> None:
    """Residents with consent and a chat, inserted in bulk."""
    now = datetime.now(UTC)
    async with services.uow() as uow:
        for start in range(0, residents, 5000):
            chunk = range(start, min(start + 5000, residents))
            await uow.session.execute(
                insert(Respondent),
                [
                    {
                        "id": i + 1,
                        "key": f"bench-{i:08d}",
                        "consent": "given",
                        "consent_at": now,
                        "language": "ja",
                        "created_at": now,
                    }
                    for i in chunk
                ],
            )
            await uow.session.execute(
                insert(Contact),
                [
                    {
                        "respondent_id": i + 1,
                        "chat_id": FIRST_CHAT + i,
                        "subscribed": True,
                        "updated_at": now,
                    }
                    for i in chunk
                ],
            )
        await uow.commit()


async def run(residents: int, limit: float, base_url: str, folder: Path) -> None:
    """Open a wave for every resident and send the invitations; print the figures."""
    settings = Settings(
        data_dir=folder, database_url=f"sqlite+aiosqlite:///{folder / 'bench.db'}", secret="x"
    )
    services = await Services.open(settings)
    await seed(services, residents)
    wave = await create_wave(
        services,
        survey_id="residency-livability",
        name="bench",
        closes_at=datetime.now(UTC) + timedelta(days=14),
        rules={"send_window": "00:00-24:00"},  # the wall clock: any hour the bench runs at
    )
    began = time.perf_counter()
    _, invited = await open_wave(services, wave.id)
    took = time.perf_counter() - began
    print(f"invitations created: {invited} in {took:.1f}s, RSS {rss_mb():.0f} MB")
    bot = Bot(TOKEN, base_url=base_url, request=HTTPXRequest(connection_pool_size=64))
    checkpoints = [n for n in (5_000, 10_000, 20_000) if n <= residents] or [residents]
    samples: list[tuple[int, float, float]] = []
    async with bot:
        deliveries = {Channel.TELEGRAM: TelegramDelivery(bot)}
        sender = InvitationSender(deliveries, services, Pacer(per_second=limit))
        started = time.perf_counter()

        async def watch() -> None:
            while checkpoints:
                done = sender.tally.sent + sender.tally.failed + sender.tally.blocked
                if done >= checkpoints[0]:
                    samples.append((checkpoints.pop(0), time.perf_counter() - started, rss_mb()))
                await asyncio.sleep(0.2)

        watcher = asyncio.create_task(watch())
        tally = await sender.run(wave.id)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.3)
        watcher.cancel()
    rate = tally.sent / elapsed
    print(
        f"sent {tally.sent}, failed {tally.failed}, blocked {tally.blocked}, 429 retries "
        f"{tally.retried} in {elapsed:.1f}s: {rate:.2f} msg/s = {rate / limit:.1%} of {limit:g}/s"
    )
    for count, at, mb in samples:
        print(f"  at {count:>6} sent ({at:6.1f}s): RSS {mb:.0f} MB")
    await services.close()


def main() -> None:
    """Start the server process, run the benchmark, stop the server."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--limit", type=float, default=30.0, help="global messages/s")
    args = parser.parse_args()
    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    process = multiprocessing.Process(
        target=serve, args=(ports, args.residents, args.limit), daemon=True
    )
    process.start()
    try:
        port = ports.get(timeout=120)
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(
                run(args.residents, args.limit, f"http://127.0.0.1:{port}/bot", Path(folder))
            )
    finally:
        process.terminate()
        process.join(5)


if __name__ == "__main__":
    main()
