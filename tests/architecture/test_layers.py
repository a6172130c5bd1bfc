"""The walls of DESIGN.md: dependencies point one way, and the pure core has no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What each package may import from the project (everything else is a wall).
ALLOWED = {
    "surveys": {"surveys"},
    "storage": {"storage", "surveys"},
    "analysis": {"analysis", "surveys"},
}
PROJECT = {"bot", "surveys", "storage", "analysis"}


def _imports(path: Path) -> set[str]:
    """The project modules a file imports (at any depth, TYPE_CHECKING blocks included)."""
    return {name for name in _all_imports(path) if name.split(".")[0] in PROJECT}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_what_its_layer_allows(package: str) -> None:
    crossings = {
        f"{_module(path)} → {name}"
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        for name in _imports(path)
        if name.split(".")[0] not in ALLOWED[package]
    }
    assert crossings == set()


# The application core is channel-neutral: no Telegram, no adapter, no console.
CORE_FORBIDDEN = ("telegram", "bot.telegram", "bot.console", "bot.line")


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_the_application_core_imports_no_channel_or_adapter() -> None:
    crossings = {
        f"{_module(path)} → {name}"
        for path in (ROOT / "bot" / "app").rglob("*.py")
        for name in _all_imports(path)
        if any(_within(name, forbidden) for forbidden in CORE_FORBIDDEN)
    }
    assert crossings == set()


# Adapters stand side by side: none imports another, and only the demo command reaches the
# demo's stand-ins (the Bot API and LINE platform stand-ins are not production code).
ADAPTER_WALLS = {
    "bot/console": ("telegram", "bot.telegram", "bot.line"),
    "bot/telegram": ("bot.console", "bot.line"),
    "bot/line": ("telegram", "bot.telegram", "bot.console"),
}
DEMO_USERS = {"bot.cli.demo"}
# Debt, named so it cannot grow (none today: each channel's Delivery maps its own errors to
# bot/app/delivery.py's).
KNOWN_CROSSINGS: set[str] = set()


@pytest.mark.parametrize("adapter", sorted(ADAPTER_WALLS))
def test_an_adapter_imports_no_other_adapter(adapter: str) -> None:
    crossings = {
        f"{_module(path)} → {name}"
        for path in (ROOT / adapter).rglob("*.py")
        for name in _all_imports(path)
        if any(_within(name, forbidden) for forbidden in ADAPTER_WALLS[adapter])
    }
    assert crossings - KNOWN_CROSSINGS == set()


def test_only_the_demo_command_reaches_the_demo_and_its_stand_ins() -> None:
    crossings = {
        f"{_module(path)} → {name}"
        for path in (ROOT / "bot").rglob("*.py")
        if "demo" not in path.relative_to(ROOT / "bot").parts[:1]
        and _module(path) not in DEMO_USERS
        for name in _all_imports(path)
        if _within(name, "bot.demo")
    }
    assert crossings == set()


def test_the_survey_core_has_no_import_cycle() -> None:
    graph = {
        _module(path): {name for name in _imports(path) if name.startswith("surveys.")}
        for path in (ROOT / "surveys").glob("*.py")
    }
    done: set[str] = set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, " → ".join((*trail[trail.index(module) :], module))
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, (*trail, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_wiring_is_explicit_no_module_discovers_others_by_scanning() -> None:
    scanners = {
        _module(path)
        for package in ("bot", "surveys", "storage", "analysis")
        for path in (ROOT / package).rglob("*.py")
        if "pkgutil" in {name.split(".")[0] for name in _all_imports(path)}
    }
    assert scanners == set()


def _all_imports(path: Path) -> set[str]:
    """Every module a file imports, the standard library's included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found
