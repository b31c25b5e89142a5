"""``modelgen verify``: recalculate a workbook's formulas and compare every cell with the reference.

1. Read the workbook's own Inputs (openpyxl, constants only) into a template.
2. Compute the reference model for the active scenario.
3. Recalculate every formula with the ``formulas`` package (no cached value is trusted).
4. Compare each formula cell with the reference value named by its row key: numbers within
   relative 1e-9 or absolute 1e-6, text exactly. A formula cell missing from the recalculation
   or evaluating to an Excel error fails.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from .build import reference_for
from .chart_data import CHART_GAP
from .errors import ModelgenError
from .libreoffice import recalculate_libreoffice
from .readback import WorkbookInputs, open_workbook, read_inputs
from .reference.abs_model import SheetValues
from .reference.metrics import excel_serial
from .workbook.inputs_sheet import INDEX_ROW, INPUTS_SHEET, SELECTOR_ROW
from .workbook.layout import KEY_COL, reference_value

REL_TOL = 1e-9
ABS_TOL = 1e-6
CELL = re.compile(r"^'?\[(?P<file>[^\]]+)\](?P<sheet>.+?)'?!(?P<cell>[A-Z]+[0-9]+)$")


@dataclass
class Mismatch:
    sheet: str
    cell: str
    key: str
    expected: Any
    actual: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} [{self.key}]: {self.reason} (workbook {self.actual!r}, reference {self.expected!r})"


@dataclass
class SheetReport:
    sheet: str
    rows: set = field(default_factory=set)
    cells: int = 0
    worst_abs: float = 0.0
    worst_rel: float = 0.0
    worst_cell: str = ""


@dataclass
class VerifyReport:
    path: Path
    scenario: str
    sheets: dict[str, SheetReport]
    mismatches: list[Mismatch]
    formula_cells: int
    values: dict = field(default_factory=dict, repr=False)  # the recalculated cells: {(SHEET, "A1"): value}

    @property
    def ok(self) -> bool:
        return not self.mismatches


def load_model(path: Path, progress: Optional[Callable[[str], None]] = None):
    """Load and compile a workbook with the ``formulas`` package (slow: do it once per workbook)."""
    os.environ.setdefault("TQDM_DISABLE", "1")  # formulas' own progress bars; ours is on the CLI
    import formulas

    if progress:
        progress("loading and compiling the formulas")
    return formulas.ExcelModel().loads(str(path)).finish()


def solution_values(solution) -> dict[tuple[str, str], Any]:
    """{(SHEET upper-cased, 'A1'): value} from a ``formulas`` solution (ranges are left out)."""
    values: dict[tuple[str, str], Any] = {}
    for key, ranges in solution.items():
        match = CELL.match(key)
        if not match:
            continue
        value = getattr(ranges, "value", ranges)
        try:
            value = value[0][0]
        except (TypeError, IndexError, KeyError):
            pass
        values[(match.group("sheet").upper(), match.group("cell"))] = value
    return values


def cell_key(model, sheet: str, cell: str) -> str:
    """The ``formulas`` key of a cell, checked to exist (a wrong key would be silently ignored)."""
    for key in model.dsp.data_nodes:
        match = CELL.match(str(key)) if isinstance(key, str) else None
        if match and match.group("sheet").upper() == sheet.upper() and match.group("cell") == cell:
            return key
    raise KeyError(f"no cell {sheet}!{cell} in the compiled workbook")


def recalculate(path: Path, progress: Optional[Callable[[str], None]] = None, model=None,
                inputs: Optional[dict[str, Any]] = None) -> dict[tuple[str, str], Any]:
    """Every cell value the ``formulas`` package computes, optionally with changed input cells."""
    model = model or load_model(path, progress)
    if progress:
        progress("calculating")
    return solution_values(model.calculate(inputs=inputs or {}))


EXCEL_ERRORS = frozenset({"#VALUE!", "#REF!", "#NAME?", "#DIV/0!", "#NUM!", "#N/A", "#NULL!", "#GETTING_DATA"})


def _is_error(value: Any) -> bool:
    """An Excel error value, as the formulas package (XlError) or openpyxl (text) gives it."""
    return type(value).__name__ == "XlError" or (isinstance(value, str) and value in EXCEL_ERRORS)


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (AttributeError, ValueError):
            pass
    if type(value).__name__ in ("bool_",):
        value = bool(value)
    if isinstance(value, dt.datetime):
        value = excel_serial(value.date())
    if isinstance(value, dt.date):
        value = excel_serial(value)
    return value


def compare(expected: Any, actual: Any) -> tuple[bool, float, float]:
    """(agrees, absolute difference, relative difference)."""
    expected, actual = _plain(expected), _plain(actual)
    if isinstance(expected, str) or isinstance(actual, str):
        return (str(expected) == str(actual), 0.0, 0.0)
    if isinstance(actual, bool):
        actual = float(actual)
    if isinstance(expected, bool):
        expected = float(expected)
    try:
        e, a = float(expected), float(actual)
    except (TypeError, ValueError):
        return (False, math.inf, math.inf)
    if not (math.isfinite(e) and math.isfinite(a)):
        return (e == a, math.inf, math.inf)
    diff = abs(e - a)
    rel = diff / max(abs(e), abs(a)) if max(abs(e), abs(a)) > 0 else 0.0
    return (diff <= ABS_TOL or rel <= REL_TOL, diff, rel)


ENGINES = ("formulas", "libreoffice")


def verify_workbook(path: Path | str, progress: Optional[Callable[[str], None]] = None, *, model=None,
                    scenario: Optional[str] = None, engine: str = "formulas") -> VerifyReport:
    """Recalculate ``path`` with ``engine`` and compare it with the reference.

    ``model`` reuses a compiled ``formulas`` model of the same file; ``scenario`` recalculates
    with the selector switched to another scenario (as an analyst would in Excel; formulas only).
    """
    if engine not in ENGINES:
        raise ModelgenError(f"--engine: unknown engine '{engine}' (one of {', '.join(ENGINES)}, all)")
    path = Path(path)
    wb = open_workbook(path)
    if progress:
        progress("reading inputs")
    inputs: WorkbookInputs = read_inputs(wb, path)
    template = inputs.template
    changes = None
    if scenario is not None:
        if engine != "formulas":
            raise ModelgenError("a scenario switch without saving the file needs the formulas engine")
        template = template.with_changes(scenario=scenario)
        model = model or load_model(path, progress)
        changes = {cell_key(model, INPUTS_SHEET, f"D{SELECTOR_ROW + 1}"): scenario}
    reference = reference_for(template, inputs.settings)
    if engine == "libreoffice":
        if progress:
            progress("recalculating with LibreOffice")
        values = recalculate_libreoffice(path)
    else:
        values = recalculate(path, progress, model=model, inputs=changes)
    if progress:
        progress("comparing")
    return compare_workbook(wb, inputs, template, reference.sheets, values, path)


def compare_workbook(wb, inputs: WorkbookInputs, template, sheets: dict[str, SheetValues],
                     values: dict[tuple[str, str], Any], path: Path) -> VerifyReport:
    """Compare every formula cell of ``wb`` (openpyxl, formulas as text) with the reference."""
    reports: dict[str, SheetReport] = {}
    mismatches: list[Mismatch] = []
    count = 0
    selected_col = inputs.scenario_cols[template.selected]
    for ws in wb.worksheets:
        report = reports.setdefault(ws.title, SheetReport(ws.title))
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                count += 1
                col = cell.column - 1
                key = ws.cell(cell.row, KEY_COL + 1).value or ""
                actual_key = (ws.title.upper(), cell.coordinate)
                if ws.title == INPUTS_SHEET and key != "master_check":
                    if cell.row - 1 == INDEX_ROW:
                        found, expected = True, list(inputs.scenario_cols).index(template.selected) + 1
                    else:
                        found, expected = True, _plain(ws.cell(cell.row, selected_col + 1).value)
                else:
                    found, expected = reference_value(sheets, ws.title, key, col)
                if not found:
                    mismatches.append(Mismatch(ws.title, cell.coordinate, key, None, values.get(actual_key),
                                               "no reference value for this formula cell"))
                    continue
                if actual_key not in values:
                    mismatches.append(Mismatch(ws.title, cell.coordinate, key, expected, None,
                                               "the formula was not evaluated by the recalculation"))
                    continue
                actual = values[actual_key]
                if _is_error(actual) and not (expected == CHART_GAP and str(actual) == CHART_GAP):  # a chart's gap
                    mismatches.append(Mismatch(ws.title, cell.coordinate, key, expected, str(actual), "Excel error value"))
                    continue
                agrees, diff, rel = compare(expected, actual)
                report.rows.add(cell.row)
                report.cells += 1
                if diff > report.worst_abs or not report.worst_cell:
                    report.worst_abs, report.worst_cell = max(report.worst_abs, diff), cell.coordinate
                report.worst_rel = max(report.worst_rel, rel)
                if not agrees:
                    mismatches.append(Mismatch(ws.title, cell.coordinate, key, _plain(expected), _plain(actual),
                                               f"differs by {diff:.3g} (relative {rel:.3g})"))
    return VerifyReport(path, template.selected, {k: v for k, v in reports.items() if v.cells}, mismatches, count, values)
