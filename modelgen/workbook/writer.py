"""Write the workbook: Cover, Inputs and the calculation sheets, atomically.

The writer reads the template (for the inputs) and the row specs (for the formulas). The
reference model's numbers are passed in only to be stored as each formula's cached value, so
viewers that never recalculate still show the right figures; Excel recalculates on open.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..config import Deal
from ..columns import Columns
from ..template import Template, bundled_templates
from .abs_results import checks_sheet, participants_sheet
from .abs_returns import returns_sheet
from .abs_sheets import depreciation_sheet, timeline_sheet
from .abs_tranches import tranches_sheet
from .waterfall_rows import waterfall_sheet
from .dashboard import DASHBOARD_SHEET, write_dashboard
from .depin_sheets import byod_sheet, node_roi_sheet, node_tiers_sheet
from .inputs_sheet import INPUTS_SHEET, write_inputs
from .layout import FIRST_PERIOD_COL, FIRST_ROW, KEY_COL, LABEL_COL, UNIT_COL, VALUE_COL, Plan, SheetSpec, reference_value, row_note
from .styles import Styles

if TYPE_CHECKING:  # the reference's value store, only as a type: its numbers become cached values
    from ..reference.values import SheetValues

COVER_SHEET = "Cover"
CHECKS_SHEET = "Checks"
MASTER_ROW = 2  # 0-based: row 3 of every sheet shows the master check
COLUMN_HEADER_ROW = 4
FIXED_DATE = dt.datetime(2026, 1, 1)


class LeanWorksheet(Worksheet):
    """A worksheet that skips xlsxwriter's scan for Excel 365 functions (dozens of regexes per
    formula, most of the build time): modelgen writes only Excel 2010 functions."""

    styles_for_links: Optional[Callable[[Any], Any]] = None  # set by the writer: format -> the same format in the link colour

    def _prepare_formula(self, formula, expand_future_functions=False):
        if formula.startswith("{") and formula.endswith("}"):
            formula = formula[1:-1]
        return formula[1:] if formula.startswith("=") else formula


def calculation_sheets(deal: Deal, columns: Columns, rent_path: bool = False) -> list[SheetSpec]:
    """The calculation sheets in workbook order: the tabs of each part the deal has, then Checks.
    ``rent_path``: some scenario of the template gives a rent path (the rent row then reads it)."""
    sheets: list[SheetSpec] = []
    names, block = None, None
    if deal.has_securitization:
        names = [t.name for t in deal.securitization.structure.tranches]
        waterfall, block = waterfall_sheet(names)
        sheets += [timeline_sheet(), depreciation_sheet(rent_path), waterfall, tranches_sheet(names),
                   returns_sheet(names), participants_sheet(names)]
    if deal.node_sale is not None:
        assert columns.node is not None
        sheets += [node_roi_sheet(columns.node, deal.node_sale), node_tiers_sheet(deal.node_sale)]
    if deal.byod is not None:
        assert columns.byod is not None
        sheets.append(byod_sheet(columns.byod, deal.byod))
    sheets.append(checks_sheet(names, block, deal.node_sale.tier_count if deal.node_sale else None,
                               byod=deal.byod is not None))
    return sheets


LINK = re.compile(r"^=(?:'[^']+'|[A-Za-z_][A-Za-z0-9_]*)!\$?[A-Z]{1,3}\$?\d+$")


def _write_formula(ws, row: int, col: int, formula: str, fmt, value) -> None:
    """A formula with the reference's value cached; ``{=...}`` is written as an array formula.
    A pure link to another sheet gets the link colour (green)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        value = None
    if LINK.match(formula) and ws.styles_for_links is not None:
        fmt = ws.styles_for_links(fmt)
    if formula.startswith("{="):
        ws.write_array_formula(row, col, row, col, formula, fmt, 0 if value is None else value)
    elif value is None:
        ws.write_formula(row, col, formula, fmt)
    else:
        ws.write_formula(row, col, formula, fmt, value)


def _render(plan: Plan, template: str, sheet: str, col: int, row: int) -> str:
    """Render a template for one cell; ``{=...}`` marks an array formula and ``{row}`` the cell's row."""
    template = template.replace("{row}", str(row + 1))
    if template.startswith("{="):
        return "{" + plan.render(template[1:-1], sheet, col) + "}"
    return plan.render(template, sheet, col)


