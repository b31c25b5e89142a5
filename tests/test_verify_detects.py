"""verify can fail: a workbook whose formulas or inputs were tampered with is caught, by every
engine, and the report says where the error starts.

Uses the small 6-month deal so that each recalculation takes well under a second.
"""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import SMALL_DEAL, engine_or_skip, find_row
from modelgen.build import build_workbook
from modelgen.cli import main
from modelgen.engines import ENGINES
from modelgen.template import load_template
from modelgen.verify import compare, verify_workbook


@pytest.fixture(scope="module")
def small_workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "small.xlsx"
    build_workbook(load_template(str(SMALL_DEAL)), path)
    return path


def tamper(src, dst, sheet: str, key: str, column: str, value):
    wb = openpyxl.load_workbook(src)
    ws = wb[sheet]
    ws[f"{column}{find_row(ws, key)}"] = value
    wb.save(dst)
    return dst


def test_clean_small_workbook_verifies_via_cli(small_workbook):
    result = CliRunner().invoke(main, ["verify", str(small_workbook)])
    assert result.exit_code == 0, result.output
    assert "OK [ironcalc]: every formula cell agrees" in result.output
    for sheet in ("Waterfall", "Tranches", "Returns", "Checks"):
        assert sheet in result.output


def test_passing_report_shows_no_false_worst_cell(small_workbook):
    """A sheet where nothing differs says so; no '100%' relative difference from a residue next to zero."""
    report = verify_workbook(small_workbook)
    assert report.ok
    for rep in report.sheets.values():
        assert rep.differing == 0
        assert rep.largest_rel < 1e-9, (rep.sheet, rep.largest_rel)
        assert (rep.largest_cell == "") == (rep.largest_abs == 0), rep
    output = CliRunner().invoke(main, ["verify", str(small_workbook)]).output
    assert "none (exact)" in output and "relative 1\n" not in output and "worst" not in output
    assert compare(0.0, 1e-12) == (True, 1e-12, 0.0)        # next to zero: no relative difference reported
    assert compare(100.0, 100.0 + 1e-8)[0] and not compare(100.0, 100.1)[0]


def test_formula_cell_counts_agree_between_build_verify_and_audit(small_workbook, tmp_path):
    built = CliRunner().invoke(main, ["build", str(SMALL_DEAL), "-o", str(tmp_path / "s.xlsx")]).output
    verified = CliRunner().invoke(main, ["verify", str(tmp_path / "s.xlsx")]).output
    audited = CliRunner().invoke(main, ["audit", str(tmp_path / "s.xlsx")]).output
    count = verify_workbook(tmp_path / "s.xlsx").formula_cells
    assert f"({count:,} formula cells)" in built
    assert f"{count:,} formula cells, {count:,} compared" in verified
    assert f"{count:,} formula cells" in audited


def test_hard_coded_cell_is_named_first_with_a_pointer_to_audit(small_workbook, tmp_path):
    bad = tamper(small_workbook, tmp_path / "hard.xlsx", "Waterfall", "revenue", "H", 123456.0)
    report = verify_workbook(bad)
    assert not report.ok
    first = report.mismatches[0]
    assert (first.sheet, first.cell[0], first.key, first.kind) == ("Waterfall", "H", "revenue", "hard-coded")
    assert [m.where for m in report.causes] == [first.where]
    assert "cash_after_opex" in {m.key for m in report.mismatches}  # the hard-code flows downstream and is caught there
    result = CliRunner().invoke(main, ["verify", str(bad)])
    assert result.exit_code == 1
    assert f"Where it starts: {first.where} [revenue]: a constant typed over a calculated cell" in result.output
    assert f"modelgen audit {bad}" in result.output
    listed = [line.strip() for line in result.output.splitlines() if line.startswith("  ")]
    assert listed[0].startswith(f"{first.where} [revenue]")


def test_changed_formula_is_the_first_cause_not_its_dependents(small_workbook, tmp_path):
    wb = openpyxl.load_workbook(small_workbook)
    ws = wb["Waterfall"]
    row = find_row(ws, "opex_due")
    ws[f"G{row}"] = ws[f"G{row}"].value + "*2"
    wb.save(tmp_path / "changed.xlsx")
    report = verify_workbook(tmp_path / "changed.xlsx")
    assert len(report.mismatches) > 3
    assert [m.where for m in report.causes] == [f"Waterfall!G{row}"]
    assert report.mismatches[0].where == f"Waterfall!G{row}"


@pytest.mark.parametrize("engine", list(ENGINES))
def test_every_engine_catches_a_changed_formula(small_workbook, tmp_path, engine):
    engine_or_skip(engine)
    wb = openpyxl.load_workbook(small_workbook)
    ws = wb["Waterfall"]
    row = find_row(ws, "opex_paid_cash")
    assert "MIN" in ws[f"G{row}"].value
    ws[f"G{row}"] = ws[f"G{row}"].value.replace("MIN", "MAX")
    wb.save(tmp_path / "changed.xlsx")
    result = CliRunner().invoke(main, ["verify", str(tmp_path / "changed.xlsx"), "--engine", engine, "--show", "1000"])
    assert result.exit_code == 1
    assert f"Waterfall!G{row} [opex_paid_cash]" in result.output


@pytest.mark.parametrize("engine", ["ironcalc", "formulas"])
def test_error_value_is_caught(small_workbook, tmp_path, engine):
    bad = tamper(small_workbook, tmp_path / "err.xlsx", "Depreciation", "utilisation", "F", "=1/0")
    report = verify_workbook(bad, engine=engine)
    assert any(m.reason == "Excel error value" and m.actual == "#DIV/0!" for m in report.mismatches)


def test_edited_input_is_followed(small_workbook, tmp_path):
    """An analyst edits an input in the active column: verify recomputes the reference from it."""
    wb = openpyxl.load_workbook(small_workbook)
    ws = wb["Inputs"]
    ws[f"E{find_row(ws, 'revenue.rent0')}"] = 1.5
    ws[f"E{find_row(ws, 'structure.tranches.0.coupon')}"] = 0.06
    wb.save(tmp_path / "edited.xlsx")
    report = verify_workbook(tmp_path / "edited.xlsx")
    assert report.ok, "\n".join(str(m) for m in report.mismatches[:10])


def test_scenario_switch_on_the_command_line(small_workbook):
    result = CliRunner().invoke(main, ["verify", str(small_workbook), "--scenario", "stress"])
    assert result.exit_code == 0, result.output
    assert "scenario stress" in result.output


@pytest.mark.parametrize("key, column, value, expected", [
    ("revenue.rent0", "F", -1.0, "Inputs!F{row} (revenue.rent0, scenario stress): Input should be greater than 0"),
    ("assets.gpu_count", "E", "many", "Inputs!E{row} (assets.gpu_count, scenario base): Input should be a valid integer"),
    ("structure.tranches.0.share", "E", 0.9, "Inputs!E{row}, E"),
])
def test_invalid_input_names_file_sheet_and_cell(small_workbook, tmp_path, key, column, value, expected):
    bad = tmp_path / "bad-input.xlsx"
    wb = openpyxl.load_workbook(small_workbook)
    row = find_row(wb["Inputs"], key)
    wb["Inputs"][f"{column}{row}"] = value
    wb.save(bad)
    result = CliRunner().invoke(main, ["verify", str(bad)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {bad}: "), result.output
    assert expected.format(row=row) in lines[0], lines[0]
