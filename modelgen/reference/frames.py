"""The reference model as a library: one call, pandas DataFrames per sheet and the summary."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..config import Deal
from .abs_model import SheetValues, run_abs


@dataclass
class ModelResult:
    """Every value of every sheet (keyed like the workbook rows) for one resolved deal."""

    deal: Deal
    sheets: dict[str, SheetValues]
    scenario: str = "base"

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return to_frames(self.sheets)

    def scalar(self, key: str):
        for sheet in self.sheets.values():
            if key in sheet.scalars:
                return sheet.scalars[key]
        raise KeyError(key)


def run(deal: Deal, horizon: int | None = None, check_tolerance: float = 0.01, scenario: str = "base") -> ModelResult:
    """Compute the reference model for a deal over periods 0..horizon (default: its term)."""
    sheets = run_abs(deal, horizon=horizon, check_tolerance=check_tolerance)
    return ModelResult(deal, sheets, scenario)


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
