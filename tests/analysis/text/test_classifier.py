"""The trained classifier: quality on the fixed test sets, primary goal and goals, calibrated
confidence and review flags, thresholds from validation data only, saving and loading."""

from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from analysis.text.classifier import CommentClassifier
from analysis.text.classify import classify_comment, classify_many
from analysis.text.corpus import (
    TEST_1,
    TEST_2,
    fixed_test_sets,
    held_out_comments,
    training_comments,
)
from analysis.text.metrics import score
from analysis.text.model_store import (
    ModelFileError,
    TrainedModel,
    default_model_path,
    load_model,
    save_model,
)
from analysis.text.training import ensure_model, evaluate, train

MACRO_F1_FLOOR = 0.75  # committed floor on test set 1 (measured 0.82)
TARGET_MACRO_F1 = 0.70  # issue 17's target on unseen comments: test set 2 is its proxy
CALIBRATION_ERROR_CEILING = 0.15


def test_macro_f1_on_test_set_1_is_above_the_floor(trained_model: TrainedModel) -> None:
    assert evaluate(trained_model, held_out_comments()).macro_f1 >= MACRO_F1_FLOOR


def test_macro_f1_on_test_set_2_reaches_the_target(trained_model: TrainedModel) -> None:
    holdout = fixed_test_sets().get(TEST_2)
    if not holdout:
        pytest.skip("holdout.csv is not written yet")
    assert evaluate(trained_model, holdout).macro_f1 >= TARGET_MACRO_F1


def test_beats_a_majority_baseline(trained_model: TrainedModel) -> None:
    rows = held_out_comments()
    baseline = score([r.goals for r in rows], [("4",)] * len(rows)).macro_f1
    assert evaluate(trained_model, rows).macro_f1 > baseline + 0.4


def test_the_confidence_means_what_it_says(trained_model: TrainedModel) -> None:
    evaluation = evaluate(trained_model, held_out_comments())
    assert evaluation.reliability
    assert evaluation.calibration_error() <= CALIBRATION_ERROR_CEILING


def test_metadata_records_size_date_and_every_test_sets_metrics(
    trained_model: TrainedModel,
) -> None:
    info = trained_model.info
    assert info.training_size > 500
    assert info.trained_at[:2] == "20"
    assert info.cv_metrics["macro_f1"] > 0.6
    assert set(info.test_metrics) == set(fixed_test_sets())
    assert info.test_macro_f1 == pytest.approx(
        evaluate(trained_model, held_out_comments()).macro_f1, abs=1e-4
    )
    assert info.review_below == trained_model.classifier.review_below_


def test_thresholds_are_chosen_without_the_test_sets() -> None:
    rows = training_comments()[:300]
    with_tests = train(base_rows=rows)
    without = train(base_rows=rows, tests={})
    assert without.info.test_metrics == {}
    assert with_tests.classifier.review_below_ == without.classifier.review_below_
    assert list(with_tests.classifier.goal_thresholds_) == list(without.classifier.goal_thresholds_)


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        ("市内に働ける会社を増やしてほしい", "1"),
        ("空き家を若い人向けに活用してほしい", "2"),
        ("学童保育を19時まで延長してください", "3"),
        ("BRTの本数を増やしてほしいです", "4"),
        ("今日は海がきれいだった", "other"),
    ],
)
def test_comments_go_to_their_goal(trained_model: TrainedModel, text: str, goal: str) -> None:
    result = classify_comment(trained_model, text)
    assert result.primary == goal
    assert result.language == "ja"
    assert 0.0 <= result.confidence <= 1.0


def test_half_width_kana_and_emoji_read_like_plain_text(trained_model: TrainedModel) -> None:
    plain, half_width = classify_many(
        trained_model, ["バスの本数を増やしてほしい", "ﾊﾞｽの本数を増やしてほしい🚌🚌🚌️"]
    )
    assert half_width.primary == plain.primary == "4"


def test_a_comment_can_touch_several_goals(trained_model: TrainedModel) -> None:
    result = classify_comment(trained_model, "仕事もないし家もない。保育園も足りない。")
    assert len(result.goals) >= 2
    assert result.primary == result.goals[0]


