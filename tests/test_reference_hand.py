"""Figures worked by hand for a 3-month, one-tranche deal (see the arithmetic in each test)."""
from __future__ import annotations

import pytest

from conftest import hand_deal
from modelgen.reference import run
from modelgen.template import validate_deal


def model(**changes):
    return run(validate_deal(hand_deal(**changes))).sheets


def test_straight_line_deal_by_hand():
    # capex = 10 GPUs x 1,000 = 10,000 = raise (no fee, no reserve); coupon 12% -> 1% a month.
    # revenue = 10 x 730 h x 100% x $1 = 7,300 a month; opex = 1,000 fixed -> 6,300 for the notes.
    s = model()
    tr, w, rs = s["Tranches"].scalars, s["Waterfall"].periods, s["Returns"].scalars
    assert tr["capex"] == 10_000 and tr["raise_amount"] == 10_000 and tr["reserve_funded"] == 0
    assert w["revenue"][1:] == pytest.approx([7300, 7300, 7300])
    # interest 1% of 10,000 / 6,666.67 / 3,333.33; principal 10,000 / 3 each month
    assert w["interest_due_1"][1:] == pytest.approx([100, 200 / 3, 100 / 3])
    assert w["principal_paid_1"][1:] == pytest.approx([10_000 / 3] * 3)
    # residual = 6,300 - interest - principal, all to the sponsor (junior_excess_share = 0)
    assert w["sponsor_residual"][1:] == pytest.approx([6300 - 100 - 10_000 / 3, 6300 - 200 / 3 - 10_000 / 3,
                                                       6300 - 100 / 3 - 10_000 / 3])
    # maturity sale: MV_3 = 10,000 (no decline), less 5% costs = 9,500, all to the sponsor (notes repaid)
    assert tr["sale_price_gross"] == pytest.approx(10_000)
    assert tr["sale_costs"] == pytest.approx(500)
    assert tr["sale_to_sponsor"] == pytest.approx(9_500)
    assert tr["loss_1"] == pytest.approx(0)
    # holder: 200 interest + 10,000 principal -> MOIC 1.02; the notes pay 1% a month on what is
    # outstanding, so the monthly IRR is exactly 1%: (1.01)^12 - 1 = 12.6825%
    assert rs["moic_1"] == pytest.approx(1.02)
    assert rs["irr_1"] == pytest.approx(1.01 ** 12 - 1, rel=1e-9)
    # WAL = (1 + 2 + 3) x 3,333.33 / 12 / 10,000 = 1/6 year; paid back in month 3 (10,200 >= 10,000)
    assert rs["wal_years_1"] == pytest.approx(1 / 6)
    assert rs["payback_month_1"] == 3
    p = s["Participants"].scalars
    assert p["customers"][2] == pytest.approx(-21_900)
    assert p["power_and_colocation"][2] == pytest.approx(3_000)
    assert p["sponsor"][2] == pytest.approx(3 * 6300 - 200 - 10_000 + 9_500)
    assert p["token_holders"][2] == pytest.approx(200)
    assert p["secondary_buyers"][2] == pytest.approx(-10_000)
    assert p["participants_net_total"] == pytest.approx(0, abs=1e-9)
    assert s["Checks"].scalars["master_check"] == 0


def test_forced_default_by_hand():
    # bullet notes; the sponsor fails at the end of month 2 after paying interest of 100 twice;
    # sale one month later (month 3) at 10,000 x (1 - 50% fire sale) = 5,000, less 5% = 4,750.
    s = model(structure__amortization="bullet", default__forced_month=2, default__liquidation_lag_months=1,
              default__fire_sale_discount=0.5)
    tl, tr, rs = s["Timeline"], s["Tranches"].scalars, s["Returns"].scalars
    assert tl.scalars == {"default_month": 2, "sale_month": 3}
    assert tl.periods["operating"][1:] == [1, 1, 0]
    assert s["Waterfall"].periods["revenue"][3] == 0
    assert tr["sale_price_net"] == pytest.approx(4_750)
    assert tr["sale_principal_1"] == pytest.approx(4_750)
    assert tr["loss_1"] == pytest.approx(5_250)
    assert rs["recovery_per_100_1"] == pytest.approx(47.5)
    assert rs["payback_month_1"] == "never"
    assert s["Returns"].periods["cash_flow_1"] == pytest.approx([-10_000, 100, 100, 4_750])
    assert s["Checks"].scalars["master_check"] == 0


def test_senior_shortfall_default_and_reserve_draw():
    # revenue 7,300 - opex 7,250 leaves 50 a month against 100 of interest: the reserve (1 month
    # = 100) covers month 1 in full and month 2 in part; with shortfall_months = 1 the deal
    # defaults in the first month that interest stays unpaid after the reserve.
    s = model(structure__amortization="bullet", structure__reserve_months=1, opex__fixed_opex_month=7250,
              default__shortfall_months=1)
    w = s["Waterfall"].periods
    tr = s["Tranches"].scalars
    assert tr["reserve_funded"] == pytest.approx(tr["raise_amount"] * 0.12 / 12)
    assert w["reserve_draw_1"][1] == pytest.approx(w["interest_due_1"][1] - 50)
    assert s["Timeline"].scalars["default_month"] == 2
    assert s["Tranches"].periods["interest_unpaid_1"][2] > 0
    assert s["Checks"].scalars["master_check"] == 0
