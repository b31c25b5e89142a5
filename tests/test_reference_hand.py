"""Figures worked by hand for a 3-month, one-class deal (the arithmetic is in each test)."""
from __future__ import annotations

import pytest

from conftest import hand_deal
from modelgen.reference import run
from modelgen.template import validate_deal


def model(**changes):
    return run(validate_deal(hand_deal(**changes))).values


def test_straight_line_deal_by_hand():
    # capex = 10 GPUs x 1,000 = 10,000 = raise (no fee, no reserve); coupon 12% -> 1% a month.
    # revenue = 10 x 730 h x 100% x $1 = 7,300 a month; opex = 1,000 fixed -> 6,300 for the notes.
    v = model()
    s, p = v.scalars, v.periods
    assert s["capex"] == 10_000 and s["raise_amount"] == 10_000 and s["reserve_funded"] == 0
    assert p["revenue"][1:] == pytest.approx([7300, 7300, 7300])
    # target balance 10,000 x (3 - t) / 3: principal 3,333.33 a month; interest 1% of the start balance
    assert p["target_balance"] == pytest.approx([10_000, 20_000 / 3, 10_000 / 3, 0])
    assert p["interest_due_1"][1:] == pytest.approx([100, 200 / 3, 100 / 3])
    assert p["principal_paid_1"][1:] == pytest.approx([10_000 / 3] * 3)
    # DSCR = 6,300 / (interest + scheduled principal 3,333.33)
    assert p["dscr"][1:] == pytest.approx([6300 / (100 + 10_000 / 3), 6300 / (200 / 3 + 10_000 / 3), 6300 / (100 / 3 + 10_000 / 3)])
    # residual = 6,300 - interest - principal, all to the sponsor (junior_excess_share = 0)
    assert p["sponsor_residual"][1:] == pytest.approx([6300 - 100 - 10_000 / 3, 6300 - 200 / 3 - 10_000 / 3,
                                                       6300 - 100 / 3 - 10_000 / 3])
    # maturity sale: CV_3 = MV_3 = 10,000 (no decline, no income cap), less 5% costs = 9,500, all to the sponsor
    assert s["sale_price_gross"] == pytest.approx(10_000)
    assert s["sale_costs"] == pytest.approx(500)
    assert s["sale_to_sponsor"] == pytest.approx(9_500)
    assert s["loss_1"] == pytest.approx(0)
    # holder: 200 interest + 10,000 principal -> MOIC 1.02; the notes pay 1% a month on what is
    # outstanding, so the monthly IRR is exactly 1%: effective 1.01^12 - 1, nominal 12%
    assert s["moic_1"] == pytest.approx(1.02)
    assert s["irr_1"] == pytest.approx(1.01 ** 12 - 1, rel=1e-9)
    assert s["irr_nominal_1"] == pytest.approx(0.12, rel=1e-9)
    # WAL = (1 + 2 + 3) x 3,333.33 / 12 / 10,000 = 1/6 year; paid back in month 3 (10,200 >= 10,000)
    assert s["wal_years_1"] == pytest.approx(1 / 6)
    assert s["payback_month_1"] == 3
    # liquidation cover: 10,000 x 0.95 against 10,000 owed at close (the day-one gap is the sale cost);
    # 9,500 against 6,666.67 owed after month 1; 0 from the sale month
    assert s["day_one_cover_1"] == pytest.approx(0.95)
    assert p["liquidation_cover_1"] == pytest.approx([9_500, 20_000 / 3, 10_000 / 3, 0])
    # mark-to-liquidation, year 1: (10,200 cash + 0 cover at the end - 10,000 invested) / 10,000 = 2%
    assert v.years["mtl_return_1"] == pytest.approx([0.02])
    q = v.scalars
    assert q["customers"][2] == pytest.approx(-21_900)
    assert q["power_and_colocation"][2] == pytest.approx(3_000)
    assert q["sponsor"][2] == pytest.approx(3 * 6300 - 200 - 10_000 + 9_500)
    assert q["token_holders"][2] == pytest.approx(200)
    assert q["secondary_buyers"][2] == pytest.approx(-10_000)
    assert q["participants_net_total"] == pytest.approx(0, abs=1e-9)
    assert s["master_check"] == 0


