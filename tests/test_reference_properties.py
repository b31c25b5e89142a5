"""Properties that must hold for any valid version-2 deal (hypothesis, a bounded number of examples),
and the batch engine agreeing with the one-deal engine field by field."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import hand_deal
from modelgen.reference import Columns, run, run_batch
from modelgen.template import validate_deal

fraction = st.floats(min_value=0, max_value=1, allow_nan=False)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def deals(draw, classes=None):
    n = draw(st.integers(1, 3)) if classes is None else classes
    weights = [draw(st.integers(1, 10)) for _ in range(n)]
    shares = [w / sum(weights) for w in weights]
    shares[-1] = 1 - sum(shares[:-1])
    term = draw(st.integers(1, 36))
    deal = hand_deal()
    deal["term_months"] = term
    life = draw(st.integers(1, 96))
    deal["assets"].update(gpu_count=draw(st.integers(1, 2000)), gpu_unit_price=draw(st.floats(1000, 40000)),
                          ancillary_capex_pct=draw(st.floats(0, 0.5)), value_decline=draw(st.floats(0, 0.6)),
                          useful_life_months=life, scrap_value_pct=draw(st.one_of(st.just(0.0), st.floats(1e-6, 0.1))),
                          buyer_discount_annual=draw(st.one_of(st.none(), st.floats(-0.5, 0.5))))
    deal["revenue"].update(rent0=draw(st.floats(0.2, 8)), rent_decline=draw(st.floats(0, 0.5)),
                           util_start=draw(fraction), util_target=draw(fraction), util_ramp_months=draw(st.integers(0, 12)))
    if draw(st.booleans()) and draw(st.booleans()):
        deal["revenue"]["rent_path"] = draw(st.lists(st.floats(0.05, 8), min_size=term, max_size=term))
    deal["shock"] = {"month": draw(st.integers(0, term + 2)), "rent_drop": draw(fraction), "value_drop": draw(fraction)}
    deal["opex"].update(kw_per_gpu=draw(st.floats(0, 1.5)), pue=draw(st.floats(1, 2)), power_price=draw(st.floats(0, 0.3)),
                        colo_per_kw_month=draw(st.floats(0, 300)), maintenance_pct_annual=draw(st.floats(0, 0.1)),
                        fixed_opex_month=draw(st.floats(0, 50000)), idle_power_share=draw(fraction))
    deal["fees"] = {"issuance_fee_pct": draw(st.floats(0, 0.05)), "mgmt_fee_annual": draw(st.floats(0, 0.03))}
    deal["structure"] = {
        "amortization": draw(st.sampled_from(["bullet", "straight_line", "ltv", "sweep"])),
        "principal_allocation": draw(st.sampled_from(["sequential", "pro_rata"])),
        "interest_holiday_months": draw(st.integers(0, term - 1)),
        "platform_retention": draw(fraction),
        "triggers": {"dscr_min": draw(st.sampled_from([0, 1.0, 1.2])), "dscr_months": draw(st.integers(0, 3)),
                     "ltv_max": draw(st.sampled_from([0, 0.8, 1.2]))},
        "reserve_months": draw(st.integers(0, 6)), "junior_excess_share": draw(fraction),
        "tranches": [{"name": f"T{i}", "share": s, "coupon": draw(st.floats(0.0001, 0.3))} for i, s in enumerate(shares)],
    }
    deal["default"] = {"shortfall_months": draw(st.integers(1, 6)), "forced_month": draw(st.integers(0, term + 2)),
                       "liquidation_lag_months": draw(st.integers(0, 6)), "fire_sale_discount": draw(fraction),
                       "liquidation_cost_pct": draw(st.floats(0, 0.2))}
    return validate_deal(deal)


def scale(v) -> float:
    return v.scalars["raise_amount"] + sum(v.periods["revenue"][1:]) + 1


@FAST
@given(deals())
def test_every_check_holds(deal):
    v = run(deal).values
    assert v.scalars["master_check"] == 0, {k: x for k, x in v.scalars.items() if k.startswith("check") and x}


@FAST
@given(deals())
def test_loss_pct_never_falls_going_down_the_classes(deal):
    s = run(deal).values.scalars
    for j in range(1, deal.tranche_count):
        assert s[f"loss_pct_{j}"] <= s[f"loss_pct_{j + 1}"] + 1e-9


@FAST
@given(deals())
def test_sequential_no_principal_while_a_class_above_is_outstanding(deal):
    p = run(deal).values.periods
    J = deal.tranche_count
    for t in range(1, deal.term_months + 1):
        if deal.structure.principal_allocation == "pro_rata" and p["sweep_mode"][t] == 0:
            continue
        for j in range(2, J + 1):
            if any(p[f"balance_close_{k}"][t] > 0 for k in range(1, j)):
                assert p[f"principal_paid_{j}"][t] == 0, (t, j)


@FAST
@given(deals())
def test_participants_sum_to_zero(deal):
    v = run(deal).values
    assert abs(v.scalars["participants_net_total"]) <= 1e-9 * scale(v)


@FAST
@given(deals())
def test_mark_to_liquidation_identity(deal):
    v = run(deal).values
    s = v.scalars
    for j in list(range(1, deal.tranche_count + 1)) + ["all"]:
        invested = s["raise_amount"] if j == "all" else s[f"invested_{j}"]
        earned = sum(v.years[f"mtl_return_{j}"]) * invested
        assert math.isclose(earned, s[f"total_received_{j}"] - invested, rel_tol=1e-9, abs_tol=1e-9 * scale(v))


@FAST
@given(deals())
def test_sweep_month_pays_no_junior_while_class_1_is_outstanding(deal):
    p = run(deal).values.periods
    for t in range(1, deal.term_months + 1):
        if p["sweep_mode"][t] == 1 and p["balance_close_1"][t] > 0:
            for j in range(2, deal.tranche_count + 1):
                assert p[f"interest_paid_{j}"][t] == 0 and p[f"principal_paid_{j}"][t] == 0, (t, j)
            assert p["residual"][t] == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 3).flatmap(lambda J: st.lists(deals(classes=J), min_size=1, max_size=6)))
def test_batch_equals_one_deal_at_a_time(batch):
    b = run_batch(batch)
    for s, deal in enumerate(batch):
        one = run(deal, Columns(b.n - 1)).values
        many = b.deal(s)
        for kind in ("periods", "years"):
            mine, theirs = getattr(one, kind), getattr(many, kind)
            for key, series in theirs.items():
                assert series == mine[key], (kind, key)
        for key, value in many.scalars.items():
            assert value == one.scalars[key] or (value != value and one.scalars[key] != one.scalars[key]), key


@FAST
@given(deals())
def test_no_cash_after_the_sale_and_nothing_operates_after_a_default(deal):
    v = run(deal).values
    s, p = v.scalars, v.periods
    S, D = s["sale_month"], s["default_month"]
    for j in range(1, deal.tranche_count + 1):
        assert abs(p[f"notes_outstanding_{j}"][S]) <= 1e-9 * scale(v)
        assert all(x == 0 for x in p[f"distributions_{j}"][S + 1:])
    if D:
        assert all(x == 0 for x in p["revenue"][D + 1:])
        assert all(x == 0 for x in p["operating"][D + 1:])
    assert np.all(np.array(p["cash_available"][1:]) >= 0)
