"""The Indicators page's calls: a wave's report from bot/app/reports.py (embargo respected) and its
downloads through analysis/report's renderers."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.report import WaveReport, render_html, render_json, render_xlsx
from analysis.report.as_json import estimate_fields
from analysis.report.model import label_for, percent
from analysis.safe_cells import write_csv
from bot.app.publishing import embargoed, summary_options
from bot.app.reports import build_wave_report
from bot.app.services import Services
from storage.records import WaveRecord
from surveys.waves import WaveStatus

FORMATS = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
CSV_HEADER = [
    "indicator", "label", "breakdown", "category", "value", "ci_low", "ci_high", "n", "n_eff",
    "kpi_status", "kpi_achievement",
]  # fmt: skip


@dataclass(frozen=True)
class WaveIndicators:
    """A wave and its report (None while its results are under embargo)."""

    wave: WaveRecord
    report: WaveReport | None


async def reportable_waves(services: Services) -> list[WaveRecord]:
    """Waves that have started, newest first."""
    async with services.uow() as uow:
        waves = await uow.waves.list()
    return sorted(
        (w for w in waves if w.status not in (WaveStatus.DRAFT, WaveStatus.SCHEDULED)),
        key=lambda w: -w.id,
    )


async def wave_indicators(services: Services, wave: WaveRecord) -> WaveIndicators:
    """The wave's report as the CLI and the summaries build it, unless it is under embargo."""
    if embargoed(wave):
        return WaveIndicators(wave, None)
    options = summary_options(services.settings)
    async with services.uow() as uow:
        report = await build_wave_report(uow, wave, options, services.timezone)
    return WaveIndicators(wave, report)


def page_rows(report: WaveReport) -> list[dict[str, Any]]:
    """The report's indicators for the page: JSON fields plus the trend in percent."""
    shaped = render_json(report)["indicators"]
    for fields, indicator in zip(shaped, report.indicators, strict=True):
        fields["trend"] = [(p.wave_name, percent(p.value)) for p in indicator.trend]
    return list(shaped)


def channel_rows(report: WaveReport) -> list[dict[str, Any]]:
    """Each indicator by mode (channel), estimated as the combined value is (same weighting,
    intervals and suppression), and then combined: label, cells [(mode, fields)], combined."""
    return [
        {
            "label": indicator.label,
            "cells": [
                (cell.category, estimate_fields(cell.estimate)) for cell in indicator.by_mode
            ],
            "combined": estimate_fields(indicator.estimate),
        }
        for indicator in report.indicators
    ]


def _csv_rows(report: WaveReport) -> list[list[object]]:
    """One row per indicator, then one per breakdown category."""
    rows: list[list[object]] = []
    for indicator in report.indicators:
        kpi = indicator.kpi
        kpi_cells = [kpi.status if kpi else "", kpi.achievement if kpi else ""]
        overall = estimate_fields(indicator.estimate)
        rows.append([indicator.id, indicator.label, "", "", *_numbers(overall), *kpi_cells])
        cells = {**indicator.breakdowns, "mode": indicator.by_mode}
        for dim, found in cells.items():
            for cell in found:
                fields = estimate_fields(cell.estimate)
                label = label_for(dim, cell.category)
                rows.append([indicator.id, indicator.label, dim, label, *_numbers(fields), "", ""])
    return rows


def _numbers(fields: dict[str, Any]) -> list[object]:
    """value, ci_low, ci_high, n, n_eff of an estimate's fields."""
    return [
        fields[k] if fields[k] is not None else ""
        for k in ("value", "ci_low", "ci_high", "n", "n_eff")
    ]


def download(report: WaveReport, fmt: str) -> bytes:
    """The report as a file in a format of FORMATS."""
    if fmt == "html":
        return render_html(report).encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report.{fmt}"
        if fmt == "xlsx":
            render_xlsx(report, path)
        else:
            write_csv(path, CSV_HEADER, _csv_rows(report))
        return path.read_bytes()
