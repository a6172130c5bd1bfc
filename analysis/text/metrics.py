"""Per-goal precision, recall and F1 for multi-label goal predictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.taxonomy import LABELS


@dataclass(frozen=True)
class GoalScore:
    """Precision, recall and F1 of one label, with how many comments truly carry it."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """Scores per label (goals 1-4 and other) and their macro average F1."""

    per_goal: dict[str, GoalScore]
    macro_f1: float
    comments: int

    def as_dict(self) -> dict[str, object]:
        """Return plain data for metadata and reports."""
        return {
            "macro_f1": round(self.macro_f1, 4),
            "comments": self.comments,
            "per_goal": {
                label: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for label, s in self.per_goal.items()
            },
        }


def score(truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> Evaluation:
    """Compare true and predicted label tuples label by label."""
    per_goal = {}
    for label in LABELS:
        tp = sum(label in t and label in p for t, p in zip(truth, predicted, strict=True))
        fp = sum(label not in t and label in p for t, p in zip(truth, predicted, strict=True))
        fn = sum(label in t and label not in p for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_goal[label] = GoalScore(precision, recall, f1, tp + fn)
    macro = sum(s.f1 for s in per_goal.values()) / len(per_goal)
    return Evaluation(per_goal, macro, len(truth))
