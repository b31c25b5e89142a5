"""The DePIN tabs recalculated (IronCalc) against the reference for every scenario of the DePIN
templates; the tier table's formulas; bad DePIN inputs at the command line; the summary fields."""
from __future__ import annotations

import json
import math
import re

import openpyxl
import pytest
from click.testing import CliRunner

from modelgen.build import build_workbook, columns_of
from modelgen.cli import main
from modelgen.reference.frames import run
from modelgen.template import load_template
from modelgen.workbook.inputs_sheet import INPUTS_SHEET, SELECTOR_ROW
from modelgen.workbook.layout import KEY_COL, VALUE_COL, reference_value

ironcalc = pytest.importorskip("ironcalc")

DEPIN_TEMPLATES = ["seed-node-sale", "aethir-checker-nodes", "ionet-byod", "akash-staking"]
DEPIN_SHEETS = ("Node ROI", "Node tiers", "BYOD ROI")


def _formula_cells(wb) -> list[tuple[int, str, str, int, int, str]]:
    """(sheet index, sheet, key, row, column, formula) of every keyed formula cell."""
    out = []
    for index, ws in enumerate(wb.worksheets):
        for row in ws.iter_rows():
            key = row[KEY_COL].value if len(row) > KEY_COL else None
            for cell in row:
                text = getattr(cell.value, "text", cell.value)
                if isinstance(text, str) and text.startswith("=") and isinstance(key, str):
                    out.append((index, ws.title, key, cell.row, cell.column, text))
    return out


def _same(got, expected) -> bool:
    if isinstance(expected, bool):
        expected = int(expected)
    if isinstance(got, bool):
        got = int(got)
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-6)
    return got == expected


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cache = {}

    def get(name: str):
        if name not in cache:
            path = tmp_path_factory.mktemp("depin") / f"{name}.xlsx"
            build_workbook(load_template(name), path)
            cache[name] = (path, openpyxl.load_workbook(path))
        return cache[name]

    return get


CASES = [(name, scenario) for name in DEPIN_TEMPLATES for scenario in load_template(name).scenario_names]


@pytest.mark.parametrize("name, scenario", CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_depin_tabs_recalculated_match_the_reference(built, name, scenario):
    path, wb = built(name)
    template = load_template(name, scenario=scenario)
    reference = run(template.deal(), columns_of(template), scenario=scenario).sheets
    model = ironcalc.load_from_xlsx(str(path), "en", "UTC")
    model.set_user_input(wb.sheetnames.index(INPUTS_SHEET), SELECTOR_ROW + 1, VALUE_COL + 1, scenario)
    model.evaluate()
    compared, bad = 0, []
    for index, sheet, key, row, col, _ in _formula_cells(wb):
        got = model.get_cell_value(index, row, col)
        found, expected = reference_value(reference, sheet, key, col - 1)
        if isinstance(got, str) and got.startswith("#") and not (found and got == expected == "#N/A"):
            bad.append((sheet, row, col, key, got))  # #N/A only where the reference wants a chart gap
            continue
        if not found:
            continue
        compared += 1
        if not _same(got, expected):
            bad.append((sheet, row, col, key, got, expected))
    assert not bad, bad[:10]
    depin_cells = sum(1 for c in _formula_cells(wb) if c[1] in DEPIN_SHEETS)
    assert depin_cells > 300 and compared > depin_cells


def _r1c1(formula: str, row: int) -> str:
    """Relative row references as offsets, so one formula shape down a column compares equal."""
    return re.sub(r"(?<![$A-Z])([A-Z]{1,3})(\d+)\b", lambda m: f"{m.group(1)}[{int(m.group(2)) - row}]", formula)


def test_tier_columns_are_one_relative_formula_each(built):
    _, wb = built("seed-node-sale")
    ws = wb["Node tiers"]
    tiers = [r for r in range(1, ws.max_row + 1) if re.fullmatch(r"tier_\d+", str(ws.cell(r, KEY_COL + 1).value))]
    assert len(tiers) == 50
    for col in range(VALUE_COL + 1, VALUE_COL + 1 + 25):
        shapes = {_r1c1(getattr(ws.cell(r, col).value, "text", ws.cell(r, col).value), r) for r in tiers}
        assert len(shapes) == 1, (col, shapes)
    first = ws.cell(tiers[0], VALUE_COL + 1).value
    assert first == f"=D{tiers[0] - 1}+1" and "$" not in first
    assert {ws.cell(r, 2).value for r in tiers} == {"by column"}
    assert "(USD)" in ws.cell(5, VALUE_COL + 5).value


def test_one_row_ranges_are_indexed_with_row_and_column(built):
    for name in ("aethir-checker-nodes", "ionet-byod"):
        _, wb = built(name)
        for _, sheet, key, _row, _col, formula in _formula_cells(wb):
            if sheet in DEPIN_SHEETS:
                for args in re.findall(r"INDEX\(([^()]*(?:\([^()]*\))?[^()]*)\)", formula):
                    assert args.count(",") >= 2, (sheet, key, formula)


def test_summary_has_implied_fdv_and_staking_real_yield():
    runner = CliRunner()
    nodes = json.loads(runner.invoke(main, ["summary", "aethir-checker-nodes", "--json"]).output)
    first = nodes["node_sale"]["tiers"][0]
    assert first["implied_fdv"] == pytest.approx(550 * 100_000 * 0.91759 * 0.8 / 0.15)
    akash = json.loads(runner.invoke(main, ["summary", "akash-staking", "--json"]).output)
    assert akash["byod"]["staking_real_yield"] == pytest.approx((1 + 0.4773 * 0.735 / 0.8434) / 1.4773 - 1, rel=1e-6)
    assert akash["byod"]["staking_real_yield"] < 0
    default = json.loads(runner.invoke(main, ["summary", "gpu-abs", "--json"]).output)
    assert default["byod"]["staking_real_yield"] is None


@pytest.mark.parametrize("template, option, field", [
    ("aethir-checker-nodes", "node_sale.market.daily_volume_usd=-1", "node_sale.market.daily_volume_usd"),
    ("aethir-checker-nodes", "node_sale.dilution_elasticity=-0.5", "node_sale.dilution_elasticity"),
    ("aethir-checker-nodes", "node_sale.unlocks.3.month=60", "unlocks.3.month"),
    ("aethir-checker-nodes", "node_sale.unlocks.0.month=0", "node_sale.unlocks.0.month"),
    ("ionet-byod", "byod.staking.bonded_ratio=0", "byod.staking.bonded_ratio"),
    ("ionet-byod", "byod.staking.bonded_ratio=1.5", "byod.staking.bonded_ratio"),
    ("ionet-byod", "byod.idle_power_w=600", "idle_power_w"),
    ("gpu-abs", "node_sale.market.impact_coeff=0.5", "market.daily_volume_usd"),
])
def test_bad_depin_input_is_one_line_exit_2_and_no_file(tmp_path, template, option, field):
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(main, ["build", template, "-o", str(out), "--set", option])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and field in lines[0], result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not list(tmp_path.iterdir())
