"""A second engine (LibreOffice), the analyst round trip, and structural checks of every template.

LibreOffice tests are skipped only when LibreOffice is missing and CI is not set: in CI a
missing LibreOffice fails them.
"""
from __future__ import annotations

import os

import openpyxl
import pytest

from conftest import SMALL_DEAL, find_row
from modelgen.build import build_workbook
from modelgen.chart_data import CHART_GAP
from modelgen.libreoffice import find_soffice
from modelgen.lint import ALLOWED_FUNCTIONS, lint_workbook
from modelgen.template import bundled_templates, load_template
from modelgen.verify import EXCEL_ERRORS, verify_workbook

needs_libreoffice = pytest.mark.skipif(find_soffice() is None and not os.environ.get("CI"),
                                       reason="LibreOffice (soffice) is not installed")
CASES = [(name, scenario) for name in bundled_templates() for scenario in load_template(name).scenario_names]



@needs_libreoffice
@pytest.mark.parametrize("name, scenario", CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_libreoffice_matches_reference(tmp_path, name, scenario):
    path = build_workbook(load_template(name, scenario=scenario), tmp_path / f"{name}.xlsx").path
    report = verify_workbook(path, engine="libreoffice")
    assert report.ok, "\n".join(str(m) for m in report.mismatches[:20])
    assert sum(r.cells for r in report.sheets.values()) == report.formula_cells
    errors = [k for k, v in report.values.items() if v in EXCEL_ERRORS
              and not (v == CHART_GAP and k[0] == "DASHBOARD")]  # a chart's gap, which verify compared
    assert not errors, errors[:10]


@pytest.mark.parametrize("name", list(bundled_templates()))
def test_structure_of_every_template(tmp_path, name):
    path = build_workbook(load_template(name), tmp_path / f"{name}.xlsx").path
    report = lint_workbook(openpyxl.load_workbook(path))
    assert report.formula_cells > 1000
    assert report.functions <= ALLOWED_FUNCTIONS, report.disallowed
    assert not report.cycle, report.cycle
    assert not report.bad_names, report.bad_names


def test_lint_catches_a_cycle_a_bad_function_and_a_bad_name(tmp_path):
    path = build_workbook(load_template(str(SMALL_DEAL)), tmp_path / "s.xlsx").path
    wb = openpyxl.load_workbook(path)
    ws = wb["Waterfall"]
    r, after = find_row(ws, "opex_paid_cash"), find_row(ws, "cash_after_opex")
    ws[f"G{r}"] = f"=MIN(G{after},G{r - 1})"  # opex_paid_cash <- cash_after_opex <- opex_paid_cash
    ws[f"H{r}"] = "=XLOOKUP(1,A1:A2,B1:B2)"
    wb.defined_names["broken"] = openpyxl.workbook.defined_name.DefinedName("broken", attr_text="NoSuchSheet!$A$1")
    report = lint_workbook(wb)
    assert report.cycle and "XLOOKUP" in report.disallowed and "broken" in report.bad_names


def edit_like_an_analyst(src, dst, scenario: str) -> None:
    """Change one input per section in the active scenario's column and switch the selector."""
    wb = openpyxl.load_workbook(src)
    ws = wb["Inputs"]
    header = {c.value: c.column for c in ws[6]}
    col = header[scenario]
    edits = {"assets.gpu_unit_price": 26000, "revenue.rent0": 2.1, "shock.rent_drop": 0.4, "opex.power_price": 0.09,
             "fees.mgmt_fee_annual": 0.012, "structure.tranches.0.coupon": 0.065, "default.fire_sale_discount": 0.25,
             "node_sale.token_price0": 0.05, "byod.hire_price": 0.3}
    for path, value in edits.items():
        try:
            ws.cell(find_row(ws, path), col).value = value
        except StopIteration:
            continue  # the template has no such section
    ws["D4"] = scenario
    wb.save(dst)


@pytest.mark.slow
def test_round_trip_default_template_both_engines(tmp_path):
    src = build_workbook(load_template("gpu-abs"), tmp_path / "gpu-abs.xlsx").path
    edited = tmp_path / "edited.xlsx"
    edit_like_an_analyst(src, edited, "bear")
    engines = ["formulas"] + (["libreoffice"] if find_soffice() or os.environ.get("CI") else [])
    for engine in engines:
        report = verify_workbook(edited, engine=engine)
        assert report.scenario == "bear"
        assert report.ok, f"{engine}: " + "\n".join(str(m) for m in report.mismatches[:10])
    # the edits reached the reference: the summary differs from the unedited bear scenario
    from modelgen.build import reference_for
    from modelgen.readback import open_workbook, read_inputs
    tpl = read_inputs(open_workbook(edited), edited).template
    assert tpl.deal().revenue.rent0 == 2.1 and tpl.deal().structure.tranches[0].coupon == 0.065
    assert reference_for(tpl).sheets["Returns"].scalars["irr_1"] != \
        reference_for(load_template("gpu-abs", scenario="bear")).sheets["Returns"].scalars["irr_1"]


@needs_libreoffice
def test_round_trip_small_deal_libreoffice(tmp_path):
    src = build_workbook(load_template(str(SMALL_DEAL)), tmp_path / "s.xlsx").path
    edit_like_an_analyst(src, tmp_path / "e.xlsx", "sweep")
    report = verify_workbook(tmp_path / "e.xlsx", engine="libreoffice")
    assert report.scenario == "sweep" and report.ok


def test_missing_libreoffice_is_one_line_exit_2(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from modelgen import libreoffice
    from modelgen.cli import main
    path = build_workbook(load_template(str(SMALL_DEAL)), tmp_path / "s.xlsx").path
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: None)
    result = CliRunner().invoke(main, ["verify", "--engine", "libreoffice", str(path)])
    assert result.exit_code == 2
    assert result.output.strip().startswith("Error: --engine libreoffice: LibreOffice (soffice) is not installed")
    assert len(result.output.strip().splitlines()) == 1
