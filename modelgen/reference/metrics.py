"""Return metrics shared by the reference engines: IRR, payback, EDATE.

These are plain-Python implementations of what the workbook computes with Excel functions.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Sequence

import numpy as np

NA = "n/a"
NEVER = "never"


def npv_at_factor(x: float, flows: Sequence[float]) -> float:
    """sum_t flows[t] * x^t, x = 1 / (1 + rate) the monthly discount factor (Horner's rule)."""
    total = 0.0
    for cf in reversed(flows):
        total = total * x + cf
    return total


def _bisect(flows: Sequence[float], lo: float, hi: float) -> float:
    f_lo = npv_at_factor(lo, flows)
    for _ in range(2000):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        f_mid = npv_at_factor(mid, flows)
        if f_mid == 0:
            return mid
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return (lo + hi) / 2


def irr_monthly(flows: Sequence[float]) -> float | None:
    """The monthly IRR of flows[0..T], or None where no sign change exists or no root is found.

    NPV(x) = sum_t flows[t] * x^t with x = 1 / (1 + rate). Investor flows usually have one sign
    change, so there is one positive root x (Descartes' rule). Every bracket of a sign change of
    NPV on a grid of x in (0, 1e4] is bisected to full precision; where there are several roots,
    the rate nearest zero is returned (as Excel and the ``formulas`` package do).
    """
    if not (min(flows) < 0 < max(flows)):
        return None
    grid = np.concatenate([[0.0], np.logspace(-8, 4, 481)])
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.polyval(np.asarray(flows, dtype=float)[::-1], grid)
    signs = np.sign(values)
    roots = [float(x) for x in grid[signs == 0]]
    for i in np.nonzero(signs[:-1] * signs[1:] < 0)[0]:
        roots.append(_bisect(flows, float(grid[i]), float(grid[i + 1])))
    rates = [1 / x - 1 for x in roots if x > 0]
    if not rates:
        return None
    return min(rates, key=abs)


def irr_annual(flows: Sequence[float]) -> float | str:
    """(1 + monthly IRR)^12 - 1, or "n/a" where the IRR does not exist."""
    monthly = irr_monthly(flows)
    if monthly is None or monthly <= -1:
        return NA
    return (1 + monthly) ** 12 - 1


def edate(start: dt.date, months: int) -> dt.date:
    """Excel's EDATE: the same day of the month, months later, clipped to the month's end."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def excel_serial(value: dt.date) -> int:
    return (value - dt.date(1899, 12, 30)).days


def roundup(value: float) -> int:
    """ROUNDUP(value, 0) for value >= 0."""
    return int(math.ceil(value))
