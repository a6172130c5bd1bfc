"""The console shows wave rules in Japanese (the CLI keeps the English), from one catalogue that
has an entry for every message the wave modules raise."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import httpx
import pytest

from bot.app.services import Services
from bot.console.wave_messages import CATALOGUE, in_japanese
from tests.builders import make_wave

ROOT = Path(__file__).resolve().parents[3]
RAISING = ("bot/app/waves.py", "bot/app/wave_plans.py", "surveys/waves.py", "surveys/sending.py")
ERRORS = {"WaveError", "WaveRuleError", "SendingRuleError", "ValueError"}


def _template(node: ast.expr) -> str | None:
    """A raised message with {} for each value put in, or None when it is not a literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    return None


def _raised(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = getattr(node.exc.func, "id", "")
            if name in ERRORS and node.exc.args and (text := _template(node.exc.args[0])):
                found.add(text)
    return found


def test_every_wave_rule_message_has_a_japanese_entry() -> None:
    known = {re.sub(r"\{\w+\}", "{}", message.en) for message in CATALOGUE}
    raised = set().union(*(_raised(ROOT / name) for name in RAISING))
    assert len(raised) > 20
    # "wave {wave}: {rule}" puts any other entry after the wave's number
    rules = {text.removeprefix("wave {}: ") for text in raised} - {"{}"}
    assert rules - known == set()


@pytest.mark.parametrize(
    ("english", "japanese"),
    [
        (
            "wave 3: survey residency-livability already has an open wave: 1",
            "調査回 3：調査票 residency-livability には回答受付中の調査回（1）があります。"
            "先に締め切ってください",
        ),
        (
            "wave 2: a draft wave cannot become closed",
            "調査回 2：「下書き」の調査回は「終了」にできません",
        ),
        (
            "wave 5: only a draft wave can be deleted: it is closed and its answers are the "
            "survey's record",
            "調査回 5：削除できるのは下書きの調査回だけです"
            "（終了しており、回答は調査の記録として残ります）",
        ),
        (
            'profile field district has no value "mars"',
            "「地区」に「mars」という選択肢はありません",
        ),
        ("a message nobody wrote down", "a message nobody wrote down"),
    ],
)
def test_a_message_reads_in_japanese(english: str, japanese: str) -> None:
    assert in_japanese(english) == japanese


def _error(response: httpx.Response) -> str:
    return httpx.URL(response.headers["location"]).params["error"]


async def test_the_waves_page_refuses_in_japanese(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    spring = await make_wave(services.uow, name="春", status="open")
    summer = await make_wave(services.uow, name="夏", status="draft")
    opened = await client.post(f"/waves/{summer.id}/open", data={"csrf_token": admin})
    assert _error(opened) == (
        f"操作できませんでした：調査票 residency-livability には回答受付中の調査回（{spring.id}）"
        "があります。先に締め切ってください"
    )
    closed = await client.post(f"/waves/{summer.id}/close", data={"csrf_token": admin})
    assert "「下書き」の調査回は「終了」にできません" in _error(closed)
    for _ in range(2):
        lifted = await client.post(f"/waves/{spring.id}/lift-embargo", data={"csrf_token": admin})
    assert "結果の公開制限はすでに解除されています" in _error(lifted)


async def test_a_bad_form_value_is_named_in_japanese(
    client: httpx.AsyncClient, services: Services, admin: str
) -> None:
    form = {"csrf_token": admin, "survey_id": "residency-livability", "closes": "あした"}
    page = await client.post("/waves", data=form)
    assert page.status_code == 400
    assert "終了日時：日時「あした」が読み取れません（例：2030-05-01T09:00）" in page.text
    assert "not a date" not in page.text
    late = {**form, "closes": "2020-01-01T09:00"}
    assert "終了日時が過ぎています" in (await client.post("/waves", data=late)).text
