"""Word and character n-gram tf-idf features, counted with numpy rather than per n-gram in Python.

A character n-gram (up to three characters) is packed into one 64-bit key: each code point + 1
takes 21 bits, so keys of different lengths never collide and a vocabulary is a sorted key array
looked up with searchsorted. Weights follow scikit-learn's TfidfVectorizer with sublinear_tf,
smooth_idf and l2 norm, so models keep the quality of the earlier vectorisers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain

import numpy as np
from scipy import sparse

MAX_CHAR_NGRAM = 3
_BITS = 21
_WHITE_SPACES = re.compile(r"\s\s+")

Occurrences = tuple[np.ndarray, np.ndarray]
"""Row (comment) index and feature (key or column) of every n-gram occurrence, in order."""


def char_texts(texts: Sequence[str]) -> list[str]:
    """Prepare texts for character n-grams: lower case, runs of white space as one space."""
    return [_WHITE_SPACES.sub(" ", text.lower()) for text in texts]


def char_ngram_keys(texts: Sequence[str], ngram_range: tuple[int, int]) -> Occurrences:
    """Return the row and packed key of every character n-gram of every text."""
    low, high = ngram_range
    if not 1 <= low <= high <= MAX_CHAR_NGRAM:
        raise ValueError(f"character n-grams must lie within 1-{MAX_CHAR_NGRAM}, not {ngram_range}")
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    codes += 1
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    found_rows, found_keys = [np.zeros(0, np.int64)], [np.zeros(0, np.uint64)]
    for n in range(low, high + 1):
        count = len(codes) - n + 1
        if count <= 0:
            break
        keys = codes[:count].copy()
        for offset in range(1, n):
            keys <<= _BITS
            keys |= codes[offset : offset + count]
        within = rows[:count] == rows[n - 1 : n - 1 + count]
        found_rows.append(rows[:count][within])
        found_keys.append(keys[within])
    return np.concatenate(found_rows), np.concatenate(found_keys)


def word_ngrams(lemmas: list[str], ngram_range: tuple[int, int]) -> list[str]:
    """Return a comment's word n-grams (lemmas joined by spaces)."""
    low, high = ngram_range
    if low == high == 1:
        return lemmas
    terms: list[str] = []
    for n in range(low, high + 1):
        terms.extend(" ".join(lemmas[i : i + n]) for i in range(len(lemmas) - n + 1))
    return terms


def word_columns(vocabulary: dict[str, int], terms: Sequence[list[str]]) -> Occurrences:
    """Return the row and vocabulary column of every known term of every comment."""
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    get = vocabulary.get
    flat = [get(term, -1) for term in chain.from_iterable(terms)]
    columns = np.array(flat, dtype=np.int64)
    rows = np.repeat(np.arange(len(terms), dtype=np.int64), lengths)
    known = columns >= 0
    return rows[known], columns[known]


def key_columns(vocabulary: np.ndarray, occurrences: Occurrences) -> Occurrences:
    """Map packed keys to columns of a sorted key vocabulary, dropping unknown keys."""
    rows, keys = occurrences
    if len(vocabulary) == 0:
        return rows[:0], keys[:0].astype(np.int64)
    columns = np.searchsorted(vocabulary, keys)
    columns[columns == len(vocabulary)] = 0
    known = vocabulary[columns] == keys
    return rows[known], columns[known].astype(np.int64)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Return the distinct values in order (sorting beats numpy's hashing unique here)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def learn_keys(occurrences: Occurrences, min_df: int) -> np.ndarray:
    """Return the sorted keys found in at least min_df comments."""
    vocabulary = sorted_unique(occurrences[1])
    rows, columns = key_columns(vocabulary, occurrences)
    return vocabulary[document_frequency(rows, columns, len(vocabulary)) >= min_df]


def document_frequency(rows: np.ndarray, columns: np.ndarray, n_columns: int) -> np.ndarray:
    """Count, for each column, the comments it occurs in."""
    pairs = sorted_unique(rows * max(n_columns, 1) + columns)
    return np.bincount(pairs % max(n_columns, 1), minlength=n_columns)


def smooth_idf(rows: np.ndarray, columns: np.ndarray, n_rows: int, n_columns: int) -> np.ndarray:
    """Return scikit-learn's smoothed inverse document frequency of each column."""
    df = document_frequency(rows, columns, n_columns)
    return np.log((1.0 + n_rows) / (1.0 + df)) + 1.0


def tfidf(rows: np.ndarray, columns: np.ndarray, n_rows: int, idf: np.ndarray) -> sparse.csr_matrix:
    """Build l2-normalised sublinear tf-idf rows from term occurrences."""
    matrix = sparse.csr_matrix(
        (np.ones(len(columns)), (rows, columns)), shape=(n_rows, len(idf)), dtype=np.float64
    )
    matrix.sum_duplicates()
    data = np.log(matrix.data)
    data += 1.0
    data *= idf[matrix.indices]
    row_of = np.repeat(np.arange(n_rows), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=n_rows))
    data /= norms[row_of]
    matrix.data = data
    return matrix
