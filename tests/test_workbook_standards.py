"""Modelling standards (FAST / ICAEW): one formula shape per row, inputs styled and named, a unit
and a note on every row, byte-identical builds, and charts that point at numbers."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from conftest import SMALL_DEAL
from modelgen.audit import Canon, _formula_text, row_keys
from modelgen.build import build_workbook
from modelgen.template import load_template
from modelgen.workbook.layout import FIRST_PERIOD_COL
from modelgen.workbook.styles import INPUT_FILL, INPUT_FONT

CALC_SHEETS = ["Timeline", "Depreciation", "Waterfall", "Tranches", "Returns", "Node ROI", "BYOD ROI", "Checks"]


@pytest.fixture(scope="module")
def default_workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("std") / "gpu-abs.xlsx"
    build_workbook(load_template("gpu-abs"), path)
    return path, openpyxl.load_workbook(path)


def test_one_formula_shape_per_row(default_workbook):
    """Every period row has the same R1C1 formula in all its month columns (t = 0 may differ)."""
    _, wb = default_workbook
    canon = Canon(wb)
    checked = 0
    for name in CALC_SHEETS:
        ws = wb[name]
        for row, key in row_keys(ws).items():
            shapes = set()
            for col in range(FIRST_PERIOD_COL + 2, ws.max_column + 1):
                text = _formula_text(ws.cell(row, col).value)
                if text:
                    shapes.add(canon.formula(text, name, col))
            assert len(shapes) <= 1, f"{name} row {row} ({key}) has {len(shapes)} formula shapes"
            checked += bool(shapes)
    assert checked > 150


def test_inputs_are_styled_and_named(default_workbook):
    _, wb = default_workbook
    ws = wb["Inputs"]
    named = {str(d.attr_text).split("!")[-1].replace("$", "") for d in wb.defined_names.values()
             if str(d.attr_text).startswith("Inputs!")}
    inputs = 0
    for row in ws.iter_rows(min_row=7):
        key = row[2].value
        if not isinstance(key, str):
            continue
        active = row[3]
        assert active.coordinate in named, f"{key}: active cell has no defined name"
        cells = row[4:] if not key.startswith("settings.") else [active]
        for cell in cells:
            if cell.value is None:
                continue
            inputs += 1
            assert cell.data_type != "f", f"{cell.coordinate} holds a formula in an input cell"
            assert cell.font.color is not None and cell.font.color.rgb.endswith(INPUT_FONT.lstrip("#"))
            assert cell.fill.fgColor.rgb.endswith(INPUT_FILL.lstrip("#"))
        if not key.startswith("settings."):
            assert active.data_type == "f"
            assert not (active.fill.fgColor.rgb or "").endswith(INPUT_FILL.lstrip("#")), "a formula styled as an input"
    assert inputs > 100
    # no formula cell anywhere carries the input style
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert not (cell.fill.fgColor.rgb or "").endswith(INPUT_FILL.lstrip("#")), f"{ws.title}!{cell.coordinate}"


def test_every_row_has_a_unit_and_a_note(default_workbook):
    _, wb = default_workbook
    for ws in wb.worksheets:
        if ws.title in ("Cover", "Dashboard"):
            continue
        for row, key in row_keys(ws).items():
            if row <= 3 or key in ("master_check", "Key", "Key (template path)"):
                continue
            assert ws.cell(row, 2).value, f"{ws.title}!B{row} ({key}) has no unit"
            comment = ws.cell(row, 1).comment
            assert comment is not None and len(comment.text) > 10, f"{ws.title}!A{row} ({key}) has no note"


def test_builds_are_byte_identical_and_set_changes_them(tmp_path):
    a = build_workbook(load_template(str(SMALL_DEAL)), tmp_path / "a.xlsx").path.read_bytes()
    b = build_workbook(load_template(str(SMALL_DEAL)), tmp_path / "b.xlsx").path.read_bytes()
    c = build_workbook(load_template(str(SMALL_DEAL), sets=["revenue.rent0=2.5"]), tmp_path / "c.xlsx").path.read_bytes()
    assert a == b
    assert a != c


def test_workbook_properties(default_workbook):
    _, wb = default_workbook
    props = wb.properties
    assert props.title == "H100 fleet notes"
    assert "modelgen" in (props.description or "") and "gpu-abs" in (props.description or "")


def test_print_setup_on_every_sheet(default_workbook):
    _, wb = default_workbook
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        fitted = ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage
        across = ws.page_setup.paperSize == 8 and ws.print_title_cols  # A3 across pages, A:D repeated
        assert fitted or across, ws.title
        assert "&A" in (ws.oddFooter.left.text or ""), ws.title
        assert ws.print_title_rows, ws.title


@pytest.mark.slow
def test_charts_point_at_numbers(default_workbook):
    """Every chart series refers to ranges that exist and hold numbers after recalculation."""
    from modelgen.verify import verify_workbook
    path, wb = default_workbook
    report = verify_workbook(path)  # IronCalc, the default engine (every engine is compared in test_engines_agree)
    assert report.ok
    refs = []
    with zipfile.ZipFile(path) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) >= 7
        for name in charts:
            xml = zf.read(name).decode()
            for series in re.findall(r"<c:ser>(.*?)</c:ser>", xml, flags=re.S):
                if "<c:v>(empty)</c:v>" in series:  # the deliberately empty series that keeps #N/A a gap
                    continue
                refs += [(name, ref) for ref in re.findall(r"<c:val>.*?<c:f>(.*?)</c:f>", series, flags=re.S)]
    assert refs
    for chart, ref in refs:
        sheet, cells = ref.rsplit("!", 1)
        sheet = sheet.strip("'")
        assert sheet in wb.sheetnames, (chart, ref)
        first, last = cells.replace("$", "").split(":")
        ws = wb[sheet]
        values = [report.values.get((sheet.upper(), c.coordinate)) for row in ws[first:last] for c in row]
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        assert numbers, (chart, ref, values[:5])


def test_rows_doc_is_regenerated_by_its_script():
    """docs/rows.md is a golden file: regenerated only by tools/gen_docs.py from the row specs."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(root / "tools" / "gen_docs.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
