"""Non-Japanese comments are recognised by script and common words."""

import pytest

from analysis.text.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("BRTの本数を増やしてほしい", "ja"),
        ("Wi-Fiがある公園がほしい。Please!", "ja"),
        ("駅前再開発希望", "ja"),
        ("日立駅最高", "ja"),
        ("The bus to the station is too infrequent.", "en"),
        ("Não tem ônibus suficiente para a escola", "pt"),
        ("Xe buýt quá ít, cần thêm chuyến", "vi"),
        ("公交车太少了，希望增加班次", "zh"),
        ("我觉得这个城市很好", "zh"),
        ("버스가 너무 적어요", "ko"),
        ("बस धेरै कम छ", "ne"),
        ("👍", "und"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language
