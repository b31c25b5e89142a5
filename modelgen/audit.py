"""``modelgen audit``: what changed in a modelgen workbook since modelgen wrote it.

The workbook's own inputs are read back and the workbook modelgen would write for them is
regenerated; the two are compared formula by formula in a position-independent form: every
cell reference becomes (sheet, row key, column as an R1C1 offset), so a row inserted or moved by
Excel does not show as a change, while a hard-coded number, an edited formula, a deleted row or
a changed defined name does. Inputs are compared with the template's scenario values.
"""
from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from openpyxl.utils import column_index_from_string, get_column_letter

from .errors import TemplateError, WorkbookError
from .readback import WorkbookInputs, open_workbook, read_inputs
from .template import flatten, load_template
from .workbook.inputs_sheet import FIRST_SCENARIO_COL, INPUTS_SHEET
from .workbook.layout import FIRST_PERIOD_COL, KEY_COL, LABEL_COL

COLUMN_HEADER_ROW = 4  # 0-based: the row that names the columns on calculation sheets

REF = re.compile(
    r"(?<![A-Za-z0-9_.\"])(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_]*)!)?"
    r"(?P<c1>\$?[A-Z]{1,3})(?P<r1>\$?\d+)(?::(?P<c2>\$?[A-Z]{1,3})(?P<r2>\$?\d+))?(?![A-Za-z0-9_(])")
STRING = re.compile(r'"(?:[^"]|"")*"')
# Spellings that mean the same formula. LibreOffice writes TRUE() and FALSE() for the
# constants, and other writers may add the _xlfn. prefix or write a number another way
# (.5, 0.50, 5E-1); none of that is a change.
BOOL_CALL = re.compile(r"\b(TRUE|FALSE)\(\s*\)", re.IGNORECASE)
QUOTED_SHEET = re.compile(r"('(?:[^']|'')*')")
FUNCTION_PREFIX = re.compile(r"\b_(?:xlfn|xlws)\.", re.IGNORECASE)
NUMBER = re.compile(r"(?<![A-Za-z0-9_.$:'!\]])(?:\d+\.?\d*|\.\d+)(?:[Ee][+-]?\d+)?(?![A-Za-z0-9_.(:!\[])")


def normal_form(body: str) -> str:
    """A formula body (strings already taken out) with equivalent spellings made one:
    no spaces, TRUE/FALSE without brackets, no _xlfn. prefixes, numbers in one notation."""
    parts = QUOTED_SHEET.split(body)  # quoted sheet names ('Node ROI') stay as they are
    for i in range(0, len(parts), 2):
        part = parts[i].replace(" ", "").replace("\n", "").replace("\r", "")
        part = BOOL_CALL.sub(lambda m: m.group(1).upper(), part)
        part = FUNCTION_PREFIX.sub("", part)
        parts[i] = NUMBER.sub(lambda m: format(float(m.group(0)), ".15g"), part)
    return "".join(parts)


@dataclass
class Finding:
    kind: str
    sheet: str
    cell: str
    label: str
    detail: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        label = f" ({self.label})" if self.label else ""
        return f"{self.kind}: {where}{label}: {self.detail}"


@dataclass
class AuditReport:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cells_compared: int = 0

    @property
    def clean(self) -> bool:
        return not self.findings

    def counts(self) -> Counter:
        return Counter(f.kind for f in self.findings)


def _formula_text(value: Any) -> Optional[str]:
    """The formula of a cell value read by openpyxl (array formulas included), or None."""
    text = getattr(value, "text", value)
    if isinstance(text, str) and text.startswith("="):
        return text
    return None


def row_keys(ws) -> dict[int, str]:
    """{row number: key} from column C of a sheet."""
    keys = {}
    for row in ws.iter_rows(min_col=KEY_COL + 1, max_col=KEY_COL + 1):
        value = row[0].value
        if isinstance(value, str) and value:
            keys[row[0].row] = value
    return keys


