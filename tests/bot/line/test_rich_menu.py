"""The channel's default rich menu: made once through the SDK, its areas reach the commands."""

from __future__ import annotations

import httpx
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
)
from linebot.v3.messaging.exceptions import ApiException

from bot.demo.line_platform.rich_menus import StoredMenu
from bot.line.rich_menu import NAME, menu_request
from tests.bot.line.conftest import LineBot, contact_of, onboard


async def test_the_channel_shows_machikoe_menu_and_a_restart_makes_no_second(
    line: LineBot,
) -> None:
    menus = line.platform.rich_menus
    menu = menus.default
    assert menu is not None and menu.image is not None and menu.content_type == "image/png"
    assert menu.menu["name"] == NAME and menu.menu["size"] == {"width": 2500, "height": 843}
    actions = [area["action"] for area in menu.menu["areas"]]
    assert [(a["type"], a["data"], a["displayText"]) for a in actions] == [
        ("postback", "start", "回答する"),
        ("postback", "mydata", "マイデータ"),
        ("postback", "delete", "削除"),
        ("postback", "stop", "配信停止"),
    ]
    await line.restart()
    assert menus.created == 1 and len(menus.menus) == 1
    assert menus.default is menu


async def test_a_menu_left_without_its_image_is_made_again(line: LineBot) -> None:
    menus = line.platform.rich_menus
    menus.menus.clear()
    menus.default_id = None
    menus.menus["richmenu-half"] = StoredMenu("richmenu-half", menu_request().to_dict())
    await line.restart()
    assert "richmenu-half" not in menus.menus
    assert menus.default is not None and menus.default.image is not None


async def test_the_menu_areas_do_what_the_keywords_do(line: LineBot) -> None:
    aiko = line.user()
    await onboard(aiko)
    question = aiko.last
    await aiko.menu("マイデータ")
    assert any("30代" in message.text for message in aiko.messages[-3:])
    await aiko.menu("配信停止")
    contact = await contact_of(line.services, aiko.user_id)
    assert contact is not None and not contact.subscribed
    await aiko.menu("回答する")
    contact = await contact_of(line.services, aiko.user_id)
    assert contact is not None and contact.subscribed
    assert aiko.last == question  # back where she was
    await aiko.menu("削除")
    assert "すべて消去" in aiko.last and aiko.buttons
    assert [entry["text"] for entry in aiko.chat if entry["from"] == "user"][-4:] == [
        "マイデータ",
        "配信停止",
        "回答する",
        "削除",
    ]


async def test_a_menu_over_the_limits_is_refused_and_counted(line: LineBot) -> None:
    platform = line.platform
    menu = menu_request().to_dict()  # the SDK checks some limits itself: go round it
    menu["chatBarText"] = "メニューを開いてください、どうぞ"  # 16 characters (limit 14)
    menu["areas"] = menu["areas"] * 6  # 24 areas (limit 20)
    menu["size"] = {"width": 2500, "height": 2000}  # taller than width ÷ 1.45
    menu["name"] = "m" * 301
    async with httpx.AsyncClient() as client:
        response = await client.post(
            platform.api_url + "/v2/bot/richmenu",
            json=menu,
            headers={"Authorization": f"Bearer {platform.token}"},
        )
    assert response.status_code == 400
    for problem in ("chatBarText of 16", "24 areas", "height 2000", "name of 301"):
        assert any(problem in v for v in platform.violations), problem
    platform.violations.clear()


async def test_an_image_of_the_wrong_kind_or_size_is_refused(line: LineBot) -> None:
    platform = line.platform
    configuration = Configuration(host=platform.api_url, access_token=platform.token)
    async with AsyncApiClient(configuration) as client:
        created = await AsyncMessagingApi(client).create_rich_menu(menu_request())
        blob = AsyncMessagingApiBlob(client)
        for body, kind in ((b"GIF89a", "image/gif"), (b"\xff" * ((1 << 20) + 1), "image/jpeg")):
            try:
                await blob.set_rich_menu_image(
                    created.rich_menu_id, body=body, _headers={"Content-Type": kind}
                )
            except ApiException as error:
                assert error.status == 400
            else:
                raise AssertionError(f"the stand-in accepted a {kind} image")
    assert any("image/gif" in v for v in platform.violations)
    assert any("1 MB" in v for v in platform.violations)
    platform.violations.clear()


async def test_a_failing_rich_menu_call_does_not_stop_line(line: LineBot) -> None:
    line.platform.rich_menus.fails = True
    await line.restart()
    assert line.server.rich_menu_id is None
    rin = line.user()
    assert await rin.follow() == 200
    await rin.say("回答する")  # the keywords still reach the commands
    assert rin.buttons == ["日本語", "English", "やさしい日本語"]
