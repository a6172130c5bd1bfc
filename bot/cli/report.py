"""`machikoe report`: a wave's indicators as text, JSON, HTML or XLSX."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from analysis.report import WaveReport, render_html, render_json, render_text, render_xlsx
from analysis.stats import MarginsError, TargetsError, load_margins, load_targets
from bot.app.reports import ReportOptions, build_wave_report, find_wave, known_categories
from bot.app.services import Services
from bot.cli import CliError
from bot.cli._shared import with_services
from storage.records import PROFILE_FIELDS, WaveRecord

log = logging.getLogger(__name__)

FORMATS = ("text", "json", "html", "xlsx")


def check_embargo(wave: WaveRecord, ignore: bool) -> None:
    """Refuse an embargoed wave's results unless staff said to ignore the embargo (logged)."""
    from bot.app.publishing import embargoed

    if not embargoed(wave):
        return
    if not ignore:
        raise CliError(
            f"wave {wave.id} is {wave.status} and its results are under embargo until it closes"
            f" (machikoe wave lift-embargo {wave.id}, or --ignore-embargo)"
        )
    log.warning("wave %d: report made under embargo (--ignore-embargo)", wave.id)


def read_options(weights: Path | None, targets: Path | None, year: int | None) -> ReportOptions:
    """Margins and targets files read and checked; one-line errors naming the row or line."""
    try:
        margins = load_margins(weights, PROFILE_FIELDS, known_categories()) if weights else None
        goals = load_targets(targets) if targets else None
    except (MarginsError, TargetsError) as exc:
        raise CliError(str(exc)) from None
    return ReportOptions(margins=margins, targets=goals, year=year)


def write_report(report: WaveReport, fmt: str, output: Path | None) -> None:
    """Render the report in a format to a file or (text, JSON) to standard output."""
    if fmt in ("html", "xlsx") and output is None:
        raise CliError(f"--format {fmt} needs --output FILE")
    try:
        if fmt == "xlsx":
            assert output is not None
            render_xlsx(report, output)
            return
        if fmt == "html":
            text = render_html(report)
        elif fmt == "json":
            text = json.dumps(render_json(report), ensure_ascii=False, indent=2) + "\n"
        else:
            text = render_text(report) + "\n"
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{output}: cannot write the report ({exc.strerror})") from None


@click.command("report")
@click.option("--wave", "wave_ref", required=True, metavar="WAVE", help="Wave id or name.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--weights",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Population margins CSV (dimension,category,population) to weight to.",
)
@click.option(
    "--targets",
    type=click.Path(dir_okay=False, path_type=Path),
    help="KPI targets YAML (baseline and target per indicator).",
)
@click.option("--year", type=click.IntRange(1900, 2999), help="KPI year (default: wave's close).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (required for html and xlsx; text and json go to stdout otherwise).",
)
@click.option(
    "--ignore-embargo",
    is_flag=True,
    help="Report a wave whose results are still under embargo (logged).",
)
@click.pass_context
def report_command(
    ctx: click.Context,
    wave_ref: str,
    fmt: str,
    weights: Path | None,
    targets: Path | None,
    year: int | None,
    output: Path | None,
    ignore_embargo: bool,
) -> None:
    """Indicators of a wave: estimates, intervals, breakdowns, KPI, trend and comments."""
    if fmt in ("html", "xlsx") and output is None:
        raise CliError(f"--format {fmt} needs --output FILE")
    options = read_options(weights, targets, year)

    async def work(services: Services) -> WaveReport:
        async with services.uow() as uow:
            wave = await find_wave(uow, wave_ref)
            check_embargo(wave, ignore_embargo)
            return await build_wave_report(uow, wave, options, services.timezone)

    report = with_services(ctx, work)
    write_report(report, fmt, output)
    if output is not None:
        click.echo(f"wrote {fmt} report of wave {report.wave_name} to {output}", err=True)
