"""Waves know channels in the console: the form's audience channel (the CLI's rule, Japanese
errors), the channel on the Waves page, and each wave's counts by Telegram and LINE."""

from __future__ import annotations

import re

import httpx

from bot.app.services import Services
from bot.app.waves import list_waves
from storage.models import Base
from storage.overview import CONTACTS
from surveys.modes import ResponseMode
from tests.bot.console.conftest import answered, line_respondent
from tests.builders import NOW, PROFILE, make_respondent, make_wave

SURVEY = "residency-livability"
NOTE = "LINEとTelegramの両方で回答した方は、別々の回答者として数えています"


def channel_rows(html: str, wave_id: int) -> dict[str, list[int]]:
    """The wave's by-channel table: mode (or all) → invited, sent, started, completed."""
    card = html.split(f'id="w{wave_id}"', 1)[1].split("</section>", 1)[0]
    return {
        mode: [int(n) for n in re.findall(r"<td>(\d+)</td>", cells)]
        for mode, cells in re.findall(r'<tr data-mode="(\w+)">(.*?)</tr>', card)
    }


def form(csrf: str, **fields: str | list[str]) -> dict[str, str | list[str]]:
    """The wave form as a browser posts it."""
    return {"csrf_token": csrf, "survey_id": SURVEY, "summary_time": "09:00", **fields}


async def test_an_admin_plans_a_line_wave_and_the_page_names_its_channel(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    blank = await client.get("/waves/new")
    assert re.search(r'name="channel" value="both" checked', blank.text)
    created = await client.post(
        "/waves", data=form(admin, name="LINEの回", channel="line", **{"audience.age_band": "30s"})
    )
    assert created.status_code == 303
    [details] = await list_waves(services)
    wave = details.wave
    assert wave.audience == {"age_band": ["30s"], "channel": ["line"]}
    page = (await client.get("/waves")).text
    assert 'data-channel="line">LINE</dd>' in page
    assert "<dt>対象</dt><dd>年代：30代</dd>" in page  # the channel is not a profile filter

    editing = await client.get(f"/waves/{wave.id}/edit")
    assert re.search(r'name="channel" value="line" checked', editing.text)
    assert re.search(r'name="audience.age_band" value="30s" checked', editing.text)
    saved = await client.post(
        f"/waves/{wave.id}/edit",
        data=form(admin, name="LINEの回", channel="both", **{"audience.age_band": "30s"}),
    )
    assert saved.status_code == 303
    [details] = await list_waves(services)
    assert details.wave.audience == {"age_band": ["30s"]}
    assert 'data-channel="both">TelegramとLINEの両方</dd>' in (await client.get("/waves")).text


async def test_a_channel_that_does_not_exist_is_refused_in_japanese(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    refused = await client.post("/waves", data=form(admin, name="FAXの回", channel="fax"))
    assert refused.status_code == 400
    assert "チャネル「fax」はありません（Telegram・LINE・両方から選んでください）" in refused.text
    assert 'value="FAXの回"' in refused.text
    assert await list_waves(services) == []


async def test_a_line_wave_invites_only_line_residents_and_counts_them_by_channel(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    for _ in range(2):
        await make_respondent(services.uow, profile=PROFILE)
    line = [await line_respondent(services, n) for n in range(3)]
    await client.post("/waves", data=form(admin, name="LINEだけ", channel="line"))
    [details] = await list_waves(services)
    opened = await client.post(f"/waves/{details.wave.id}/open", data={"csrf_token": admin})
    assert opened.status_code == 303
    await answered(services, details.wave.id, line[0], ResponseMode.LINE, done=True)

    rows = channel_rows((await client.get("/waves")).text, details.wave.id)
    assert rows == {"line": [3, 0, 1, 1], "all": [3, 0, 1, 1]}


async def test_the_wave_page_counts_each_channel_and_both_with_the_method_note(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    wave = await make_wave(services.uow, name="両方の回", status="draft")
    telegram = [await make_respondent(services.uow, profile=PROFILE) for _ in range(2)]
    line = [await line_respondent(services, n) for n in range(10, 13)]
    opened = await client.post(f"/waves/{wave.id}/open", data={"csrf_token": admin})
    assert opened.status_code == 303
    async with services.uow() as uow:
        pending = await uow.invitations.next_pending(wave.id, "invite")
        sent = {telegram[0].id, line[0].id, line[1].id}
        for target in pending:
            if target.respondent_id in sent:
                await uow.invitations.mark(target.invitation_id, "sent", NOW)
        await uow.commit()
    await answered(services, wave.id, telegram[0], ResponseMode.CHAT, done=True)
    await answered(services, wave.id, line[0], ResponseMode.LINE, done=True)
    await answered(services, wave.id, line[1], ResponseMode.LINE, done=False)

    page = (await client.get("/waves")).text
    assert channel_rows(page, wave.id) == {
        "chat": [2, 1, 1, 1],
        "line": [3, 2, 2, 1],
        "all": [5, 3, 3, 2],
    }
    card = page.split(f'id="w{wave.id}"', 1)[1].split("</section>", 1)[0]
    assert "<caption" in card and "チャネル別の回答状況" in card
    assert '<th scope="row">Telegram</th>' in card and '<th scope="row">合計</th>' in card
    assert NOTE in card
    # the combined row is the wave's own counts
    assert "案内 3・開始 3・完了 2" in card


async def test_a_draft_shows_no_channel_counts(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    wave = await make_wave(services.uow, name="下書き", status="draft")
    page = (await client.get("/waves")).text
    assert channel_rows(page, wave.id) == {}
    assert NOTE not in page


def test_the_light_contacts_table_names_columns_of_the_schema() -> None:
    schema = Base.metadata.tables[CONTACTS.name]
    for column in CONTACTS.c:
        assert type(column.type) is type(schema.c[column.name].type)


async def test_home_counts_an_open_wave_by_channel_with_the_note(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    wave = await make_wave(services.uow, name="受付中の回", status="draft")
    telegram = await make_respondent(services.uow, profile=PROFILE)
    line = await line_respondent(services, 20)
    await client.post(f"/waves/{wave.id}/open", data={"csrf_token": admin})
    await answered(services, wave.id, telegram, ResponseMode.CHAT, done=False)
    await answered(services, wave.id, line, ResponseMode.LINE, done=True)

    home = (await client.get("/")).text
    board = home.split(f'id="wave-{wave.id}"', 1)[1].split("</section>", 1)[0]
    assert "<caption>チャネル別の回答数</caption>" in board
    assert '<tr data-mode="chat"><th scope="row">Telegram</th><td>1</td><td>0</td></tr>' in board
    assert '<tr data-mode="line"><th scope="row">LINE</th><td>1</td><td>1</td></tr>' in board
    assert NOTE in board
