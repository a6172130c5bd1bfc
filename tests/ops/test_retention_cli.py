"""`machikoe retention show|apply`: the policy in words, dry runs, repeated runs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from storage.db import UnitOfWork
from tests.builders import make_respondent, make_response, make_wave
from tests.ops.conftest import OpsCli


def _seed_idle_resident(ops_cli: OpsCli) -> int:
    """A resident who answered a wave of 2025 that is closed (long idle by now)."""

    async def work(uow_factory: Callable[[], UnitOfWork]) -> int:
        wave = await make_wave(uow_factory, status="closed")
        resident = await make_respondent(uow_factory)
        await make_response(uow_factory, wave.id, resident, answers={"livability": "livable"})
        return resident.id

    return ops_cli.seed(work)


def _has_contact(ops_cli: OpsCli, respondent_id: int) -> bool:
    async def work(uow_factory: Callable[[], UnitOfWork]) -> bool:
        async with uow_factory() as uow:
            return await uow.contacts.get(respondent_id) is not None

    return ops_cli.seed(work)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_show_dry_run_and_apply_agree_and_repeat_safely(ops_cli: OpsCli) -> None:
    resident_id = _seed_idle_resident(ops_cli)
    days = {"contact_retention_days": "30"}

    shown = ops_cli("retention", "show", **days)
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines() == [
        "contacts of residents idle and in no open wave: after 30 day(s)",
        "raw comments of closed waves, masked: kept (no retention configured)",
        "now: would remove 1 contact(s); would mask 0 answer(s) (waves: none)",
    ]
    dry = ops_cli("retention", "apply", "--dry-run", **days)
    assert dry.output.strip() == "would remove 1 contact(s); would mask 0 answer(s) (waves: none)"
    assert _has_contact(ops_cli, resident_id)

    applied = ops_cli("retention", "apply", **days)
    assert applied.output.strip() == "removed 1 contact(s); masked 0 answer(s) (waves: none)"
    assert not _has_contact(ops_cli, resident_id)
    again = ops_cli("retention", "apply", **days)
    assert again.output.strip() == "removed 0 contact(s); masked 0 answer(s) (waves: none)"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_apply_without_a_policy_or_with_a_bad_one_is_one_line(ops_cli: OpsCli) -> None:
    resident_id = _seed_idle_resident(ops_cli)
    missing = ops_cli("retention", "apply")
    assert missing.exit_code == 1
    assert missing.output.startswith("error: no retention configured;")
    bad = ops_cli("retention", "apply", contact_retention_days="soon")
    assert bad.exit_code == 1
    assert bad.output.strip() == "error: MACHIKOE_CONTACT_RETENTION_DAYS: not an integer: 'soon'"
    negative = ops_cli("retention", "show", retention_days="-5")
    assert negative.output.strip() == "error: retention days must be 0 or more, not -5"
    assert _has_contact(ops_cli, resident_id)
