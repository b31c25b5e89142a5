"""Read a modelgen workbook's own Inputs back into a :class:`~modelgen.template.Template`.

The scenario columns hold the inputs (an analyst may have edited them), the selector names the
active scenario, and the settings block holds the check tolerance. Nothing here trusts cached
formula values: only input constants are read.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import TemplateError, WorkbookError
from .glossary import NULL_WORD, NULLABLE_INPUTS
from .template import Template, template_from_dict, unflatten
from .workbook.inputs_sheet import (FIRST_INPUT_ROW, FIRST_SCENARIO_COL, HEADER_ROW, INPUTS_SHEET, SELECTOR_ROW,
                                    SETTINGS_PREFIX)
from .workbook.layout import KEY_COL, VALUE_COL

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # refuse archives that would expand beyond 200 MB


@dataclass
class WorkbookInputs:
    template: Template
    settings: dict[str, float]
    scenario_cols: dict[str, int]       # scenario name -> 0-based column
    rows: dict[str, int]                # input path -> 0-based row


def check_archive(path: Path) -> None:
    """A readable .xlsx zip of sane size, or a WorkbookError saying what is wrong."""
    if not path.is_file():
        raise WorkbookError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise WorkbookError(f"{path}: not an .xlsx workbook (not a zip archive; a password-protected or truncated file looks like this)")
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(f"{path}: cannot read the archive ({exc})") from None
    if total > MAX_UNCOMPRESSED:
        raise WorkbookError(f"{path}: the archive would expand to {total // 2**20} MB, over the {MAX_UNCOMPRESSED // 2**20} MB limit")
    if "xl/workbook.xml" not in names:
        raise WorkbookError(f"{path}: a zip archive but not an Excel workbook (no xl/workbook.xml)")


def open_workbook(path: Path):
    """openpyxl workbook with formulas as text (never cached values)."""
    check_archive(path)
    import openpyxl
    try:
        return openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for broken parts
        raise WorkbookError(f"{path}: cannot open the workbook ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None


def _cell_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_inputs(wb, path: Path) -> WorkbookInputs:
    if INPUTS_SHEET not in wb.sheetnames:
        raise WorkbookError(f"{path}: not a modelgen workbook (no '{INPUTS_SHEET}' sheet)")
    ws = wb[INPUTS_SHEET]
    header = [c.value for c in ws[HEADER_ROW + 1]]
    if len(header) <= FIRST_SCENARIO_COL or header[VALUE_COL] != "Active":
        raise WorkbookError(f"{path}: not a modelgen workbook (no scenario header on row {HEADER_ROW + 1} of Inputs)")
    scenario_cols = {}
    for col in range(FIRST_SCENARIO_COL, len(header)):
        if header[col] in (None, ""):
            break
        scenario_cols[str(header[col])] = col
    if not scenario_cols:
        raise WorkbookError(f"{path}: Inputs has no scenario columns")
    selected = ws.cell(SELECTOR_ROW + 1, VALUE_COL + 1).value
    flats: dict[str, dict[str, Any]] = {name: {} for name in scenario_cols}
    settings: dict[str, float] = {}
    rows: dict[str, int] = {}
    for r in range(FIRST_INPUT_ROW + 1, ws.max_row + 1):
        key = ws.cell(r, KEY_COL + 1).value
        if not isinstance(key, str) or not key:
            continue
        if key.startswith(SETTINGS_PREFIX):
            value = ws.cell(r, VALUE_COL + 1).value
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise TemplateError(f"Inputs!D{r} ({key}): must be a number")
            settings[key[len(SETTINGS_PREFIX):]] = float(value)
            continue
        rows[key] = r - 1
        for name, col in scenario_cols.items():
            value = ws.cell(r, col + 1).value
            if value is None:
                raise TemplateError(f"Inputs!{ws.cell(r, col + 1).coordinate} ({key}, scenario {name}): the input is empty")
            if value == NULL_WORD and any(key == p or key.startswith(p + ".") for p in NULLABLE_INPUTS):
                continue  # a null input (off): left out, so the template's default (null) applies
            flats[name][key] = _cell_value(value)
    if not rows:
        raise WorkbookError(f"{path}: Inputs holds no inputs")
    names = list(scenario_cols)
    if selected not in scenario_cols:
        raise TemplateError(f"Inputs!D{SELECTOR_ROW + 1} (scenario): {selected!r} is not one of {', '.join(names)}")
    base_flat = flats[names[0]]
    scenarios = {}
    for name in names:
        scenarios[name] = {p: v for p, v in flats[name].items() if v != base_flat.get(p)}
    data = unflatten(base_flat)
    data["scenarios"] = scenarios
    data["scenario"] = selected
    template = template_from_dict(data, source=str(path))
    return WorkbookInputs(template, settings, scenario_cols, rows)
