"""Classify comments into goal areas, with language checks, masking and review flags."""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.safe_cells import safe_row
from analysis.taxonomy import GOAL_IDS, OTHER
from analysis.text.classifier import CommentClassifier, Verdict
from analysis.text.language import JAPANESE, detect_language
from analysis.text.pii import MaskResult, mask_and_lemmatise, mask_patterns
from analysis.text.tokens import LazyTagger, Words, normalise
from surveys.codec import join_codes

if TYPE_CHECKING:
    from analysis.text.model_store import TrainedModel

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


_taggers = threading.local()


def _tagger() -> LazyTagger:
    """This thread's tagger for finding names (a MeCab tagger is not shared between threads)."""
    tagger: LazyTagger | None = getattr(_taggers, "tagger", None)
    if tagger is None:
        tagger = _taggers.tagger = LazyTagger()
    return tagger


def _mask_and_parse(text: str, tagger: LazyTagger) -> tuple[MaskResult, Words | None]:
    """Mask a normalised comment; its words too when the masked text is the one parsed (no
    names), so the classifier need not parse it again."""
    masked, found = mask_patterns(text)
    words = tagger.words(masked)
    if words.has_names():  # masking names rebuilds the text: the classifier parses it anew
        return mask_and_lemmatise(text, tagger, is_normalised=True)[0], None
    return MaskResult(masked, tuple(sorted(found))), words


def _classifier(model: TrainedModel | CommentClassifier) -> CommentClassifier:
    return model if isinstance(model, CommentClassifier) else model.classifier


def _decided(verdict: Verdict, masked: str) -> Classification:
    """A Japanese comment's classification; unsure ones go to an analyst."""
    return Classification(
        goals=verdict.goals,
        primary=verdict.primary,
        confidence=round(verdict.confidence, 4),
        needs_review=verdict.unsure,
        language=JAPANESE,
        probabilities={
            goal: round(p, 4) for goal, p in zip(GOAL_IDS, verdict.goal_probabilities, strict=True)
        },
        masked_text=masked,
    )


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
    normalised = [normalise(text) for text in texts]
    tagger = _tagger()
    parsed = [_mask_and_parse(text, tagger) for text in normalised]
    masked = [mask.text for mask, _ in parsed]
    languages = [detect_language(text) for text in normalised]
    japanese = [i for i, language in enumerate(languages) if language == JAPANESE]
    with classifier.reusing({mask.text: words for mask, words in parsed if words is not None}):
        verdicts = iter(classifier.verdicts([masked[i] for i in japanese]))
    return [
        _decided(next(verdicts), text) if language == JAPANESE else _unclassified(language, text)
        for text, language in zip(masked, languages, strict=True)
    ]


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
                        goals=join_codes(result.goals),
                        confidence=f"{result.confidence:.3f}",
                        needs_review="true" if result.needs_review else "false",
                    )
                    writer.writerow(safe_row([row.get(f) or "" for f in out_fields]))
                if progress is not None:
                    progress(start + len(batch), len(rows))
    except OSError as error:
        raise CommentFileError(f"{output_path}: cannot write ({error.strerror})") from None
    return len(rows)
