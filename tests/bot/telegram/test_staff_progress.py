"""The admin's invitation progress line never says 'done' while invitations are in flight."""

from __future__ import annotations

from bot.telegram.staff import progress_text


def test_invitations_being_sent_are_not_done() -> None:
    text = progress_text(3, {"sent": 5, "sending": 2, "pending": 0})
    assert "送信中" in text and "5/7" in text


def test_all_outcomes_recorded_is_done() -> None:
    text = progress_text(3, {"sent": 5, "failed": 1, "blocked": 1})
    assert "送信完了 7/7" in text and "失敗 1" in text and "ブロック 1" in text
