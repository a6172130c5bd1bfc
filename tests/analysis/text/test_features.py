"""The numpy n-gram features give the same tf-idf rows as scikit-learn's TfidfVectorizer."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.text import features
from analysis.text.corpus import training_comments
from analysis.text.tokens import normalise


def sorted_rows(matrix: object) -> list[list[float]]:
    rows = matrix.tocsr()  # type: ignore[attr-defined]
    return [sorted(rows[i].data.round(12).tolist()) for i in range(rows.shape[0])]


def test_character_tfidf_matches_scikit_learn() -> None:
    texts = features.char_texts([normalise(r.text) for r in training_comments()[:150]])
    keys = features.char_ngram_keys(texts, (1, 3))
    vocabulary = features.learn_keys(keys, min_df=2)
    rows, columns = features.key_columns(vocabulary, keys)
    idf = features.smooth_idf(rows, columns, len(texts), len(vocabulary))
    ours = features.tfidf(rows, columns, len(texts), idf)
    theirs = TfidfVectorizer(
        analyzer="char", lowercase=False, ngram_range=(1, 3), min_df=2, sublinear_tf=True
    ).fit_transform(texts)
    assert ours.shape == theirs.shape
    assert sorted_rows(ours) == sorted_rows(theirs)


def test_character_ngrams_stay_within_one_comment() -> None:
    rows, keys = features.char_ngram_keys(["ab", "c"], (1, 3))
    pairs = sorted(zip(rows.tolist(), keys.tolist(), strict=True))
    # a, b, ab in the first comment; c alone in the second; no "bc" or "abc" across them
    assert [row for row, _ in pairs] == [0, 0, 0, 1]


def test_unknown_ngrams_are_dropped_and_empty_comments_give_empty_rows() -> None:
    known = features.learn_keys(features.char_ngram_keys(["バス"], (1, 2)), min_df=1)
    rows, columns = features.key_columns(known, features.char_ngram_keys(["", "バ停"], (1, 2)))
    assert rows.tolist() == [1] and known[columns].size == 1
    matrix = features.tfidf(rows, columns, 2, np.ones(len(known)))
    assert matrix[0].nnz == 0
    assert matrix[1].toarray().sum() == pytest.approx(1.0)


def test_word_bigrams_join_lemmas() -> None:
    assert features.word_ngrams(["バス", "を", "増やす"], (1, 2)) == [
        "バス",
        "を",
        "増やす",
        "バス を",
        "を 増やす",
    ]


def test_character_ngrams_longer_than_three_are_refused() -> None:
    with pytest.raises(ValueError, match="1-3"):
        features.char_ngram_keys(["バス"], (1, 4))
