"""Return metrics shared by the reference engines: IRR, payback, EDATE.

These are plain-Python implementations of what the workbook computes with Excel functions.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Sequence

NA = "n/a"
NEVER = "never"


def npv_at_factor(x: float, flows: Sequence[float]) -> float:
    """sum_t flows[t] * x^t, x = 1 / (1 + rate) the monthly discount factor (Horner's rule)."""
    total = 0.0
    for cf in reversed(flows):
        total = total * x + cf
    return total


def irr_monthly(flows: Sequence[float]) -> float | None:
    """The monthly IRR of flows[0..T], or None where no sign change exists or no root is found.

    Investor flows have one sign change (money in at t = 0, money back later), so by
    Descartes' rule there is one positive discount factor x with NPV(x) = 0. It is found by
    bisection on x to full precision; the IRR is 1 / x - 1.
    """
    if not (min(flows) < 0 < max(flows)):
        return None
    lo, hi = 0.0, 1.0
    f_lo = npv_at_factor(lo, flows)
    while npv_at_factor(hi, flows) * f_lo > 0:
        hi *= 2
        if hi > 1e12:
            return None
    for _ in range(2000):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        f_mid = npv_at_factor(mid, flows)
        if f_mid == 0:
            lo = hi = mid
            break
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    x = (lo + hi) / 2
    return None if x == 0 else 1 / x - 1


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
