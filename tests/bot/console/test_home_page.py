"""Home: open and scheduled waves with live counts, breakdowns and invitation progress."""

from __future__ import annotations

import re

import httpx

from bot.app.services import Services
from tests.builders import PROFILE, make_response, make_wave


def _board(html: str, name: str) -> str:
    """The section of one wave on the page."""
    found = re.search(rf"<section[^>]*>\s*<h2[^>]*>{re.escape(name)}.*?</section>", html, re.S)
    assert found, name
    return found.group(0)


def _count(board: str, key: str) -> str:
    found = re.search(rf'data-count="{key}">([^<]*)<', board)
    assert found, key
    return found.group(1)


async def test_home_counts_an_open_wave_by_age_band_and_district(
    client: httpx.AsyncClient, services: Services, analyst: str
) -> None:
    wave = await make_wave(services.uow, name="春の調査", status="open")
    await make_wave(services.uow, name="夏の調査", status="scheduled")
    await make_wave(services.uow, name="去年の調査", status="closed")
    await make_response(services.uow, wave.id, profile={**PROFILE, "district": "taga"})
    await make_response(services.uow, wave.id, profile={**PROFILE, "age_band": "70plus"})
    await make_response(services.uow, wave.id, submit=False)

    page = (await client.get("/")).text
    board = _board(page, "春の調査")
    assert (_count(board, "started"), _count(board, "completed")) == ("3", "2")
    assert _count(board, "rate") == "67%"
    assert '<th scope="row">70歳以上</th><td>1</td>' in board
    assert '<th scope="row">多賀地区（多賀・大久保・河原子・成沢）</th><td>1</td>' in board
    assert "開始予約済み" in _board(page, "夏の調査")
    assert "去年の調査" not in page
    assert page.index("春の調査") < page.index("夏の調査")  # open waves first
