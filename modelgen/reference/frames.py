"""The reference model as a library: one call, pandas DataFrames per sheet and the summary."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from ..config import Deal
from ..glossary import SETTINGS
from .abs_model import SheetValues, run_abs
from .dashboard import dashboard_values
from .depin_model import run_byod, run_node

DEFAULT_SETTINGS = {key: spec[3] for key, spec in SETTINGS.items()}


@dataclass(frozen=True)
class Columns:
    """How many period columns each kind of sheet has (the longest over a template's scenarios)."""

    horizon: int
    node: int | None = None
    byod: int | None = None

    @property
    def years(self) -> int:
        """Deal years across the period columns (the Returns sheet's yearly table)."""
        return max(1, math.ceil(self.horizon / 12))

    @classmethod
    def of(cls, deal: Deal) -> "Columns":
        return cls(deal.term_months, deal.node_sale.horizon_months if deal.node_sale else None,
                   deal.byod.horizon_months if deal.byod else None)


@dataclass
class ModelResult:
    """Every value of every sheet (keyed like the workbook rows) for one resolved deal."""

    deal: Deal
    sheets: dict[str, SheetValues]
    scenario: str = "base"
    settings: dict = field(default_factory=lambda: dict(DEFAULT_SETTINGS))

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return to_frames(self.sheets)


def run(deal: Deal, columns: Columns | None = None, settings: dict | None = None, scenario: str = "base") -> ModelResult:
    """Compute the reference model for a deal (default columns: its own term and horizons)."""
    columns = columns or Columns.of(deal)
    settings = {**DEFAULT_SETTINGS, **(settings or {})}
    tolerance, days = settings["check_tolerance"], settings["days_per_month"]
    sheets = run_abs(deal, horizon=columns.horizon, check_tolerance=tolerance)
    checks = sheets["Checks"].scalars
    if deal.node_sale is not None:
        node = run_node(deal.node_sale, columns.node or deal.node_sale.horizon_months, days, settings["irr_floor_annual"])
        sheets.update(node)
        last = node["Node tiers"].scalars[f"tier_{deal.node_sale.tier_count}"]
        checks["check_tier_sizes"] = 1 if abs(last[2] - deal.node_sale.licences) > tolerance else 0
    if deal.byod is not None:
        sheets.update(run_byod(deal.byod, columns.byod or deal.byod.horizon_months, days, settings["irr_floor_annual"]))
    master = 0
    for value in checks.values():
        master += value
    checks["master_check"] = master
    sheets["Dashboard"] = dashboard_values(deal, sheets, columns.years)
    return ModelResult(deal, sheets, scenario, settings)


def to_frames(sheets: dict[str, SheetValues]) -> dict[str, pd.DataFrame]:
    """A frame per sheet (a column per row key, indexed by month t), plus ``<Sheet>_years`` frames."""
    frames: dict[str, pd.DataFrame] = {}
    for name, sheet in sheets.items():
        if sheet.periods:
            frame = pd.DataFrame(sheet.periods)
            frame.index.name = "t"
            frames[name] = frame
        if sheet.years:
            frame = pd.DataFrame(sheet.years).set_index("year_number")
            frames[f"{name}_years"] = frame
    return frames
