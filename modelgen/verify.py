"""``modelgen verify``: recalculate a workbook's formulas and compare every cell with the reference.

1. Read the workbook's own Inputs (openpyxl, constants only) into a template.
2. Compute the reference model for the active scenario.
3. Recalculate every formula with an engine (IronCalc by default, or ``formulas``, Gnumeric,
   LibreOffice: :mod:`modelgen.engines`); no cached value is trusted.
4. Compare each formula cell with the reference value named by its row key: numbers within
   relative 1e-9 or absolute 1e-6, text exactly. A formula cell missing from the recalculation,
   or evaluating to an Excel error, fails; so does a constant typed over a calculated cell.
5. Order the differences so that the first is one that no other difference explains (its
   precedents all agree): where the error starts.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Union

from .build import reference_for
from .chart_data import CHART_GAP
from .engines import DEFAULT_ENGINE, CellError, Engine, make_engine
from .engines.base import EXCEL_ERRORS, serial
from .readback import WorkbookInputs, open_workbook, read_inputs
from .reference.abs_model import SheetValues
from .template import Template
from .workbook.inputs_sheet import INDEX_ROW, INPUTS_SHEET, SELECTOR_ROW
from .workbook.layout import KEY_COL, VALUE_COL, reference_value

REL_TOL = 1e-9
ABS_TOL = 1e-6
NO_CONSTANT_SHEETS = frozenset({INPUTS_SHEET, "Cover"})  # sheets whose constants are not calculated values

Progress = Optional[Callable[[str], None]]


@dataclass
class Mismatch:
    sheet: str
    cell: str
    key: str
    expected: Any
    actual: Any
    reason: str
    kind: str = "differs"   # differs | hard-coded | error | not evaluated | no reference

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}"

    def __str__(self) -> str:
        return f"{self.where} [{self.key}]: {self.reason} (workbook {_show(self.actual)}, reference {_show(self.expected)})"


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.10g}"
    return "empty" if value is None else repr(value) if isinstance(value, str) and not isinstance(value, CellError) else str(value)


@dataclass
class SheetReport:
    """Per sheet: formula cells compared, how many differ, and the largest difference (if any)."""

    sheet: str
    rows: set = field(default_factory=set)
    cells: int = 0
    differing: int = 0
    largest_abs: float = 0.0      # 0.0 when every compared cell is exactly equal
    largest_rel: float = 0.0      # relative to the larger magnitude, among cells above the absolute tolerance
    largest_cell: str = ""        # "" when nothing differs at all

    def note(self, cell: str, diff: float, rel: float, agrees: bool) -> None:
        self.cells += 1
        if not agrees:
            self.differing += 1
        if diff > self.largest_abs and math.isfinite(diff):
            self.largest_abs, self.largest_cell = diff, cell
        self.largest_rel = max(self.largest_rel, rel if math.isfinite(rel) else 0.0)


@dataclass
class VerifyReport:
    path: Path
    scenario: str
    engine: str
    sheets: dict[str, SheetReport]
    mismatches: list[Mismatch]          # ordered: where the error starts first
    formula_cells: int                  # every cell of the file that holds a formula
    causes: list[Mismatch] = field(default_factory=list)  # differences no other difference explains
    values: dict = field(default_factory=dict, repr=False)  # the recalculated formula cells: {(SHEET, "A1"): value}

    @property
    def ok(self) -> bool:
        return not self.mismatches


# --- which cells are compared -------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    sheet: str
    cell: str
    row: int      # 1-based
    col: int      # 1-based
    key: str
    formula: bool  # False: a constant in a calculated cell (hard-coded)


class CellIndex:
    """The cells verify compares, found once per workbook: every formula cell with its row key,
    and the constants that sit where the model computes a value."""

    def __init__(self, wb) -> None:
        self.wb = wb
        self.targets: list[Target] = []
        self.formula_cells = 0
        for ws in wb.worksheets:
            keys: dict[int, str] = {}
            for row in ws.iter_rows():
                for cell in row:
                    is_formula = cell.data_type == "f"
                    if not is_formula and (cell.value is None or ws.title in NO_CONSTANT_SHEETS
                                           or cell.column - 1 < VALUE_COL):
                        continue
                    if cell.row not in keys:
                        key = ws.cell(cell.row, KEY_COL + 1).value
                        keys[cell.row] = key if isinstance(key, str) else ""
                    if not is_formula and not keys[cell.row]:
                        continue
                    self.formula_cells += is_formula
                    self.targets.append(Target(ws.title, cell.coordinate, cell.row, cell.column, keys[cell.row], is_formula))
        self._precedents: Optional[dict] = None

    @property
    def precedents(self) -> dict:
        """The cells each formula reads (found on first use: only a failing comparison needs it)."""
        if self._precedents is None:
            from .lint import precedents
            self._precedents = precedents(self.wb)
        return self._precedents


# --- comparing values -----------------------------------------------------------------------------

def _is_error(value: Any) -> bool:
    """An Excel error value, as an engine gives it (CellError) or as text."""
    return isinstance(value, CellError) or type(value).__name__ == "XlError" or (isinstance(value, str) and value in EXCEL_ERRORS)


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (AttributeError, ValueError):
            pass
    if isinstance(value, (dt.date, dt.datetime)):
        value = serial(value)
    return value


def compare(expected: Any, actual: Any) -> tuple[bool, float, float]:
    """(agrees, absolute difference, relative difference).

    The relative difference is taken against the larger magnitude and reported only where that
    magnitude exceeds the absolute tolerance (a rounding residue next to zero is not '100%')."""
    expected, actual = _plain(expected), _plain(actual)
    if isinstance(expected, str) or isinstance(actual, str):
        same = str(expected) == str("" if actual is None else actual)
        return (same, 0.0 if same else math.inf, 0.0 if same else math.inf)
    try:
        e, a = float(expected), float(actual)
    except (TypeError, ValueError):
        return (False, math.inf, math.inf)
    if not (math.isfinite(e) and math.isfinite(a)):
        return (e == a, 0.0 if e == a else math.inf, 0.0 if e == a else math.inf)
    diff = abs(e - a)
    scale = max(abs(e), abs(a))
    rel = diff / scale if scale > 0 else 0.0
    agrees = diff <= ABS_TOL or rel <= REL_TOL
    return (agrees, diff, rel if scale > ABS_TOL else 0.0)


def _expected(target: Target, sheets: SheetValues, inputs: WorkbookInputs, template: Template,
              wb) -> tuple[bool, Any]:
    if target.sheet == INPUTS_SHEET and target.key != "master_check":
        if target.row - 1 == INDEX_ROW:
            return True, list(inputs.scenario_cols).index(template.selected) + 1
        col = inputs.scenario_cols[template.selected]
        return True, _plain(wb[INPUTS_SHEET].cell(target.row, col + 1).value)
    return reference_value(sheets, target.sheet, target.key, target.col - 1)


def compare_workbook(index: CellIndex, inputs: WorkbookInputs, template: Template, sheets: SheetValues,
                     value: Callable[[str, str], Any], path: Path, engine: str = "") -> VerifyReport:
    """Compare every target cell of ``index`` (read through ``value(sheet, cell)``) with the reference."""
    reports: dict[str, SheetReport] = {}
    mismatches: list[Mismatch] = []
    values: dict[tuple[str, str], Any] = {}
    wb = index.wb
    for t in index.targets:
        report = reports.setdefault(t.sheet, SheetReport(t.sheet))
        found, expected = _expected(t, sheets, inputs, template, wb)
        if not t.formula:
            if found:
                constant = _plain(wb[t.sheet][t.cell].value)
                mismatches.append(Mismatch(t.sheet, t.cell, t.key, _plain(expected), constant,
                                           "a constant typed over a calculated cell (hard-coded)", "hard-coded"))
            continue
        actual = value(t.sheet, t.cell)
        values[(t.sheet.upper(), t.cell)] = actual
        if not found:
            mismatches.append(Mismatch(t.sheet, t.cell, t.key, None, actual, "no reference value for this formula cell",
                                       "no reference"))
            continue
        if actual is None and expected is not None and expected != "":
            mismatches.append(Mismatch(t.sheet, t.cell, t.key, _plain(expected), None,
                                       "the formula was not evaluated by the recalculation", "not evaluated"))
            continue
        if _is_error(actual) and not (expected == CHART_GAP and str(actual) == CHART_GAP):  # a chart's gap
            mismatches.append(Mismatch(t.sheet, t.cell, t.key, _plain(expected), str(actual), "Excel error value", "error"))
            continue
        agrees, diff, rel = compare(expected, actual)
        report.rows.add(t.row)
        report.note(t.cell, diff, rel, agrees)
        if not agrees:
            shown = f"differs by {diff:.3g}" + (f" (relative {rel:.3g})" if rel else "")
            mismatches.append(Mismatch(t.sheet, t.cell, t.key, _plain(expected), _plain(actual), shown))
    ordered, causes = order_by_precedence(index, mismatches)
    return VerifyReport(path, template.selected, engine, {k: v for k, v in reports.items() if v.cells}, ordered,
                        index.formula_cells, causes, values)


def order_by_precedence(index: CellIndex, mismatches: list[Mismatch]) -> tuple[list[Mismatch], list[Mismatch]]:
    """(mismatches with precedents before dependents, those no other mismatch explains).

    A difference is explained when one of the cells its formula reads, directly or through other
    cells, also differs. The unexplained ones are where the errors start."""
    if not mismatches:
        return [], []
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    def node(m: Mismatch) -> tuple[str, int, int]:
        letters, row = coordinate_from_string(m.cell)
        return (m.sheet, row, column_index_from_string(letters))

    graph = index.precedents
    bad = {node(m) for m in mismatches}
    rank: dict[tuple, int] = {}
    tainted: dict[tuple, bool] = {}   # some precedent (transitively) differs
    for start in bad:
        if start in rank:
            continue
        stack: list[tuple[tuple, Any]] = [(start, iter(graph.get(start, ())))]
        rank[start] = -1
        while stack:
            here, deps = stack[-1]
            for dep in deps:
                if dep not in rank:
                    rank[dep] = -1
                    stack.append((dep, iter(graph.get(dep, ()))))
                    break
            else:
                stack.pop()
                tainted[here] = any(d in bad or tainted.get(d, False) for d in graph.get(here, ()))
                rank[here] = len(rank)  # post-order: every precedent is ranked first
    order = sorted(mismatches, key=lambda m: (tainted.get(node(m), False), rank.get(node(m), 0)))
    causes = [m for m in order if not tainted.get(node(m), False)]
    return order, causes


# --- the library API ------------------------------------------------------------------------------

@dataclass
class Prepared:
    """What verify needs from the workbook itself, read once for any number of engines."""

    path: Path
    wb: Any
    inputs: WorkbookInputs
    template: Template
    sheets: SheetValues
    index: CellIndex
    switched: bool  # the scenario differs from the one saved in the file's selector


def prepare(path: Path | str, scenario: Optional[str] = None, progress: Progress = None) -> Prepared:
    path = Path(path)
    wb = open_workbook(path)
    if progress:
        progress("reading inputs")
    inputs = read_inputs(wb, path)
    template = inputs.template
    if scenario is not None:
        template = template.with_changes(scenario=scenario)
    reference = reference_for(template, inputs.settings)
    return Prepared(path, wb, inputs, template, reference.sheets, CellIndex(wb), template.selected != inputs.template.selected)


def check(prepared: Prepared, engine: Union[str, Engine] = DEFAULT_ENGINE, progress: Progress = None) -> VerifyReport:
    """Recalculate the prepared workbook with ``engine`` (a name, or an engine instance that is kept
    loaded for reuse) and compare it with the reference."""
    owned = isinstance(engine, str)
    eng = make_engine(engine) if isinstance(engine, str) else engine
    try:
        if eng.path is None or Path(eng.path) != prepared.path:
            if progress:
                progress(f"loading the workbook into {eng.name}")
            eng.load(prepared.path)
        if prepared.switched or not owned:
            # a reused engine may hold another scenario: always set the selector
            eng.set_inputs({(INPUTS_SHEET, f"D{SELECTOR_ROW + 1}"): prepared.template.selected})
        if progress:
            progress(f"recalculating with {eng.name}")
        eng.evaluate()
        if progress:
            progress("comparing")
        return compare_workbook(prepared.index, prepared.inputs, prepared.template, prepared.sheets, eng.value,
                                prepared.path, eng.name)
    finally:
        if owned:
            eng.close()


def verify_workbook(path: Path | str, progress: Progress = None, *, engine: Union[str, Engine] = DEFAULT_ENGINE,
                    scenario: Optional[str] = None) -> VerifyReport:
    """Recalculate ``path`` with ``engine`` and compare every formula cell with the reference.

    ``scenario`` recalculates with the workbook's selector switched to another scenario (as an
    analyst would in Excel). ``engine`` is a name (``ironcalc``, ``formulas``, ``gnumeric``,
    ``libreoffice``) or a loaded :class:`~modelgen.engines.Engine` to reuse."""
    return check(prepare(path, scenario, progress), engine, progress)


class WhatIf:
    """One workbook loaded once into an engine, verified under many sets of inputs.

    ``verify({input path: value})`` writes the values into the selected scenario's column (of the
    engine's model and of the workbook read back for the reference), recalculates and compares
    every formula cell with the reference for those inputs. Each call sets the paths it names;
    paths set by an earlier call keep their values. Property tests and the benchmark use it."""

    def __init__(self, path: Path | str, engine: Union[str, Engine] = DEFAULT_ENGINE) -> None:
        self.path = Path(path)
        self.wb = open_workbook(self.path)
        self.index = CellIndex(self.wb)
        inputs = read_inputs(self.wb, self.path)
        self.rows = inputs.rows
        self.column = inputs.scenario_cols[inputs.template.selected]
        self.engine = make_engine(engine) if isinstance(engine, str) else engine
        if self.engine.path is None:
            self.engine.load(self.path)

    def verify(self, changes: dict[str, Any]) -> VerifyReport:
        from openpyxl.utils import get_column_letter

        ws = self.wb[INPUTS_SHEET]
        cells = {}
        for input_path, value in changes.items():
            row = self.rows[input_path] + 1
            ws.cell(row, self.column + 1).value = value
            cells[(INPUTS_SHEET, f"{get_column_letter(self.column + 1)}{row}")] = value
        self.engine.set_inputs(cells)
        self.engine.evaluate()
        inputs = read_inputs(self.wb, self.path)
        reference = reference_for(inputs.template, inputs.settings)
        return compare_workbook(self.index, inputs, inputs.template, reference.sheets, self.engine.value, self.path,
                                self.engine.name)

    def close(self) -> None:
        self.engine.close()
