"""The CLI with click's CliRunner: happy paths, and every kind of bad input giving a one-line error."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from conftest import SMALL_DEAL
from modelgen.cli import main

APPENDIX_B_KEYS = {"name", "scenario", "sources_uses", "default_month", "sale_month", "trigger_month", "tranches", "deal",
                   "participants", "checks_ok"}


@pytest.fixture
def runner():
    return CliRunner()


def write_yaml(tmp_path: Path, data, name="deal.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def small(**changes) -> dict:
    data = yaml.safe_load(SMALL_DEAL.read_text())
    for path, value in changes.items():
        node = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(parts[-1]) if isinstance(node, list) else parts[-1]] = value
    return data


def test_templates_lists_bundled(runner):
    result = runner.invoke(main, ["templates"])
    assert result.exit_code == 0
    assert "gpu-abs" in result.output and "gpu-token-seed" in result.output


def test_build_writes_workbook_and_headlines(runner, tmp_path):
    out = tmp_path / "small.xlsx"
    result = runner.invoke(main, ["build", str(SMALL_DEAL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    assert "Senior" in result.output and "IRR" in result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == ["Cover", "Dashboard", "Inputs", "Timeline"]
    assert {"Waterfall", "Tranches", "Returns", "Participants", "Checks"} <= set(wb.sheetnames)
    assert not list(tmp_path.glob("*.tmp")), "the temporary file was left behind"


def test_build_default_template_to_outputs(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "outputs" / "gpu-abs.xlsx").is_file()


def test_summary_json_matches_appendix_b(runner):
    result = runner.invoke(main, ["summary", "gpu-token-seed", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert APPENDIX_B_KEYS <= set(data)
    assert set(data["sources_uses"]) == {"capex", "raise", "issuance_fee", "reserve"}
    assert set(data["tranches"][0]) == {"name", "invested", "interest_paid", "excess_paid", "principal_paid", "recovery",
                                         "loss", "loss_pct", "irr", "irr_nominal", "moic", "wal_years", "payback_month",
                                         "min_interest_cover", "day_one_cover", "mtl_return_by_year",
                                         "exit_per_100_at_first_stress"}
    assert set(data["deal"]) == {"min_dscr", "max_ltv"}
    assert data["tranches"][0]["payback_month"] is None  # never
    assert data["default_month"] == 24 and data["trigger_month"] is None
    assert len(data["tranches"][0]["mtl_return_by_year"]) == 3
    assert abs(sum(data["participants"].values())) < 1e-6


def test_summary_set_and_scenario(runner):
    base = json.loads(runner.invoke(main, ["summary", "gpu-abs", "--json"]).output)
    crash = json.loads(runner.invoke(main, ["summary", "gpu-abs", "--scenario", "crash", "--json"]).output)
    cheaper = json.loads(runner.invoke(main, ["summary", "gpu-abs", "--json", "--set",
                                              "structure.tranches.0.coupon=0.05"]).output)
    assert crash["scenario"] == "crash" and crash["default_month"] == 24 and base["default_month"] is None
    assert cheaper["tranches"][0]["irr"] < base["tranches"][0]["irr"]


def test_deal_name_starting_with_equals_is_text(runner, tmp_path):
    path = write_yaml(tmp_path, small(name="=HYPERLINK(\"http://x\")"))
    out = tmp_path / "eq.xlsx"
    result = runner.invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    cell = wb["Cover"]["D5"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"
    scenario_cells = [c for row in wb["Inputs"].iter_rows() if row[2].value == "name" for c in row[4:7]]
    assert scenario_cells and all(c.data_type == "s" for c in scenario_cells)


BAD_INPUTS = [
    ("missing file", None, ["build", "no/such/file.yaml"], "no bundled template or file named"),
    ("bad yaml", "name: [unclosed\n", None, "not valid YAML"),
    ("unknown key", small(**{"assets.gpu_colour": "green"}), None, "assets.gpu_colour: unknown key"),
    ("wrong type", small(**{"assets.gpu_count": "many"}), None, "assets.gpu_count"),
    ("shares", small(**{"structure.tranches.0.share": 0.7}), None, "must sum to 1"),
    ("negative price", small(**{"assets.gpu_unit_price": -5}), None, "assets.gpu_unit_price"),
    ("unknown scenario", small(), ["--scenario", "nope"], "unknown scenario 'nope'"),
    ("bad set path", small(), ["--set", "revenue.nope=1"], "unknown input path 'revenue.nope'"),
    ("bad set syntax", small(), ["--set", "revenue.rent0"], "expected dotted.path=value"),
    ("bad set value", small(), ["--set", "revenue.rent0=-1"], "revenue.rent0"),
    ("bad scenario override", small(scenarios={"base": {}, "x": {"revenue.rent_decline": 2}}), None,
     "scenario 'x': revenue.rent_decline"),
    ("not a mapping", "- just\n- a list\n", None, "a template is a YAML mapping"),
]


@pytest.mark.parametrize("case, content, extra, message", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
@pytest.mark.parametrize("command", ["build", "summary"])
def test_bad_input_is_one_clean_line(runner, tmp_path, case, content, extra, message, command):
    out = tmp_path / "out.xlsx"
    if content is None:
        args = [command] + (extra or [])[1:] if extra and extra[0] == "build" else [command]
    else:
        args = [command, str(write_yaml(tmp_path, content))] + (extra or [])
    if command == "build":
        args += ["-o", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert not out.exists()
    assert not list(tmp_path.glob("*.xlsx*"))


def test_verify_bad_files(runner, tmp_path):
    not_zip = tmp_path / "a.xlsx"
    not_zip.write_text("hello")
    result = runner.invoke(main, ["verify", str(not_zip)])
    assert result.exit_code == 2 and "not an .xlsx workbook" in result.output
    result = runner.invoke(main, ["verify", str(tmp_path / "missing.xlsx")])
    assert result.exit_code == 2 and "no such file" in result.output
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(other)
    result = runner.invoke(main, ["verify", str(other)])
    assert result.exit_code == 2 and "not a modelgen workbook" in result.output
    assert "Traceback" not in result.output
