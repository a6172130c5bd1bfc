"""Security tests reuse the operations tests' CLI fixture."""

from __future__ import annotations

from tests.ops.conftest import ops_cli

__all__ = ["ops_cli"]
