"""The tranche tokens in the secondary market: the reference's identities (backward recursion,
haircut switch at the first stress, per-100 rows, the par claim), the Returns block recalculated by
IronCalc for every scenario of the default template, the summary field and the Dashboard chart."""
from __future__ import annotations

import json
import math
import zipfile

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


def values(name: str, scenario: str | None = None, sets=()):
    return run(load_template(name, scenario=scenario, sets=sets).deal()).values


@pytest.mark.parametrize("scenario", ["base", "crash"])
def test_fair_value_is_the_backward_recursion_at_coupon_plus_spread(scenario):
    deal = load_template("gpu-abs", scenario=scenario).deal()
    v = run(deal).values
    p = v.periods
    H = len(p["period"]) - 1
    for j, tranche in enumerate(deal.structure.tranches, start=1):
        monthly = (tranche.coupon + deal.secondary.spread) / 12
        fair, flows = p[f"fair_value_{j}"], p[f"distributions_{j}"]
        assert fair[H] == 0
        for t in range(H):
            assert fair[t] == pytest.approx((fair[t + 1] + flows[t + 1]) / (1 + monthly), rel=1e-12, abs=1e-6)


def test_haircut_switches_at_the_first_stress_and_exit_is_per_100():
    deal = load_template("gpu-abs", scenario="crash").deal()
    v = run(deal).values
    p, s = v.periods, v.scalars
    first = s["first_stress_month"]
    assert first == deal.shock.month  # the rent shock comes first in the crash
    assert p["stress_haircut"][first - 1] == deal.secondary.normal_haircut
    assert p["stress_haircut"][first] == p["stress_haircut"][-1] == deal.secondary.crunch_haircut
    for j in range(1, deal.tranche_count + 1):
        inv = s[f"invested_{j}"]
        for t in (0, first - 1, first, first + 3):
            assert p[f"exit_value_{j}"][t] == pytest.approx(p[f"fair_value_{j}"][t] * (1 - p["stress_haircut"][t]))
            assert p[f"exit_per_100_{j}"][t] == pytest.approx(p[f"exit_value_{j}"][t] / inv * 100)
            assert p[f"exit_gap_per_100_{j}"][t] == pytest.approx(p[f"promised_per_100_{j}"][t] - p[f"exit_per_100_{j}"][t])
        assert s[f"exit_per_100_at_first_stress_{j}"] == pytest.approx(p[f"exit_per_100_{j}"][first])
        assert p[f"promised_per_100_{j}"][0] == pytest.approx(100)  # at close the token stands for par
        assert p[f"promised_per_100_{j}"][s["sale_month"]] == 0       # the sale settles the claim


def test_the_crunch_opens_a_gap_the_fair_weather_does_not():
    crash = values("gpu-abs", "crash")
    first = crash.scalars["first_stress_month"]
    assert crash.periods["exit_gap_per_100_1"][first] > crash.periods["exit_gap_per_100_1"][first - 1] + 10
    calm = values("gpu-abs", "base", ["shock.month=0"])
    assert calm.scalars["first_stress_month"] == 0
    assert calm.scalars["exit_per_100_at_first_stress_1"] == "n/a"
    assert set(calm.periods["stress_haircut"]) == {0.02}


def test_summary_reports_exit_per_100_at_first_stress():
    runner = CliRunner()
    crash = json.loads(runner.invoke(main, ["summary", "gpu-abs", "--scenario", "crash", "--json"]).output)
    reference = values("gpu-abs", "crash").scalars
    for j, tranche in enumerate(crash["tranches"], start=1):
        assert tranche["exit_per_100_at_first_stress"] == pytest.approx(reference[f"exit_per_100_at_first_stress_{j}"])
    seed = json.loads(runner.invoke(main, ["summary", "gpu-abs", "--json", "--set", "shock.month=0",
                                           "--set", "default.forced_month=0"]).output)
    assert seed["trigger_month"] is None and seed["default_month"] is None
    assert seed["tranches"][0]["exit_per_100_at_first_stress"] is None


@pytest.fixture(scope="module")
def default_workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("secondary") / "gpu-abs.xlsx"
    build_workbook(load_template("gpu-abs"), path)
    return path, openpyxl.load_workbook(path)


SECONDARY_KEYS = ("first_stress_month", "stress_haircut", "fair_value_", "exit_value_", "exit_per_100_", "promised_per_100_",
                  "exit_gap_per_100_")


@pytest.mark.parametrize("scenario", load_template("gpu-abs").scenario_names)
def test_returns_block_recalculated_matches_the_reference(default_workbook, scenario):
    path, wb = default_workbook
    template = load_template("gpu-abs", scenario=scenario)
    reference = run(template.deal(), columns_of(template), scenario=scenario).values
    model = ironcalc.load_from_xlsx(str(path), "en", "UTC")
    model.set_user_input(wb.sheetnames.index(INPUTS_SHEET), SELECTOR_ROW + 1, VALUE_COL + 1, scenario)
    model.evaluate()
    ws = wb["Returns"]
    index = wb.sheetnames.index("Returns")
    compared, bad = 0, []
    for row in ws.iter_rows():
        key = row[KEY_COL].value
        if not (isinstance(key, str) and key.startswith(SECONDARY_KEYS)):
            continue
        for cell in row[VALUE_COL:]:
            text = getattr(cell.value, "text", cell.value)
            if not (isinstance(text, str) and text.startswith("=")):
                continue
            found, expected = reference_value(reference, "Returns", key, cell.column - 1)
            got = model.get_cell_value(index, cell.row, cell.column)
            assert found, (key, cell.coordinate)
            compared += 1
            ok = (math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-6)
                  if isinstance(expected, (int, float)) and isinstance(got, (int, float)) else got == expected)
            if not ok:
                bad.append((cell.coordinate, key, got, expected))
    assert compared > 600 and not bad, bad[:10]


def test_fair_value_reads_its_right_hand_neighbour(default_workbook):
    _, wb = default_workbook
    ws = wb["Returns"]
    row = next(r for r in ws.iter_rows() if r[KEY_COL].value == "fair_value_1")
    first, second = row[VALUE_COL + 1].value, row[VALUE_COL + 2].value  # t = 0 and t = 1
    assert first.startswith("=(F") and second.startswith("=(G")  # each cell reads the next column


def test_dashboard_charts_exit_against_promised(default_workbook):
    path, _ = default_workbook
    with zipfile.ZipFile(path) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    chart = next(c for c in charts if "exit value against the value promised" in c)
    assert chart.count("<c:ser>") == 2 * len(load_template("gpu-abs").deal().structure.tranches)
    assert "Returns!$E$" in chart
