"""Themes: similar comments of a goal grouped, labelled by their words, stable run to run."""

from __future__ import annotations

from analysis.themes import NOTE, ThemeComment, find_themes
from analysis.themes.words import ContentWords

BUSES = [
    "バスの本数が少なくて不便です",
    "朝のバスが一時間に一本しかない",
    "BRTのバスをもっと増やしてほしい",
    "バス停まで遠い、バスの本数も少ない",
    "夜のバスが早く終わってしまう",
    "バスの時刻表が分かりにくい、本数も少ない",
    "高校生の通学バスが満員で乗れない",
    "バスの運賃が高いし本数が少ない",
]
HOSPITALS = [
    "夜間に子どもを診てくれる病院がない",
    "病院の待ち時間が長すぎる",
    "近くに病院がなくて通院が大変",
    "救急の病院が遠い",
    "総合病院の予約が取れない",
    "病院への送迎があれば助かる",
    "休日に開いている病院を増やして",
    "病院の駐車場が狭くて通院が大変",
]
ROADS = [
    "国道6号の渋滞がひどい",
    "朝の渋滞で会社に遅れる、道路を広げて",
    "245号の渋滞をなんとかして",
    "通勤の渋滞がつらい",
    "渋滞がひどくて道路が足りない",
    "夕方の渋滞で動かない",
    "道路の渋滞が毎日ひどい",
    "渋滞が長くて通勤が大変",
]
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
