"""Guess a comment's language from its script and a few common words."""

from __future__ import annotations

import re

JAPANESE = "ja"
UNDETERMINED = "und"

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("ne", re.compile(r"[\u0900-\u097f]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("my", re.compile(r"[\u1000-\u109f]")),
)
# Characters that are simplified Chinese or Chinese function words, not used in Japanese.
_CHINESE_ONLY = set(
    "们这说么吗呢还没为时对会从让给谢请问里发车东门过见长书买卖动电话学习进远运边样觉"
    "间题关开应该将报欢迎务医院饭馆为难办给们儿个岁钱县区区场坏怎谁啊吧呀哪该够"
)
_CHINESE_FUNCTION = set("的了是在我你他很都也不有和")
_VIETNAMESE = re.compile(r"[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _vocab(words: str) -> frozenset[str]:
    return frozenset(words.split(" "))


_WORDS: dict[str, frozenset[str]] = {
    "pt": _vocab(
        "não que para muito ônibus com uma está obrigado cidade mais onde tem "
        "precisa escola trabalho eu nós você os as do da dos das"
    ),
    "es": _vocab("el los las por muy gracias ciudad pero hay necesitamos"),
    "tl": _vocab("ang mga ng sa po salamat ako kami hindi at"),
    "id": _vocab("yang dan tidak saya di ini itu untuk dengan kami"),
    "en": _vocab(
        "the and is are to of in it please bus city we i you my our this that "
        "there more need needs would should very not for with"
    ),
}


def _latin_language(text: str) -> str:
    if _VIETNAMESE.search(text):
        return "vi"
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    if re.search(r"[ãõç]", text.lower()):
        return "pt"
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in _WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else UNDETERMINED


def detect_language(text: str) -> str:
    """Return "ja", an ISO 639-1 code for other languages, or "und" when unknown."""
    if _KANA.search(text):
        return JAPANESE
    for code, pattern in _SCRIPTS:
        if pattern.search(text):
            return code
    han = _HAN.findall(text)
    if han:
        chinese = sum(c in _CHINESE_ONLY for c in han)
        function = len({c for c in han if c in _CHINESE_FUNCTION})
        if chinese >= 1 or (function >= 2 and len(han) >= 6):
            return "zh"
        if len(_LATIN.findall(text)) > 3 * len(han):
            return _latin_language(text)
        return JAPANESE
    if _LATIN.search(text):
        return _latin_language(text)
    return UNDETERMINED
