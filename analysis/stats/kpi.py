"""KPI progress by the strategy's method: linear expected value and 達成度 (achievement)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import yaml

ACHIEVED = "達成"
ON_TRACK = "概ね順調"
BEHIND = "遅れ"


class TargetsError(ValueError):
    """A targets file that cannot be used; the message is one line for staff."""


@dataclass(frozen=True)
class Target:
    """An indicator's baseline and final-year target, values in percent."""

    baseline_year: int
    baseline: float
    target_year: int
    target: float

    def expected(self, year: int) -> float:
        """The value expected in a year, linear between baseline and target (held outside)."""
        span = self.target_year - self.baseline_year
        elapsed = min(max(year - self.baseline_year, 0), span)
        return self.baseline + (self.target - self.baseline) * elapsed / span


@dataclass(frozen=True)
class KpiProgress:
    """Progress of an indicator against its target in a year (values and achievement in %)."""

    year: int
    actual: float
    baseline: float
    target: float
    expected: float
    achievement: float | None
    """None when the expected value equals the baseline (no progress was expected yet)."""
    status: str


def status_for(achievement: float) -> str:
    """達成 at 100 % or more, 概ね順調 at 70 % or more, 遅れ otherwise."""
    rounded = round(achievement, 9)
    if rounded >= 100:
        return ACHIEVED
    if rounded >= 70:
        return ON_TRACK
    return BEHIND


def kpi_progress(target: Target, actual: float, year: int) -> KpiProgress:
    """達成度 = (actual − baseline) / (expected − baseline) × 100 and its status."""
    expected = target.expected(year)
    gap = expected - target.baseline
    if abs(gap) < 1e-12:
        rising = target.target >= target.baseline
        reached = actual >= target.baseline if rising else actual <= target.baseline
        status = ACHIEVED if reached else BEHIND
        return KpiProgress(year, actual, target.baseline, target.target, expected, None, status)
    achievement = (actual - target.baseline) / gap * 100
    return KpiProgress(
        year, actual, target.baseline, target.target, expected, achievement, status_for(achievement)
    )


def load_targets(path: str | Path, known: Collection[str] | None = None) -> dict[str, Target]:
    """Read a targets YAML file: `indicators: {id: {baseline: {year, value}, target: {...}}}`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise TargetsError(f"{p}: cannot read targets file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise TargetsError(f"{p}: targets file is not UTF-8 text") from None
    return parse_targets(text, source=str(p), known=known)


def parse_targets(
    text: str, source: str = "targets", known: Collection[str] | None = None
) -> dict[str, Target]:
    """Parse targets YAML text; errors name the line and the field's path."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise TargetsError(f"{source}{where}: {problem}") from None
    top = _mapping(root, source, "(top level)")
    if "indicators" not in top:
        raise TargetsError(f"{source}: missing key 'indicators'")
    indicators = _mapping(top["indicators"], source, "indicators")
    targets: dict[str, Target] = {}
    for indicator, node in indicators.items():
        where = f"indicators.{indicator}"
        if known is not None and indicator not in known:
            raise _error(source, node, f"{where}: unknown indicator (known: {', '.join(known)})")
        fields = _mapping(node, source, where)
        points = {}
        for key in ("baseline", "target"):
            if key not in fields:
                raise _error(source, node, f"{where}: missing '{key}'")
            point = _mapping(fields[key], source, f"{where}.{key}")
            year = _year(point, source, f"{where}.{key}", fields[key])
            value = _percent(point, source, f"{where}.{key}", fields[key])
            points[key] = (year, value)
        (b_year, b_value), (t_year, t_value) = points["baseline"], points["target"]
        if t_year <= b_year:
            raise _error(
                source, fields["target"], f"{where}.target.year: must be after the baseline year"
            )
        targets[indicator] = Target(b_year, b_value, t_year, t_value)
    return targets


def _error(source: str, node: yaml.Node, message: str) -> TargetsError:
    """A one-line error naming the node's line."""
    return TargetsError(f"{source} line {node.start_mark.line + 1}: {message}")


def _mapping(node: yaml.Node | None, source: str, where: str) -> dict[str, yaml.Node]:
    """A mapping node as a dict of scalar keys to nodes."""
    if not isinstance(node, yaml.MappingNode):
        if node is None:
            raise TargetsError(f"{source}: empty file")
        raise _error(source, node, f"{where}: expected a mapping")
    result: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = str(key.value)
        if name in result:
            raise _error(source, key, f"{where}.{name}: duplicate key")
        result[name] = value
    return result


def _scalar(
    fields: dict[str, yaml.Node], key: str, source: str, where: str, parent: yaml.Node
) -> yaml.ScalarNode:
    """The scalar node under a key, or a clear error."""
    if key not in fields:
        raise _error(source, parent, f"{where}: missing '{key}'")
    node = fields[key]
    if not isinstance(node, yaml.ScalarNode):
        raise _error(source, node, f"{where}.{key}: expected a number")
    return node


def _year(fields: dict[str, yaml.Node], source: str, where: str, parent: yaml.Node) -> int:
    """A four-digit year."""
    node = _scalar(fields, "year", source, where, parent)
    text = str(node.value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise _error(source, node, f"{where}.year: {text!r} is not a year like 2024")
    return int(text)


def _percent(fields: dict[str, yaml.Node], source: str, where: str, parent: yaml.Node) -> float:
    """A percentage between 0 and 100."""
    node = _scalar(fields, "value", source, where, parent)
    text = str(node.value).strip()
    try:
        value = float(text)
    except ValueError:
        raise _error(source, node, f"{where}.value: {text!r} is not a number") from None
    if not 0 <= value <= 100:
        raise _error(source, node, f"{where}.value: {value:g} is not a percentage (0-100)")
    return value
