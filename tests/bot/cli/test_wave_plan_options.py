"""`wave create` and `wave edit` offer the same plan options, with the same help."""

from __future__ import annotations

from click.testing import CliRunner

from bot.cli import cli


def options_help(*command: str) -> list[str]:
    """The lines of a command's --help from its Options: heading on."""
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    return lines[lines.index("Options:") + 1 :]


def test_create_offers_the_plan_options_of_edit_and_the_survey() -> None:
    create, edit = options_help("wave", "create"), options_help("wave", "edit")
    assert create[0].split()[:2] == ["--survey", "TEXT"] and "[required]" in create[0]
    assert create[1:] == edit


def test_the_channel_option_offers_telegram_line_or_both() -> None:
    (channel,) = [line for line in options_help("wave", "edit") if "--channel" in line]
    assert "--channel [telegram|line|both]" in channel
    assert "Residents reached through Telegram, LINE or" in channel