class Canon:
    """Position-independent forms of formulas: references as (sheet, row key, R1C1 column)."""

    def __init__(self, wb):
        self.keys = {ws.title.upper(): row_keys(ws) for ws in wb.worksheets}

    def _endpoint(self, sheet: str, col: str, row: str, here_col: int) -> str:
        absolute_col = col.startswith("$")
        c = column_index_from_string(col.lstrip("$"))
        r = int(row.lstrip("$"))
        key = self.keys.get(sheet.upper(), {}).get(r)
        row_part = f"<{key}>" if key else f"R{r}"
        col_part = f"C{c}" if absolute_col else f"C[{c - here_col}]"
        return row_part + col_part

    def formula(self, text: str, sheet: str, col: int) -> str:
        strings: list[str] = []

        def keep(match):
            strings.append(match.group(0))
            return f"\x00{len(strings) - 1}\x00"

        body = STRING.sub(keep, text)

        def ref(match):
            target = match.group("sheet")
            target_name = target.strip("'").replace("''", "'") if target else sheet
            out = f"{target_name.upper()}!" + self._endpoint(target_name, match.group("c1"), match.group("r1"), col)
            if match.group("c2"):
                out += ":" + self._endpoint(target_name, match.group("c2"), match.group("r2"), col)
            return out

        body = REF.sub(ref, normal_form(body))
        return re.sub("\x00(\\d+)\x00", lambda m: strings[int(m.group(1))], body).upper()


def _label(ws, row: int) -> str:
    value = ws.cell(row, LABEL_COL + 1).value
    return str(value) if value is not None else ""


def _compare_sheet(report: AuditReport, exp_ws, act_ws, exp_canon: Canon, act_canon: Canon) -> None:
    exp_rows = {key: r for r, key in row_keys(exp_ws).items()}
    act_rows = {key: r for r, key in row_keys(act_ws).items()}
    name = exp_ws.title
    for key in exp_rows.keys() - act_rows.keys():
        report.findings.append(Finding("row-deleted", name, "", _label(exp_ws, exp_rows[key]), f"row '{key}' is missing"))
    for key in act_rows.keys() - exp_rows.keys():
        report.findings.append(Finding("row-added", name, f"A{act_rows[key]}", _label(act_ws, act_rows[key]),
                                       f"row '{key}' is not one modelgen writes"))
    for key in sorted(exp_rows.keys() & act_rows.keys(), key=lambda k: act_rows[k]):
        er, ar = exp_rows[key], act_rows[key]
        width = max(exp_ws.max_column, act_ws.max_column)
        row_findings: list[Finding] = []
        for col in range(KEY_COL + 2, width + 1):
            expected = _formula_text(exp_ws.cell(er, col).value)
            actual_value = act_ws.cell(ar, col).value
            actual = _formula_text(actual_value)
            cell = f"{get_column_letter(col)}{ar}"
            label = _label(act_ws, ar)
            if expected is None and actual is None:
                continue
            report.cells_compared += 1
            if expected is not None and actual is None:
                if actual_value is None:
                    row_findings.append(Finding("formula-deleted", name, cell, label, f"empty; modelgen writes {expected}"))
                else:
                    row_findings.append(Finding("hard-coded", name, cell, label,
                                                f"the constant {actual_value!r} replaced the formula {expected}"))
            elif expected is None:
                row_findings.append(Finding("formula-added", name, cell, label, f"{actual} where modelgen writes none"))
            elif actual is not None and exp_canon.formula(expected, name, col) != act_canon.formula(actual, act_ws.title, col):
                detail = (f"{actual}: same text as modelgen's, but the rows it refers to hold other lines now "
                          "(a row deleted or inserted without the references following)" if actual == expected
                          else f"{actual} differs from the row's shape; modelgen writes {expected}")
                row_findings.append(Finding("formula-changed", name, cell, label, detail))
        report.findings.extend(grouped(row_findings))


def grouped(findings: list[Finding]) -> list[Finding]:
    """One finding per kind for a row: the first cell's detail, and how many cells there are."""
    by_kind: dict[str, list[Finding]] = {}
    for finding in findings:
        by_kind.setdefault(finding.kind, []).append(finding)
    out = []
    for kind, items in by_kind.items():
        first = items[0]
        if len(items) == 1:
            out.append(first)
        else:
            out.append(Finding(kind, first.sheet, f"{first.cell}:{items[-1].cell}", first.label,
                               f"{len(items)} cells, e.g. {first.cell}: {first.detail}"))
    return out


