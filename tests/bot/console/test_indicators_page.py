"""The Indicators page: the report's figures, the embargo, and the downloads."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from bot.app.services import Services
from bot.console.core import recent_actions
from tests.bot.report_data import seed_wave

pytestmark = pytest.mark.usefixtures("backend")


async def test_a_closed_wave_shows_estimates_intervals_and_n_and_downloads_them(
    client: httpx.AsyncClient, analyst: str, services: Services
) -> None:
    wave_id = await seed_wave(services.uow, chat=300, mail=100)
    page = await client.get("/indicators", params={"wave": wave_id})
    assert page.status_code == 200
    assert "住み続けたいと思う市民の割合" in page.text
    assert "<td>50.0%</td>" in page.text and "<td>320</td>" in page.text
    table = await client.get("/indicators/report.csv", params={"wave": wave_id})
    assert table.status_code == 200 and "attachment" in table.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    intent = next(r for r in rows if r["indicator"] == "residency_intent" and not r["breakdown"])
    assert (intent["value"], intent["n"]) == ("50.0", "320")
    workbook = await client.get("/indicators/report.xlsx", params={"wave": wave_id})
    assert load_workbook(io.BytesIO(workbook.content)).sheetnames
    html = await client.get("/indicators/report.html", params={"wave": wave_id})
    assert "住み続けたいと思う市民の割合" in html.text
    assert (await client.get("/indicators/report.pdf", params={"wave": wave_id})).status_code == 404
    actions = [(a.action, a.target) for a in await recent_actions(services)]
    assert ("export.csv", f"wave {wave_id}") in actions and (
        "export.xlsx",
        f"wave {wave_id}",
    ) in actions


async def test_an_open_wave_under_embargo_shows_no_figures_and_no_download(
    client: httpx.AsyncClient, admin: str, services: Services
) -> None:
    wave_id = await seed_wave(services.uow, status="open", chat=60, mail=0)
    page = await client.get("/indicators", params={"wave": wave_id})
    assert "公開制限中" in page.text and "住み続けたいと思う市民の割合" not in page.text
    refused = await client.get("/indicators/report.csv", params={"wave": wave_id})
    assert refused.status_code == 403
    staff = await client.get("/staff")
    assert "export.csv" not in staff.text
