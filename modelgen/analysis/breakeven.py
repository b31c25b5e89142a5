"""Breakeven: for a stress input, the value at which each class loses its first dollar.

A class *loses* when its loss (balance written off at the sale) exceeds LOSS_THRESHOLD of what
it invested. The search is a bracketing root finder on the reference model:

1. a grid over the range (every whole number for an integer input with few values) finds,
   per class, a bracket [no loss, loss] next to the no-loss end of the range;
2. multisection: each round evaluates SECTIONS points inside every open bracket at once and
   keeps the first sub-interval where the class starts losing, until the bracket is no wider
   than the tolerance (for a whole-number input: adjacent whole numbers).

The stress direction is found, not assumed: a class that is safe at LO and loses at HI loses
*from* the breakeven up (rent decline, power price); one that loses at LO and is safe at HI
loses from the breakeven *down* (utilisation, the month of a sponsor default). The reported
breakeven is the losing end of the final bracket, so the true crossing lies within the
tolerance of it, on the safe side.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from ..errors import ModelgenError
from .engine import Base
from .inputs import InputPath, input_path

LOSS_THRESHOLD = 1e-6          # a loss above this share of invested counts as a loss
GRID_POINTS = 17
SECTIONS = 7                   # points per bracket per round (the bracket shrinks 8-fold)
MAX_INTEGER_GRID = 121         # an integer input with at most this many values is searched exhaustively
REL_TOLERANCE = 1e-9           # default tolerance: this share of the range
PROVE_MARGIN = 1e-5            # --prove builds at breakeven -/+ this share of the range (continuous inputs)
# inputs whose stress is a fall (a lower value hurts); every other input hurts as it rises
STRESS_DOWN = {"revenue.util_target", "revenue.util_start", "revenue.rent0", "revenue.hours_per_month",
               "default.forced_month", "shock.month", "assets.useful_life_months", "assets.scrap_value_pct"}


def loses(summary: dict, j: int) -> bool:
    """Class j (0-based) loses: loss > LOSS_THRESHOLD * invested."""
    tranche = summary["tranches"][j]
    return tranche["loss"] > LOSS_THRESHOLD * tranche["invested"]


@dataclass
class Crossing:
    """Where a class starts losing, seen from a no-loss end of the range."""

    direction: str               # "up": loses at and above value; "down": at and below
    value: float                 # the breakeven: the losing end of the final bracket
    safe: float                  # the no-loss end of the final bracket
    below: float = 0.0           # --prove: a value just on the no-loss side ...
    above: float = 0.0           # ... and one just on the losing side (adjacent whole numbers for an integer input)

    def describe(self, path: str) -> str:
        return f"loses at {path} {'>=' if self.direction == 'up' else '<='} {_num(self.value)}"


@dataclass
class ClassBreakeven:
    index: int                   # 0-based class number
    name: str
    status: str                  # "breakeven" | "loses inside the range" | "no loss in range" | "loses everywhere" | "loses at both ends"
    crossings: list[Crossing] = field(default_factory=list)
    note: str = ""

    stress_down: bool = False    # the input hurts as it falls (utilisation, a default month)

    @property
    def value(self) -> Optional[float]:
        """The breakeven: the only crossing, or, where the class loses inside the range, the crossing
        met first as the stress grows (from HI for an input that hurts as it falls, else from LO)."""
        if not self.crossings:
            return None
        if len(self.crossings) == 1:
            return self.crossings[0].value
        wanted = "down" if self.stress_down else "up"
        return next(x.value for x in self.crossings if x.direction == wanted)

    def describe(self, path: str) -> str:
        if self.status == "breakeven":
            return self.crossings[0].describe(path)
        if self.status == "loses inside the range":
            up, down = self.crossings
            return f"loses for {path} in [{_num(up.value)}, {_num(down.value)}]"
        return self.status


@dataclass
class BreakevenResult:
    stress: InputPath
    lo: float
    hi: float
    tolerance: float
    classes: list[ClassBreakeven]
    evaluations: int = 0
    grid: list[float] = field(default_factory=list)

    def to_dict(self, base: Optional[Base] = None) -> dict:
        out: dict[str, Any] = {"stress": self.stress.path, "integer": self.stress.integer, "range": [self.lo, self.hi],
               "tolerance": self.tolerance, "loss_threshold": LOSS_THRESHOLD, "evaluations": self.evaluations,
               "classes": []}
        for c in self.classes:
            v = self.stress.value
            crossings: list[dict] = []
            item = {"class": c.name, "index": c.index, "status": c.status,
                    "breakeven": None if c.value is None else v(c.value),
                    "summary": c.describe(self.stress.path), "note": c.note or None, "crossings": crossings}
            for x in c.crossings:
                cross = {"direction": x.direction, "breakeven": v(x.value), "no_loss_at": v(x.safe),
                         "prove_no_loss_at": v(x.below), "prove_loss_at": v(x.above)}
                if base is not None:
                    cross["command_no_loss"] = base.command({self.stress.path: self.stress.value(x.below)})
                    cross["command_loss"] = base.command({self.stress.path: self.stress.value(x.above)})
                crossings.append(cross)
            out["classes"].append(item)
        return out


def _num(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.10g}"


def resolve_range(base: Base, stress: InputPath, rng: Optional[tuple[float, float]]) -> tuple[float, float]:
    """The search range: the user's, checked (LO < HI, valid at both ends), or the input's default."""
    if rng is None:
        lo, hi = stress.default_range(base.term)
    else:
        lo, hi = rng
        if stress.integer:
            lo, hi = float(np.ceil(lo)), float(np.floor(hi))
    if not lo < hi:
        raise ModelgenError(f"--range {stress.path}: LO ({_num(lo)}) must be below HI ({_num(hi)})"
                            + (" (whole numbers for this input)" if stress.integer and rng else ""))
    for end in (lo, hi):
        base.case({stress.path: stress.value(end)}, where=f"--range {stress.path}")
    return lo, hi


def _grid(stress: InputPath, lo: float, hi: float) -> list[float]:
    if stress.integer:
        if hi - lo + 1 <= MAX_INTEGER_GRID:
            return [float(x) for x in range(int(lo), int(hi) + 1)]
        return sorted({float(round(x)) for x in np.linspace(lo, hi, GRID_POINTS)})
    return [float(x) for x in np.linspace(lo, hi, GRID_POINTS)]


def _interior(stress: InputPath, a: float, b: float) -> list[float]:
    """SECTIONS points strictly between a and b, in order from a to b."""
    points = [a + (b - a) * i / (SECTIONS + 1) for i in range(1, SECTIONS + 1)]
    if stress.integer:
        step = 1 if b > a else -1
        inner = [float(round(p)) for p in points]
        inner = [p for p in dict.fromkeys(inner) if (p - a) * step > 0 and (b - p) * step > 0]
        return inner
    return [p for p in points if p != a and p != b]


def find_breakevens(base: Base, path: str, rng: Optional[tuple[float, float]] = None,
                    tolerance: Optional[float] = None,
                    progress: Optional[Callable[[int], None]] = None) -> BreakevenResult:
    """The breakeven of every class for the stress input at ``path`` over ``rng`` (see the module doc)."""
    stress = input_path(base.template, path, "--stress")
    lo, hi = resolve_range(base, stress, rng)
    tol = 1.0 if stress.integer else (tolerance if tolerance is not None else REL_TOLERANCE * (hi - lo))
    if tol <= 0:
        raise ModelgenError(f"--tolerance: must be above 0 (got {tol:g})")
    tranches = base.deal.structure.tranches
    J = len(tranches)
    evaluations = 0

    def losing(points: list[float]) -> list[list[bool]]:
        nonlocal evaluations
        summaries = base.evaluate([{stress.path: stress.value(x)} for x in points])
        evaluations += len(points)
        if progress:
            progress(len(points))
        return [[loses(s, j) for j in range(J)] for s in summaries]

    grid = _grid(stress, lo, hi)
    flags = losing(grid)
    classes: list[ClassBreakeven] = []
    brackets: dict[tuple[int, int], list[float]] = {}   # (class, crossing) -> [safe, losing]
    for j, tranche in enumerate(tranches):
        lose = [row[j] for row in flags]
        item = ClassBreakeven(j, tranche.name, "", stress_down=stress.path in STRESS_DOWN)
        classes.append(item)
        if not any(lose):
            item.status = "no loss in range"
            continue
        if all(lose):
            item.status = "loses everywhere"
            continue
        if lose[0] and lose[-1]:
            no_loss = [grid[k] for k, x in enumerate(lose) if not x]
            item.status = "loses at both ends"
            item.note = f"no loss between {_num(no_loss[0])} and {_num(no_loss[-1])} on the search grid"
            continue
        if not lose[0]:
            k = lose.index(True)
            item.crossings.append(Crossing("up", grid[k], grid[k - 1]))
        if not lose[-1]:
            k = len(lose) - 1 - lose[::-1].index(True)
            item.crossings.append(Crossing("down", grid[k], grid[k + 1]))
        item.status = "breakeven" if len(item.crossings) == 1 else "loses inside the range"
        first, last = lose.index(True), len(lose) - 1 - lose[::-1].index(True)
        if not all(lose[first:last + 1]):
            item.note = "loss is not monotone in this input: the crossing(s) nearest the no-loss end(s) are reported"
        for c, crossing in enumerate(item.crossings):
            brackets[(j, c)] = [crossing.safe, crossing.value]

    while True:
        open_ = {key: _interior(stress, *br) for key, br in brackets.items() if abs(br[1] - br[0]) > tol}
        open_ = {key: pts for key, pts in open_.items() if pts}
        if not open_:
            break
        order = [(key, x) for key, pts in open_.items() for x in pts]
        results = losing([x for _, x in order])
        seen_by: dict[tuple[int, int], list[tuple[float, bool]]] = {}
        for (key, x), row in zip(order, results):
            seen_by.setdefault(key, []).append((x, row[key[0]]))
        for key, seen in seen_by.items():
            safe, lost = brackets[key][0], brackets[key][1]
            for x, is_loss in seen:          # from the safe end towards the losing end
                if is_loss:
                    lost = x
                    break
                safe = x
            brackets[key] = [safe, lost]

    width = hi - lo
    for (j, c), bracket in brackets.items():
        safe, lost = bracket[0], bracket[1]
        crossing = classes[j].crossings[c]
        crossing.safe, crossing.value = safe, lost
        if stress.integer:
            crossing.below, crossing.above = safe, lost
        else:
            step = PROVE_MARGIN * width * (1 if lost > safe else -1)
            crossing.below = min(max(safe - step, lo), hi)
            crossing.above = min(max(lost + step, lo), hi)
    return BreakevenResult(stress, lo, hi, tol, classes, evaluations, grid)
