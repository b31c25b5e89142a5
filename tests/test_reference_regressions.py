"""Version-1 failures a structured-finance review found (the issue's "Why" list), each now showing
the version-2 behaviour on the bundled gpu-abs template: the senior is protected."""
from __future__ import annotations

import pytest

from modelgen.reference import run
from modelgen.template import load_template


def values(*sets: str, scenario: str | None = None):
    return run(load_template("gpu-abs", scenario=scenario, sets=sets).deal()).values


def months(v, key: str) -> list:
    return v.periods[key][1:]


def test_crash_without_reserve_the_senior_loses_least():
    # v1: the senior lost 37.3% and the junior had taken 1.87M of principal before the default.
    v = values("structure.reserve_months=0", scenario="crash")
    s = v.scalars
    assert s["default_month"] == 24
    assert 0 < s["loss_pct_1"] <= s["loss_pct_2"] <= s["loss_pct_3"]
    assert s["loss_pct_3"] == pytest.approx(1.0)
    # sequential pay: no junior principal while the senior is outstanding
    for t in range(1, s["sale_month"] + 1):
        if v.periods["balance_close_1"][t] > 0:
            assert v.periods["principal_paid_2"][t] == 0 and v.periods["principal_paid_3"][t] == 0
    assert s["check_subordination_loss"] == 0 and s["check_subordination_principal"] == 0


def test_bear_triggers_sweep_and_junior_interest_stops_while_senior_outstanding():
    # v1: the senior missed principal from month 3 while the junior was paid its coupon every month.
    v = values(scenario="bear")
    s, p = v.scalars, v.periods
    assert s["trigger_month"] > 0
    swept = [t for t in range(1, len(p["sweep_mode"])) if p["sweep_mode"][t] == 1]
    assert swept and swept[0] == s["trigger_month"] + 1          # read from the month before
    assert all(p["sweep_mode"][t] == 1 for t in range(swept[0], 61))  # a breach is not cured
    senior_out = [t for t in swept if p["balance_close_1"][t] > 0]
    assert senior_out
    for t in senior_out:
        for j in (2, 3):
            assert p[f"interest_paid_{j}"][t] == 0 and p[f"principal_paid_{j}"][t] == 0
        assert p["residual"][t] == 0
    # junior coupons build up as arrears, not a default
    assert p["interest_unpaid_3"][senior_out[-1]] > 0
    assert s["default_month"] == 0
    assert s["loss_1"] == pytest.approx(0, abs=1e-6)


def test_bullet_notes_the_ltv_trigger_protects_the_senior():
    # v1: with bullet notes the senior lost 48.2% while the junior's IRR was 148%.
    v = values("structure.amortization=bullet")
    s = v.scalars
    assert s["trigger_month"] > 0
    assert s["loss_pct_1"] == 0 and s["loss_1"] == pytest.approx(0, abs=1e-6)
    assert s["max_ltv"] > 0.9          # the breach that switched the deal to sweep


def test_no_utilisation_reserve_never_pays_junior_interest_and_opex_arrears_come_first():
    # v1: the reserve paid 100.8k of junior interest while 333.7k of power went unpaid, and the
    # unpaid bill disappeared.
    v = values("revenue.util_start=0", "revenue.util_target=0")
    s, p = v.scalars, v.periods
    dark_bill = [t for t in range(1, s["sale_month"] + 1) if p["opex_unpaid"][t] > 0]
    assert dark_bill
    for t in dark_bill:
        assert p["interest_paid_2"][t] == 0 and p["interest_paid_3"][t] == 0
    # the reserve only ever draws for opex, fees and class 1 interest
    assert "interest_reserve_draw_2" not in p
    # the arrears stay a claim and are paid first from the sale
    arrears = s["sale_opex_arrears"]
    assert arrears == pytest.approx(p["opex_unpaid"][s["sale_month"]]) and arrears > 0
    assert s["sale_opex_paid"] == pytest.approx(min(arrears, s["sale_proceeds"]))
    assert s["sale_opex_paid"] > 0
    if s["sale_opex_paid"] < arrears:
        assert all(s[f"sale_interest_{j}"] == 0 and s[f"sale_principal_{j}"] == 0 for j in (1, 2, 3))
    assert s["power_and_colocation"][0] == pytest.approx(sum(months(v, "opex_paid")) + s["sale_opex_paid"])


