"""Response modes: the values stored in `responses.mode`."""

from __future__ import annotations

from surveys.modes import IMPORTED_MODES, ResponseMode


def test_modes_are_the_strings_the_database_stores() -> None:
    assert [mode.value for mode in ResponseMode] == ["chat", "mail", "web", "line"]
    assert ResponseMode("mail") == "mail"


def test_only_mailed_and_web_responses_are_imported() -> None:
    assert set(IMPORTED_MODES) == {ResponseMode.MAIL, ResponseMode.WEB}