def _row_shape(report: AuditReport, ws, canon: Canon) -> None:
    """Cells whose formula differs from the rest of their row (R1C1), within the file itself.
    Only sheets with period columns (E is "Close" or "Start") have one formula per row."""
    if ws.cell(COLUMN_HEADER_ROW + 1, FIRST_PERIOD_COL + 1).value not in ("Close", "Start"):
        return
    for row, key in row_keys(ws).items():
        shapes: dict[str, list[str]] = {}
        for col in range(FIRST_PERIOD_COL + 2, ws.max_column + 1):  # months 1.. (t = 0 may differ)
            text = _formula_text(ws.cell(row, col).value)
            if text is not None:
                shapes.setdefault(canon.formula(text, ws.title, col), []).append(f"{get_column_letter(col)}{row}")
        if len(shapes) > 1:
            majority = max(shapes, key=lambda s: len(shapes[s]))
            odd = [Finding("inconsistent-row", ws.title, cell, _label(ws, row),
                           f"formula differs from the other months of '{key}'")
                   for shape, cells in shapes.items() if shape != majority for cell in cells]
            report.findings.extend(grouped(odd))


def _names(wb) -> dict[str, str]:
    out = {}
    for name, defn in wb.defined_names.items():
        out[name] = str(defn.attr_text)
    return out


def _name_target(canon: Canon, text: str) -> str:
    match = REF.fullmatch(text.lstrip("="))
    if not match:
        return text
    return canon.formula("=" + text.lstrip("="), match.group("sheet") or "", 1)


def _compare_names(report: AuditReport, exp_wb, act_wb, exp_canon: Canon, act_canon: Canon) -> None:
    expected, actual = _names(exp_wb), _names(act_wb)
    for name in expected.keys() - actual.keys():
        report.findings.append(Finding("name-deleted", "(names)", "", name, f"defined name '{name}' -> {expected[name]} is missing"))
    for name in actual.keys() - expected.keys():
        report.findings.append(Finding("name-added", "(names)", "", name, f"defined name '{name}' -> {actual[name]} is not modelgen's"))
    for name in expected.keys() & actual.keys():
        if _name_target(exp_canon, expected[name]) != _name_target(act_canon, actual[name]):
            report.findings.append(Finding("name-changed", "(names)", "", name,
                                           f"'{name}' points to {actual[name]}; modelgen points it to {expected[name]}"))


def _cover_facts(wb) -> dict[str, str]:
    facts = {}
    if "Cover" in wb.sheetnames:
        for row in wb["Cover"].iter_rows(min_col=1, max_col=4):
            if isinstance(row[0].value, str) and row[3].value is not None:
                facts[row[0].value] = str(row[3].value)
    return facts


def _compare_inputs(report: AuditReport, wb, inputs: WorkbookInputs, template_path: Optional[str]) -> None:
    facts = _cover_facts(wb)
    source = template_path or facts.get("Template")
    sets = [s for s in facts.get("Overrides (--set)", "").split("; ") if s and s != "none"]
    if not source:
        report.notes.append("inputs not compared: the Cover names no template (use --template)")
        return
    try:
        template = load_template(source, sets=sets)
    except TemplateError as exc:
        report.notes.append(f"inputs not compared: cannot load the template '{source}' ({exc}); use --template")
        return
    recorded = facts.get("Template hash")
    if recorded and template_path is None and recorded != template.digest:
        report.notes.append(f"the template '{source}' changed since the build (hash {template.digest}, workbook {recorded})")
    built_selected = facts.get("Scenario when built")
    if built_selected and inputs.template.selected != built_selected:
        report.findings.append(Finding("input-changed", INPUTS_SHEET, "D4", "Active scenario",
                                       f"{inputs.template.selected!r}; built with {built_selected!r}"))
    for scenario, col in inputs.scenario_cols.items():
        if scenario not in template.scenarios:
            report.findings.append(Finding("input-changed", INPUTS_SHEET, f"{get_column_letter(col + 1)}6", scenario,
                                           f"scenario '{scenario}' is not in the template"))
            continue
        want = flatten(template.tree(scenario))
        have = flatten(inputs.template.tree(scenario))
        for path, value in have.items():
            expected = want.get(path)
            if not _same(value, expected):
                row = inputs.rows.get(path)
                cell = f"{get_column_letter(col + 1)}{row + 1}" if row is not None else ""
                report.findings.append(Finding("input-changed", INPUTS_SHEET, cell, f"{path}, scenario {scenario}",
                                               f"{value!r}; the template has {expected!r}"))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))
    return a == b


