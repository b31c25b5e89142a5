"""A newcomer's first hour, command by command (CliRunner, tmp_path): scenarios listed and compared,
the schema, the DePIN headlines, honest labels, readable diffs, bad output paths and YAML errors."""
from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import SMALL_DEAL
from modelgen.build import build_workbook
from modelgen.cli import main
from modelgen.figures import excel_format, fmt
from modelgen.template import bundled_templates, load_template


@pytest.fixture
def runner():
    return CliRunner()


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


# --- scenarios ------------------------------------------------------------------------------

def test_templates_scenarios_lists_every_scenario_with_its_overrides(runner):
    result = runner.invoke(main, ["templates", "--scenarios"])
    assert result.exit_code == 0, result.output
    for name in bundled_templates():
        tpl = load_template(name)
        block = result.output.split(name, 1)[1]
        for scenario in tpl.scenario_names:
            assert re.search(rf"^\s+\*?\s*{re.escape(scenario)}\s", block, re.MULTILINE), (name, scenario)
    crash = next(line for line in result.output.splitlines() if line.strip().startswith("crash"))
    assert "shock.month=18" in crash and "default.forced_month=24" in crash
    assert re.search(r"^\s+\* base\s", result.output, re.MULTILINE)  # the selected scenario is marked


def test_summary_all_scenarios_side_by_side(runner):
    result = runner.invoke(main, ["summary", "gpu-abs", "--all-scenarios"])
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[1].split()
    assert header == load_template("gpu-abs").scenario_names
    names = load_template("gpu-abs").scenario_names
    as_json = json.loads(runner.invoke(main, ["summary", "gpu-abs", "--all-scenarios", "--json"]).output)
    assert list(as_json) == names and as_json["crash"]["default_month"] == 24
    default_row = next(line for line in result.output.splitlines() if line.strip().startswith("Default month"))
    assert default_row.split()[-len(names):] == [str(as_json[n]["default_month"] or "none") for n in names]
    single = json.loads(runner.invoke(main, ["summary", "gpu-abs", "--scenario", "crash", "--json"]).output)
    assert as_json["crash"] == single


def test_summary_all_scenarios_refuses_a_scenario(runner):
    one_error_line(runner.invoke(main, ["summary", "gpu-abs", "--all-scenarios", "--scenario", "bear"]))


# --- the schema -----------------------------------------------------------------------------

def test_schema_is_json_schema_of_the_template_format(runner):
    jsonschema = pytest.importorskip("jsonschema")
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name, path in bundled_templates().items():
        data = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))  # dates as text, as an editor sees them
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (name, errors[:3])
        bad = json.loads(json.dumps(data, default=str))
        bad[next(part for part in ("assets", "node_sale", "byod") if part in bad)]["gpu_colour"] = "green"
        assert list(validator.iter_errors(bad)), "the schema must reject an unknown key"
    assert "GPUs in the fleet" in result.output  # titles from the glossary
    assert "MODEL.md" not in result.output


