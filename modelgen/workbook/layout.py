"""The layout engine: sheets as ordered lists of keyed rows, formulas as small templates.

Every calculation sheet has the same columns (FAST): A label, B unit, C the row's key (the same
snake_case name as the reference model's value), D a single value (or the row's constant), then
one column per period: E is t = 0 (the closing date), F.. are months 1..H. Year rows put years
1..Y in E.., and table rows hold several single values in D, E, F...

A formula template names other rows by key in square brackets; the engine turns them into cell
references, so one template gives the same formula (in R1C1 terms) in every period column:

    [key]        the same period column of that row (or, for a single-value row, its $D$ cell)
    [key@-1]     the previous period column (corkscrews)
    [key@+1]     the next period column (backward recursions: the last column reads the empty one
                 beyond the row, which counts as 0)
    [key@all]    the whole row over months 1..H, absolute ($F$r:$X$r)
    [key@all0]   the whole row over t = 0..H, absolute
    [key@out]    table rows: the second value column (E); [key@net] the third (F)
    [key@tot]    period rows: the row's single value or total in column D, absolute
    [key@cN]     table rows: value column N (D is c0), absolute
    [a..b@cN]    table rows a to b: the range of value column N
    {row}        the current row's number (table rows: ``=D{row}-E{row}``)
A table cell whose template starts with ``{=`` is written as an array formula.
Bare names (``assets_gpu_count``) are the Inputs' global defined names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from xlsxwriter.utility import xl_rowcol_to_cell

LABEL_COL, UNIT_COL, KEY_COL, VALUE_COL, FIRST_PERIOD_COL = 0, 1, 2, 3, 4
FIRST_ROW = 6  # 0-based row index of the first content row (rows 1-5 are the header block)
TOKEN = re.compile(r"\[([a-z][a-z0-9_]*)(?:\.\.([a-z][a-z0-9_]*))?(?:@(-1|\+1|all0|all|out|net|tot|c\d+))?\]")


@dataclass
class Row:
    """One workbook row. ``kind`` is period, scalar, year, table, section (a heading) or blank."""

    key: Optional[str]
    label: str
    unit: str = ""
    f: Optional[str] = None      # period/year rows: the formula for every column but t = 0; scalar rows: the formula
    f0: Optional[str] = None     # period rows: the formula at t = 0 (the closing date), if the row has one there
    kind: str = "period"
    note: str = ""
    cells: tuple[str, ...] = ()  # table rows: formulas for D, E, F, ... ("" leaves a cell empty)
    d: Optional[str] = None      # period rows: a formula for column D (a total or a check count)
    cell_units: tuple[str, ...] = ()  # table rows: a unit per value column (default: the row's unit)
    text: str = ""               # table rows: a text column after the values (e.g. the risk a party bears)


def section(label: str) -> Row:
    return Row(None, label, kind="section")


def blank() -> Row:
    return Row(None, "", kind="blank")


@dataclass
class SheetSpec:
    name: str
    title: str
    purpose: str
    rows: list[Row] = field(default_factory=list)
    columns: str = "period"      # period | year | table: what E.. mean in the header
    table_headers: tuple[str, ...] = ()
    horizon: Optional[int] = None  # period columns of this sheet (default: the plan's horizon)
    period_label: str = "M"

    def add(self, *rows: Row) -> None:
        self.rows.extend(rows)


@dataclass(frozen=True)
class Place:
    sheet: str
    row: int   # 0-based
    kind: str
    last_col: int


class Plan:
    """Where every keyed row sits, and the renderer of formula templates into references."""

    def __init__(self, sheets: Iterable[SheetSpec], horizon: int, years: int):
        self.sheets = list(sheets)
        self.horizon = horizon
        self.years = years
        self.places: dict[str, Place] = {}
        for spec in self.sheets:
            for offset, row in enumerate(spec.rows):
                if row.key is None:
                    continue
                if row.key in self.places:
                    raise ValueError(f"row key {row.key!r} is used twice")
                last = FIRST_PERIOD_COL + (self.years - 1 if row.kind == "year" else self.sheet_horizon(spec))
                self.places[row.key] = Place(spec.name, FIRST_ROW + offset, row.kind, last)

    def sheet_horizon(self, spec: SheetSpec) -> int:
        return self.horizon if spec.horizon is None else spec.horizon

    def render(self, template: str, sheet: str, col: int) -> str:
        """Turn a formula template into an Excel formula for the cell in ``col`` of ``sheet``."""

        def ref(match: re.Match) -> str:
            key, key2, mod = match.group(1), match.group(2), match.group(3)
            for k in (key, key2):
                if k is not None and k not in self.places:
                    raise KeyError(f"formula on sheet {sheet} refers to unknown row [{k}]")
            place = self.places[key]
            prefix = "" if place.sheet == sheet else f"{quote_sheet(place.sheet)}!"
            if place.kind == "table" and mod in ("out", "net") or (mod or "").startswith("c"):
                col_of = VALUE_COL + (1 if mod == "out" else 2 if mod == "net" else int(mod[1:]))
                cell = prefix + xl_rowcol_to_cell(place.row, col_of, True, True)
                if key2 is not None:
                    cell += ":" + xl_rowcol_to_cell(self.places[key2].row, col_of, True, True)
                return cell
            if mod == "tot":
                return prefix + xl_rowcol_to_cell(place.row, VALUE_COL, True, True)
            if place.kind in ("scalar", "table"):
                if mod is not None:
                    raise ValueError(f"[{key}@{mod}]: {key} is a single value")
                return prefix + xl_rowcol_to_cell(place.row, VALUE_COL, True, True)
            if mod in ("all", "all0"):
                first = FIRST_PERIOD_COL + (1 if (mod == "all" and place.kind == "period") else 0)
                return (prefix + xl_rowcol_to_cell(place.row, first, True, True) + ":"
                        + xl_rowcol_to_cell(place.row, place.last_col, True, True))
            target = col - 1 if mod == "-1" else col + 1 if mod == "+1" else col
            if target < FIRST_PERIOD_COL:
                raise ValueError(f"[{key}@{mod}] on {sheet} reaches before t = 0")
            return prefix + xl_rowcol_to_cell(place.row, target)

        return TOKEN.sub(ref, template)


def quote_sheet(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else "'" + name.replace("'", "''") + "'"


_WORDS = {None: "", "-1": " (previous month)", "+1": " (next month)", "all": " (every month)", "all0": " (every period from close)",
          "tot": " (total)", "out": " (cash out)", "net": " (net)"}


def describe_formula(template: Optional[str]) -> str:
    """A row's formula template in words: row keys by name, defined names as they are."""
    if not template:
        return ""
    text = template.strip("{}").lstrip("=")

    def word(match: re.Match) -> str:
        key, key2, mod = match.group(1), match.group(2), match.group(3)
        name = f"{key} .. {key2}" if key2 else key
        if mod and mod.startswith("c"):
            return f"{name} (column {int(mod[1:]) + 1})"
        return name + _WORDS.get(mod, "")

    text = TOKEN.sub(word, text).replace("{row}", "")
    return text


