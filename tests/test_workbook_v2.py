"""The version-2 securitization rows on their own: null and list inputs on the Inputs sheet, and a
small deal whose every v2 mechanism (triggers and sweep mode, ltv and pro-rata amortisation, the
interest holiday, retention, the income cap, opex arrears and the sale's priority) recalculates
with every check at 0 and no error value. These hold whatever the reference says; the comparison
with the reference is test_recalc_templates / test_property_recalc.
"""
from __future__ import annotations

import copy

import openpyxl
import pytest
import yaml
from conftest import SMALL_DEAL, find_row

from modelgen.build import build_workbook
from modelgen.glossary import NULL_WORD
from modelgen.readback import read_inputs
from modelgen.template import load_template
from modelgen.engines import make_engine
from modelgen.verify import _is_error, verify_workbook

V2_KEYS = {
    "assets": {"scrap_value_pct": 0.02, "buyer_discount_annual": 0.15},
    "opex": {"idle_power_share": 0.3},
    "structure": {"principal_allocation": "sequential", "interest_holiday_months": 0, "platform_retention": 0.1,
                  "triggers": {"dscr_min": 1.1, "dscr_months": 2, "ltv_max": 0.9}},
}
SCENARIOS = {
    "base": {},
    "ltv_pro_rata_holiday": {"structure.amortization": "ltv", "structure.principal_allocation": "pro_rata",
                             "structure.interest_holiday_months": 2, "revenue.util_start": 0.2},
    "sweep_shock": {"structure.amortization": "sweep", "shock.month": 3},
    "bullet_forced_default": {"structure.amortization": "bullet", "default.forced_month": 3},
    "dark": {"revenue.util_start": 0.0, "revenue.util_target": 0.0, "structure.reserve_months": 1},
}


def v2_template(path, **extra) -> str:
    data = yaml.safe_load(SMALL_DEAL.read_text())
    for section, values in V2_KEYS.items():
        data[section].update(copy.deepcopy(values))
    for dotted, value in extra.items():
        section, key = dotted.split(".")
        data[section][key] = value
    data["scenarios"] = SCENARIOS
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def test_null_inputs_keep_a_cell_and_read_back_as_null(tmp_path):
    """A null buyer discount and no rent path show as 'none' (the defined names exist for the formulas)
    and read back as null; a rent path is a column of inputs under one name, and reads back as the list."""
    plain = load_template(str(SMALL_DEAL))
    out = build_workbook(plain, tmp_path / "plain.xlsx").path
    wb = openpyxl.load_workbook(out)
    ws = wb["Inputs"]
    for path, name in (("assets.buyer_discount_annual", "assets_buyer_discount_annual"), ("revenue.rent_path", "revenue_rent_path")):
        row = find_row(ws, path)
        assert ws.cell(row, 5).value == NULL_WORD
        assert str(wb.defined_names[name].attr_text).endswith(f"$D${row}")
    back = read_inputs(wb, out).template.deal()
    assert back.assets.buyer_discount_annual is None and back.revenue.rent_path is None
    assert back == plain.deal()

    rents = [2.0, 1.9, 1.8, 1.7, 1.6, 1.5]
    pathed = load_template(v2_template(tmp_path / "path.yaml", **{"revenue.rent_path": rents}))
    out = build_workbook(pathed, tmp_path / "path.xlsx").path
    wb = openpyxl.load_workbook(out)
    ws = wb["Inputs"]
    rows = [find_row(ws, f"revenue.rent_path.{i}") for i in range(len(rents))]
    assert rows == list(range(rows[0], rows[0] + len(rents)))
    assert str(wb.defined_names["revenue_rent_path"].attr_text).endswith(f"$D${rows[0]}:$D${rows[-1]}")
    back = read_inputs(wb, out).template.deal()
    assert back.revenue.rent_path == rents and back.assets.buyer_discount_annual == 0.15


@pytest.fixture(scope="module")
def v2_model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("v2")
    path = build_workbook(load_template(v2_template(tmp / "v2.yaml")), tmp / "v2.xlsx").path
    engine = make_engine("formulas")
    engine.load(path)
    yield path, engine, openpyxl.load_workbook(path)
    engine.close()


def _value(values, wb, sheet: str, key: str, col: str = "D"):
    return values[(sheet.upper(), f"{col}{find_row(wb[sheet], key)}")]


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_v2_mechanisms_recalculate_with_every_check_at_zero(v2_model, scenario):
    path, engine, wb = v2_model
    report = verify_workbook(path, engine=engine, scenario=scenario)
    assert report.ok, "\n".join(str(m) for m in report.mismatches[:5])
    values = report.values
    errors = [(k, v) for k, v in values.items() if _is_error(v)]
    assert not errors, errors[:5]
    checks = wb["Checks"]
    failing = {}
    for (row,) in checks.iter_rows(min_row=7, min_col=3, max_col=3):
        if isinstance(row.value, str):
            got = values[("CHECKS", f"D{row.row}")]
            if got != 0:
                failing[row.value] = got
    assert not failing
    assert _value(values, wb, "Checks", "master_check") == 0
    if scenario == "sweep_shock":
        # sweep from month 1: no junior coupon while the senior is outstanding at the month's end
        ws = wb["Waterfall"]
        for col in "FGHIJK":
            senior_left = values[("TRANCHES", f"{col}{find_row(wb['Tranches'], 'balance_close_1')}")]
            junior_paid = values[("WATERFALL", f"{col}{find_row(ws, 'interest_paid_2')}")]
            assert senior_left <= 1e-6 or junior_paid == 0
    if scenario == "dark":
        # the GPUs go dark: operating costs go unpaid, a default follows, and the sale pays the arrears first
        assert _value(values, wb, "Timeline", "default_month") > 0
        assert _value(values, wb, "Tranches", "sale_opex_paid") > 0
        assert _value(values, wb, "Participants", "power_and_colocation") >= _value(values, wb, "Tranches", "sale_opex_paid")
    if scenario == "base":
        assert _value(values, wb, "Tranches", "retained_invested") > 0


@pytest.mark.slow
def test_rent_path_replaces_the_curve(tmp_path):
    """With a rent path, month t's rent is the path's t-th rent (the shock's rent drop does not apply)."""
    rents = [2.0, 1.9, 1.8, 0.5, 0.4, 0.3]
    path = build_workbook(load_template(v2_template(tmp_path / "path.yaml", **{"revenue.rent_path": rents, "shock.month": 2})),
                          tmp_path / "path.xlsx").path
    wb = openpyxl.load_workbook(path)
    report = verify_workbook(path, engine="formulas")
    assert report.ok, "\n".join(str(m) for m in report.mismatches[:5])
    values = report.values
    assert not [v for v in values.values() if _is_error(v)]
    row = find_row(wb["Depreciation"], "rent_per_gpu_hour")
    got = [values[("DEPRECIATION", f"{col}{row}")] for col in "FGHIJK"]
    assert got == pytest.approx(rents, rel=1e-12)
    assert _value(values, wb, "Checks", "master_check") == 0
