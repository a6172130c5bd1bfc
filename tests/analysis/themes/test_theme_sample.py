"""Themes of many comments use a stable sample: the newest MAX_COMMENTS, said on the page."""

from __future__ import annotations

from analysis.themes import MAX_COMMENTS, ThemeComment, ThemeOptions, find_themes, sample_note
from tests.analysis.themes.comments import BUSES, HOSPITALS, ROADS


def _comments() -> list[ThemeComment]:
    texts = [*HOSPITALS, *BUSES, *ROADS]  # hospitals are the oldest
    return [ThemeComment(i + 1, text, ("4",)) for i, text in enumerate(texts)]


def test_only_the_newest_comments_are_grouped_whatever_their_order() -> None:
    options = ThemeOptions(max_comments=16)
    comments = _comments()
    [goal] = find_themes(comments, options)
    [shuffled] = find_themes(comments[::-1], options)
    assert goal.comments == 16 and shuffled == goal
    themed = {cid for theme in goal.themes for cid in theme.comment_ids}
    assert themed and min(themed) > len(HOSPITALS)
    assert not any("病院" in theme.words for theme in goal.themes)


def test_the_note_says_how_many_of_how_many_only_when_some_were_left_out() -> None:
    assert MAX_COMMENTS == 10_000
    assert sample_note(10_000, 10_000) is None
    note = sample_note(10_000, 123_456)
    assert note is not None and "新しい順に10,000件（全123,456件のうち）" in note
