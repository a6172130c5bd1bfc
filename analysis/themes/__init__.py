"""Themes: the recurring topics residents write about within each goal (local, deterministic)."""

from analysis.themes.model import (
    MAX_COMMENTS,
    NOTE,
    GoalThemes,
    Theme,
    ThemeComment,
    ThemeOptions,
    find_themes,
    newest,
    sample_note,
)

__all__ = [
    "MAX_COMMENTS",
    "NOTE",
    "GoalThemes",
    "Theme",
    "ThemeComment",
    "ThemeOptions",
    "find_themes",
    "newest",
    "sample_note",
]
