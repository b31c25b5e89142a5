"""audit finds what an editor changed; diff lists changed inputs; bad files give one clean line."""
from __future__ import annotations

import json
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import SMALL_DEAL, find_row
from modelgen.audit import audit_workbook
from modelgen.build import build_workbook
from modelgen.cli import main
from modelgen.template import load_template


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("audit") / "small.xlsx"
    build_workbook(load_template(str(SMALL_DEAL)), path)
    return path



def edited(built, tmp_path, change) -> str:
    wb = openpyxl.load_workbook(built)
    change(wb)
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return str(out)


def test_fresh_build_is_clean(built):
    result = CliRunner().invoke(main, ["audit", str(built)])
    assert result.exit_code == 0, result.output
    assert "clean" in result.output


def test_audit_finds_a_hard_coded_cell(built, tmp_path):
    def change(wb):
        ws = wb["Waterfall"]
        ws.cell(find_row(ws, "revenue"), 8).value = 12345.0
    report = audit_workbook(edited(built, tmp_path, change))
    hard = [f for f in report.findings if f.kind == "hard-coded"]
    assert len(hard) == 1 and hard[0].sheet == "Waterfall" and hard[0].cell.startswith("H")
    assert hard[0].label == "Rental revenue"


def test_audit_finds_a_changed_formula(built, tmp_path):
    def change(wb):
        ws = wb["Waterfall"]
        cell = ws.cell(find_row(ws, "opex_paid_cash"), 9)
        cell.value = cell.value.replace("MIN", "MAX")
    report = audit_workbook(edited(built, tmp_path, change))
    kinds = {(f.kind, f.label) for f in report.findings}
    assert ("formula-changed", "Operating costs paid from cash") in kinds
    assert ("inconsistent-row", "Operating costs paid from cash") in kinds


def test_audit_finds_a_deleted_row(built, tmp_path):
    def change(wb):
        ws = wb["Tranches"]
        ws.delete_rows(find_row(ws, "sale_costs"))
    report = audit_workbook(edited(built, tmp_path, change))
    assert any(f.kind == "row-deleted" and "sale_costs" in f.detail for f in report.findings)


def test_audit_finds_a_changed_input_and_name(built, tmp_path):
    def change(wb):
        ws = wb["Inputs"]
        ws.cell(find_row(ws, "revenue.rent0"), 5).value = 2.5
        del wb.defined_names["opex_pue"]
    result = CliRunner().invoke(main, ["audit", edited(built, tmp_path, change)])
    assert result.exit_code == 1
    assert "input-changed: Inputs!E" in result.output and "revenue.rent0, scenario base" in result.output
    assert "name-deleted" in result.output


def test_diff_lists_exactly_the_inputs_that_differ(tmp_path):
    a = build_workbook(load_template(str(SMALL_DEAL)), tmp_path / "a.xlsx").path
    b = build_workbook(load_template(str(SMALL_DEAL), scenario="stress"), tmp_path / "b.xlsx").path
    result = CliRunner().invoke(main, ["diff", str(a), str(b), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {i["path"] for i in data["inputs"]} == {"revenue.rent0", "scenario"}
    irr = next(h for h in data["headlines"] if h["figure"] == "tranches.0.irr")
    assert irr["changed"] and irr["change"] == pytest.approx(irr["new"] - irr["old"])
    same = CliRunner().invoke(main, ["diff", str(a), str(a)])
    assert "inputs changed: 0" in same.output and "headline figures changed: 0" in same.output


def bad_files(tmp_path, built):
    files = {}
    files["not a zip"] = tmp_path / "text.xlsx"
    files["not a zip"].write_text("just text")
    files["zip, not a workbook"] = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(files["zip, not a workbook"], "w") as zf:
        zf.writestr("hello.txt", "hi")
    files["another program"] = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "made elsewhere"
    wb.save(files["another program"])
    files["password-protected"] = tmp_path / "locked.xlsx"  # encrypted xlsx files are OLE containers
    files["password-protected"].write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    files["truncated"] = tmp_path / "cut.xlsx"
    data = built.read_bytes()
    files["truncated"].write_bytes(data[: len(data) // 2])
    return files


@pytest.mark.parametrize("command", ["verify", "audit", "diff"])
def test_bad_files_give_one_line_and_exit_2(built, tmp_path, command):
    for case, path in bad_files(tmp_path, built).items():
        args = [command, str(path)] + ([str(built)] if command == "diff" else [])
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (case, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), (case, result.output)
        assert "Traceback" not in result.output


def test_untrusted_xml_is_parsed_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML
    assert DEFUSEDXML