def test_forced_default_with_interest_through_the_lag_by_hand():
    # bullet notes; the sponsor fails at the end of month 2 after paying interest of 100 twice.
    # Month 3 is dark, but interest still accrues: 100 of arrears. Sale in month 3 (lag 1) at
    # 10,000 x (1 - 50%) = 5,000 less 5% = 4,750: arrears 100 first, then 4,650 of principal.
    v = model(structure__amortization="bullet", default__forced_month=2, default__liquidation_lag_months=1,
              default__fire_sale_discount=0.5)
    s, p = v.scalars, v.periods
    assert (s["default_month"], s["sale_month"]) == (2, 3)
    assert p["operating"][1:] == [1, 1, 0]
    assert p["accruing"][1:] == [1, 1, 1]
    assert p["revenue"][3] == 0
    assert p["interest_unpaid_1"][3] == pytest.approx(100)
    assert s["sale_price_net"] == pytest.approx(4_750)
    assert s["sale_interest_1"] == pytest.approx(100)
    assert s["sale_principal_1"] == pytest.approx(4_650)
    assert s["loss_1"] == pytest.approx(5_350)
    assert s["recovery_per_100_1"] == pytest.approx(47.5)
    assert s["payback_month_1"] == "never"
    assert p["cash_flow_1"] == pytest.approx([-10_000, 100, 100, 4_750])
    assert s["master_check"] == 0


def test_reserve_sized_on_opex_fee_and_senior_interest_by_hand():
    # Opex 8,000 a month against revenue 7,300. Raise R = (10,000 + 1 x 8,000) / (1 - 1 x 0.12 / 12)
    # = 18,181.82; reserve = 8,000 + R x 1% = 8,181.82. Month 1: cash pays 7,300 of opex, the reserve
    # 700 more and class 1's 181.82 of interest: 8,181.82 - 881.82 = 7,300 left.
    v = model(structure__amortization="bullet", structure__reserve_months=1, opex__fixed_opex_month=8000)
    s, p = v.scalars, v.periods
    R = 18_000 / 0.99
    assert s["raise_amount"] == pytest.approx(R)
    assert s["reserve_funded"] == pytest.approx(8_000 + R * 0.01)
    assert s["reserve_funded"] + s["capex"] == pytest.approx(R)
    assert p["opex_paid_cash"][1] == pytest.approx(7_300)
    assert p["opex_reserve_draw"][1] == pytest.approx(700)
    assert p["interest_reserve_draw_1"][1] == pytest.approx(R * 0.01)
    assert p["reserve_close"][1] == pytest.approx(7_300)
    assert p["opex_unpaid"][1] == 0 and p["interest_unpaid_1"][1] == 0
    assert s["default_month"] == 0
    assert s["master_check"] == 0


def test_reserve_runs_dry_and_senior_shortfall_defaults_by_hand():
    # Opex 8,100 and a reserve of a tenth of a month: R = (10,000 + 810) / (1 - 0.1 x 1%) = 10,820.82,
    # interest 108.21, reserve 0.1 x (8,100 + 108.21) = 820.82. Month 1's opex draw of 800 leaves 20.82
    # for 108.21 of interest; 87.39 stays unpaid and (shortfall_months = 1) the deal defaults.
    v = model(structure__amortization="bullet", structure__reserve_months=0.1, opex__fixed_opex_month=8100,
              default__shortfall_months=1)
    s, p = v.scalars, v.periods
    R = 10_810 / 0.999
    reserve = 0.1 * (8_100 + R * 0.01)
    assert s["reserve_funded"] == pytest.approx(reserve)
    assert p["opex_reserve_draw"][1] == pytest.approx(800)
    assert p["interest_reserve_draw_1"][1] == pytest.approx(reserve - 800)
    assert p["interest_unpaid_1"][1] == pytest.approx(R * 0.01 - (reserve - 800))
    assert p["reserve_close"][1] == pytest.approx(0, abs=1e-9)
    assert s["default_month"] == 1
    assert s["master_check"] == 0