def audit_workbook(path: Path | str, template_path: Optional[str] = None) -> AuditReport:
    from .build import columns_of
    from .reference.frames import DEFAULT_SETTINGS
    from .reference.values import SheetValues
    from .workbook.writer import write_workbook
    import openpyxl

    path = Path(path)
    if template_path is not None:
        try:  # a template named by the user must exist and load: fail before any work
            load_template(template_path)
        except TemplateError as exc:
            raise TemplateError(f"--template: {str(exc).removeprefix('template: ')}") from None
    actual = open_workbook(path)
    if "Cover" not in actual.sheetnames:
        raise WorkbookError(f"{path}: not a modelgen workbook (no 'Cover' sheet)")
    try:
        inputs = read_inputs(actual, path)
    except TemplateError as exc:
        raise WorkbookError(f"{path}: its Inputs do not make a valid deal: {exc}") from None
    report = AuditReport(path)
    settings = {**DEFAULT_SETTINGS, **inputs.settings}
    with tempfile.TemporaryDirectory(prefix="modelgen-audit-") as tmp:
        fresh = Path(tmp) / "expected.xlsx"
        write_workbook(fresh, inputs.template, SheetValues(), columns_of(inputs.template), settings)
        expected = openpyxl.load_workbook(fresh)
    exp_canon, act_canon = Canon(expected), Canon(actual)
    for name in expected.sheetnames:
        if name not in actual.sheetnames:
            report.findings.append(Finding("sheet-deleted", name, "", "", "the sheet is missing"))
    for name in actual.sheetnames:
        if name not in expected.sheetnames:
            report.findings.append(Finding("sheet-added", name, "", "", "a sheet modelgen does not write"))
    for name in expected.sheetnames:
        if name in actual.sheetnames and name != INPUTS_SHEET:
            _compare_sheet(report, expected[name], actual[name], exp_canon, act_canon)
            _row_shape(report, actual[name], act_canon)
    _compare_inputs_formulas(report, expected, actual, exp_canon, act_canon)
    _compare_names(report, expected, actual, exp_canon, act_canon)
    _compare_inputs(report, actual, inputs, template_path)
    return report


def _compare_inputs_formulas(report: AuditReport, expected, actual, exp_canon: Canon, act_canon: Canon) -> None:
    """The Inputs sheet's own formulas (active column, selector index) must be modelgen's."""
    exp_ws, act_ws = expected[INPUTS_SHEET], actual[INPUTS_SHEET]
    exp_rows = {key: r for r, key in row_keys(exp_ws).items()}
    act_rows = {key: r for r, key in row_keys(act_ws).items()}
    for key in exp_rows.keys() & act_rows.keys():
        for col in range(KEY_COL + 2, FIRST_SCENARIO_COL + 1):
            exp = _formula_text(exp_ws.cell(exp_rows[key], col).value)
            act_value = act_ws.cell(act_rows[key], col).value
            act = _formula_text(act_value)
            if exp is None:
                continue
            report.cells_compared += 1  # counted like every other formula cell (build and verify count the same)
            cell = f"{get_column_letter(col)}{act_rows[key]}"
            if act is None:
                report.findings.append(Finding("hard-coded", INPUTS_SHEET, cell, key,
                                               f"the constant {act_value!r} replaced the formula {exp}"))
            elif exp_canon.formula(exp, INPUTS_SHEET, col) != act_canon.formula(act, INPUTS_SHEET, col):
                report.findings.append(Finding("formula-changed", INPUTS_SHEET, cell, key, f"{act}; modelgen writes {exp}"))