def write_header(ws, styles: Styles, title: str, purpose: str, master: Optional[str]) -> None:
    """Title, purpose and the master check at the top of every sheet; the print set-up."""
    ws.write_string(0, LABEL_COL, title, styles.title)
    ws.write_string(1, LABEL_COL, purpose, styles.purpose)
    ws.write_string(MASTER_ROW, LABEL_COL, "Master check (0 = every check passes)", styles.get(bold=True))
    ws.write_string(MASTER_ROW, KEY_COL, "master_check", styles.key)
    if master is not None:
        ws.write_formula(MASTER_ROW, VALUE_COL, master, styles.check, 0)
        ws.conditional_format(MASTER_ROW, VALUE_COL, MASTER_ROW, VALUE_COL,
                              {"type": "cell", "criteria": "!=", "value": 0, "format": styles.failing})
    ws.set_landscape()
    ws.set_paper(PAPER_A4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, COLUMN_HEADER_ROW)
    ws.repeat_columns(LABEL_COL, VALUE_COL)
    ws.set_header("&L&\"Calibri,Bold\"modelgen&R&D")
    ws.set_footer("&L&A&RPage &P of &N")


PAPER_A4, PAPER_A3 = 9, 8
PRINT_SCALE = 76          # %: columns A:D and 13 month columns (Close, M1-M12) fill A3 landscape
MONTHS_PER_PAGE = 12
WIDE_TABLE_COLUMNS = 10   # a table wider than this prints across pages like a month sheet


def print_across(ws, first_break_col: int, last_col: int, step: int) -> None:
    """A3 landscape at a readable scale, across as many pages as it takes, the label, unit, key
    and value columns (A:D) and the header rows repeated on every page. ``step`` columns a page
    after the first break (a year of months on a month sheet; 0 leaves the breaks to the printer)."""
    ws.set_paper(PAPER_A3)
    ws.set_landscape()
    ws.set_print_scale(PRINT_SCALE)
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.75)
    if step:
        ws.set_v_pagebreaks(list(range(first_break_col, last_col + 1, step)))


def print_calc_sheet(ws, spec: SheetSpec, plan: Plan) -> None:
    """Month sheets print across pages, a year to a page (Close and months 1-12 on the first);
    tables print one page wide on A3 unless they are too wide to read that way."""
    if spec.columns == "table":
        if len(spec.table_headers) > WIDE_TABLE_COLUMNS:
            print_across(ws, 0, 0, 0)
        else:
            ws.set_paper(PAPER_A3)
        return
    last = FIRST_PERIOD_COL + plan.sheet_horizon(spec)
    print_across(ws, FIRST_PERIOD_COL + 1 + MONTHS_PER_PAGE, last, MONTHS_PER_PAGE)


def group_sections(ws, spec: SheetSpec) -> None:
    """Rows under each section heading form an outline group that collapses to the heading."""
    ws.outline_settings(True, False, True, False)
    in_section = False
    for offset, row in enumerate(spec.rows):
        if row.kind == "section":
            in_section = True
            continue
        if in_section:
            ws.set_row(FIRST_ROW + offset, None, None, {"level": 1})