def row_note(row: Row) -> str:
    """The note shown on a row's label: its definition in words, then its formula in row keys."""
    formula = describe_formula(row.f or (row.cells[0] if row.cells else None))
    parts = [row.note] if row.note else []
    if formula:
        parts.append(f"Formula: {formula}")
    if row.f0 and row.kind == "period" and row.f0 != row.f:
        parts.append(f"At close (t = 0): {describe_formula(row.f0)}")
    return " ".join(parts)


def reference_value(values, sheet: str, key: str, col: int) -> tuple[bool, Any]:
    """The reference model's value for the cell in column ``col`` of row ``key``: (found, value).

    The one place that maps a cell to a reference value: D is a single value (a table row's
    first), a table row's other values follow in E.., and period or year rows start at E.
    ``values`` is the reference's flat store (row keys are unique, so ``sheet`` is not needed to
    find a value; it stays in the signature for the callers). The writer caches these values;
    verify compares recalculated cells with them."""
    if col == VALUE_COL:
        if key in values.scalars:
            value = values.scalars[key]
            return True, value[0] if isinstance(value, list) else value
        return False, None
    index = col - FIRST_PERIOD_COL
    if key in values.scalars and isinstance(values.scalars[key], list):
        position = col - VALUE_COL
        row = values.scalars[key]
        return (position < len(row), row[position] if position < len(row) else None)
    series = values.periods.get(key)
    if series is None:
        series = values.years.get(key)
    if series is None or index < 0 or index >= len(series) or series[index] is None:
        return False, None
    return True, series[index]
