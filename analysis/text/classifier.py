"""The comment classifier: scikit-learn tf-idf features (fugashi lemmas and character n-grams)
and linear models, one for the primary goal and one per goal for the other goals it touches."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from analysis.taxonomy import GOAL_IDS, LABELS, OTHER
from analysis.text.tokens import Lemmatiser, Words, normalise, preprocess

THRESHOLD_GRID: tuple[float, ...] = tuple(round(0.15 + 0.025 * i, 3) for i in range(31))
TRUSTED_ACCURACY = 0.8
"""Comments whose primary goal is this likely right (on validation data) skip review."""
BAND = 0.1
MIN_BAND = 10


def goals_to_matrix(labels: Sequence[Iterable[str]]) -> np.ndarray:
    """Turn label tuples (goal ids or "other") into a 0/1 matrix with one column per goal."""
    matrix = np.zeros((len(labels), len(GOAL_IDS)), dtype=np.int64)
    for row, goals in enumerate(labels):
        for goal in goals:
            if goal in GOAL_IDS:
                matrix[row, GOAL_IDS.index(goal)] = 1
            elif goal != OTHER:
                raise ValueError(f"unknown goal {goal!r}: use 1-4 or other")
    return matrix


def best_threshold(truth: np.ndarray, scores: np.ndarray, grid: Sequence[float]) -> float:
    """Return the threshold on scores that maximises F1 for one goal."""
    best, best_f1 = 0.5, -1.0
    positives = truth.sum()
    for threshold in grid:
        predicted = scores >= threshold
        hits = float((predicted & (truth == 1)).sum())
        f1 = 2 * hits / (predicted.sum() + positives) if positives else 0.0
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(threshold), f1
    return best


def review_threshold(correct: np.ndarray, confidence: np.ndarray, accuracy: float) -> float:
    """The lowest confidence from which the primary goal is right at least `accuracy` of the time
    in the band just above it (BAND wide): comments below it go to an analyst."""
    for threshold in THRESHOLD_GRID:
        band = (confidence >= threshold) & (confidence < threshold + BAND)
        if band.sum() >= MIN_BAND and correct[band].mean() >= accuracy:
            return float(threshold)
    return 1.0


@dataclass(frozen=True)
class Verdict:
    """The classifier's answer for one comment."""

    primary: str
    goals: tuple[str, ...]
    confidence: float
    unsure: bool
    goal_probabilities: tuple[float, ...]


