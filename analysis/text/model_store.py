"""Save and load comment classifiers with skops (no bare pickle), with their metadata."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import skops.io as sio

from analysis.text.classifier import CommentClassifier

MODEL_FORMAT = 3
"""3: scikit-learn tf-idf and a primary-goal model; 2: numpy n-gram features; 1: no primary goal."""
MODEL_FILE = "comment_classifier.skops"
COMPARISONS_FILE = "comparisons.jsonl"
"""Beside the model: one line per retraining, kept or not, with both models' test figures."""

# Every type a saved classifier contains; anything else in a file is refused. Older formats hold
# only types from this list too, so an old file is recognised and refused with a "retrain" message.
TRUSTED_TYPES: list[str] = [
    "analysis.text.classifier.CommentClassifier",
    "analysis.text.tokens.Lemmatiser",
    "analysis.text.tokens.normalise",
    "analysis.text.tokens.preprocess",
    "builtins.slice",
    "numpy.dtype",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "numpy.str_",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.svm._classes.LinearSVC",
]


class ModelFileError(ValueError):
    """A model file is missing, damaged or holds types that are not trusted."""


class OutdatedModelError(ModelFileError):
    """The model file was written by an older machikoe: it must be retrained, not loaded."""


@dataclass(frozen=True)
class ModelInfo:
    """What a saved model is: version, when and on how much it was trained, how well it does."""

    version: str
    trained_at: str
    training_size: int
    cv_metrics: dict[str, Any] = field(default_factory=dict)
    test_macro_f1: float | None = None
    test_metrics: dict[str, Any] = field(default_factory=dict)
    """Each fixed test set's figures, by the set's name."""
    extra_labels: int = 0
    review_below: float | None = None
    """Primary-goal confidence under which a comment goes to review (chosen on validation)."""
    comparison: dict[str, Any] = field(default_factory=dict)
    """The retraining that made this model: the model it replaced and both one's test figures."""


@dataclass(frozen=True)
class TrainedModel:
    """A fitted classifier together with its metadata."""

    classifier: CommentClassifier
    info: ModelInfo


def default_model_path(data_dir: Path) -> Path:
    """Return where the current model lives under a data directory."""
    return Path(data_dir) / "models" / MODEL_FILE


def save_model(model: TrainedModel, path: Path) -> None:
    """Write the model atomically in skops format."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": MODEL_FORMAT, "info": asdict(model.info), "classifier": model.classifier}
    partial = path.with_name(path.name + ".partial")
    sio.dump(payload, partial)
    partial.replace(path)


def load_model(path: Path) -> TrainedModel:
    """Load a model saved by save_model, refusing any type outside TRUSTED_TYPES."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"no model file at {path}")
    try:
        untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
        if untrusted:
            raise ModelFileError(f"{path.name} holds untrusted types: {', '.join(untrusted)}")
        payload = sio.load(path, trusted=TRUSTED_TYPES)
    except ModelFileError:
        raise
    except Exception as error:
        raise ModelFileError(
            f"{path.name} is not a readable model ({type(error).__name__})"
        ) from None
    old_format = isinstance(payload, dict) and isinstance(payload.get("format"), int)
    if old_format and payload["format"] < MODEL_FORMAT:
        raise OutdatedModelError(
            f"{path.name} was saved by an older version (format {payload['format']}); "
            "retrain it with `machikoe model train`"
        )
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise ModelFileError(f"{path.name} is not a machikoe model of format {MODEL_FORMAT}")
    classifier = payload["classifier"]
    if not isinstance(classifier, CommentClassifier):
        raise ModelFileError(f"{path.name} does not hold a comment classifier")
    return TrainedModel(classifier, ModelInfo(**payload["info"]))
