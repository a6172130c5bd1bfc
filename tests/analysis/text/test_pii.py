"""Personal information is masked; place names and ordinary numbers are kept."""

import pytest

from analysis.text.pii import (
    MaskResult,
    mask_and_lemmatise,
    mask_and_tokenise,
    mask_personal_info,
)


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


def test_a_phone_number_in_brackets_keeps_both_brackets() -> None:
    result = mask_personal_info("佐藤花子（080-1111-2222）まで連絡ください")
    assert result.text == "【氏名】(【電話番号】)まで連絡ください"
    assert result.found_kinds == ("name", "phone")


@pytest.mark.parametrize(
    "text",
    [
        "久慈浜の海がきれい",
        "久慈川の堤防を直してほしい",
        "久慈町から大みか町まで歩いた",
        "助川町の坂が急です",
        "多賀町と東多賀町の商店街",
        "茂宮町や相賀町の道が暗い",
        "森山町の交差点が危ない",
        "東成沢町と西成沢町の間のバス停",
        "鮎川町の公園",
        "常陸多賀駅から小木津駅まで",
        "河原子の海水浴場と伊師浜",
        "会瀬漁港の朝市",
        "御岩神社と大甕神社にお参りした",
        "十王ダムの近く",
        "日立シビックセンターの科学館",
        "平和通りの桜",
    ],
)
def test_hitachi_place_names_are_never_masked_as_names(text: str) -> None:
    assert mask_personal_info(text) == MaskResult(text, ())
    assert mask_and_lemmatise(text)[0] == MaskResult(text, ())


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("久慈浜で佐藤花子さんに会った", "久慈浜で【氏名】さんに会った"),
        ("助川町の助川さんが困っている", "助川町の【氏名】さんが困っている"),
        ("多賀町の森山さん", "多賀町の【氏名】さん"),
        ("久慈町の山田太郎です", "久慈町の【氏名】です"),
    ],
)
def test_names_next_to_place_names_are_still_masked(text: str, masked: str) -> None:
    assert mask_personal_info(text) == MaskResult(masked, ("name",))
    assert mask_and_lemmatise(text)[0] == MaskResult(masked, ("name",))
