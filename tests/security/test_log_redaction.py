"""Logs never carry chat ids, long numbers, bot tokens or answer text (unless configured)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.logging_setup import RedactingFilter, install_redaction, redact
from storage.db import UnitOfWork
from tests.builders import NOW, make_bundled_wave, make_respondent, make_response
from tests.ops.conftest import OpsCli

CHAT_ID = 5_551_234_567
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
COMMENT = f"電話は0294-22-3111、チャットは{CHAT_ID}です"


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A private logger writing formatted lines to a buffer through one handler."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("machikoe.test.redaction")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    yield log, buffer
    log.removeHandler(handler)


def test_redact_hides_ids_numbers_and_tokens_but_keeps_small_numbers() -> None:
    line = f"POST /bot{TOKEN}/sendMessage chat={CHAT_ID} group=-1001234567890 wave 12 answer 345"
    assert (
        redact(line)
        == "POST /bot[token]/sendMessage chat=[number] group=[number] wave 12 answer 345"
    )


def test_installed_filter_redacts_arguments_and_tracebacks(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, buffer = logger
    assert install_redaction(Settings(), log)
    assert install_redaction(Settings(), log)  # a second install adds no second filter
    assert sum(isinstance(f, RedactingFilter) for f in log.handlers[0].filters) == 1
    log.info("sending invitation to chat %d", CHAT_ID)
    try:
        raise RuntimeError(f"Forbidden: bot was blocked by the user {CHAT_ID}")
    except RuntimeError:
        log.exception("send failed")
    output = buffer.getvalue()
    assert str(CHAT_ID) not in output
    assert "sending invitation to chat [number]" in output
    assert "Forbidden: bot was blocked by the user [number]" in output


def test_log_chat_ids_setting_turns_redaction_off(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, buffer = logger
    install_redaction(Settings(), log)
    assert not install_redaction(Settings(log_chat_ids=True), log)
    log.info("chat %d", CHAT_ID)
    assert f"chat {CHAT_ID}" in buffer.getvalue()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_full_cli_run_logs_no_chat_id_or_answer_text(
    ops_cli: OpsCli, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def seed(uow_factory: Callable[[], UnitOfWork]) -> int:
        wave = await make_bundled_wave(uow_factory)
        resident = await make_respondent(uow_factory, chat_id=CHAT_ID)
        await make_response(uow_factory, wave.id, resident, answers={"comment": COMMENT})
        async with uow_factory() as uow:
            await uow.waves.update_status(wave.id, "closed", NOW + timedelta(days=1))
            await uow.commit()
        return wave.id

    wave_id = ops_cli.seed(seed)
    caplog.set_level(logging.INFO)
    days = {"contact_retention_days": "30", "comment_retention_days": "30"}
    runs = [
        ops_cli("-v", "retention", "apply", **days),
        ops_cli("-v", "backup", "--output", str(tmp_path / "b.backup")),
        ops_cli(
            "-v", "export", "responses", "--wave", str(wave_id), "--output", str(tmp_path / "x.csv")
        ),
    ]
    assert [run.exit_code for run in runs] == [0, 0, 0], [run.output for run in runs]
    assert "removed 1 contact(s); masked 1 answer(s)" in runs[0].output
    assert any(isinstance(f, RedactingFilter) for f in caplog.handler.filters)  # CLI installed it
    logging.getLogger("httpx").info("HTTP Request: POST /bot%s/sendMessage %d", TOKEN, CHAT_ID)

    logged = "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])
    assert "retention: 1 contact(s) removed, 1 answer(s) masked" in logged
    for secret in (str(CHAT_ID), TOKEN, COMMENT, "0294-22-3111", "【電話番号】"):
        assert secret not in logged
