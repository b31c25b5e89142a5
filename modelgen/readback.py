"""Read a modelgen workbook's own Inputs back into a :class:`~modelgen.template.Template`.

The scenario columns hold the inputs (an analyst may have edited them), the selector names the
active scenario, and the settings block holds the check tolerance. Nothing here trusts cached
formula values: only input constants are read.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from .config import Deal
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
    import warnings

    import openpyxl
    try:
        with warnings.catch_warnings():  # e.g. "no default style" from other programs' files: not the user's concern
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for broken parts
        repaired = _with_note_authors(path)
        if repaired is not None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return openpyxl.load_workbook(repaired, data_only=False)
            except Exception:
                pass
        raise WorkbookError(f"{path}: cannot open the workbook ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None


def _with_note_authors(path: Path) -> io.BytesIO | None:
    """An in-memory copy in the forms openpyxl reads (Gnumeric saves notes with an empty author
    list, valid but unreadable to openpyxl), or None when nothing needs changing."""
    from .engines.xlsx import needs_normalising, normalise

    if not needs_normalising(path):
        return None
    buffer = io.BytesIO()
    normalise(path, buffer)
    buffer.seek(0)
    return buffer


def _cell_value(value: Any) -> Any:
    # LibreOffice re-saves a TRUE/FALSE input (e.g. node_sale.rational_shutdown) as the formula TRUE().
    if isinstance(value, str) and value.replace(" ", "").upper() in ("=TRUE()", "=FALSE()"):
        return value.replace(" ", "").upper() == "=TRUE()"
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
                raise TemplateError(f"{path}: Inputs!D{r} ({key}): must be a number (got {value!r})")
            settings[key[len(SETTINGS_PREFIX):]] = float(value)
            continue
        rows[key] = r - 1
        for name, col in scenario_cols.items():
            value = ws.cell(r, col + 1).value
            if value is None:
                raise TemplateError(f"{path}: Inputs!{ws.cell(r, col + 1).coordinate} ({key}, scenario {name}): the input is empty")
            if value == NULL_WORD and any(key == p or key.startswith(p + ".") for p in NULLABLE_INPUTS):
                continue  # a null input (off): left out, so the template's default (null) applies
            flats[name][key] = _cell_value(value)
    if not rows:
        raise WorkbookError(f"{path}: Inputs holds no inputs")
    names = list(scenario_cols)
    if selected not in scenario_cols:
        raise TemplateError(f"{path}: Inputs!D{SELECTOR_ROW + 1} (scenario): {selected!r} is not one of {', '.join(names)}")
    for name in names:  # each scenario column must be a valid deal: name the cell that is not
        _validate_column(path, flats[name], name, scenario_cols[name], rows)
    base_flat = flats[names[0]]
    scenarios = {}
    for name in names:
        scenarios[name] = {p: v for p, v in flats[name].items() if v != base_flat.get(p)}
    data = unflatten(base_flat)
    data["scenarios"] = scenarios
    data["scenario"] = selected
    try:
        template = template_from_dict(data, source=str(path))
    except TemplateError as exc:
        raise TemplateError(f"{path}: {INPUTS_SHEET} sheet: {exc}") from None
    return WorkbookInputs(template, settings, scenario_cols, rows)


def _cells(col: int, row_numbers: list[int]) -> str:
    """'E12', 'E12:E15' or 'E12, E14, ...' for 0-based rows of one column."""
    letter = get_column_letter(col + 1)
    rows = sorted(r + 1 for r in row_numbers)
    if len(rows) == 1:
        return f"{INPUTS_SHEET}!{letter}{rows[0]}"
    if rows == list(range(rows[0], rows[-1] + 1)):
        return f"{INPUTS_SHEET}!{letter}{rows[0]}:{letter}{rows[-1]}"
    return f"{INPUTS_SHEET}!" + ", ".join(f"{letter}{r}" for r in rows[:4]) + (", ..." if len(rows) > 4 else "")


def _validate_column(path: Path, flat: dict[str, Any], scenario: str, col: int, rows: dict[str, int]) -> None:
    """Validate one scenario column as a deal; an error names the file, the sheet and the cell(s)."""
    try:
        Deal.model_validate(unflatten(flat))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "constrained-"))))
        prefix = f"{field}." if field else ""
        matching = [p for p in rows if p == field] or [p for p in rows if p.startswith(prefix)]
        reason = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            reason = "not an input modelgen knows"
        elif err["type"] == "missing":
            reason = "a required input is missing"
        elif "input" in err and not isinstance(err["input"], (dict, list)):
            reason += f" (got {err['input']!r})"
        named = [p for p in matching if p.rsplit(".", 1)[-1] in reason]  # "shares sum to 1.2": the share rows
        matching = named or matching
        if not matching:
            raise TemplateError(f"{path}: {INPUTS_SHEET} sheet, scenario {scenario}: {field or 'the deal'}: {reason}") from None
        where = _cells(col, [rows[p] for p in matching])
        raise TemplateError(f"{path}: {where} ({field or 'the deal'}, scenario {scenario}): {reason}") from None
