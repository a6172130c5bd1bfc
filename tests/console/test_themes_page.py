"""The Themes page and /api/themes: topics per goal, the note, the click through to comments."""

from __future__ import annotations

import re

import httpx
import pytest

from bot.services import Services
from tests.analysis.themes.test_themes import BUSES, HOSPITALS, ROADS
from tests.builders import make_wave
from tests.storage.test_comment_search import Seed, store_comments

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
