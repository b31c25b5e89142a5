"""The tranche tokens' secondary market, month by month (the liquidity illusion): what a holder who
sells gets, per 100 invested, against what the holder was promised.

:func:`modelgen.reference.returns.secondary_market` values each class (fair value by backward
recursion at coupon + spread, the bid after the normal or the crunch haircut, the first stress
month and the exit per 100 at it). This module adds the rows the Returns sheet shows beside them:
the haircut in force, the exit value per 100 invested, the promised value per 100 (the par claim:
balance plus interest arrears while the class is outstanding, before the sale month) and the gap.
"""
from __future__ import annotations

import numpy as np

from .deals import DealArrays
from .values import BatchValues


def secondary_rows(d: DealArrays, out: BatchValues) -> None:
    """stress_haircut_t = crunch_haircut from the first stress month (> 0), normal_haircut before;
    exit_per_100_j = exit_value_j / invested_j * 100;
    promised_per_100_j = [t < sale month] * (balance_close_j + interest_unpaid_j) / invested_j * 100;
    exit_gap_per_100_j = promised_per_100_j - exit_per_100_j. All from t = 0 (the closing date)."""
    r, sc = out.periods, out.scalars
    normal = np.array([deal.secondary.normal_haircut for deal in d.deals])
    crunch = np.array([deal.secondary.crunch_haircut for deal in d.deals])
    first = sc["first_stress_month"]
    out.period("stress_haircut", np.where((first > 0) & (d.t >= first), crunch, normal), start=0)
    before_sale = (d.t < sc["sale_month"]).astype(float)
    for j in range(1, d.J + 1):
        invested = sc[f"invested_{j}"]
        exit_100 = out.period(f"exit_per_100_{j}", r[f"exit_value_{j}"] / invested * 100, start=0)
        claim = np.nan_to_num(r[f"balance_close_{j}"]) + np.nan_to_num(r[f"interest_unpaid_{j}"])
        promised = out.period(f"promised_per_100_{j}", before_sale * claim / invested * 100, start=0)
        out.period(f"exit_gap_per_100_{j}", promised - exit_100, start=0)