def test_unsure_comments_go_to_review(trained_model: TrainedModel) -> None:
    threshold = trained_model.classifier.review_below_
    results = classify_many(trained_model, [r.text for r in held_out_comments()])
    assert any(r.needs_review for r in results) and not all(r.needs_review for r in results)
    assert all(r.needs_review == (r.confidence < threshold) for r in results if r.language == "ja")


def test_non_japanese_comments_are_marked_for_review(trained_model: TrainedModel) -> None:
    english, vietnamese = classify_many(
        trained_model, ["The BRT bus is too infrequent", "Xe buýt quá ít, cần thêm chuyến"]
    )
    assert (english.language, vietnamese.language) == ("en", "vi")
    assert english.needs_review and vietnamese.needs_review
    assert english.goals == ("other",)


def test_masked_text_hides_personal_information(trained_model: TrainedModel) -> None:
    result = classify_comment(trained_model, "山田です。バスが少ない。090-1234-5678")
    assert result.masked_text == "【氏名】です。バスが少ない。【電話番号】"


def test_batch_keeps_order_and_length(trained_model: TrainedModel) -> None:
    texts = ["BRTを増やして", "Hello", "保育園が足りない", ""]
    results = classify_many(trained_model, texts)
    assert [r.primary for r in results][:3] == ["4", "other", "3"]
    assert results[3].needs_review


def test_saved_model_round_trips(trained_model: TrainedModel, saved_model_path: Path) -> None:
    loaded = load_model(saved_model_path)
    texts = [r.text for r in held_out_comments()[:20]]
    assert loaded.info == trained_model.info
    original = trained_model.classifier.probabilities(texts)
    for before, after in zip(original, loaded.classifier.probabilities(texts), strict=True):
        assert np.allclose(before, after)


def test_tagger_is_not_part_of_the_saved_state(trained_model: TrainedModel) -> None:
    trained_model.classifier.predict(["バス"])
    words = trained_model.classifier.features_.transformer_list[0][1]
    assert words.tokenizer.__getstate__() == {}


class Payload:
    """A type nobody declared trusted."""


def test_untrusted_types_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.skops"
    sio.dump({"format": 3, "info": {}, "classifier": Payload()}, path)
    with pytest.raises(ModelFileError, match="untrusted"):
        load_model(path)


def test_a_missing_or_damaged_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no model file"):
        load_model(tmp_path / "missing.skops")
    (tmp_path / "bad.skops").write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="not a readable model"):
        load_model(tmp_path / "bad.skops")


def test_save_replaces_an_existing_model(trained_model: TrainedModel, tmp_path: Path) -> None:
    path = tmp_path / "models" / "m.skops"
    save_model(trained_model, path)
    save_model(trained_model, path)
    assert load_model(path).info.version == trained_model.info.version
    assert [p.name for p in path.parent.iterdir()] == ["m.skops"]


def _old_format_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    old = CommentClassifier()
    old.word_idf_ = np.ones(3)  # what a format-2 (numpy features) model held
    sio.dump({"format": 2, "info": {}, "classifier": old}, path)


def test_a_model_of_an_older_format_asks_for_retraining(tmp_path: Path) -> None:
    _old_format_file(tmp_path / "old.skops")
    with pytest.raises(ModelFileError, match=r"older version .*retrain"):
        load_model(tmp_path / "old.skops")


def test_the_bot_replaces_an_outdated_model_instead_of_failing(tmp_path: Path) -> None:
    path = default_model_path(tmp_path)
    _old_format_file(path)
    model = ensure_model(tmp_path)
    assert model.classifier.predict(["BRTの本数を増やしてほしい"])
    assert load_model(path).info.training_size == model.info.training_size


def test_test_set_1_is_never_trained_on() -> None:
    tested = {row.text for row in fixed_test_sets()[TEST_1]}
    assert tested and not tested & {row.text for row in training_comments()}


def test_the_saved_model_is_compact_and_saving_leaves_it_whole(
    trained_model: TrainedModel, tmp_path: Path
) -> None:
    texts = ["BRTの本数を増やしてほしい", "保育園に入れない"]
    before = trained_model.classifier.predict_proba(texts)
    save_model(trained_model, tmp_path / "m.skops")
    assert (tmp_path / "m.skops").stat().st_size < 5_000_000  # vocabularies as dicts: 14 MB
    assert np.allclose(trained_model.classifier.predict_proba(texts), before)
