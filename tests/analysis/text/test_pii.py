"""Personal information is masked; place names and ordinary numbers are kept."""

import pytest

from analysis.text.pii import mask_and_lemmatise, mask_and_tokenise, mask_personal_info


@pytest.mark.parametrize(
    ("text", "masked", "kind"),
    [
        ("市役所0294-22-3111に電話した", "市役所【電話番号】に電話した", "phone"),
        ("携帯は０９０－１２３４－５６７８です", "携帯は【電話番号】です", "phone"),
        ("+81 90-1234-5678まで", "【電話番号】まで", "phone"),
        ("連絡はtaro.y@example.co.jpへ", "連絡は【メール】へ", "email"),
        ("日立市幸町1-2-3に住んでいます", "【住所】に住んでいます", "address"),
        ("助川町1丁目2番3号の者です", "【住所】の者です", "address"),
        ("山田太郎さんが対応してくれた", "【氏名】さんが対応してくれた", "name"),
        ("番号は1234 5678 9012です", "番号は【個人番号】です", "my_number"),
        ("123456789012", "【個人番号】", "my_number"),
        ("1234-5678-9012", "【個人番号】", "my_number"),
    ],
)
def test_each_kind_is_masked(text: str, masked: str, kind: str) -> None:
    result = mask_personal_info(text)
    assert result.text == masked
    assert result.found_kinds == (kind,)


@pytest.mark.parametrize(
    "text",
    [
        "日立駅と十王の海がきれい",
        "国道6号と245号の渋滞がひどい",
        "2024年4月1日から始まる",
        "人口14万人を維持してほしい",
        "BRT大甕駅方面のバス",
        "かみね公園のさくらまつり",
    ],
)
def test_place_names_dates_and_numbers_are_not_masked(text: str) -> None:
    assert mask_personal_info(text).text == text
    assert mask_personal_info(text).found_kinds == ()


def test_several_kinds_in_one_comment() -> None:
    result = mask_personal_info("佐藤です。090-1111-2222かsato@example.jpにください")
    assert "佐藤" not in result.text and "090" not in result.text
    assert result.found_kinds == ("email", "name", "phone")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("幸町三丁目五番地に住んでいます", "【住所】に住んでいます"),
        ("山田太郎と 鈴木が来た", "【氏名】と 【氏名】が来た"),
        ("バスを増やしてほしい", "バスを増やしてほしい"),
    ],
)
def test_the_fast_path_masks_like_mask_personal_info(text: str, masked: str) -> None:
    result, lemmas = mask_and_lemmatise(text)
    assert result == mask_personal_info(text)
    assert result.text == masked
    assert lemmas == [t.lemma for t in mask_and_tokenise(text)[1]]
