"""The strategy's goal areas (基本目標, 基本的方向, 具体的施策, 横断的な目標) loaded from data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

GOAL_IDS: tuple[str, ...] = ("1", "2", "3", "4")
OTHER = "other"
LABELS: tuple[str, ...] = (*GOAL_IDS, OTHER)


@dataclass(frozen=True)
class Measure:
    """A specific measure (具体的施策) under a basic direction."""

    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Direction:
    """A basic direction (基本的方向) of a basic goal."""

    id: str
    title: str
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class Goal:
    """A basic goal (基本目標), the unit comments are sorted into."""

    id: str
    title: str
    focus: str
    description: str
    indicators: tuple[str, ...]
    directions: tuple[Direction, ...]


@dataclass(frozen=True)
class Theme:
    """A theme of a cross-cutting goal and the basic goals it serves."""

    title: str
    goals: tuple[str, ...]


@dataclass(frozen=True)
class CrossCuttingGoal:
    """A cross-cutting goal (横断的な目標) that runs through all basic goals."""

    id: str
    title: str
    description: str
    themes: tuple[Theme, ...]


@dataclass(frozen=True)
class LabellingGuide:
    """The short form of the labelling guide: one line per label and the hard cases."""

    labels: dict[str, str]
    hard_cases: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    """The whole structure of the strategy."""

    source: str
    goals: tuple[Goal, ...]
    cross_cutting: tuple[CrossCuttingGoal, ...]
    guide: LabellingGuide = LabellingGuide({}, ())

    def goal(self, goal_id: str) -> Goal:
        """Return the basic goal with this id."""
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        raise KeyError(goal_id)

    def training_texts(self) -> list[tuple[str, tuple[str, ...]]]:
        """Return the taxonomy's own wording as labelled (text, goals) rows."""
        rows: list[tuple[str, tuple[str, ...]]] = []
        for goal in self.goals:
            rows.append((goal.description, (goal.id,)))
            for direction in goal.directions:
                rows.append((direction.title, (goal.id,)))
                for measure in direction.measures:
                    rows.append((f"{measure.title}。{measure.description}", (goal.id,)))
        return rows


def _measure(direction_id: str, index: int, raw: dict[str, Any]) -> Measure:
    return Measure(f"{direction_id}-{index}", str(raw["title"]), str(raw["description"]))


def _direction(raw: dict[str, Any]) -> Direction:
    measures = tuple(_measure(raw["id"], i, m) for i, m in enumerate(raw["measures"], start=1))
    return Direction(str(raw["id"]), str(raw["title"]), measures)


def _goal(raw: dict[str, Any]) -> Goal:
    return Goal(
        id=str(raw["id"]),
        title=str(raw["title"]),
        focus=str(raw["focus"]),
        description=str(raw["description"]),
        indicators=tuple(str(i) for i in raw.get("indicators", [])),
        directions=tuple(_direction(d) for d in raw["directions"]),
    )


def _cross_cutting(raw: dict[str, Any]) -> CrossCuttingGoal:
    themes = tuple(Theme(str(t["title"]), tuple(str(g) for g in t["goals"])) for t in raw["themes"])
    return CrossCuttingGoal(str(raw["id"]), str(raw["title"]), str(raw["description"]), themes)


def _guide(raw: dict[str, Any]) -> LabellingGuide:
    labels = {str(label): str(line) for label, line in raw.get("goals", {}).items()}
    if labels and tuple(labels) != LABELS:
        raise ValueError(f"the labelling guide needs one line for each of {', '.join(LABELS)}")
    return LabellingGuide(labels, tuple(str(case) for case in raw.get("hard_cases", [])))


def parse_taxonomy(raw: dict[str, Any]) -> Taxonomy:
    """Build a taxonomy from its parsed YAML mapping."""
    taxonomy = Taxonomy(
        source=str(raw.get("source", "")),
        goals=tuple(_goal(g) for g in raw["goals"]),
        cross_cutting=tuple(_cross_cutting(c) for c in raw.get("cross_cutting", [])),
        guide=_guide(raw.get("labelling_guide", {})),
    )
    if tuple(g.id for g in taxonomy.goals) != GOAL_IDS:
        raise ValueError(f"taxonomy goals must be {', '.join(GOAL_IDS)}")
    return taxonomy


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load the taxonomy from a YAML file (the bundled one by default)."""
    if path is None:
        return bundled_taxonomy()
    return parse_taxonomy(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def bundled_taxonomy() -> Taxonomy:
    """Return the taxonomy shipped with machikoe."""
    text = resources.files("analysis").joinpath("data/taxonomy.yaml").read_text(encoding="utf-8")
    return parse_taxonomy(yaml.safe_load(text))
