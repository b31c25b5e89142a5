"""The column layout both engines share: how many period columns each kind of sheet has.

Neutral ground: the reference model computes that many periods and the workbook writer writes
that many columns; neither reads the other."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .config import Deal


@dataclass(frozen=True)
class Columns:
    """How many period columns each kind of sheet has (the longest over a template's scenarios)."""

    horizon: int                # the securitization's months (0 where the template has no securitization)
    node: int | None = None
    byod: int | None = None

    @property
    def years(self) -> int:
        """Deal years across the period columns (the Returns sheet's yearly table)."""
        return max(1, math.ceil(self.horizon / 12))

    @classmethod
    def of(cls, deal: Deal) -> "Columns":
        return cls(deal.term_months or 0, deal.node_sale.horizon_months if deal.node_sale else None,
                   deal.byod.horizon_months if deal.byod else None)
