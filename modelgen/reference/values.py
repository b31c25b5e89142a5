"""Where the reference model keeps its values: flat, key -> series or single value.

Row keys are unique across the workbook, so the reference files nothing under sheet names (the
workbook layout knows which sheet a key lives on). :class:`BatchValues` holds S deals as arrays
(period rows (n, S), single values (S,), year rows (Y, S)); :meth:`BatchValues.deal` gives one
deal's :class:`SheetValues` in plain Python (lists, floats, and the text "n/a" / "never" / "none"
where a value does not exist).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

NA = "n/a"
NEVER = "never"
NONE = "none"


@dataclass
class SheetValues:
    """One deal's values: period rows (t = 0..H, None where a row has no value at t), year rows
    (years 1..Y), single values and table rows (a list of values: D, E, F, ...)."""

    periods: dict[str, list] = field(default_factory=dict)
    years: dict[str, list] = field(default_factory=dict)
    scalars: dict[str, Any] = field(default_factory=dict)

    def update(self, other: "SheetValues") -> None:
        """Merge another store in; a key may be defined once only."""
        pairs: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = (
            (self.periods, other.periods), (self.years, other.years), (self.scalars, other.scalars))
        for mine, theirs in pairs:
            clash = set(mine) & set(theirs)
            if clash:
                raise ValueError(f"reference keys defined twice: {sorted(clash)[:5]}")
            mine.update(theirs)


def _owned(values, shape: tuple) -> np.ndarray:
    """values as a float array of ``shape``: fresh arrays of that shape are kept, anything else is
    broadcast into a new array (so rows filled month by month never share memory)."""
    if isinstance(values, (int, float)):
        return np.zeros(shape) if values == 0 else np.full(shape, float(values))
    arr = np.asarray(values, dtype=float)
    if arr.shape == shape and arr.base is None and arr.flags.c_contiguous:
        return arr
    return np.broadcast_to(arr, shape).copy()


def _plain(x: float, na: Optional[str], integer: bool):
    if x != x:  # NaN
        return na
    return int(x) if integer else float(x)


class BatchValues:
    """Every value of S deals: arrays, with per-key notes on how to read them back one deal at a time."""

    def __init__(self, S: int, n: int, Y: int):
        self.S, self.n, self.Y = S, n, Y
        self.periods: dict[str, np.ndarray] = {}
        self.scalars: dict[str, np.ndarray] = {}
        self.years: dict[str, np.ndarray] = {}
        self.tables: dict[str, list[np.ndarray]] = {}
        self.start: dict[str, int] = {}
        self.na: dict[tuple[str, str], Optional[str]] = {}
        self.integer: set[tuple[str, str]] = set()

    def _note(self, kind: str, key: str, na: Optional[str], integer: bool) -> None:
        # A key may be a period row and a single value at once (a row's total or count in column D).
        if (kind, key) in self.na:
            raise ValueError(f"reference key {key!r} defined twice")
        self.na[kind, key] = na
        if integer:
            self.integer.add((kind, key))

    def period(self, key: str, values: Any, start: int = 1, na: Optional[str] = None, integer: bool = False) -> np.ndarray:
        """A period row (n, S); ``start`` = 0 where the row has a value at t = 0 (the closing date)."""
        values = _owned(values, (self.n, self.S))
        self._note("period", key, na, integer)
        self.periods[key], self.start[key] = values, start
        return values

    def scalar(self, key: str, values, na: Optional[str] = None, integer: bool = False) -> np.ndarray:
        values = _owned(values, (self.S,))
        self._note("scalar", key, na, integer)
        self.scalars[key] = values
        return values

    def year(self, key: str, values: Any, na: Optional[str] = None, integer: bool = False) -> np.ndarray:
        values = _owned(values, (self.Y, self.S))
        self._note("year", key, na, integer)
        self.years[key] = values
        return values

    def table(self, key: str, cells: list) -> None:
        self._note("scalar", key, None, False)
        self.tables[key] = [np.broadcast_to(np.asarray(c, dtype=float), (self.S,)) for c in cells]

    def deal(self, s: int) -> SheetValues:
        """Deal ``s`` in plain Python."""
        out = SheetValues()
        for key, arr in self.periods.items():
            na, integer, start = self.na["period", key], ("period", key) in self.integer, self.start[key]
            column = arr[:, s].tolist()
            out.periods[key] = [None] * start + [_plain(x, na, integer) for x in column[start:]]
        for key, arr in self.years.items():
            na, integer = self.na["year", key], ("year", key) in self.integer
            out.years[key] = [_plain(x, na, integer) for x in arr[:, s].tolist()]
        for key in self.scalars:
            out.scalars[key] = self.value(key, s)
        for key, cells in self.tables.items():
            out.scalars[key] = [float(c[s]) for c in cells]
        return out

    def plain_scalar(self, key: str) -> list:
        """A single-value row of every deal in plain Python (converted once, then cached)."""
        cache = self.__dict__.setdefault("_plain_cache", {})
        if key not in cache:
            na, integer = self.na["scalar", key], ("scalar", key) in self.integer
            cache[key] = [_plain(x, na, integer) for x in self.scalars[key].tolist()]
        return cache[key]

    def plain_table(self, key: str) -> list[list]:
        cache = self.__dict__.setdefault("_table_cache", {})
        if key not in cache:
            cache[key] = [c.tolist() for c in self.tables[key]]
        return cache[key]

    def value(self, key: str, s: int):
        """One single value of deal ``s`` in plain Python (for summaries without a whole deal's rows)."""
        return _plain(float(self.scalars[key][s]), self.na["scalar", key], ("scalar", key) in self.integer)