def write_calc_sheet(ws, styles: Styles, spec: SheetSpec, plan: Plan, sheets: SheetValues) -> None:
    is_checks = spec.name == CHECKS_SHEET
    first_check, last_row = FIRST_ROW + 1, FIRST_ROW + len(spec.rows)
    master = f"=SUM(D{first_check}:D{last_row})" if is_checks else "=master_check"
    write_header(ws, styles, spec.title, spec.purpose, master)
    hdr = COLUMN_HEADER_ROW
    for col, text in ((LABEL_COL, "Line item"), (UNIT_COL, "Unit"), (KEY_COL, "Key"), (VALUE_COL, "Value / total")):
        ws.write_string(hdr, col, text, styles.header_left)
    if spec.columns == "table":
        for i, text in enumerate(spec.table_headers):
            ws.write_string(hdr, VALUE_COL + i, text, styles.header)
    else:
        horizon = plan.sheet_horizon(spec)
        ws.write_string(hdr, FIRST_PERIOD_COL, "Close" if spec.period_label == "M" else "Start", styles.header)
        for t in range(1, horizon + 1):
            ws.write_string(hdr, FIRST_PERIOD_COL + t, f"{spec.period_label}{t}", styles.header)
    year_header_done = False
    for offset, row in enumerate(spec.rows):
        r = FIRST_ROW + offset
        if row.kind == "section":
            ws.write_string(r, LABEL_COL, row.label, styles.section)
            continue
        if row.kind == "blank":
            continue
        key = row.key
        if key is None:
            raise ValueError(f"a {row.kind} row on {spec.name} ({row.label!r}) has no key")
        ws.write_string(r, LABEL_COL, row.label)
        ws.write_string(r, UNIT_COL, row.unit, styles.unit)
        ws.write_string(r, KEY_COL, key, styles.key)
        ws.write_comment(r, LABEL_COL, f"{row.label} ({row.unit}). {row_note(row)}", {"x_scale": 3, "y_scale": 2})
        fmt = styles.value(row.unit)
        if row.kind == "scalar":
            if row.f is None:
                raise ValueError(f"scalar row {key} on {spec.name} has no formula")
            value = reference_value(sheets, spec.name, key, VALUE_COL)[1]
            _write_formula(ws, r, VALUE_COL, _render(plan, row.f, spec.name, VALUE_COL, r), styles.value(row.unit, bold=True), value)
        elif row.kind == "table":
            for i, template in enumerate(row.cells):
                if template:
                    cell_fmt = styles.value(row.cell_units[i]) if row.cell_units else fmt
                    _write_formula(ws, r, VALUE_COL + i, _render(plan, template, spec.name, VALUE_COL + i, r), cell_fmt,
                                   reference_value(sheets, spec.name, key, VALUE_COL + i)[1])
            if row.text:
                ws.write_string(r, VALUE_COL + len(row.cells), row.text)
        elif row.kind == "year":
            if not year_header_done:
                ws.write_string(r - 1, VALUE_COL, "Years across", styles.section)
                year_header_done = True
            for y in range(plan.years):
                col = FIRST_PERIOD_COL + y
                year_formula = row.f0 if (y == 0 and row.f0) else row.f
                if not year_formula:
                    continue
                _write_formula(ws, r, col, plan.render(year_formula, spec.name, col), fmt,
                               reference_value(sheets, spec.name, key, col)[1])
        else:
            if row.d:
                _write_formula(ws, r, VALUE_COL, plan.render(row.d, spec.name, VALUE_COL), styles.value(row.unit, bold=True),
                               reference_value(sheets, spec.name, key, VALUE_COL)[1])
            for t in range(0, plan.sheet_horizon(spec) + 1):
                period_formula = row.f0 if t == 0 else row.f
                if not period_formula:
                    continue
                col = FIRST_PERIOD_COL + t
                _write_formula(ws, r, col, plan.render(period_formula, spec.name, col), fmt,
                               reference_value(sheets, spec.name, key, col)[1])
    group_sections(ws, spec)
    if is_checks:
        ws.conditional_format(FIRST_ROW, VALUE_COL, last_row - 1, VALUE_COL,
                              {"type": "cell", "criteria": ">", "value": 0, "format": styles.failing})
    ws.set_column(LABEL_COL, LABEL_COL, 46)
    ws.set_column(UNIT_COL, UNIT_COL, 10)
    ws.set_column(KEY_COL, KEY_COL, 24)
    ws.set_column(VALUE_COL, VALUE_COL, 15)
    if spec.columns == "table":
        widths = [15] * len(spec.table_headers)
        if spec.table_headers and spec.table_headers[-1] == "Risk borne":
            widths[-1] = 70
        for i, width in enumerate(widths):
            ws.set_column(VALUE_COL + i, VALUE_COL + i, width)
    else:
        ws.set_column(FIRST_PERIOD_COL, FIRST_PERIOD_COL + plan.sheet_horizon(spec), 12)
    ws.freeze_panes(COLUMN_HEADER_ROW + 1, FIRST_PERIOD_COL if spec.columns != "table" else VALUE_COL)
    print_calc_sheet(ws, spec, plan)


def template_label(template: Template) -> str:
    """A bundled template's name, or the template file's absolute path (what audit reloads)."""
    source = Path(template.source)
    bundled = bundled_templates()
    if source.stem in bundled and bundled[source.stem].resolve() == source.resolve():
        return source.stem
    return str(source.resolve()) if source.exists() else str(source)


