"""The comment classifier: fugashi tokens + character n-grams, one calibrated model per goal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Self

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from analysis.taxonomy import GOAL_IDS, OTHER
from analysis.text import features
from analysis.text.pii import MaskResult, mask_and_lemmatise
from analysis.text.tokens import LazyTagger

PreparedComment = tuple[MaskResult, list[str]]
"""A comment with personal information masked, and the lemmas of its words."""
THRESHOLD_GRID: tuple[float, ...] = tuple(round(0.15 + 0.025 * i, 3) for i in range(23))


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


class CommentClassifier(BaseEstimator):  # type: ignore[misc]
    """Sorts comments into basic goals 1-4 (multi-label) or "other"."""

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 1),
        char_ngram_range: tuple[int, int] = (1, 3),
        C: float = 0.5,
        cv: int = 5,
        char_min_df: int = 1,
        thresholds: Sequence[float] = THRESHOLD_GRID,
        random_state: int = 0,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.C = C
        self.cv = cv
        self.char_min_df = char_min_df
        self.thresholds = thresholds
        self.random_state = random_state

    # -- the tagger and the word lookup are built lazily and left out of the saved state ----
    def _tagger(self) -> LazyTagger:
        tagger: LazyTagger | None = self.__dict__.get("_lazy_tagger")
        if tagger is None:
            tagger = LazyTagger()
            self.__dict__["_lazy_tagger"] = tagger
        return tagger

    def _word_lookup(self) -> dict[str, int]:
        lookup: dict[str, int] | None = self.__dict__.get("_word_lookup_cache")
        if lookup is None:
            terms = self.word_vocabulary_.split("\n") if self.word_vocabulary_ else []
            lookup = {term: i for i, term in enumerate(terms)}
            self.__dict__["_word_lookup_cache"] = lookup
        return lookup

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_lazy_tagger", None)
        state.pop("_word_lookup_cache", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # -- features ------------------------------------------------------------------------
    def prepare(self, texts: Iterable[str], normalised: bool = False) -> list[PreparedComment]:
        """Normalise (unless already done), mask and tokenise each comment once."""
        tagger = self._tagger()
        return [mask_and_lemmatise(text, tagger, normalised) for text in texts]

    def _word_occurrences(self, prepared: Sequence[PreparedComment]) -> features.Occurrences:
        terms = [features.word_ngrams(lemmas, self.word_ngram_range) for _, lemmas in prepared]
        return features.word_columns(self._word_lookup(), terms)

    def _char_occurrences(self, prepared: Sequence[PreparedComment]) -> features.Occurrences:
        texts = features.char_texts([mask.text for mask, _ in prepared])
        return features.char_ngram_keys(texts, self.char_ngram_range)

    def _blocks(
        self, prepared: Sequence[PreparedComment]
    ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Return the word and the character tf-idf rows of prepared comments."""
        n = len(prepared)
        word_rows, word_columns = self._word_occurrences(prepared)
        char_rows, char_columns = features.key_columns(
            self.char_vocabulary_, self._char_occurrences(prepared)
        )
        return (
            features.tfidf(word_rows, word_columns, n, self.word_idf_),
            features.tfidf(char_rows, char_columns, n, self.char_idf_),
        )

    def _learn_vocabularies(self, prepared: Sequence[PreparedComment]) -> None:
        terms = [features.word_ngrams(lemmas, self.word_ngram_range) for _, lemmas in prepared]
        # One string, a term a line (terms never hold line breaks): a numpy string array would
        # pad every term to the longest one, and a dict is slow to save and load with skops.
        self.word_vocabulary_ = "\n".join(sorted({t for doc in terms for t in doc}))
        self.__dict__.pop("_word_lookup_cache", None)
        n = len(prepared)
        word_rows, word_columns = features.word_columns(self._word_lookup(), terms)
        self.word_idf_ = features.smooth_idf(word_rows, word_columns, n, len(self._word_lookup()))
        chars = self._char_occurrences(prepared)
        self.char_vocabulary_ = features.learn_keys(chars, self.char_min_df)
        char_rows, char_columns = features.key_columns(self.char_vocabulary_, chars)
        self.char_idf_ = features.smooth_idf(char_rows, char_columns, n, len(self.char_vocabulary_))

    def _new_model(self) -> OneVsRestClassifier:
        svm = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
        return OneVsRestClassifier(CalibratedClassifierCV(svm, method="sigmoid", cv=3))

    def _transform(self, prepared: Sequence[PreparedComment]) -> sparse.csr_matrix:
        return sparse.hstack(self._blocks(prepared), format="csr")

    # -- estimator API -------------------------------------------------------------------
    def fit(self, X: Sequence[str], y: Sequence[Iterable[str]]) -> Self:
        """Learn from comments and their goal labels ("1"-"4", several allowed, or "other")."""
        return self.fit_prepared(self.prepare(X), y)

    def fit_prepared(self, prepared: Sequence[PreparedComment], y: Sequence[Iterable[str]]) -> Self:
        """Fit on comments already run through prepare()."""
        truth = goals_to_matrix(y)
        self._learn_vocabularies(prepared)
        matrix = self._transform(prepared)
        folds = KFold(self.cv, shuffle=True, random_state=self.random_state)
        out_of_fold = cross_val_predict(
            self._new_model(), matrix, truth, cv=folds, method="predict_proba"
        )
        self.goal_thresholds_ = np.array(
            [
                best_threshold(truth[:, i], out_of_fold[:, i], self.thresholds)
                for i in range(len(GOAL_IDS))
            ]
        )
        self.cv_predictions_ = self._labels_from_proba(out_of_fold)
        self.model_ = self._new_model().fit(matrix, truth)
        self._compile_linear_model()
        self.classes_ = np.array(GOAL_IDS)
        self.n_training_comments_ = len(prepared)
        return self

    def _compile_linear_model(self) -> None:
        """Gather every calibrated SVM into one matrix so prediction is one product."""
        coefs, intercepts, slopes, offsets = [], [], [], []
        for calibrated in self.model_.estimators_:
            for part in calibrated.calibrated_classifiers_:
                coefs.append(part.estimator.coef_.ravel())
                intercepts.append(float(part.estimator.intercept_[0]))
                slopes.append(part.calibrators[0].a_)
                offsets.append(part.calibrators[0].b_)
        self.linear_coef_ = np.vstack(coefs).T.copy()
        self.linear_intercept_ = np.array(intercepts)
        self.sigmoid_a_ = np.array(slopes, dtype=float)
        self.sigmoid_b_ = np.array(offsets, dtype=float)

    def predict_proba_prepared(self, prepared: Sequence[PreparedComment]) -> np.ndarray:
        """Return goal probabilities for prepared comments."""
        if not prepared:
            return np.zeros((0, len(GOAL_IDS)))
        words, chars = self._blocks(prepared)
        n_words = len(self.word_idf_)
        scores = words @ self.linear_coef_[:n_words] + chars @ self.linear_coef_[n_words:]
        scores += self.linear_intercept_
        proba = expit(-(self.sigmoid_a_ * scores + self.sigmoid_b_))
        return np.asarray(proba.reshape(len(prepared), len(GOAL_IDS), -1).mean(axis=2))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Return an (n_comments, 4) array of calibrated probabilities for goals 1-4."""
        return self.predict_proba_prepared(self.prepare(X))

    def _labels_from_proba(self, proba: np.ndarray) -> list[tuple[str, ...]]:
        order = np.argsort(-proba, axis=1, kind="stable").tolist()
        passed = (proba >= self.goal_thresholds_).tolist()
        labels = []
        for row_order, row_passed in zip(order, passed, strict=True):
            goals = tuple(GOAL_IDS[i] for i in row_order if row_passed[i])
            labels.append(goals or (OTHER,))
        return labels

    def predict(self, X: Sequence[str]) -> list[tuple[str, ...]]:
        """Return each comment's goals, most likely first, or ("other",)."""
        return self._labels_from_proba(self.predict_proba(X))

    def labels_from_proba(self, proba: np.ndarray) -> list[tuple[str, ...]]:
        """Apply the per-goal thresholds to probabilities."""
        return self._labels_from_proba(proba)
