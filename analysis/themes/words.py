"""The words themes are made of: content words of a masked comment, compound nouns kept whole."""

from __future__ import annotations

from typing import Any

from analysis.text.pii import PLACEHOLDERS
from analysis.text.tokens import LazyTagger, lemmas_of, normalise

# POS levels 2-3 as tokens.py's word tagger writes them: nouns that carry a topic, and the
# general verbs and adjectives ("一般"); suffix nouns (場, 園) join the noun before them.
_NOUN_POS = (
    "普通名詞一般",
    "普通名詞サ変可能",
    "普通名詞形状詞可能",
    "固有名詞一般",
    "固有名詞地名",
)
_SUFFIX_POS = "名詞的"
_PROPER_POS = "固有名詞"
_WORD_POS = "一般"
# Words every comment uses whatever its topic (being, doing, thinking, wanting, the city itself).
STOP_WORDS = frozenset(
    {
        "する",
        "ある",
        "居る",
        "成る",
        "思う",
        "言う",
        "出来る",
        "無い",
        "良い",
        "欲しい",
        "有る",
        "見る",
        "行く",
        "来る",
        "分かる",
        "感じる",
        "事",
        "物",
        "為",
        "様",
        "所",
        "方",
        "時",
        "人",
        "今",
        "市",
        "日立",
        "日立市",
        "こと",
        "もの",
        "よう",
        "ため",
        "ところ",
    }
)


def _form(lemma: str) -> str:
    """A lemma without UniDic's gloss of loanwords (バス-bus → バス), lower case."""
    return lemma.split("-", 1)[0].lower() if len(lemma) > 1 else lemma.lower()


def _compound(parts: list[tuple[str, str, str]]) -> str:
    """One noun as its lemma (子ども and 子供 alike; a proper noun as written, UniDic gives its
    reading), several as the words written together."""
    if len(parts) == 1:
        surface, lemma, pos = parts[0]
        return surface.lower() if pos.startswith(_PROPER_POS) else _form(lemma)
    return "".join(surface for surface, _, _ in parts).lower()


def _without_placeholders(text: str) -> str:
    """The text with masking placeholders (【氏名】) taken out: they are no topic."""
    for placeholder in PLACEHOLDERS.values():
        text = text.replace(placeholder, " ")
    return text


class ContentWords:
    """A scikit-learn analyzer: a comment's topic words (fugashi lemmas, compounds whole)."""

    def __init__(self) -> None:
        self._tagger = LazyTagger()

    def __call__(self, text: str) -> list[str]:
        """Return the content words of one masked comment."""
        words = self._tagger.words(normalise(_without_placeholders(text)))
        found: list[str] = []
        compound: list[tuple[str, str, str]] = []
        for surface, lemma, pos in zip(words.surfaces, lemmas_of(words), words.pos, strict=True):
            if pos.startswith(_NOUN_POS) or (compound and pos.startswith(_SUFFIX_POS)):
                compound.append((surface, lemma, pos))
                continue
            if compound:
                found.append(_compound(compound))
                compound = []
            if pos == _WORD_POS:
                found.append(_form(lemma))
        if compound:
            found.append(_compound(compound))
        return [word for word in found if word not in STOP_WORDS and len(word) > 1]

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._tagger = LazyTagger()
