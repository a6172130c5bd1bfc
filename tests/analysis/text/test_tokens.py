"""Normalisation and tokenisation of comments."""

from analysis.text.corpus import training_comments
from analysis.text.tokens import new_tagger, normalise, shared_tagger, tokenise


def test_normalise_turns_full_width_letters_and_digits_into_ascii() -> None:
    assert normalise("ＢＲＴは１時間に２本\n") == "BRTは1時間に2本"


def test_lemmas_group_inflected_forms() -> None:
    lemmas = [t.lemma for t in shared_tagger("バスを増やしてほしい")]
    assert "増やす" in lemmas


def test_unknown_words_fall_back_to_their_surface() -> None:
    tokens = shared_tagger(normalise("ひたちＢＲＴとMaaSを使いたい"))
    lemmas = [t.lemma for t in tokens]
    assert "brt" in lemmas and "maas" in lemmas


def test_function_words_are_kept() -> None:
    lemmas = [t.lemma for t in shared_tagger("駅の近くに家を")]
    assert {"の", "に", "を"} <= set(lemmas)


def test_personal_names_are_flagged_and_place_names_are_not() -> None:
    tokens = shared_tagger("日立駅で山田さんに会った")
    assert [t.surface for t in tokens if t.is_name] == ["山田"]


def test_formatted_words_agree_with_fugashi_nodes() -> None:
    tagger = new_tagger()
    texts = [normalise(r.text) for r in training_comments()] + [" 山田 花子です", 'a,"b" c']
    assert all(tokenise(tagger, text) == shared_tagger(text) for text in texts)


def test_space_before_a_word_is_kept() -> None:
    tokens = shared_tagger(" 駅前  BRT")
    assert [(t.space, t.surface) for t in tokens] == [(" ", "駅前"), ("  ", "BRT")]


def test_an_empty_comment_has_no_words() -> None:
    assert shared_tagger("") == []
