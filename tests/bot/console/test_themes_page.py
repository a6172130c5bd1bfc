"""The Themes page and /api/themes: topics per goal, the note, the click through to comments."""

from __future__ import annotations

import re

import httpx
import pytest

from bot.app.services import Services
from bot.console import theme_views
from storage.repositories.comment_search import CommentSearch
from tests.analysis.themes.comments import BUSES, HOSPITALS, ROADS
from tests.bot.console.conftest import ANALYST_ID
from tests.builders import NOW, Seed, make_wave, store_comments

pytestmark = pytest.mark.usefixtures("backend")


async def _seed(services: Services) -> int:
    """A wave with goal 4 comments about buses, hospitals and traffic jams."""
    wave = await make_wave(services.uow)
    await store_comments(
        services.uow, wave.id, [Seed(text, ["4"]) for text in [*BUSES, *HOSPITALS, *ROADS]]
    )
    return wave.id


async def test_a_theme_links_to_exactly_its_comments(
    client: httpx.AsyncClient, analyst: str, services: Services
) -> None:
    wave_id = await _seed(services)
    page = await client.get("/themes", params={"wave": wave_id})
    assert page.status_code == 200
    assert "市民や回答者に占める割合ではありません" in page.text
    links = dict(
        (label, href.replace("&amp;", "&"))
        for href, label in re.findall(r'<a href="(/comments\?theme=[^"]+)">([^<]+)</a>', page.text)
    )
    [href] = [href for label, href in links.items() if "渋滞" in label]
    comments = await client.get(href)
    assert comments.status_code == 200
    shown = set(re.findall(r'<td class="text">([^<\n]+)', comments.text))
    assert len(shown & set(ROADS)) >= 6 and len(shown - set(ROADS)) <= 2
    gone = await client.get("/comments", params={"theme": "4-99", "wave": wave_id})
    assert gone.status_code == 400 and "もうありません" in gone.text


async def test_the_api_gives_each_goals_themes_with_masked_examples(
    client: httpx.AsyncClient, admin: str, services: Services
) -> None:
    wave_id = await _seed(services)
    found = (await client.get("/api/themes", params={"wave": wave_id, "goal": "4"})).json()
    [goal] = found["goals"]
    assert goal["goal"] == "4" and goal["comments"] == 24
    assert any("バス" in theme["words"] for theme in goal["themes"])
    assert all(set(t["by_district"]) == {"kuji"} for t in goal["themes"])
    assert (await client.get("/api/themes", params={"goal": "9"})).status_code == 400


async def test_a_hidden_comment_is_in_no_theme(
    client: httpx.AsyncClient, analyst: str, services: Services
) -> None:
    wave_id = await _seed(services)
    async with services.uow() as uow:
        rows = await CommentSearch(uow.session).theme_sources(wave_id)
        roads = [r.id for r in rows if r.masked_text in ROADS][:3]
        await CommentSearch(uow.session).hide(roads, "重複投稿", ANALYST_ID, NOW)
        await uow.commit()
    found = (await client.get("/api/themes", params={"wave": wave_id, "goal": "4"})).json()
    [goal] = found["goals"]
    assert goal["comments"] == 21
    themed = {cid for theme in goal["themes"] for cid in theme["comment_ids"]}
    examples = {e["id"] for theme in goal["themes"] for e in theme["examples"]}
    assert not (themed | examples) & set(roads)


async def test_all_waves_use_the_newest_comments_up_to_the_cap_and_say_so(
    client: httpx.AsyncClient, analyst: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(theme_views, "MAX_COMMENTS", 20)
    older = await make_wave(services.uow, name="昨年", status="closed")
    first = await store_comments(services.uow, older.id, [Seed(t, ["4"]) for t in HOSPITALS])
    await _seed(services)
    page = await client.get("/themes")
    assert "新しい順に20件（全32件のうち）からテーマを計算しています" in page.text
    found = (await client.get("/api/themes")).json()
    assert found["sample_note"] and [g["comments"] for g in found["goals"]] == [20]
    themed = {cid for g in found["goals"] for t in g["themes"] for cid in t["comment_ids"]}
    assert themed and not themed & set(first)  # last year's comments are the oldest
    one_wave = await client.get("/themes", params={"wave": older.id})
    assert "からテーマを計算しています" not in one_wave.text