def test_schema_output_file(runner, tmp_path):
    out = tmp_path / "s.json"
    result = runner.invoke(main, ["schema", "-o", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text())["title"] == "modelgen deal template"
    one_error_line(runner.invoke(main, ["schema", "-o", str(tmp_path / "no" / "s.json")]))


def test_bundled_templates_name_the_schema_beside_them():
    for path in bundled_templates().values():
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=template.schema.json", path
        assert (path.parent / "template.schema.json").is_file()


# --- headlines --------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["summary", "build"])
def test_depin_headlines_show_node_and_byod_figures(runner, tmp_path, command):
    for name, expect in (("aethir-checker-nodes", "node sale"), ("ionet-byod", "bring your own GPU"),
                         ("seed-node-sale", "node sale")):
        args = [command, name] + (["-o", str(tmp_path / f"{name}.xlsx")] if command == "build" else [])
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        line = next((ln for ln in result.output.splitlines() if ln.strip().startswith(expect)), None)
        assert line, result.output
        data = json.loads(runner.invoke(main, ["summary", name, "--json"]).output)
        if expect == "node sale":
            tiers = data["node_sale"]["tiers"]
            assert f"({len(tiers)} tiers)" in line
            assert fmt(tiers[0]["price"], "USD") in line and fmt(tiers[-1]["price"], "USD") in line
            assert fmt(tiers[0]["roi_sell_at_vesting"], "%") in line
        else:
            assert fmt(data["byod"]["roi"], "%") in line and fmt(data["byod"]["usage_share_of_income"], "%") in line
    seed = runner.invoke(main, ["summary", "seed-node-sale"]).output
    assert "tier 1 at 500 USD pays back in 208.3 days" in seed and "833.3 days" in seed


def test_sale_at_maturity_is_not_called_a_recovery(runner):
    base = runner.invoke(main, ["summary", "gpu-abs"]).output
    crash = runner.invoke(main, ["summary", "gpu-abs", "--scenario", "crash"]).output
    tranche_lines = [ln for ln in base.splitlines() if "IRR" in ln]
    assert tranche_lines and all("sale at maturity" in ln and "recovery" not in ln for ln in tranche_lines)
    assert "no default, GPUs sold at maturity" in base
    crash_lines = [ln for ln in crash.splitlines() if "IRR" in ln]
    assert all("recovery" in ln and "maturity" not in ln for ln in crash_lines)
    assert "default in month 24" in crash


def test_excel_formats_as_the_workbook_shows_them():
    assert excel_format(3668194.4, '#,##0;(#,##0);"-"') == "3,668,194"
    assert excel_format(-10184313.2, '#,##0;(#,##0);"-"') == "(10,184,313)"
    assert excel_format(0, '#,##0;(#,##0);"-"') == "-"
    assert excel_format(0.0724, "0.0%") == "7.2%"
    assert excel_format(1.1434, '0.00"x"') == "1.14x"
    assert excel_format(-0.0004, "0.0%") == "0.0%"
    assert fmt(None, "month", "never") == "never" and fmt(None, "%") == "n/a"


# --- diff -----------------------------------------------------------------------------------

def test_diff_speaks_the_workbooks_language(runner, tmp_path):
    a = build_workbook(load_template(str(SMALL_DEAL)), tmp_path / "a.xlsx").path
    b = build_workbook(load_template(str(SMALL_DEAL), scenario="stress"), tmp_path / "b.xlsx").path
    result = runner.invoke(main, ["diff", str(a), str(b)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert not re.search(r"\d[eE][+-]\d", out), "no scientific notation"
    assert "None" not in out and "tranches.0" not in out
    names = [t.name for t in load_template(str(SMALL_DEAL)).deal().structure.tranches]
    assert any(line.strip().startswith(f"{names[0]}: IRR") for line in out.splitlines())
    irr = next(line for line in out.splitlines() if line.strip().startswith(f"{names[0]}: IRR"))
    assert re.search(r"-?\d+\.\d% -> -?\d+\.\d% \([+-]\d+\.\d pp\)", irr), irr
    assert "Rent in month 1 [revenue.rent0]: 2.000 -> 0.300" in out  # the input's own label and format
    data = json.loads(runner.invoke(main, ["diff", str(a), str(b), "--json"]).output)
    assert all({"label", "unit"} <= set(h) for h in data["headlines"])


# --- bad output paths, file modes, YAML errors ------------------------------------------------

@pytest.mark.parametrize("case", ["proc", "parent is a file", "missing folder", "a folder", "trailing slash",
                                  "not xlsx", "read-only folder"])
def test_bad_output_path_is_one_line_exit_2(runner, tmp_path, case):
    afile = tmp_path / "afile"
    afile.write_text("x")
    locked = tmp_path / "locked"
    locked.mkdir()
    output = {"proc": "/proc/x.xlsx", "parent is a file": str(afile / "x.xlsx"),
              "missing folder": str(tmp_path / "no" / "such" / "dir" / "x.xlsx"), "a folder": str(tmp_path),
              "trailing slash": str(tmp_path / "x.xlsx") + "/", "not xlsx": str(tmp_path / "x.txt"),
              "read-only folder": str(locked / "x.xlsx")}[case]
    if case == "read-only folder":
        if os.geteuid() == 0:
            pytest.skip("root writes into a read-only folder")
        locked.chmod(0o500)
    try:
        line = one_error_line(runner.invoke(main, ["build", str(SMALL_DEAL), "-o", output]))
    finally:
        locked.chmod(0o700)
    assert "--output" in line
    assert not (tmp_path / "no").exists(), "no folder may be created for a path the user gave"
    assert not list(tmp_path.rglob("*.xlsx*"))


def test_default_outputs_folder_is_created(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", "seed-node-sale"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "outputs" / "seed-node-sale.xlsx").is_file()
    (tmp_path / "outputs" / "seed-node-sale.xlsx").unlink()
    (tmp_path / "outputs").rmdir()
    (tmp_path / "outputs").write_text("a file where the folder should be")
    one_error_line(runner.invoke(main, ["build", "seed-node-sale"]))


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_built_file_follows_the_umask(runner, tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        out = tmp_path / "m.xlsx"
        result = runner.invoke(main, ["build", str(SMALL_DEAL), "-o", str(out)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == mode


YAML_MISTAKES = [
    ("a key without its colon", "name: x\nassets\n  gpu_count: 5\nrevenue: {}\n", 2),
    ("an unclosed bracket", "name: x\nassets: [1, 2\nrevenue: {}\n", 2),
    ("an unclosed quote", "name: 'x\nassets: {}\n", 1),
    ("a bad indent", "name: x\nassets:\n  a: 1\n   b: 2\n", 4),
    ("a tab", "name: x\nassets:\n\tgpu_count: 5\n", 3),
]


@pytest.mark.parametrize("case, text, line", YAML_MISTAKES, ids=[c[0] for c in YAML_MISTAKES])
def test_yaml_error_names_the_line_that_holds_it(runner, tmp_path, case, text, line):
    path = tmp_path / "deal.yaml"
    path.write_text(text)
    message = one_error_line(runner.invoke(main, ["summary", str(path)]))
    assert f"not valid YAML at line {line}," in message, message


def test_audit_with_a_missing_template_fails(runner, tmp_path):
    out = build_workbook(load_template(str(SMALL_DEAL)), tmp_path / "s.xlsx").path
    line = one_error_line(runner.invoke(main, ["audit", str(out), "--template", "no-such-template"]))
    assert "--template" in line and "no-such-template" in line
    assert runner.invoke(main, ["audit", str(out), "--template", str(SMALL_DEAL)]).exit_code == 0


# --- help -----------------------------------------------------------------------------------

def test_help_points_nowhere_outside_the_project(runner):
    commands = ["", "build", "summary", "templates", "schema", "verify", "audit", "diff"]
    for command in commands:
        result = runner.invoke(main, ([command] if command else []) + ["--help"])
        assert result.exit_code == 0, command
        assert "MODEL.md" not in result.output and "Appendix" not in result.output, command
        assert "Example" in result.output, command
    assert "_MODELGEN_COMPLETE" in runner.invoke(main, ["--help"]).output


def test_modelgen_templates_env_is_gone():
    root = Path(__file__).resolve().parent.parent
    for path in list((root / "modelgen").rglob("*.py")) + [root / "README.md"]:
        assert "MODELGEN_TEMPLATES" not in path.read_text(), path
