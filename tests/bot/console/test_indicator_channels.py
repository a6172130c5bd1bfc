"""The Indicators page broken down by channel (mode) and combined, with the same intervals as
the combined values, and the note that a resident on both channels is two respondents."""

from __future__ import annotations

import re

import httpx
import pytest

from bot.app.services import Services
from tests.bot.report_data import add_rows, resident_rows, seed_wave

pytestmark = pytest.mark.usefixtures("backend")
NOTE = "LINEとTelegramの両方で回答した方は、別々の回答者として数えています"
LABEL = "住み続けたいと思う市民の割合"


def by_mode(html: str, label: str) -> dict[str, tuple[str, float, float, int]]:
    """One indicator's rows of the channel table: mode → (value, ci low, ci high, n)."""
    table = html.split('id="by-channel"', 1)[1].split("</table>", 1)[0]
    group = next(g for g in table.split("<tbody>")[1:] if f">{label}</th>" in g)
    found = {}
    for mode, row in re.findall(r'<tr data-mode="(\w+)">(.*?)</tr>', group, re.S):
        value, low, high, n = re.search(
            r"<td>([\d.]+)%</td>\s*<td>([\d.]+)〜([\d.]+)%</td>\s*<td>(\d+)</td>", row
        ).groups()  # type: ignore[union-attr]
        found[mode] = (value, float(low), float(high), int(n))
    return found


async def test_indicators_by_channel_and_combined_with_their_intervals_and_the_note(
    client: httpx.AsyncClient, analyst: str, services: Services
) -> None:
    wave_id = await seed_wave(services.uow, chat=300, mail=0)
    await add_rows(services.uow, wave_id, resident_rows(100, "line-", "line", shift=1))

    plain = (await client.get("/indicators", params={"wave": wave_id})).text
    assert 'id="by-channel"' not in plain and NOTE not in plain
    assert '<option value="channel">チャネル別</option>' in plain

    page = await client.get("/indicators", params={"wave": wave_id, "by": "channel"})
    assert page.status_code == 200
    assert '<option value="channel" selected>チャネル別</option>' in page.text
    assert NOTE in page.text
    rows = by_mode(page.text, LABEL)
    assert list(rows) == ["chat", "line", "all"]
    chat, line, combined = rows["chat"], rows["line"], rows["all"]
    assert (chat[0], chat[3]) == ("50.0", 240)
    assert (line[0], line[3]) == ("50.0", 80)
    assert (combined[0], combined[3]) == ("50.0", 320)
    # fewer answers, wider interval: each channel's interval is its own, not the combined one
    assert line[2] - line[1] > chat[2] - chat[1] > combined[2] - combined[1]
    assert '<th scope="row">Telegram</th>' in page.text
    assert '<th scope="row">合計（全チャネル）</th>' in page.text


async def test_a_channel_with_few_answers_is_hidden_like_any_small_group(
    client: httpx.AsyncClient, analyst: str, services: Services
) -> None:
    wave_id = await seed_wave(services.uow, chat=300, mail=0)
    await add_rows(services.uow, wave_id, resident_rows(3, "line-", "line"))
    page = (await client.get("/indicators", params={"wave": wave_id, "by": "channel"})).text
    table = page.split('id="by-channel"', 1)[1].split("</table>", 1)[0]
    line = re.search(r'<tr data-mode="line">(.*?)</tr>', table, re.S)
    assert line and "非表示（少数）" in line.group(1) and "〜" not in line.group(1)


async def test_an_unknown_breakdown_shows_the_combined_values_only(
    client: httpx.AsyncClient, analyst: str, services: Services
) -> None:
    wave_id = await seed_wave(services.uow, chat=60, mail=0)
    page = await client.get("/indicators", params={"wave": wave_id, "by": "fax"})
    assert page.status_code == 200 and LABEL in page.text
    assert 'id="by-channel"' not in page.text
