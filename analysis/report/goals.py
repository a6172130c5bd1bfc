"""Comment goals as a city official reads them, named from the strategy's taxonomy."""

from __future__ import annotations

from collections.abc import Mapping

from analysis.taxonomy import OTHER, bundled_taxonomy

OTHER_NAME = "その他（どの目標にも当たらないもの）"
OTHER_SHORT_NAME = "その他"
SEVERAL_GOALS_NOTE = (
    "1件のご意見が複数の目標に当たることがあるため、目標別件数の合計はご意見の件数より"
    "多くなることがあります。例は1件につき最初の目標の下にだけ載せています。"
)


def goal_name(goal: str, *, short: bool = False) -> str:
    """`目標1 雇用の確保・創出` from the taxonomy's focus; unknown codes as stored.

    ``short`` names the other class just その他, where a button or a line has little room."""
    if goal == OTHER:
        return OTHER_SHORT_NAME if short else OTHER_NAME
    try:
        return f"目標{goal} {bundled_taxonomy().goal(goal).focus}"
    except KeyError:
        return goal


def goal_title(goal: str) -> str:
    """The basic goal's full title from the strategy (empty for その他 and unknown codes)."""
    try:
        return bundled_taxonomy().goal(goal).title
    except KeyError:
        return ""


def distinct_examples(examples: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Each example under the first goal that lists it only, goals without examples dropped."""
    seen: set[str] = set()
    kept: dict[str, tuple[str, ...]] = {}
    for goal, texts in examples.items():
        fresh = tuple(t for t in dict.fromkeys(texts) if t not in seen)
        seen.update(fresh)
        if fresh:
            kept[goal] = fresh
    return kept
