"""verify can fail: a workbook whose formulas were tampered with is caught.

Uses the small 6-month deal so that each recalculation takes seconds.
"""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import SMALL_DEAL, find_row
from modelgen.build import build_workbook
from modelgen.cli import main
from modelgen.template import load_template
from modelgen.verify import verify_workbook


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
    assert "OK [formulas]: every formula cell agrees" in result.output
    for sheet in ("Waterfall", "Tranches", "Returns", "Checks"):
        assert sheet in result.output


def test_hard_coded_revenue_is_caught(small_workbook, tmp_path):
    bad = tamper(small_workbook, tmp_path / "hard.xlsx", "Waterfall", "revenue", "H", 123456.0)
    report = verify_workbook(bad)
    assert not report.ok
    keys = {m.key for m in report.mismatches}
    assert "cash_after_opex" in keys  # the hard-code flows downstream and is caught there


def test_changed_formula_is_caught_and_cli_exits_1(small_workbook, tmp_path):
    wb = openpyxl.load_workbook(small_workbook)
    ws = wb["Waterfall"]
    row = find_row(ws, "opex_paid_cash")
    assert "MIN" in ws[f"G{row}"].value
    ws[f"G{row}"] = ws[f"G{row}"].value.replace("MIN", "MAX")
    wb.save(tmp_path / "changed.xlsx")
    result = CliRunner().invoke(main, ["verify", str(tmp_path / "changed.xlsx"), "--show", "1000"])
    assert result.exit_code == 1
    assert f"Waterfall!G{row} [opex_paid_cash]" in result.output


def test_error_value_is_caught(small_workbook, tmp_path):
    bad = tamper(small_workbook, tmp_path / "err.xlsx", "Depreciation", "utilisation", "F", "=1/0")
    report = verify_workbook(bad)
    assert any(m.reason == "Excel error value" for m in report.mismatches)


def test_edited_input_is_followed(small_workbook, tmp_path):
    """An analyst edits an input in the active column: verify recomputes the reference from it."""
    wb = openpyxl.load_workbook(small_workbook)
    ws = wb["Inputs"]
    ws[f"E{find_row(ws, 'revenue.rent0')}"] = 1.5
    ws[f"E{find_row(ws, 'structure.tranches.0.coupon')}"] = 0.06
    wb.save(tmp_path / "edited.xlsx")
    report = verify_workbook(tmp_path / "edited.xlsx")
    assert report.ok, "\n".join(str(m) for m in report.mismatches[:10])
