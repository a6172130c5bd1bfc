"""Themes: similar comments of a goal grouped, labelled by their words, stable run to run."""

from __future__ import annotations

from analysis.themes import NOTE, ThemeComment, find_themes
from analysis.themes.words import ContentWords
from tests.analysis.themes.comments import BUSES, HOSPITALS, ROADS

DISTRICTS = ("kuji", "taga", "juo")


def _comments() -> list[ThemeComment]:
    """Goal 4 comments about buses, hospitals and traffic jams, profiles cycling."""
    texts = [*BUSES, *HOSPITALS, *ROADS]
    return [
        ThemeComment(i + 1, text, ("4",), ("30s", "70s")[i % 2], DISTRICTS[i % 3])
        for i, text in enumerate(texts)
    ]


def test_comments_about_one_topic_form_one_theme_labelled_with_its_word() -> None:
    [goal] = find_themes(_comments())
    assert goal.goal == "4" and goal.comments == 24
    ids = {"バス": set(range(1, 9)), "病院": set(range(9, 17)), "渋滞": set(range(17, 25))}
    for word, members in ids.items():
        theme = max(goal.themes, key=lambda t: len(members & set(t.comment_ids)))
        assert word in theme.words, (word, theme.label)
        assert len(members & set(theme.comment_ids)) >= 6
        assert len(set(theme.comment_ids) - members) <= 2


def test_each_theme_counts_its_comments_by_age_band_and_district_and_quotes_its_own() -> None:
    [goal] = find_themes(_comments())
    assert goal.themes
    for theme in goal.themes:
        assert sum(theme.by_age_band.values()) == theme.size == len(theme.comment_ids)
        assert sum(theme.by_district.values()) == theme.size
        assert set(theme.by_age_band) <= {"30s", "70s"}
        assert theme.share == theme.size / goal.comments
        assert 1 <= len(theme.examples) <= 3
        assert {c.id for c in theme.examples} <= set(theme.comment_ids)
        assert theme.label == "・".join(theme.words)
    assert [t.number for t in goal.themes] == list(range(1, len(goal.themes) + 1))
    assert [t.size for t in goal.themes] == sorted((t.size for t in goal.themes), reverse=True)
    assert goal.unthemed == goal.comments - sum(t.size for t in goal.themes)


def test_themes_are_the_same_from_one_run_to_the_next() -> None:
    comments = _comments()
    assert find_themes(comments) == find_themes(list(comments))


def test_a_comment_counts_in_each_of_its_goals_and_a_small_goal_has_no_themes() -> None:
    comments = [*_comments(), ThemeComment(99, "バスで通う保育園", ("3", "4"))]
    by_goal = {g.goal: g for g in find_themes(comments)}
    assert by_goal["4"].comments == 25
    assert (by_goal["3"].comments, by_goal["3"].themes, by_goal["3"].unthemed) == (1, (), 1)


def test_masks_particles_and_the_city_itself_are_no_theme_words() -> None:
    words = ContentWords()("【氏名】さんが日立市のバスは本数が少ないと言っていました。【電話番号】")
    assert words == ["バス", "本数", "少ない"]


def test_the_note_says_counts_of_comments_are_not_shares_of_residents() -> None:
    assert "コメントの数" in NOTE and "割合ではありません" in NOTE
