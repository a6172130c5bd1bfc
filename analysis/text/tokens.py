"""Normalisation and fugashi (UniDic lite) tokenisation of comments."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

_NEWLINES = str.maketrans({"\r": " ", "\n": " ", "\t": " ", "\u3000": " "})
# Emoji modifiers (variation selectors, zero-width joiner, skin tones) and keycaps: the base
# emoji carries what the comment is about (🚌, 🏥, 👶), the modifiers only split its n-grams.
_EMOJI_MODIFIERS = re.compile("[\ufe0e\ufe0f\u200d\u20e3\U0001f3fb-\U0001f3ff]")
_REPEATS = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")

# MeCab writes each word as four tab-ended fields: the white space before it, its surface, its
# lemma (empty for unknown words) and its POS levels 2-3 run together; "E" ends the comment.
# Letting MeCab format the words spares building a Python node and feature tuple per word.
_WORD_FORMAT = r'-O "" -B "" -E "E" -F "%pS\t%m\t%f[7]\t%f[1]%f[2]\t" -U "%pS\t%m\t\t%f[1]%f[2]\t"'
NAME_POS = "固有名詞人名"
"""POS levels 2-3 of a personal name (固有名詞 + 人名) as the formatted output gives them."""


def normalise(text: str) -> str:
    """Return the comment in NFKC form with line breaks turned into spaces."""
    return unicodedata.normalize("NFKC", text).translate(_NEWLINES).strip()


def preprocess(text: str) -> str:
    """The classifier's view of a comment: NFKC (half-width kana and digits folded), lower case,
    emoji without their modifiers, runs of one character (ーーー, !!!, www) cut to two."""
    text = _EMOJI_MODIFIERS.sub("", unicodedata.normalize("NFKC", text).lower())
    return _SPACES.sub(" ", _REPEATS.sub(r"\1\1", text)).strip()


class Token(NamedTuple):
    """One word of a comment: surface, lemma (surface when unknown), name flag, space before."""

    surface: str
    lemma: str
    is_name: bool = False
    space: str = ""


class Words(NamedTuple):
    """A comment's words as parallel lists: space before, surface, lemma, POS levels 2-3."""

    spaces: list[str]
    surfaces: list[str]
    lemmas: list[str]
    pos: list[str]

    def has_names(self) -> bool:
        """Tell whether any word is a personal name."""
        return NAME_POS in self.pos


def new_tagger() -> Any:
    """Create a fugashi tagger over the installed UniDic lite dictionary (no downloads)."""
    import fugashi

    return fugashi.Tagger()


def new_word_tagger() -> Any:
    """Create a fugashi tagger whose parse() writes words in the compact tab-separated form."""
    import fugashi

    return fugashi.Tagger(_WORD_FORMAT)


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


def split_words(parsed: str) -> Words:
    """Turn the output of a word tagger's parse() into parallel word lists."""
    parts = parsed.split("\t")
    parts.pop()
    return Words(parts[0::4], parts[1::4], parts[2::4], parts[3::4])


def lemmas_of(words: Words) -> list[str]:
    """Return each word's lemma, or its lower-cased surface when the dictionary has none."""
    lemmas = words.lemmas
    if "" not in lemmas:
        return list(lemmas)
    return [lemma or surface.lower() for surface, lemma in zip(words.surfaces, lemmas, strict=True)]


class LazyTagger:
    """Holds a fugashi tagger created on first use and never saved with a model."""

    def __init__(self) -> None:
        self._tagger: Any = None

    def words(self, text: str) -> Words:
        """Split one normalised text into parallel word lists."""
        if self._tagger is None:
            self._tagger = new_word_tagger()
        if "\t" in text:
            text = text.replace("\t", " ")
        return split_words(self._tagger.parse(text))

    def __call__(self, text: str) -> list[Token]:
        """Tokenise one normalised text."""
        words = self.words(text)
        return [
            Token(surface, lemma, pos == NAME_POS, space)
            for space, surface, lemma, pos in zip(
                words.spaces, words.surfaces, lemmas_of(words), words.pos, strict=True
            )
        ]

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._tagger = None


class Lemmatiser(LazyTagger):
    """The classifier's word analyser: lemmas of a comment (lower case, emoji without modifiers,
    repeats cut to two), punctuation left out; reuses words already parsed by the caller."""

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[str, Words] = {}

    def __call__(self, text: str) -> list[str]:  # type: ignore[override]
        """Return the lemmas (the surface of unknown words) of one normalised text."""
        words = self._parsed.get(text)
        if words is None:
            words = self.words(text)
        forms = []
        for lemma, pos in zip(lemmas_of(words), words.pos, strict=True):
            if not pos.startswith(_SYMBOL_POS):
                form = _REPEATS.sub(r"\1\1", _EMOJI_MODIFIERS.sub("", lemma.lower()))
                if form:
                    forms.append(form)
        return forms

    @contextmanager
    def reusing(self, parsed: dict[str, Words]) -> Iterator[None]:
        """Take these texts' words as parsed (masking parsed them already) for a while."""
        self._parsed = parsed
        try:
            yield
        finally:
            self._parsed = {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._parsed = {}


_SYMBOL_POS = ("句点", "読点", "括弧", "空白")
"""POS levels 2-3 of punctuation and white space (補助記号 + these): no topic in them."""

shared_tagger = LazyTagger()
