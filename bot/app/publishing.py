"""What may be published and how: the results embargo and report options from the data folder."""

from __future__ import annotations

import logging
from pathlib import Path

from analysis.stats import MarginsError, TargetsError, load_margins, load_targets
from bot.app.reports import ReportOptions, known_categories
from bot.config import Settings
from storage.records import PROFILE_FIELDS, WaveRecord
from surveys.waves import WaveStatus

log = logging.getLogger(__name__)

MARGINS_FILE = "margins.csv"
TARGETS_FILE = "targets.yaml"


def embargoed(wave: WaveRecord) -> bool:
    """Results stay unpublished until the wave closes, unless staff lifted the embargo."""
    return wave.status != WaveStatus.CLOSED and not wave.embargo_lifted


def summary_options(settings: Settings) -> ReportOptions:
    """Margins and targets from the data folder (margins.csv, targets.yaml) when present."""
    margins = targets = None
    margins_path = Path(settings.data_dir) / MARGINS_FILE
    targets_path = Path(settings.data_dir) / TARGETS_FILE
    try:
        if margins_path.exists():
            margins = load_margins(margins_path, PROFILE_FIELDS, known_categories())
    except MarginsError as exc:
        log.warning("summary is unweighted: %s", exc)
    try:
        if targets_path.exists():
            targets = load_targets(targets_path)
    except TargetsError as exc:
        log.warning("summary has no KPI: %s", exc)
    return ReportOptions(margins=margins, targets=targets)
