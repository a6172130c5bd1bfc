"""Normalisation and fugashi (UniDic lite) tokenisation of comments."""

from __future__ import annotations

import unicodedata
from typing import Any, NamedTuple

_NEWLINES = str.maketrans({"\r": " ", "\n": " ", "\t": " ", "\u3000": " "})


def normalise(text: str) -> str:
    """Return the comment in NFKC form with line breaks turned into spaces."""
    return unicodedata.normalize("NFKC", text).translate(_NEWLINES).strip()


class Token(NamedTuple):
    """One word of a comment: surface, lemma (surface when unknown), name flag, space before."""

    surface: str
    lemma: str
    is_name: bool = False
    space: str = ""


def new_tagger() -> Any:
    """Create a fugashi tagger over the installed UniDic lite dictionary (no downloads)."""
    import fugashi

    return fugashi.Tagger()


def tokenise(tagger: Any, text: str) -> list[Token]:
    """Split normalised text into tokens, lemma with a surface fallback for unknown words."""
    tokens = []
    for word in tagger(text):
        feature = word.feature
        surface = word.surface
        lemma = feature.lemma
        tokens.append(
            Token(
                surface,
                lemma if lemma and lemma != "*" else surface.lower(),
                feature.pos3 == "人名" and feature.pos2 == "固有名詞",
                word.white_space,
            )
        )
    return tokens


class LazyTagger:
    """Holds a fugashi tagger created on first use and never saved with a model."""

    def __init__(self) -> None:
        self._tagger: Any = None

    def __call__(self, text: str) -> list[Token]:
        """Tokenise one normalised text."""
        if self._tagger is None:
            self._tagger = new_tagger()
        return tokenise(self._tagger, text)

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._tagger = None


shared_tagger = LazyTagger()
