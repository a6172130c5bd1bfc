"""The LINE stand-in's client API for the demo page: users, refusals, CORS, the menu."""

from __future__ import annotations

import httpx

from bot.demo.line_platform.client import DemoLinePlatform


async def test_the_page_api_refuses_what_a_phone_could_not_send() -> None:
    async with DemoLinePlatform() as platform, httpx.AsyncClient() as client:
        base = platform.api_url + "/_client/line"
        made = (await client.post(base + "/users", json={})).json()
        user_id = made["user"]["id"]
        assert made["ok"] and user_id.startswith("U") and len(user_id) == 33
        again = (await client.post(base + "/users", json={"user_id": user_id})).json()
        assert again["user"]["id"] == user_id
        other = (await client.post(base + "/users", json={"user_id": "Uforged"})).json()
        assert other["user"]["id"] != "Uforged"  # only known users are taken up again

        empty = await client.post(f"{base}/users/{user_id}/say", json={"text": "  "})
        assert empty.status_code == 400
        nodata = await client.post(f"{base}/users/{user_id}/postback", json={})
        assert nodata.status_code == 400
        unknown = await client.get(f"{base}/users/Unobody/chat")
        assert unknown.status_code == 404

        screen = await client.get(f"{base}/users/{user_id}/chat")
        assert screen.json() == {"ok": True, "version": 0, "chat": [], "menu": None}
        assert screen.headers["access-control-allow-origin"] == "*"
        preflight = await client.options(f"{base}/users/{user_id}/say")
        assert preflight.status_code == 204
        assert (await client.get(base + "/richmenu.png")).status_code == 404
    assert platform.violations == []