def test_a_ramp_from_ten_percent_is_financed_with_an_interest_holiday():
    # v1: util_start 0.1 with a 12-month ramp defaulted in month 1.
    v = values("revenue.util_start=0.1", "revenue.util_ramp_months=12", "structure.interest_holiday_months=12")
    s, p = v.scalars, v.periods
    assert s["default_month"] == 0
    assert sum(s[f"capitalised_interest_{j}"] for j in (1, 2, 3)) > 0
    # capitalised, never arrears, in the holiday months
    assert all(p[f"interest_unpaid_{j}"][t] == 0 for j in (1, 2, 3) for t in range(1, 13))
    assert all(s[f"loss_{j}"] == pytest.approx(0, abs=1e-6) for j in (1, 2, 3))
    assert s["master_check"] == 0


def test_collateral_is_capped_by_what_the_fleet_earns():
    # v1: after a 90% rent drop in month 1 (no value drop) the senior recovered 100%.
    v = values("shock.month=1", "shock.rent_drop=0.9", "shock.value_drop=0")
    s, p = v.scalars, v.periods
    S = s["sale_month"]
    assert s["default_month"] > 0
    assert p["collateral_value"][S] == pytest.approx(p["income_value"][S])
    assert p["income_value"][S] < 0.2 * p["market_value"][S]
    assert s["recovery_per_100_1"] < 50
    assert s["loss_pct_1"] > 0.5


def test_equity_only_the_sponsor_takes_nothing_from_the_sale():
    # v1: one class with no coupon and the whole excess: the sponsor, who invested nothing,
    # netted +11.8M from the sale.
    v = values("structure.tranches=[{name: Equity, share: 1.0, coupon: 0.0}]", "structure.junior_excess_share=1")
    s = v.scalars
    assert s["sale_to_sponsor"] == 0
    assert s["sponsor"][2] == pytest.approx(0, abs=1e-6)
    assert s["recovery_1"] == pytest.approx(s["sale_proceeds"] - s["sale_opex_paid"] - s["sale_fee_paid"])


def test_no_rent_after_the_useful_life():
    # v1: with term_months 240 and a 72-month life the GPUs earned rent for twenty years.
    v = values("term_months=240")
    p = v.periods
    assert all(x > 0 for x in p["revenue"][1:73])
    assert all(x == 0 for x in p["revenue"][73:])
    assert all(x == 0 for key in ("opex_energy", "opex_colocation", "opex_maintenance", "opex_fixed") for x in p[key][73:])
    scrap = v.scalars["capex"] * 0.02
    assert all(x == pytest.approx(scrap) for x in p["market_value"][73:])
    assert p["income_value"][72] == pytest.approx(scrap)


def test_idle_power_and_colocation_on_it_load():
    # v1: power billed at full load when idle, and colocation on kW x PUE (PUE counted twice).
    v = values("revenue.util_start=0.5", "revenue.util_target=0.5")
    p = v.periods
    kw, pue, hours, price, idle = 1024 * 0.775, 1.3, 730, 0.08, 0.3
    assert p["opex_energy"][1] == pytest.approx(kw * pue * hours * price * (idle + (1 - idle) * 0.5))
    assert p["opex_colocation"][1] == pytest.approx(kw * 184)
    full = values("revenue.util_start=1", "revenue.util_target=1").periods
    assert full["opex_energy"][1] == pytest.approx(kw * pue * hours * price)