def write_cover(ws, styles: Styles, template: Template, sheet_titles: list[tuple[str, str]]) -> None:
    write_header(ws, styles, "modelgen: GPU-backed finance model", "A formula-driven model: every number outside "
                 "Inputs is a live formula that leads back to Inputs.", "=master_check")
    deal = template.deal()
    ws.write_string(4, LABEL_COL, "Deal", styles.get(bold=True))
    ws.write_string(4, VALUE_COL, deal.name, styles.get(bold=True, font_size=12))  # always text, never a formula
    overrides = "; ".join(f"{path}={value}" for path, value in template.sets) or "none"
    facts = [("Template", template_label(template)), ("Template hash", template.digest),
             ("Overrides (--set)", overrides), ("Scenario when built", template.selected),
             ("Scenarios", ", ".join(template.scenario_names)), ("modelgen version", __version__)]
    for i, (label, value) in enumerate(facts):
        ws.write_string(5 + i, LABEL_COL, label)
        ws.write_string(5 + i, VALUE_COL, value)
    r = 6 + len(facts)
    ws.write_string(r, LABEL_COL, "Contents", styles.section)
    for i, (name, title) in enumerate(sheet_titles):
        ws.write_url(r + 1 + i, LABEL_COL, f"internal:'{name}'!A1", styles.link, name)
        ws.write_string(r + 1 + i, VALUE_COL, title)
    r = r + 2 + len(sheet_titles)
    ws.write_string(r, LABEL_COL, "Colour code", styles.section)
    ws.write_string(r + 1, LABEL_COL, "Input (change these, on the Inputs sheet)", styles.value("text", is_input=True))
    ws.write_string(r + 2, LABEL_COL, "Formula (do not overwrite)")
    ws.write_string(r + 3, LABEL_COL, "Link: fetches a cell of another sheet", styles.get(font_color="#008000"))
    ws.write_string(r + 4, LABEL_COL, "Check that holds: OK, in green", styles.check)
    ws.write_string(r + 5, LABEL_COL, "Check that fails: the count of failures, in red", styles.failing)
    ws.set_column(LABEL_COL, LABEL_COL, 46)
    ws.set_column(VALUE_COL, VALUE_COL, 70)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_save(path: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file beside ``path`` and rename it into place: never a half-written
    file. The folder must exist. The file gets the mode any new file gets (0666 less the umask),
    not the temporary file's 0600. A failure to write is one line naming the path."""
    from ..errors import ModelgenError

    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlsx.tmp", dir=path.parent)
        os.close(fd)
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ModelgenError(f"--output: cannot write '{path}': {reason}") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def write_workbook(path: Path, template: Template, sheets: SheetValues, columns: Columns,
                   settings: dict) -> int:
    """Write the workbook for ``template``; returns the number of formula cells written."""
    deal = template.deal()
    rent_path = any(d.has_securitization and d.securitization.revenue.rent_path is not None
                    for d in template.deals().values())
    specs = calculation_sheets(deal, columns, rent_path)
    plan = Plan(specs, columns.horizon, columns.years)
    counter = {"formulas": 0}

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
        wb.set_properties({"title": deal.name, "subject": "GPU-backed finance model", "author": "modelgen",
                           "comments": f"modelgen {__version__}; template {template_label(template)} "
                                       f"#{template.digest}", "created": FIXED_DATE})
        wb.set_calc_mode("auto")
        styles = Styles(wb)
        LeanWorksheet.styles_for_links = staticmethod(styles.as_link)
        cover = wb.add_worksheet(COVER_SHEET, worksheet_class=LeanWorksheet)
        dashboard = wb.add_worksheet(DASHBOARD_SHEET, worksheet_class=LeanWorksheet)
        inputs = wb.add_worksheet(INPUTS_SHEET, worksheet_class=LeanWorksheet)
        worksheets = {spec.name: wb.add_worksheet(spec.name, worksheet_class=LeanWorksheet) for spec in specs}
        write_header(inputs, styles, "Inputs", "Every input of the template: one column per scenario; column D "
                     "(Active) follows the selector and feeds the model.", "=master_check")
        write_inputs(wb, inputs, styles, template, settings)
        for spec in specs:
            write_calc_sheet(worksheets[spec.name], styles, spec, plan, sheets)
        write_dashboard(wb, dashboard, styles, plan, deal, sheets, _write_formula, write_header)
        wb.define_name("master_check", f"={CHECKS_SHEET}!$D${MASTER_ROW + 1}")
        write_cover(cover, styles, template, [(DASHBOARD_SHEET, "Headline figures and charts"),
                                              (INPUTS_SHEET, "Inputs and scenarios")] + [(s.name, s.title) for s in specs])
        cover.activate()
        counter["formulas"] = sum(_formula_count(ws) for ws in [cover, dashboard, inputs, *worksheets.values()])
        wb.close()

    atomic_save(Path(path), write)
    return counter["formulas"]


def _formula_count(ws) -> int:
    count = 0
    for row in ws.table.values():
        for cell in row.values():
            if type(cell).__name__ in ("Formula", "ArrayFormula"):  # every cell holding a formula, as verify counts
                count += 1
    return count
