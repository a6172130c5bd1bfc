"""Updates of different residents run side by side; one resident's stay in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.telegram.update_processor import PerChatUpdateProcessor


def text_update(update_id: int, chat_id: int) -> Update:
    """A resident's text message."""
    user = User(chat_id, "住民", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="こんにちは")
    return Update(update_id, message=message)


async def test_one_residents_burst_holds_one_slot_and_keeps_its_order() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=2)
    release = asyncio.Event()
    done: list[tuple[int, int]] = []

    async def step(chat_id: int, number: int) -> None:
        if chat_id == 1:
            await release.wait()
        done.append((chat_id, number))

    flood = [
        asyncio.create_task(processor.process_update(text_update(n, 1), step(1, n)))
        for n in range(5)
    ]
    other = asyncio.create_task(processor.process_update(text_update(9, 2), step(2, 9)))
    await asyncio.wait_for(other, 2)  # runs while the flooding resident's first step waits
    assert done == [(2, 9)]
    assert processor.current_concurrent_updates == 5
    release.set()
    await asyncio.wait_for(asyncio.gather(*flood), 2)
    assert done[1:] == [(1, n) for n in range(5)]
    assert processor.current_concurrent_updates == 0


async def test_no_more_than_the_limit_run_at_once() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=3)
    running = 0
    most = 0

    async def step() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1

    await asyncio.gather(
        *(processor.process_update(text_update(n, 100 + n), step()) for n in range(10))
    )
    assert most == 3
