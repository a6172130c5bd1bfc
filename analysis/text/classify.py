"""Classify comments into goal areas, with language checks, masking and review flags."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from analysis.safe_cells import safe_row
from analysis.taxonomy import GOAL_IDS, OTHER
from analysis.text.classifier import CommentClassifier
from analysis.text.language import JAPANESE, detect_language
from analysis.text.tokens import normalise

if TYPE_CHECKING:
    from analysis.text.model_store import TrainedModel

REVIEW_MARGIN = 0.05
MIN_CONFIDENCE = 0.5
BATCH_SIZE = 256
OUTPUT_COLUMNS = ("goal", "goals", "confidence", "needs_review")

Progress = Callable[[int, int], None]


class CommentFileError(ValueError):
    """A comments CSV cannot be classified; the message is one line for the user."""


@dataclass(frozen=True)
class Classification:
    """The goal areas of one comment and how sure the classifier is."""

    goals: tuple[str, ...]
    primary: str
    confidence: float
    needs_review: bool
    language: str
    probabilities: dict[str, float] = field(default_factory=dict)
    masked_text: str = ""


def _classifier(model: TrainedModel | CommentClassifier) -> CommentClassifier:
    return model if isinstance(model, CommentClassifier) else model.classifier


def _decide(
    classifier: CommentClassifier, proba: np.ndarray, masked: Sequence[str]
) -> list[Classification]:
    """Turn a batch of goal probabilities of Japanese comments into classifications."""
    thresholds = classifier.goal_thresholds_
    labels = classifier.labels_from_proba(proba)
    borderline = (np.abs(proba - thresholds) < REVIEW_MARGIN).any(axis=1).tolist()
    results = []
    for goals, row, unsure, text in zip(labels, proba.tolist(), borderline, masked, strict=True):
        other = goals == (OTHER,)
        confidence = 1.0 - max(row) if other else row[GOAL_IDS.index(goals[0])]
        results.append(
            Classification(
                goals=goals,
                primary=goals[0],
                confidence=round(confidence, 4),
                needs_review=unsure or confidence < MIN_CONFIDENCE,
                language=JAPANESE,
                probabilities={goal: round(p, 4) for goal, p in zip(GOAL_IDS, row, strict=True)},
                masked_text=text,
            )
        )
    return results


def _unclassified(language: str, masked: str) -> Classification:
    """A comment that is not Japanese: no goal, marked for review."""
    return Classification(
        goals=(OTHER,),
        primary=OTHER,
        confidence=0.0,
        needs_review=True,
        language=language,
        probabilities=dict.fromkeys(GOAL_IDS, 0.0),
        masked_text=masked,
    )


def classify_many(
    model: TrainedModel | CommentClassifier, texts: Sequence[str]
) -> list[Classification]:
    """Classify comments in one batch; non-Japanese ones are only marked for review."""
    classifier = _classifier(model)
    texts = [normalise(text) for text in texts]
    languages = [detect_language(text) for text in texts]
    japanese = [i for i, lang in enumerate(languages) if lang == JAPANESE]
    others = [i for i, lang in enumerate(languages) if lang != JAPANESE]
    results: list[Classification | None] = [None] * len(texts)
    prepared = classifier.prepare([texts[i] for i in japanese], normalised=True)
    proba = classifier.predict_proba_prepared(prepared)
    decided = _decide(classifier, proba, [mask.text for mask, _ in prepared])
    for text_index, result in zip(japanese, decided, strict=True):
        results[text_index] = result
    for text_index, (mask, _) in zip(
        others, classifier.prepare([texts[i] for i in others], normalised=True), strict=True
    ):
        results[text_index] = _unclassified(languages[text_index], mask.text)
    return [r for r in results if r is not None]


def classify_comment(model: TrainedModel | CommentClassifier, text: str) -> Classification:
    """Classify one comment."""
    return classify_many(model, [text])[0]


def _read_rows(path: Path, text_column: str) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = list(reader.fieldnames or ())
            if not fields:
                raise CommentFileError(f"{path.name}: empty file, expected a header row")
            if text_column not in fields:
                raise CommentFileError(
                    f"{path.name}: no column {text_column!r} (columns: {', '.join(fields)})"
                )
            rows = [dict(row) for row in reader]
    except UnicodeDecodeError:
        raise CommentFileError(f"{path.name}: not UTF-8 text; save it as UTF-8 CSV") from None
    except csv.Error as error:
        raise CommentFileError(f"{path.name}: not a valid CSV ({error})") from None
    except OSError as error:
        raise CommentFileError(f"{path}: cannot read ({error.strerror})") from None
    return fields, rows


def classify_csv(
    model: TrainedModel | CommentClassifier,
    input_path: Path,
    output_path: Path,
    text_column: str = "text",
    progress: Progress | None = None,
) -> int:
    """Add goal, goals, confidence and needs_review columns to a CSV; return rows written."""
    fields, rows = _read_rows(Path(input_path), text_column)
    out_fields = [f for f in fields if f not in OUTPUT_COLUMNS] + list(OUTPUT_COLUMNS)
    try:
        with Path(output_path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(safe_row(list(out_fields)))
            for start in range(0, len(rows), BATCH_SIZE):
                batch = rows[start : start + BATCH_SIZE]
                texts = [row.get(text_column) or "" for row in batch]
                for row, result in zip(batch, classify_many(model, texts), strict=True):
                    row.update(
                        goal=result.primary,
                        goals=";".join(result.goals),
                        confidence=f"{result.confidence:.3f}",
                        needs_review="true" if result.needs_review else "false",
                    )
                    writer.writerow(safe_row([row.get(f) or "" for f in out_fields]))
                if progress is not None:
                    progress(start + len(batch), len(rows))
    except OSError as error:
        raise CommentFileError(f"{output_path}: cannot write ({error.strerror})") from None
    return len(rows)
