"""Exports never carry a LINE user id (nor the pseudonym's input in any form)."""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path

from tests.bot.cli.conftest import Machikoe
from tests.bot.line.conftest import SECRET, LineBot, onboard


async def test_responses_exports_carry_no_line_user_id(line: LineBot, tmp_path: Path) -> None:
    user = line.user()
    await onboard(user)
    await user.tap("住みやすい")
    await user.tap("ずっと住み続けたい")
    database_url = line.services.settings.database_url
    assert database_url is not None
    machikoe = Machikoe(database_url, tmp_path / "data")
    for form in ("csv", "xlsx"):
        output = tmp_path / f"out.{form}"
        args = ["export", "responses", "--wave", str(line.wave_id), "--format", form]
        args += ["--output", str(output), *(["--labels"] if form == "csv" else [])]
        result = await asyncio.to_thread(machikoe, *args, secret=SECRET)
        assert result.exit_code == 0, result.output
        if form == "csv":
            text = output.read_text(encoding="utf-8-sig")
            assert "exported 1 responses" in result.output
        else:
            with zipfile.ZipFile(output) as book:
                text = "".join(
                    book.read(name).decode("utf-8", "replace") for name in book.namelist()
                )
        assert user.user_id not in text
        assert user.user_id[1:] not in text  # not even without its leading U
