"""Waves know channels: `--channel telegram|line|both`, counts by channel in `wave show`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.cli.conftest import Machikoe, lines


@pytest.fixture
def machikoe(migrated_database_url: str, tmp_path: Path) -> Machikoe:
    """The CLI on a fresh migrated database."""
    return Machikoe(migrated_database_url, tmp_path / "data")


def created(machikoe: Machikoe, *extra: str) -> tuple[int, str]:
    """`wave create` of the bundled survey: its id and the line describing it."""
    result = machikoe("wave", "create", "--survey", "residency-livability", *extra)
    assert result.exit_code == 0, result.output
    out = lines(result)
    return int(out[-1]), out[0]


def test_a_wave_reaches_both_channels_unless_told(machikoe: Machikoe) -> None:
    _, described = created(machikoe)
    assert "audience everyone subscribed" in described
    _, described = created(machikoe, "--channel", "line", "--audience", "age_band=30s")
    assert "audience age_band=30s; channel=line" in described


def test_edit_changes_the_channel_and_keeps_the_profile_filters(machikoe: Machikoe) -> None:
    wave_id, _ = created(machikoe, "--audience", "age_band=30s")
    edited = machikoe("wave", "edit", str(wave_id), "--channel", "telegram")
    assert "audience age_band=30s; channel=telegram" in edited.output
    edited = machikoe("wave", "edit", str(wave_id), "--channel", "both")
    assert "audience age_band=30s," in edited.output or "audience age_band=30s\n" in edited.output
    assert "channel" not in lines(edited)[0]


def test_a_channel_that_does_not_exist_is_refused(machikoe: Machikoe) -> None:
    result = machikoe("wave", "create", "--survey", "residency-livability", "--channel", "fax")
    assert result.exit_code != 0 and "fax" in result.output


def test_wave_show_counts_by_channel(machikoe: Machikoe) -> None:
    from sqlalchemy import text

    wave_id, _ = created(machikoe)

    async def answered(factory):  # type: ignore[no-untyped-def]
        async with factory() as uow:
            await uow.begin_write()
            for number, (mode, status) in enumerate(
                [("chat", "complete"), ("line", "complete"), ("line", "partial")], start=1
            ):
                await uow.session.execute(
                    text(
                        "INSERT INTO respondents (id, key, consent, language, created_at) "
                        "VALUES (:n, :k, 'given', 'ja', '2026-06-01 00:00:00+00')"
                    ),
                    {"n": number, "k": f"key{number}"},
                )
                await uow.session.execute(
                    text(
                        "INSERT INTO responses (wave_id, respondent_id, respondent_ref, mode, "
                        "status, started_at, updated_at) VALUES (:w, :n, :k, :m, :s, "
                        "'2026-06-01 00:00:00+00', '2026-06-01 00:00:00+00')"
                    ),
                    {"w": wave_id, "n": number, "k": f"key{number}", "m": mode, "s": status},
                )
            await uow.commit()

    machikoe.seed(answered)
    shown = machikoe("wave", "show", str(wave_id))
    assert "by channel: Telegram started 1 completed 1; LINE started 2 completed 1" in shown.output
