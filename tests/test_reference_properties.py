"""Identities that must hold for any valid deal (hypothesis, a bounded number of examples)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import hand_deal
from modelgen.reference import run
from modelgen.template import validate_deal

fraction = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def deals(draw):
    n = draw(st.integers(1, 3))
    weights = [draw(st.integers(1, 10)) for _ in range(n)]
    shares = [w / sum(weights) for w in weights]
    shares[-1] = 1 - sum(shares[:-1])
    term = draw(st.integers(1, 36))
    deal = hand_deal()
    deal["term_months"] = term
    deal["assets"].update(gpu_count=draw(st.integers(1, 2000)), gpu_unit_price=draw(st.floats(1000, 40000)),
                          ancillary_capex_pct=draw(st.floats(0, 0.5)), value_decline=draw(st.floats(0, 0.6)),
                          useful_life_months=draw(st.integers(12, 96)))
    deal["revenue"].update(rent0=draw(st.floats(0.2, 8)), rent_decline=draw(st.floats(0, 0.5)),
                           util_start=draw(fraction), util_target=draw(fraction), util_ramp_months=draw(st.integers(0, 12)))
    deal["shock"] = {"month": draw(st.integers(0, term + 2)), "rent_drop": draw(fraction), "value_drop": draw(fraction)}
    deal["opex"].update(kw_per_gpu=draw(st.floats(0, 1.5)), pue=draw(st.floats(1, 2)), power_price=draw(st.floats(0, 0.3)),
                        colo_per_kw_month=draw(st.floats(0, 300)), maintenance_pct_annual=draw(st.floats(0, 0.1)),
                        fixed_opex_month=draw(st.floats(0, 50000)))
    deal["fees"] = {"issuance_fee_pct": draw(st.floats(0, 0.05)), "mgmt_fee_annual": draw(st.floats(0, 0.03))}
    deal["structure"] = {
        "amortization": draw(st.sampled_from(["bullet", "straight_line", "sweep"])),
        "reserve_months": draw(st.integers(0, 6)), "junior_excess_share": draw(fraction),
        "tranches": [{"name": f"T{i}", "share": s, "coupon": draw(st.floats(0, 0.3))} for i, s in enumerate(shares)],
    }
    deal["default"] = {"shortfall_months": draw(st.integers(1, 6)), "forced_month": draw(st.integers(0, term + 2)),
                       "liquidation_lag_months": draw(st.integers(0, 6)), "fire_sale_discount": draw(fraction),
                       "liquidation_cost_pct": draw(st.floats(0, 0.2))}
    return validate_deal(deal)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deals())
def test_identities_hold(deal):
    s = run(deal).sheets
    scale = s["Tranches"].scalars["raise_amount"] + sum(s["Waterfall"].periods["revenue"][1:]) + 1
    tol = 1e-9 * scale
    # every check of the Checks sheet passes, and the master check with them
    assert s["Checks"].scalars["master_check"] == 0, {k: v for k, v in s["Checks"].scalars.items() if v}
    # participants' net cash sums to zero
    assert abs(s["Participants"].scalars["participants_net_total"]) <= tol
    w, tr = s["Waterfall"].periods, s["Tranches"]
    J = deal.tranche_count
    for t in range(1, deal.term_months + 1):
        # cash conservation: revenue + reserve draws + releases = every payment out
        sources = w["revenue"][t] + w["reserve_draws_total"][t] + w["reserve_release"][t]
        uses = (w["opex_paid"][t] + w["mgmt_fee_paid"][t] + w["reserve_topup"][t] + w["residual"][t]
                + sum(tr.periods[f"interest_paid_{j}"][t] + w[f"principal_paid_{j}"][t] for j in range(1, J + 1)))
        assert abs(sources - uses) <= tol
        # balances never negative
        assert w["reserve_close"][t] >= -tol
        for j in range(1, J + 1):
            assert tr.periods[f"balance_close_{j}"][t] >= -tol
            assert tr.periods[f"interest_unpaid_{j}"][t] >= -tol
            assert w[f"principal_paid_{j}"][t] >= -tol
    # loss = principal not repaid, by the waterfall or the sale, and never negative
    for j in range(1, J + 1):
        repaid = sum(w[f"principal_paid_{j}"][1:]) + tr.scalars[f"sale_principal_{j}"]
        assert abs(tr.scalars[f"loss_{j}"] - (tr.scalars[f"invested_{j}"] - repaid)) <= tol
        assert tr.scalars[f"loss_{j}"] >= -tol
    # after the sale no note is outstanding
    L = s["Timeline"].scalars["sale_month"]
    for j in range(1, J + 1):
        assert abs(tr.periods[f"notes_outstanding_{j}"][L]) <= tol
    # nothing operates after a default
    D = s["Timeline"].scalars["default_month"]
    if D:
        assert all(x == 0 for x in w["revenue"][D + 1:])


@settings(max_examples=40, deadline=None)
@given(deals(), st.floats(0.0, 0.5))
def test_senior_never_loses_more_than_junior(deal, _):
    """Seniority: a junior tranche's loss % is at least the senior-most one's."""
    s = run(deal).sheets
    rs = s["Returns"].scalars
    J = deal.tranche_count
    assert rs[f"loss_pct_{J}"] >= rs["loss_pct_1"] - 1e-9
