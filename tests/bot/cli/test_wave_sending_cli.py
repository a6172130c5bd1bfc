"""`machikoe wave`: sending hours and reminder rules per wave, what waits, results back once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.db import UnitOfWork
from tests.bot.cli.conftest import create, fails, ok, query

NOW = datetime(2025, 4, 1, tzinfo=UTC)
DEFAULT_RULES = "reminders at most 2 per resident, messages 24h apart at least"


async def subscribed(uow: UnitOfWork, count: int) -> None:
    """`count` consenting residents with a chat (keys send-0, send-1, …)."""
    for number in range(count):
        person = await uow.respondents.get_or_create(f"send-{number}", NOW)
        await uow.respondents.set_consent(person.id, "given", NOW)
        await uow.contacts.upsert(person.id, 7000 + number, NOW)


def answer(url: str, wave_id: int, keys: list[str]) -> None:
    """These residents complete the wave's survey."""

    async def work(uow: UnitOfWork) -> None:
        for key in keys:
            person = await uow.respondents.get_by_key(key)
            response = await uow.responses.start(wave_id, person.id, person.key, NOW)
            await uow.responses.submit(response.id, {}, NOW)

    query(url, work)


def test_the_sending_rules_are_set_by_create_and_edit(migrated_database_url: str) -> None:
    url = migrated_database_url
    wave_id = create(url, "--send-window", "10:00-19:00", "--max-reminders", "1", "--min-gap", "2d")
    shown = ok(url, "wave", "show", str(wave_id))
    assert (
        "sending: hours 10:00-19:00, reminders at most 1 per resident, messages 48h apart at least"
        in shown
    )
    ok(url, "wave", "edit", str(wave_id), "--max-reminders", "3")
    wave = query(url, lambda uow: uow.waves.get(wave_id))
    assert wave.contact_rules == {
        "send_window": "10:00-19:00",  # not given to edit: kept
        "max_reminders": 3,
        "min_gap_hours": 48,
    }
    default = create(url)
    shown = ok(url, "wave", "show", str(default))
    assert f"sending: hours 09:00-20:00, {DEFAULT_RULES}" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--send-window", "9-20"], 'not a sending window: "9-20"'),
        (["--send-window", "10:00-10:00"], "starts and ends at the same time"),
        (["--min-gap", "soon"], 'not a gap: "soon"'),
    ],
)
def test_bad_sending_rules_are_one_line_errors(
    migrated_database_url: str, args: list[str], message: str
) -> None:
    url = migrated_database_url
    assert message in fails(url, "wave", "create", "--survey", "residency-livability", *args)


def test_show_says_what_waits_for_the_sending_hours(migrated_database_url: str) -> None:
    url = migrated_database_url
    opening = (datetime.now(ZoneInfo("Asia/Tokyo")) + timedelta(hours=2)).replace(
        second=0, microsecond=0
    )
    closing = opening + timedelta(hours=1)
    window = f"{opening:%H:%M}-{closing:%H:%M}"  # opens two hours from now
    wave_id = create(url, "--closes", "+7d", "--send-window", window)
    query(url, lambda uow: subscribed(uow, 3))
    watched = "\n".join(ok(url, "wave", "open", str(wave_id), "--watch"))  # does not hang
    assert f"the rest waits for the sending hours: from {opening:%Y-%m-%d %H:%M}" in watched
    shown = ok(url, "wave", "show", str(wave_id))
    assert f"waiting: 3 messages, next sending {opening:%Y-%m-%d %H:%M}" in shown


def test_results_go_back_once_after_closing_with_a_preview_first(
    migrated_database_url: str,
) -> None:
    url = migrated_database_url
    wave_id = create(url, "--closes", "+7d")
    query(url, lambda uow: subscribed(uow, 3))
    ok(url, "wave", "open", str(wave_id))
    answer(url, wave_id, ["send-0", "send-1"])
    assert "results go back only after it closes" in fails(
        url, "wave", "results-preview", str(wave_id)
    )
    ok(url, "wave", "close", str(wave_id))
    preview = ok(url, "wave", "results-preview", str(wave_id), "--message", "詳しくは市HPへ")
    assert "results would go to 2 residents who answered" in preview[0]
    assert "回答数: 2件" in preview and "詳しくは市HPへ" in preview
    assert any(line.startswith("・住み続けたいと思う市民の割合") for line in preview)
    progress = query(url, lambda uow: uow.invitations.progress(wave_id, kind="results"))
    assert sum(progress.values()) == 0  # a preview sends nothing

    sent = ok(url, "wave", "send-results", str(wave_id), "--message", "詳しくは市HPへ")
    assert "results go to 2 residents" in sent[0]
    assert "already sent back" in fails(url, "wave", "send-results", str(wave_id))
    progress = query(url, lambda uow: uow.invitations.progress(wave_id, kind="results"))
    assert progress["pending"] == 2
    wave = query(url, lambda uow: uow.waves.get(wave_id))
    assert wave.results_message.endswith("市から\n詳しくは市HPへ")
    assert any(
        line.startswith("results sent back: ") for line in ok(url, "wave", "show", str(wave_id))
    )
