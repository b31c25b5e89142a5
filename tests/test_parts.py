"""A template holds any of three parts: the securitization, node_sale and byod.

A DePIN-only template builds a workbook with the tabs of its parts only, recalculates with zero
differences, audits clean and summarises without tranches; a securitization with a section
missing, or a template with no part at all, is refused in one line with exit code 2.
"""
from __future__ import annotations

import json

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from modelgen.audit import audit_workbook
from modelgen.build import build_workbook
from modelgen.cli import main
from modelgen.config import SECURITIZATION_KEYS
from modelgen.template import load_template, resolve_template_path
from modelgen.verify import verify_workbook
from tests.conftest import find_row

SECURITIZATION_SHEETS = {"Timeline", "Depreciation", "Waterfall", "Tranches", "Returns", "Participants"}
DEPIN_ONLY = {"aethir-checker-nodes": {"Node ROI", "Node tiers"}, "ionet-byod": {"BYOD ROI"},
              "seed-node-sale": {"Node ROI", "Node tiers"}}


@pytest.fixture
def runner():
    return CliRunner()


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def write_template(path, data) -> str:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def bundled(name: str) -> dict:
    return yaml.safe_load(resolve_template_path(name).read_text())


@pytest.mark.parametrize("name", sorted(DEPIN_ONLY))
def test_depin_templates_hold_no_securitization(name):
    data = bundled(name)
    assert not set(data) & set(SECURITIZATION_KEYS), "no placeholder securitization sections"
    deal = load_template(name).deal()
    assert not deal.has_securitization and deal.tranche_count == 0
    assert set(deal.parts) == {"node_sale" if "Node ROI" in DEPIN_ONLY[name] else "byod"}


@pytest.mark.parametrize("name", sorted(DEPIN_ONLY))
def test_depin_only_workbook_recalculates_audits_and_has_only_its_tabs(tmp_path, name):
    path = build_workbook(load_template(name), tmp_path / f"{name}.xlsx").path
    sheets = openpyxl.load_workbook(path).sheetnames
    assert set(sheets) == {"Cover", "Dashboard", "Inputs", "Checks"} | DEPIN_ONLY[name]
    report = verify_workbook(path)  # IronCalc recalculates every formula; compared with the reference
    assert report.ok, [str(m) for m in report.mismatches[:5]]
    assert report.formula_cells > 300 and sum(r.cells for r in report.sheets.values()) == report.formula_cells
    assert report.values[("CHECKS", "D3")] == 0  # the master check, recalculated
    audit = audit_workbook(path)
    assert audit.clean, audit.findings[:5]
    # the Inputs sheet lists no securitization input, and no formula anywhere names one
    inputs = openpyxl.load_workbook(path)["Inputs"]
    keys = {row[0].value for row in inputs.iter_rows(min_col=3, max_col=3) if isinstance(row[0].value, str)}
    assert not {k for k in keys if k.split(".")[0] in SECURITIZATION_KEYS}
    checks = openpyxl.load_workbook(path)["Checks"]
    find_row(checks, "check_tier_sizes" if "Node ROI" in DEPIN_ONLY[name] else "check_byod_cumulative")


def test_depin_only_summaries_show_only_their_parts(runner):
    node = json.loads(runner.invoke(main, ["summary", "aethir-checker-nodes", "--json"]).output)
    assert set(node) == {"name", "scenario", "checks_ok", "node_sale"} and node["checks_ok"] is True
    byod = json.loads(runner.invoke(main, ["summary", "ionet-byod", "--json"]).output)
    assert set(byod) == {"name", "scenario", "checks_ok", "byod"}
    for name in DEPIN_ONLY:
        for args in (["summary", name], ["summary", name, "--all-scenarios"]):
            result = runner.invoke(main, args)
            assert result.exit_code == 0, result.output
            assert "securitization" not in result.output and "IRR" not in result.output
            assert "Raise" not in result.output and "DSCR" not in result.output
    full = json.loads(runner.invoke(main, ["summary", "gpu-abs", "--json"]).output)
    assert {"tranches", "sources_uses", "node_sale", "byod", "checks_ok"} <= set(full)


def test_depin_only_diff_reads_both_workbooks(tmp_path, runner):
    tpl = load_template("ionet-byod")
    old = build_workbook(tpl, tmp_path / "old.xlsx").path
    new = build_workbook(tpl.with_changes(sets=["byod.hire_share=0.3"]), tmp_path / "new.xlsx").path
    result = runner.invoke(main, ["diff", str(old), str(new), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [i["path"] for i in data["inputs"]] == ["byod.hire_share"]
    assert all(not h["figure"].startswith(("tranches", "sources_uses")) for h in data["headlines"])
    assert any(h["changed"] and h["figure"] == "byod.roi" for h in data["headlines"])


def test_byod_check_fails_on_an_overwritten_month(tmp_path):
    path = build_workbook(load_template("ionet-byod"), tmp_path / "b.xlsx").path
    wb = openpyxl.load_workbook(path)
    ws = wb["BYOD ROI"]
    ws[f"J{find_row(ws, 'byod_cum_cash')}"] = 12345.0  # a constant typed over month 5's cumulative cash
    wb.save(tmp_path / "bad.xlsx")
    report = verify_workbook(tmp_path / "bad.xlsx")
    checks = openpyxl.load_workbook(tmp_path / "bad.xlsx")["Checks"]
    row = find_row(checks, "check_byod_cumulative")
    assert report.values[("CHECKS", f"D{row}")] == 1
    assert report.values[("CHECKS", "D3")] >= 1  # the master check turns
    assert not report.ok


def test_a_template_with_no_part_is_refused(tmp_path, runner):
    data = {k: v for k, v in bundled("ionet-byod").items() if k != "byod"}
    path = write_template(tmp_path / "empty.yaml", data)
    for args in (["build", path, "-o", str(tmp_path / "x.xlsx")], ["summary", path]):
        line = one_error_line(runner.invoke(main, args))
        assert "no part" in line and "node_sale" in line and "byod" in line
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("missing", ["term_months", "fees", "structure"])
def test_a_securitization_missing_a_section_names_it(tmp_path, runner, missing):
    data = bundled("gpu-token-seed")
    del data[missing]
    path = write_template(tmp_path / "partial.yaml", data)
    line = one_error_line(runner.invoke(main, ["build", path, "-o", str(tmp_path / "x.xlsx")]))
    assert line.startswith(f"Error: {missing}: required key is missing") or f" {missing}: required key is missing" in line
    assert not (tmp_path / "x.xlsx").exists()


def test_term_months_alone_is_a_securitization_missing_its_sections(tmp_path, runner):
    data = bundled("ionet-byod")
    data["term_months"] = 48
    line = one_error_line(runner.invoke(main, ["summary", write_template(tmp_path / "t.yaml", data)]))
    assert "assets: required key is missing" in line


def test_a_scenario_cannot_add_a_part(tmp_path, runner):
    data = bundled("ionet-byod")
    data["scenarios"]["plus"] = {"node_sale": bundled("seed-node-sale")["node_sale"]}
    one_error_line(runner.invoke(main, ["summary", write_template(tmp_path / "s.yaml", data)]))
