"""Themes: the recurring topics residents write about within each goal (local, deterministic)."""

from analysis.themes.model import (
    NOTE,
    GoalThemes,
    Theme,
    ThemeComment,
    ThemeOptions,
    find_themes,
)

__all__ = ["NOTE", "GoalThemes", "Theme", "ThemeComment", "ThemeOptions", "find_themes"]
