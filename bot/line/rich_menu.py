"""machikoe's default rich menu: the resident commands as postback areas, set once per channel."""

from __future__ import annotations

import logging
from importlib.resources import files
from pathlib import Path

import aiohttp
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
)
from linebot.v3.messaging.exceptions import ApiException

from bot.app.conversation.onboarding import Command
from bot.app.texts import LINE_MENU
from bot.config import Settings
from bot.line.handler import POSTBACKS

log = logging.getLogger(__name__)

NAME = "machikoe default menu v1"
"""Found by this name at start-up; a new design gets a new name (and a new menu)."""
CHAT_BAR_TEXT = "メニュー"
WIDTH, HEIGHT = 2500, 843
IMAGE = Path(str(files("bot.line") / "data" / "rich_menu.png"))
MENU: tuple[tuple[Command | str, str], ...] = tuple(
    (POSTBACKS[name], label) for name, label in LINE_MENU.items()
)
"""Each area's postback data (what the keywords name too) and the text the tap shows."""


def menu_request() -> RichMenuRequest:
    """The menu: one row of equal areas, each a postback of its command."""
    width = WIDTH // len(MENU)
    areas = [
        RichMenuArea(
            bounds=RichMenuBounds(x=index * width, y=0, width=width, height=HEIGHT),
            action=PostbackAction(label=label, data=str(command), displayText=label),
        )
        for index, (command, label) in enumerate(MENU)
    ]
    return RichMenuRequest(
        size=RichMenuSize(width=WIDTH, height=HEIGHT),
        selected=True,  # shown open: the commands are in sight from the first message
        name=NAME,
        chatBarText=CHAT_BAR_TEXT,
        areas=areas,
    )


async def ensure_rich_menu(api: AsyncMessagingApi, blob: AsyncMessagingApiBlob) -> str:
    """The channel's default menu is ours: the one already made if there is one, else new."""
    listed = await api.get_rich_menu_list()
    for menu in listed.richmenus:
        if menu.name != NAME:
            continue
        try:
            await api.set_default_rich_menu(menu.rich_menu_id)
            return menu.rich_menu_id
        except ApiException as error:
            if error.status != 400:
                raise
            # made by a start-up interrupted before its image was uploaded
            await api.delete_rich_menu(menu.rich_menu_id)
    created = await api.create_rich_menu(menu_request())
    menu_id = created.rich_menu_id
    await blob.set_rich_menu_image(
        menu_id, body=IMAGE.read_bytes(), _headers={"Content-Type": "image/png"}
    )
    await api.set_default_rich_menu(menu_id)
    log.info("line: created the default rich menu")
    return menu_id


async def set_up_rich_menu(settings: Settings, api: AsyncMessagingApi) -> str | None:
    """Make sure of the default menu; a failure is logged (the keywords still work)."""
    # The blob API's own host (api-data.line.me) unless a stand-in serves both.
    configuration = Configuration(
        host=settings.line_api_url, access_token=settings.line_channel_token
    )
    async with AsyncApiClient(configuration) as client:
        try:
            return await ensure_rich_menu(api, AsyncMessagingApiBlob(client))
        except (ApiException, TimeoutError, OSError, aiohttp.ClientError) as error:
            status = getattr(error, "status", "")
            log.warning("line: the rich menu was not set (%s %s)", type(error).__name__, status)
            return None
