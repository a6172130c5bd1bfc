"""How well goals are predicted: per-goal precision, recall and F1 of the primary goal (with its
confusion matrix and a reliability table of the confidence) and of every goal a comment touches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from analysis.taxonomy import LABELS

RELIABILITY_BINS = 10


@dataclass(frozen=True)
class GoalScore:
    """Precision, recall and F1 of one label, with how many comments truly carry it."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ReliabilityBin:
    """Comments whose confidence fell in [low, high): how sure the model was, how often right."""

    low: float
    high: float
    comments: int
    mean_confidence: float
    accuracy: float


@dataclass(frozen=True)
class Evaluation:
    """Primary-goal scores per label and their macro F1; the same for all goals touched."""

    per_goal: dict[str, GoalScore]
    macro_f1: float
    comments: int
    goals: dict[str, GoalScore]
    goals_macro_f1: float
    confusion: tuple[tuple[int, ...], ...] = ()
    reliability: tuple[ReliabilityBin, ...] = ()

    def calibration_error(self) -> float:
        """Expected calibration error: the comment-weighted gap between confidence and accuracy."""
        total = sum(b.comments for b in self.reliability)
        gap = sum(b.comments * abs(b.mean_confidence - b.accuracy) for b in self.reliability)
        return gap / total if total else 0.0

    def as_dict(self) -> dict[str, object]:
        """Return plain data for metadata and reports."""
        return {
            "macro_f1": round(self.macro_f1, 4),
            "goals_macro_f1": round(self.goals_macro_f1, 4),
            "comments": self.comments,
            "calibration_error": round(self.calibration_error(), 4),
            "per_goal": _plain(self.per_goal),
            "goals": _plain(self.goals),
            "confusion": [list(row) for row in self.confusion],
        }


def _plain(scores: dict[str, GoalScore]) -> dict[str, dict[str, float]]:
    return {
        label: {
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
            "support": s.support,
        }
        for label, s in scores.items()
    }


def _scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, GoalScore]:
    """Per-label scores; truth and predicted are label arrays or 0/1 label matrices."""
    precision, recall, f1, support = precision_recall_fscore_support(
        truth,
        predicted,
        labels=range(len(LABELS)) if truth.ndim == 2 else list(LABELS),
        zero_division=0.0,
    )
    return {
        label: GoalScore(float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(LABELS, precision, recall, f1, support, strict=True)
    }


def macro_f1(scores: dict[str, GoalScore]) -> float:
    """The mean F1 over the labels the comments truly carry (a label nobody wrote is no test)."""
    present = [s.f1 for s in scores.values() if s.support]
    return float(np.mean(present)) if present else 0.0


def _label_matrix(labels: Sequence[Sequence[str]]) -> np.ndarray:
    matrix = np.zeros((len(labels), len(LABELS)), dtype=np.int64)
    for row, goals in enumerate(labels):
        for goal in goals:
            matrix[row, LABELS.index(goal)] = 1
    return matrix


def reliability(correct: np.ndarray, confidence: np.ndarray) -> tuple[ReliabilityBin, ...]:
    """Group comments by confidence into equal-width bins; the empty bins are left out."""
    edges = np.linspace(0.0, 1.0, RELIABILITY_BINS + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, RELIABILITY_BINS - 1)
    bins = []
    for i in range(RELIABILITY_BINS):
        inside = which == i
        if inside.any():
            bins.append(
                ReliabilityBin(
                    float(edges[i]),
                    float(edges[i + 1]),
                    int(inside.sum()),
                    float(confidence[inside].mean()),
                    float(correct[inside].mean()),
                )
            )
    return tuple(bins)


def score(
    truth: Sequence[Sequence[str]],
    predicted: Sequence[Sequence[str]],
    truth_primary: Sequence[str] | None = None,
    predicted_primary: Sequence[str] | None = None,
    confidence: Sequence[float] | None = None,
) -> Evaluation:
    """Compare true and predicted goals (primary = the first goal unless given)."""
    true_primary = np.array(truth_primary or [t[0] for t in truth], dtype=object)
    guessed = np.array(predicted_primary or [p[0] for p in predicted], dtype=object)
    per_goal = _scores(true_primary, guessed)
    goals = _scores(_label_matrix(truth), _label_matrix(predicted))
    confusion = confusion_matrix(true_primary, guessed, labels=list(LABELS)) if len(truth) else []
    bins: tuple[ReliabilityBin, ...] = ()
    if confidence is not None and len(truth):
        bins = reliability(true_primary == guessed, np.asarray(confidence, dtype=float))
    return Evaluation(
        per_goal=per_goal,
        macro_f1=macro_f1(per_goal),
        comments=len(truth),
        goals=goals,
        goals_macro_f1=macro_f1(goals),
        confusion=tuple(tuple(int(v) for v in row) for row in confusion),
        reliability=bins,
    )
