"""Return metrics shared by the reference engines: IRR, payback, EDATE.

These are plain-Python implementations of what the workbook computes with Excel functions.
"""
from __future__ import annotations

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


NEGATIVE_GRID = np.logspace(-30, 0, 601)   # y = 1 + r for rates in (-1, 0]
POSITIVE_GRID = np.logspace(-8, 0, 321)    # x = 1 / (1 + r) for rates in [0, 1e8)


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
    negative = [y - 1 for y in _roots(flows, NEGATIVE_GRID) if y > 0]
    positive = [1 / x - 1 for x in _roots(flows[::-1], POSITIVE_GRID) if x > 0]
    rates = negative + positive
    if not rates:
        return None
    return min(rates, key=abs)


def _horner_up(flows: np.ndarray, last: np.ndarray, y: np.ndarray) -> np.ndarray:
    """sum_{t <= last} flows[t] * y^(last - t) per deal, by Horner's rule from flows[0] (as _poly)."""
    total = np.zeros_like(y)
    shortest = int(last.min())
    for t in range(flows.shape[0]):
        if t <= shortest:
            total = total * y + flows[t]
        else:
            total = np.where(t <= last, total * y + flows[t], total)
    return total


def _horner_down(flows: np.ndarray, x: np.ndarray) -> np.ndarray:
    """sum_t flows[t] * x^t per deal, by Horner's rule from the last flow (as _poly on reversed flows)."""
    total = np.zeros_like(x)
    for t in range(flows.shape[0] - 1, -1, -1):
        total = total * x + flows[t]
    return total


def _bisect_batch(poly, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """_bisect for many brackets at once: the same steps, element by element."""
    lo, hi = lo.copy(), hi.copy()
    f_lo = poly(lo)
    done = np.zeros(lo.shape, dtype=bool)
    root = np.full(lo.shape, np.nan)
    for _ in range(2000):
        mid = (lo + hi) / 2
        done |= (mid == lo) | (mid == hi)
        if done.all():
            break
        f_mid = poly(mid)
        hit = ~done & (f_mid == 0)
        root[hit] = mid[hit]
        done |= hit
        same = (f_mid > 0) == (f_lo > 0)
        move_lo = ~done & same
        move_hi = ~done & ~same
        lo = np.where(move_lo, mid, lo)
        f_lo = np.where(move_lo, f_mid, f_lo)
        hi = np.where(move_hi, mid, hi)
    return np.where(np.isnan(root), (lo + hi) / 2, root)


def _nearest_bracket(poly, grid: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For deals whose polynomial keeps one sign change on the grid: the first grid index k whose sign
    equals the sign at the grid's end (1), found by binary search. Returns (k, sign at k - 1, found)."""
    S = active.shape[0]
    G = grid.shape[0]
    end_sign = np.sign(poly(np.full(S, grid[-1])))
    lo, hi = np.full(S, -1), np.full(S, G - 1)
    while True:
        open_ = hi - lo > 1
        if not open_.any():
            break
        mid = np.where(open_, (lo + hi) // 2, hi)
        same = np.sign(poly(grid[mid])) == end_sign
        hi = np.where(open_ & same, mid, hi)
        lo = np.where(open_ & ~same, mid, lo)
    found = active & (hi > 0) & (end_sign != 0)
    before = np.sign(poly(grid[np.maximum(hi - 1, 0)]))
    return hi, before, found


def irr_monthly_batch(flows: np.ndarray, last: np.ndarray) -> np.ndarray:
    """irr_monthly of many cash-flow rows at once: flows (n, S) over t = 0..n-1, each deal's flows
    ending at t = last[s]. NaN where irr_monthly gives None.

    Rows with one sign change (an investor's: money in at t = 0, cash back after) have one root,
    so each side of zero is searched by bisection on the same grids as irr_monthly, vectorised;
    any other row falls back to irr_monthly itself."""
    flows = np.asarray(flows, dtype=float)
    n, S = flows.shape
    last = np.asarray(last, dtype=int)
    within = np.arange(n)[:, None] <= last
    masked = np.where(within, flows, 0.0)
    lowest, highest = masked.min(axis=0), masked.max(axis=0)
    exists = (lowest < 0) & (highest > 0)
    first = masked[0]
    later = np.where(np.arange(n)[:, None] >= 1, masked, 0.0)
    simple = exists & (((first < 0) & (later.min(axis=0) >= 0)) | ((first > 0) & (later.max(axis=0) <= 0)))
    result = np.full(S, np.nan)
    total = _horner_up(masked, last, np.ones(S))
    result[simple & (total == 0)] = 0.0
    # NPV(0) = the sum of the flows; where it has the sign of the later flows the root is above 0
    positive = simple & (total * np.sign(first) < 0)
    negative = simple & (total * np.sign(first) > 0)

    def up(y):
        return _horner_up(masked, last, y)

    def down(x):
        return _horner_down(masked, x)

    if negative.any():
        k, before, found = _nearest_bracket(up, NEGATIVE_GRID, negative)
        lo, hi = NEGATIVE_GRID[np.maximum(k - 1, 0)], NEGATIVE_GRID[k]
        roots = np.where(before == 0, lo, _bisect_batch(up, lo, hi))
        pick = found & (roots > 0)
        result[pick] = roots[pick] - 1
    if positive.any():
        k, before, found = _nearest_bracket(down, POSITIVE_GRID, positive)
        lo, hi = POSITIVE_GRID[np.maximum(k - 1, 0)], POSITIVE_GRID[k]
        roots = np.where(before == 0, lo, _bisect_batch(down, lo, hi))
        pick = found & (roots > 0)
        result[pick] = 1 / roots[pick] - 1
    for s in np.nonzero(exists & ~simple)[0]:
        value = irr_monthly(masked[: last[s] + 1, s].tolist())
        result[s] = np.nan if value is None else value
    return result


def irr_annual(flows: Sequence[float]) -> float | str:
    """(1 + monthly IRR)^12 - 1, or "n/a" where the IRR does not exist."""
    monthly = irr_monthly(flows)
    if monthly is None or monthly <= -1:
        return NA
    return (1 + monthly) ** 12 - 1




def roundup(value: float) -> int:
    """ROUNDUP(value, 0) for value >= 0."""
    return int(math.ceil(value))
