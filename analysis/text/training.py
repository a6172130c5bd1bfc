"""Train, evaluate and replace the comment classifier."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from analysis.text.classifier import CommentClassifier
from analysis.text.classify import classify_many
from analysis.text.corpus import (
    LabelledComment,
    as_labelled,
    fixed_test_sets,
    taxonomy_comments,
    training_comments,
)
from analysis.text.metrics import Evaluation, score
from analysis.text.model_store import (
    COMPARISONS_FILE,
    ModelFileError,
    ModelInfo,
    OutdatedModelError,
    TrainedModel,
    default_model_path,
    load_model,
    save_model,
)

ExtraLabels = Iterable[tuple[str, Iterable[str]] | LabelledComment]
TestSets = dict[str, list[LabelledComment]]


@dataclass(frozen=True)
class RetrainOutcome:
    """Result of a retraining: whether the new model was kept, and each test set's macro F1."""

    kept_new: bool
    model: TrainedModel
    comparison: dict[str, Any]

    def figures(self) -> dict[str, tuple[float, float | None]]:
        """Each test set's primary macro-F1: (new model, current model or None)."""
        return {
            name: (pair["new"], pair["current"]) for name, pair in self.comparison["tests"].items()
        }


def evaluate(
    model: TrainedModel | CommentClassifier, rows: Iterable[LabelledComment]
) -> Evaluation:
    """Score the model on labelled comments: primary goal, every goal touched, calibration."""
    rows = list(rows)
    results = classify_many(model, [r.text for r in rows])
    return score(
        [r.goals for r in rows],
        [c.goals for c in results],
        [r.primary for r in rows],
        [c.primary for c in results],
        [c.confidence for c in results],
    )


def train(
    extra_labels: ExtraLabels = (),
    base_rows: Iterable[LabelledComment] | None = None,
    tests: TestSets | None = None,
    **params: Any,
) -> TrainedModel:
    """Train on the corpus, the taxonomy's wording and extra labels; score on the test sets."""
    extra = as_labelled(extra_labels)
    base = list(training_comments() if base_rows is None else base_rows)
    rows = base + taxonomy_comments() + extra
    classifier = CommentClassifier(**params).fit(
        [r.text for r in rows], [r.goals for r in rows], [r.primary for r in rows]
    )
    verdicts = classifier.validation_verdicts()
    validation = score(
        [r.goals for r in rows],
        [v.goals for v in verdicts],
        [r.primary for r in rows],
        [v.primary for v in verdicts],
        [v.confidence for v in verdicts],
    )
    scored = {
        name: evaluate(classifier, test_rows)
        for name, test_rows in (fixed_test_sets() if tests is None else tests).items()
    }
    trained_at = datetime.now(UTC)
    info = ModelInfo(
        version=f"{trained_at:%Y%m%d%H%M%S}",
        trained_at=trained_at.isoformat(timespec="seconds"),
        training_size=len(rows),
        cv_metrics=validation.as_dict(),
        test_macro_f1=round(next(iter(scored.values())).macro_f1, 4) if scored else None,
        test_metrics={name: evaluation.as_dict() for name, evaluation in scored.items()},
        extra_labels=len(extra),
        review_below=classifier.review_below_,
    )
    return TrainedModel(classifier, info)


def compare(new: TrainedModel, current: TrainedModel | None, tests: TestSets) -> dict[str, Any]:
    """Both models' primary macro-F1 on every fixed test set; kept when nowhere lower."""
    figures = {}
    for name, rows in tests.items():
        old = None if current is None else round(evaluate(current, rows).macro_f1, 4)
        figures[name] = {"new": new.info.test_metrics[name]["macro_f1"], "current": old}
    kept = all(f["current"] is None or f["new"] >= f["current"] for f in figures.values())
    return {
        "new_version": new.info.version,
        "current_version": None if current is None else current.info.version,
        "tests": figures,
        "kept_new": kept,
    }


def retrain_if_not_worse(current_path: Path, extra_labels: ExtraLabels = ()) -> RetrainOutcome:
    """Train a new model; save it over the current one only if it is not worse on any test set.

    Every comparison is appended to comparisons.jsonl beside the model; a kept model also
    carries its own in its metadata.
    """
    tests = fixed_test_sets()
    new = train(extra_labels, tests=tests)
    try:
        current: TrainedModel | None = load_model(current_path)
    except ModelFileError:
        current = None
    comparison = compare(new, current, tests)
    record_comparison(current_path, comparison)
    if comparison["kept_new"] or current is None:
        new = TrainedModel(new.classifier, replace(new.info, comparison=comparison))
        save_model(new, current_path)
        return RetrainOutcome(True, new, comparison)
    return RetrainOutcome(False, current, comparison)


def record_comparison(model_path: Path, comparison: dict[str, Any]) -> None:
    """Append one retraining's comparison to the history beside the model."""
    history = Path(model_path).with_name(COMPARISONS_FILE)
    history.parent.mkdir(parents=True, exist_ok=True)
    with history.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(comparison, ensure_ascii=False, sort_keys=True) + "\n")


_training = threading.Lock()


@cache
def _bundled_model() -> TrainedModel:
    return train()


def bundled_model() -> TrainedModel:
    """The model trained on the bundled corpus, once per process."""
    with _training:
        return _bundled_model()


def ensure_model(data_dir: Path) -> TrainedModel:
    """The model under data_dir; the bundled model is saved there when missing or outdated.

    A damaged file raises ModelFileError and is left alone (staff retrain to replace it).
    """
    path = default_model_path(data_dir)
    if path.is_file():
        try:
            return load_model(path)
        except OutdatedModelError:
            pass  # written by an older machikoe: replaced by the bundled model below
    model = bundled_model()
    save_model(model, path)
    return model
