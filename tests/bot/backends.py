"""The bot's tests run on SQLite unless they ask for both backends (the storage, CLI and
console tests run on both by default): conftests that want this import `backend` from here."""

from __future__ import annotations

import pytest

BOTH_BACKENDS = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
"""Runs a test on SQLite and on PostgreSQL."""


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """SQLite unless a test parametrizes `backend` (indirect) with "postgres"."""
    return str(getattr(request, "param", "sqlite"))
