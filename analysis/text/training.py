"""Train, evaluate and replace the comment classifier."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from analysis.text.classifier import CommentClassifier
from analysis.text.classify import classify_many
from analysis.text.corpus import (
    LabelledComment,
    as_labelled,
    held_out_comments,
    taxonomy_comments,
    training_comments,
)
from analysis.text.metrics import Evaluation, score
from analysis.text.model_store import (
    ModelFileError,
    ModelInfo,
    OutdatedModelError,
    TrainedModel,
    default_model_path,
    load_model,
    save_model,
)

ExtraLabels = Iterable[tuple[str, Iterable[str]] | LabelledComment]


@dataclass(frozen=True)
class RetrainOutcome:
    """Result of a retraining: whether the new model was kept, and both test scores."""

    kept_new: bool
    model: TrainedModel
    new_macro_f1: float
    old_macro_f1: float | None


def evaluate(
    model: TrainedModel | CommentClassifier, rows: Iterable[LabelledComment]
) -> Evaluation:
    """Score the model on labelled comments: per-goal precision, recall, F1 and macro F1."""
    rows = list(rows)
    predicted = [c.goals for c in classify_many(model, [r.text for r in rows])]
    return score([r.goals for r in rows], predicted)


def train(
    extra_labels: ExtraLabels = (),
    base_rows: Iterable[LabelledComment] | None = None,
    test_rows: Iterable[LabelledComment] | None = None,
    **params: Any,
) -> TrainedModel:
    """Train on the corpus, the taxonomy's wording and extra labels; score on the test split."""
    extra = as_labelled(extra_labels)
    base = list(training_comments() if base_rows is None else base_rows)
    rows = base + taxonomy_comments() + extra
    classifier = CommentClassifier(**params).fit([r.text for r in rows], [r.goals for r in rows])
    cv = score([r.goals for r in rows], classifier.cv_predictions_)
    test = evaluate(classifier, held_out_comments() if test_rows is None else test_rows)
    trained_at = datetime.now(UTC)
    info = ModelInfo(
        version=f"{trained_at:%Y%m%d%H%M%S}",
        trained_at=trained_at.isoformat(timespec="seconds"),
        training_size=len(rows),
        cv_metrics=cv.as_dict(),
        test_macro_f1=round(test.macro_f1, 4),
        test_metrics=test.as_dict(),
        extra_labels=len(extra),
    )
    return TrainedModel(classifier, info)


def retrain_if_not_worse(current_path: Path, extra_labels: ExtraLabels = ()) -> RetrainOutcome:
    """Train a new model; save it over the current one only if its test macro F1 is not lower."""
    new = train(extra_labels)
    new_f1 = float(new.info.test_macro_f1 or 0.0)
    try:
        current = load_model(current_path)
    except ModelFileError:
        save_model(new, current_path)
        return RetrainOutcome(True, new, new_f1, None)
    old_f1 = evaluate(current, held_out_comments()).macro_f1
    if new_f1 + 1e-9 >= old_f1:
        save_model(new, current_path)
        return RetrainOutcome(True, new, new_f1, old_f1)
    return RetrainOutcome(False, current, new_f1, old_f1)


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