class CommentClassifier(BaseEstimator):  # type: ignore[misc]
    """Sorts comments into a primary goal (1-4 or "other") and every goal they touch."""

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 1),
        char_ngram_range: tuple[int, int] = (1, 3),
        C: float = 0.3,
        cv: int = 5,
        min_df: int = 2,
        trusted_accuracy: float = TRUSTED_ACCURACY,
        random_state: int = 0,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.C = C
        self.cv = cv
        self.min_df = min_df
        self.trusted_accuracy = trusted_accuracy
        self.random_state = random_state

    # -- saved state: each vocabulary as one string, a term a line, in column order (skops
    # writes a dict entry by entry: a 20,000-term vocabulary took seconds to load) -----------
    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())  # not our own __dict__
        features = state.get("features_")
        if isinstance(features, FeatureUnion):
            union = copy.copy(features)
            union.transformer_list = []
            vocabularies = []
            for name, vectoriser in features.transformer_list:
                terms = sorted(vectoriser.vocabulary_, key=vectoriser.vocabulary_.__getitem__)
                vocabularies.append("\n".join(terms))
                bare = copy.copy(vectoriser)
                del bare.vocabulary_
                union.transformer_list.append((name, bare))
            state["features_"], state["vocabularies_"] = union, vocabularies
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vocabularies = state.pop("vocabularies_", None)
        super().__setstate__(state)
        if vocabularies is not None:
            for (_, vectoriser), terms in zip(
                self.features_.transformer_list, vocabularies, strict=True
            ):
                vectoriser.vocabulary_ = {term: i for i, term in enumerate(terms.split("\n"))}

    def _new_features(self) -> FeatureUnion:
        words = TfidfVectorizer(
            preprocessor=normalise,
            tokenizer=Lemmatiser(),
            token_pattern=None,
            lowercase=False,
            ngram_range=self.word_ngram_range,
            min_df=self.min_df,
            sublinear_tf=True,
            dtype=np.float32,
        )
        chars = TfidfVectorizer(
            preprocessor=preprocess,
            analyzer="char_wb",
            lowercase=False,
            ngram_range=self.char_ngram_range,
            min_df=self.min_df,
            sublinear_tf=True,
            dtype=np.float32,
        )
        return FeatureUnion([("words", words), ("chars", chars)])

    def _svm(self) -> CalibratedClassifierCV:
        svm = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
        return CalibratedClassifierCV(svm, method="sigmoid", cv=3, ensemble=False)

    def _fit_heads(
        self, matrix: sparse.csr_matrix, primary: np.ndarray, goals: np.ndarray
    ) -> tuple[CalibratedClassifierCV, OneVsRestClassifier]:
        primary_model = self._svm().fit(matrix, primary)
        goal_model = OneVsRestClassifier(self._svm()).fit(matrix, goals)
        return primary_model, goal_model

    def _validation_probabilities(
        self, matrix: sparse.csr_matrix, primary: np.ndarray, goals: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Out-of-fold probabilities: each comment scored by models that never saw its labels.

        The vocabulary and idf are learnt once from all training texts (no labels in them),
        so the text is tokenised once rather than once per fold.
        """
        primary_proba = np.zeros((matrix.shape[0], len(LABELS)))
        goal_proba = np.zeros((matrix.shape[0], len(GOAL_IDS)))
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        for train, held in folds.split(np.zeros(matrix.shape[0]), primary):
            primary_model, goal_model = self._fit_heads(matrix[train], primary[train], goals[train])
            primary_proba[held] = _by_label(primary_model, matrix[held])
            goal_proba[held] = goal_model.predict_proba(matrix[held])
        return primary_proba, goal_proba

    def fit(
        self, X: Sequence[str], y: Sequence[Iterable[str]], primary: Sequence[str] | None = None
    ) -> Self:
        """Learn from comments, their goals ("1"-"4", several, or "other") and primary goals."""
        texts = list(X)
        goals = goals_to_matrix(y)
        labels = [tuple(g) for g in y]
        primary_labels = np.array(list(primary) if primary is not None else [g[0] for g in labels])
        self.features_ = self._new_features()
        matrix = self.features_.fit_transform(texts)
        primary_proba, goal_proba = self._validation_probabilities(matrix, primary_labels, goals)
        self.goal_thresholds_ = np.array(
            [best_threshold(goals[:, i], goal_proba[:, i], THRESHOLD_GRID) for i in range(4)]
        )
        confidence = primary_proba.max(axis=1)
        correct = np.array(LABELS)[primary_proba.argmax(axis=1)] == primary_labels
        self.review_below_ = review_threshold(correct, confidence, self.trusted_accuracy)
        self.validation_probabilities_ = (primary_proba, goal_proba)
        self.primary_model_, self.goal_model_ = self._fit_heads(matrix, primary_labels, goals)
        self.classes_ = np.array(LABELS)
        self.n_training_comments_ = len(texts)
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Return (n_comments, 4) calibrated probabilities that goals 1-4 are touched."""
        return self.probabilities(X)[1]

    def probabilities(self, X: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Primary-goal probabilities (columns LABELS) and per-goal probabilities (GOAL_IDS)."""
        texts = list(X)
        if not texts:
            return np.zeros((0, len(LABELS))), np.zeros((0, len(GOAL_IDS)))
        matrix = self.features_.transform(texts)
        return _by_label(self.primary_model_, matrix), self.goal_model_.predict_proba(matrix)

    def _verdicts(self, primary_proba: np.ndarray, goal_proba: np.ndarray) -> list[Verdict]:
        verdicts = []
        passed = goal_proba >= self.goal_thresholds_
        for row, goal_row, passed_row in zip(primary_proba, goal_proba, passed, strict=True):
            primary = LABELS[int(row.argmax())]
            goals: tuple[str, ...] = (OTHER,)
            if primary != OTHER:
                order = np.argsort(-goal_row, kind="stable")
                others = [GOAL_IDS[i] for i in order if passed_row[i] and GOAL_IDS[i] != primary]
                goals = (primary, *others)
            confidence = float(row.max())
            verdicts.append(
                Verdict(
                    primary,
                    goals,
                    confidence,
                    confidence < self.review_below_,
                    tuple(float(p) for p in goal_row),
                )
            )
        return verdicts

    def validation_verdicts(self) -> list[Verdict]:
        """Verdicts on the training comments by the cross-validation models that never saw them."""
        return self._verdicts(*self.validation_probabilities_)

    def reusing(self, parsed: dict[str, Words]) -> AbstractContextManager[None]:
        """Let the word analyser take these texts' words as already parsed."""
        lemmatiser: Lemmatiser = self.features_.transformer_list[0][1].tokenizer
        return lemmatiser.reusing(parsed)

    def verdicts(self, X: Sequence[str]) -> list[Verdict]:
        """Primary goal, goals, confidence and the unsure flag of each comment."""
        return self._verdicts(*self.probabilities(X))

    def predict(self, X: Sequence[str]) -> list[tuple[str, ...]]:
        """Return each comment's goals, primary first, or ("other",)."""
        return [verdict.goals for verdict in self.verdicts(X)]


def _by_label(model: CalibratedClassifierCV, matrix: sparse.csr_matrix) -> np.ndarray:
    """Primary-goal probabilities in LABELS order (a label absent from training gets 0)."""
    proba = model.predict_proba(matrix)
    ordered = np.zeros((matrix.shape[0], len(LABELS)))
    for column, label in enumerate(model.classes_):
        ordered[:, LABELS.index(str(label))] = proba[:, column]
    return ordered
