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


def _poly(coefficients: Sequence[float], z: float) -> float:
    """sum_k coefficients[k] * z^(n - 1 - k) by Horner's rule (highest power first)."""
    total = 0.0
    for c in coefficients:
        total = total * z + c
    return total


def _bisect(coefficients: Sequence[float], lo: float, hi: float) -> float:
    f_lo = _poly(coefficients, lo)
    for _ in range(2000):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        f_mid = _poly(coefficients, mid)
        if f_mid == 0:
            return mid
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return (lo + hi) / 2


def _roots(coefficients: list[float], grid: np.ndarray) -> list[float]:
    """Roots of the polynomial bracketed by sign changes on the grid, each bisected to full precision."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        signs = np.sign(np.polyval(np.asarray(coefficients, dtype=float), grid))
    roots = [float(z) for z in grid[signs == 0]]
    for i in np.nonzero(signs[:-1] * signs[1:] < 0)[0]:
        roots.append(_bisect(coefficients, float(grid[i]), float(grid[i + 1])))
    return roots


def irr_monthly(flows: Sequence[float]) -> float | None:
    """The monthly IRR of flows[0..T], or None where no sign change exists or no root is found.

    NPV(r) = sum_t flows[t] / (1 + r)^t. For r <= 0 it is searched as the polynomial
    sum_t flows[t] * y^(T - t) in y = 1 + r on (0, 1] (NPV times y^T, which has the same sign and
    never overflows); for r >= 0 as sum_t flows[t] * x^t in x = 1 / (1 + r) on (0, 1]. Every
    bracketed sign change is bisected to full precision; where there are several roots, the rate
    nearest zero is returned (as Excel and the ``formulas`` package do).
    """
    flows = [float(f) for f in flows]
    if not (min(flows) < 0 < max(flows)):
        return None
    negative = [y - 1 for y in _roots(flows, np.logspace(-30, 0, 601)) if y > 0]
    positive = [1 / x - 1 for x in _roots(flows[::-1], np.logspace(-8, 0, 321)) if x > 0]
    rates = negative + positive
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
