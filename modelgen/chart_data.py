"""Names the Dashboard's chart data shares between the reference model and the workbook.

A chart draws text and zeros as 0 but leaves the error value #N/A out, so a figure that does
not exist (a payback that never happens) is plotted from a cell that holds #N/A: the reference
expects exactly that value there, and the workbook's formula returns NA().
"""
from __future__ import annotations

from .depin import PAYBACK_BASES, TIER_FIELDS

CHART_GAP = "#N/A"
PAYBACK_SERIES = {"earned": "Earned basis", "sell": "Sell at vesting", "instant": "Claim at once", "hold": "Hold",
                  "hedge": "Hedged"}


def payback_chart_columns() -> list[tuple[str, int]]:
    """(basis, value column of a Node tiers row with D = 0) of each payback-in-days strategy."""
    return [(basis, TIER_FIELDS.index(f"payback_days_{basis}")) for basis in PAYBACK_BASES]


def chart_value(value):
    """A value as a chart should see it: a number, or #N/A where there is none."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else CHART_GAP
