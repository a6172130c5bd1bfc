"""The taxonomy ships the strategy's goals, directions and measures from the seed."""

from analysis.taxonomy import GOAL_IDS, bundled_taxonomy


def test_four_basic_goals_with_the_seeds_titles() -> None:
    taxonomy = bundled_taxonomy()
    titles = {goal.id: goal.title for goal in taxonomy.goals}
    assert tuple(titles) == GOAL_IDS
    assert titles["1"] == "稼ぐ地域をつくるとともに、安心して働けるようにする"
    assert titles["2"] == "新しいひとの流れをつくる"
    assert titles["3"] == "結婚・出産・子育ての希望をかなえる"
    assert titles["4"] == "ひとが集う、安心して暮らすことができる魅力的な地域をつくる"


def test_every_basic_direction_and_measure_of_the_seed_is_present() -> None:
    taxonomy = bundled_taxonomy()
    assert [len(goal.directions) for goal in taxonomy.goals] == [5, 3, 3, 2]
    measures = {d.id: len(d.measures) for g in taxonomy.goals for d in g.directions}
    assert measures == {
        "1-1": 2, "1-2": 2, "1-3": 3, "1-4": 3, "1-5": 3,
        "2-1": 4, "2-2": 2, "2-3": 3,
        "3-1": 4, "3-2": 2, "3-3": 2,
        "4-1": 5, "4-2": 1,
    }  # fmt: skip
    transport = taxonomy.goal("4").directions[0].measures[3]
    assert "BRT" in transport.description and "MaaS" in transport.description


def test_three_cross_cutting_goals() -> None:
    cross = bundled_taxonomy().cross_cutting
    assert [c.id for c in cross] == ["X1", "X2", "X3"]
    assert "ひたちらしさ" in cross[0].title
    assert all(g in GOAL_IDS for c in cross for t in c.themes for g in t.goals)


def test_taxonomy_wording_becomes_training_text_for_every_goal() -> None:
    rows = bundled_taxonomy().training_texts()
    assert {goals for _, goals in rows} == {(g,) for g in GOAL_IDS}
    assert any("放課後児童クラブ" in text and goals == ("3",) for text, goals in rows)


def test_the_labelling_guide_has_a_line_per_label_and_the_hard_cases() -> None:
    guide = bundled_taxonomy().guide
    assert tuple(guide.labels) == ("1", "2", "3", "4", "other")
    assert any("特産品" in line for line in guide.labels.values())
    assert any("小児科" in case for case in guide.hard_cases)
