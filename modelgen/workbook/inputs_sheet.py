"""The Inputs sheet: one row per template input, one column per scenario, a live selector.

Column D ("Active") picks the selected scenario's value by formula, and each active cell has a
global defined name that the calculation sheets use. Switching the selector in Excel
recalculates the whole model.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xlsxwriter.utility import xl_rowcol_to_cell

from ..dates import excel_serial
from ..glossary import NULL_WORD, NULLABLE_INPUTS, SECTIONS, SETTINGS, defined_name, describe_input
from ..template import Template, flatten
from .layout import KEY_COL, LABEL_COL, UNIT_COL, VALUE_COL
from .styles import Styles
from .validation import nullable_validation, validation_for

INPUTS_SHEET = "Inputs"
SELECTOR_ROW, INDEX_ROW, HEADER_ROW, FIRST_INPUT_ROW = 3, 4, 5, 6
FIRST_SCENARIO_COL = VALUE_COL + 1
SELECTOR_KEY, INDEX_KEY = "scenario", "scenario_index"
SETTINGS_PREFIX = "settings."


@dataclass
class InputRow:
    path: str
    row: int
    name: str
    values: list  # one per scenario


def nullable_of(path: str):
    """The nullable input a path belongs to (``revenue.rent_path.3`` -> ``revenue.rent_path``), or None."""
    for base in NULLABLE_INPUTS:
        if path == base or path.startswith(base + "."):
            return base
    return None


def input_rows(template: Template) -> list[tuple[str, list]]:
    """(path, [value per scenario]) in template order; paths with no value (None) are left out,
    except the nullable inputs of the sections the template has: a null shows as the word ``none``
    so that the input keeps its cell and defined name (a list input that no scenario has is one
    ``none`` row)."""
    flats = [flatten(template.tree(s)) for s in template.scenario_names]
    paths: list[str] = []
    for flat in flats:
        paths += [p for p in flat if p not in paths and (flat[p] is not None or nullable_of(p))]
    for base in NULLABLE_INPUTS:
        section = base.rsplit(".", 1)[0]
        in_section = [i for i, p in enumerate(paths) if p.startswith(section + ".")]
        if in_section and not any(nullable_of(p) == base for p in paths):  # only in a part the template has
            paths.insert(max(in_section) + 1, base)
    rows = []
    for path in paths:
        values = [flat.get(path) for flat in flats]
        if nullable_of(path):
            values = [NULL_WORD if v is None else v for v in values]
        rows.append((path, values))
    return rows


def write_value(ws, row: int, col: int, value, fmt) -> None:
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def write_inputs(wb, ws, styles: Styles, template: Template, settings: dict) -> list[InputRow]:
    scenarios = template.scenario_names
    selected_index = scenarios.index(template.selected)
    last_col = FIRST_SCENARIO_COL + len(scenarios) - 1
    ws.write_string(SELECTOR_ROW, LABEL_COL, "Active scenario (pick from the list)", styles.section)
    ws.write_string(SELECTOR_ROW, KEY_COL, SELECTOR_KEY, styles.key)
    ws.write_string(SELECTOR_ROW, VALUE_COL, template.selected, styles.value("text", is_input=True, bold=True))
    ws.data_validation(SELECTOR_ROW, VALUE_COL, SELECTOR_ROW, VALUE_COL, {
        "validate": "list", "source": scenarios, "input_title": "Scenario",
        "input_message": "The scenario the whole model calculates: one of the columns to the right.",
        "error_title": "Unknown scenario", "error_message": "Pick a scenario from the list."})
    wb.define_name(SELECTOR_KEY, f"={INPUTS_SHEET}!{xl_rowcol_to_cell(SELECTOR_ROW, VALUE_COL, True, True)}")
    ws.write_string(SELECTOR_ROW, UNIT_COL, "text", styles.unit)
    ws.write_comment(SELECTOR_ROW, LABEL_COL, "Active scenario (text): the name of the scenario column that column D "
                     "(Active) picks; switching it recalculates the whole model.", {"x_scale": 2})
    header = f"{xl_rowcol_to_cell(HEADER_ROW, FIRST_SCENARIO_COL, True, True)}:{xl_rowcol_to_cell(HEADER_ROW, last_col, True, True)}"
    ws.write_string(INDEX_ROW, LABEL_COL, "Active scenario number")
    ws.write_string(INDEX_ROW, UNIT_COL, "#", styles.unit)
    ws.write_string(INDEX_ROW, KEY_COL, INDEX_KEY, styles.key)
    ws.write_formula(INDEX_ROW, VALUE_COL, f"=MATCH({SELECTOR_KEY},{header},0)", styles.value("#"), selected_index + 1)
    wb.define_name(INDEX_KEY, f"={INPUTS_SHEET}!{xl_rowcol_to_cell(INDEX_ROW, VALUE_COL, True, True)}")
    ws.write_comment(INDEX_ROW, LABEL_COL, "Active scenario number (#): the position of the selected scenario among "
                     "the scenario columns. Formula: MATCH(scenario, scenario names, 0).", {"x_scale": 2})
    for col, text in ((LABEL_COL, "Input"), (UNIT_COL, "Unit"), (KEY_COL, "Key (template path)"), (VALUE_COL, "Active")):
        ws.write_string(HEADER_ROW, col, text, styles.header_left)
    for i, name in enumerate(scenarios):
        ws.write_string(HEADER_ROW, FIRST_SCENARIO_COL + i, name, styles.header)

    rows: list[InputRow] = []
    r = FIRST_INPUT_ROW
    current_section = None
    for path, values in input_rows(template):
        section = path.split(".")[0] if "." in path else ""
        if section != current_section:
            ws.write_string(r, LABEL_COL, SECTIONS.get(section, section), styles.section)
            current_section = section
            r += 1
        label, unit, note = describe_input(path)
        ws.write_string(r, LABEL_COL, label)
        ws.write_string(r, UNIT_COL, unit, styles.unit)
        ws.write_string(r, KEY_COL, path, styles.key)
        fmt_in = styles.value(unit, is_input=True)
        for i, value in enumerate(values):
            write_value(ws, r, FIRST_SCENARIO_COL + i, value, fmt_in)
        span = f"{xl_rowcol_to_cell(r, FIRST_SCENARIO_COL, False, True)}:{xl_rowcol_to_cell(r, last_col, False, True)}"
        active = values[selected_index]
        cached = excel_serial(active) if isinstance(active, dt.date) else active
        # INDEX(row_span,1,k) with both indices: every engine reads it alike; with one scenario the
        # span is one cell, where Gnumeric's INDEX fails, and the active value is simply that cell.
        active_formula = (f"=INDEX({span},1,{INDEX_KEY})" if len(scenarios) > 1
                          else f"={xl_rowcol_to_cell(r, FIRST_SCENARIO_COL, False, True)}")
        ws.write_formula(r, VALUE_COL, active_formula, styles.value(unit), cached)
        if note:
            ws.write_comment(r, LABEL_COL, f"{label} ({unit}): {note}", {"x_scale": 2})
        rule = validation_for(path, label, unit, note)
        if rule is not None and nullable_of(path):
            rule = nullable_validation(rule, xl_rowcol_to_cell(r, FIRST_SCENARIO_COL), NULL_WORD)
        if rule is not None:
            ws.data_validation(r, FIRST_SCENARIO_COL, r, last_col, rule)
        name = defined_name(path)
        wb.define_name(name, f"={INPUTS_SHEET}!{xl_rowcol_to_cell(r, VALUE_COL, True, True)}")
        rows.append(InputRow(path, r, name, values))
        r += 1
    for base in NULLABLE_INPUTS:
        items = [row.row for row in rows if row.path.startswith(base + ".")]
        if items:  # a list input: one name for its whole column of active values
            wb.define_name(defined_name(base), f"={INPUTS_SHEET}!{xl_rowcol_to_cell(min(items), VALUE_COL, True, True)}:"
                                              f"{xl_rowcol_to_cell(max(items), VALUE_COL, True, True)}")
    r += 1
    ws.write_string(r, LABEL_COL, "Model settings (all scenarios)", styles.section)
    r += 1
    for key, (label, unit, note, _default) in SETTINGS.items():
        ws.write_string(r, LABEL_COL, label)
        ws.write_string(r, UNIT_COL, unit, styles.unit)
        ws.write_string(r, KEY_COL, SETTINGS_PREFIX + key, styles.key)
        ws.write_number(r, VALUE_COL, settings.get(key, _default), styles.value(unit, is_input=True))
        ws.write_comment(r, LABEL_COL, f"{label} ({unit}): {note}", {"x_scale": 2})
        wb.define_name(key, f"={INPUTS_SHEET}!{xl_rowcol_to_cell(r, VALUE_COL, True, True)}")
        r += 1
    ws.set_column(LABEL_COL, LABEL_COL, 44)
    ws.set_column(UNIT_COL, UNIT_COL, 13)
    ws.set_column(KEY_COL, KEY_COL, 30)
    ws.set_column(VALUE_COL, last_col, 16)
    ws.freeze_panes(HEADER_ROW + 1, VALUE_COL)
    return rows
