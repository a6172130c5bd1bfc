"""`machikoe staff …`: grant, change, list and remove roles."""

from __future__ import annotations

import pytest

from tests.bot.cli.conftest import fails, ok


@pytest.fixture
def backend() -> str:
    """Staff roles are one table: SQLite is enough here."""
    return "sqlite"


def test_staff_roles_can_be_granted_changed_listed_and_removed(migrated_database_url: str) -> None:
    url = migrated_database_url
    assert ok(url, "staff", "list") == ["no staff yet (machikoe staff add USER_ID --role admin)"]
    assert ok(url, "staff", "add", "42", "--role", "admin") == ["user 42 is now admin"]
    assert ok(url, "staff", "add", "42", "--role", "analyst") == ["user 42: admin → analyst"]
    assert ok(url, "staff", "add", "7", "--role", "admin") == ["user 7 is now admin"]
    assert [line.split("\t")[:2] for line in ok(url, "staff", "list")] == [
        ["7", "admin"],
        ["42", "analyst"],
    ]
    assert ok(url, "staff", "remove", "42") == ["user 42 is no longer staff"]
    assert fails(url, "staff", "remove", "42") == "error: user 42 is not staff"
    assert fails(url, "staff", "add", "0", "--role", "admin").startswith("error: not a Telegram")
