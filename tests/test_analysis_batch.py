"""One reference, two doors: the scalar API (``run`` + ``build_summary``) and the many-scenario API
(``run_batch`` + ``summary_batch``, which every analysis uses) give identical numbers on any deals,
batched together whatever their terms, modes and rent paths."""
from __future__ import annotations

import copy

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from modelgen.analysis.engine import evaluate, with_overrides
from modelgen.errors import TemplateError
from modelgen.reference.frames import run, run_batch, summary_batch
from modelgen.summary import build_summary
from modelgen.template import load_template, validate_deal

BASE = load_template("gpu-abs").tree()
for part in ("node_sale", "byod"):
    BASE.pop(part, None)

fraction = st.floats(0, 1, allow_nan=False)


@st.composite
def deal_trees(draw):
    term = draw(st.integers(6, 60))
    o = {
        "term_months": term,
        "revenue.rent_decline": draw(st.floats(0, 0.6)),
        "revenue.util_start": draw(st.floats(0.3, 1)),
        "revenue.util_target": draw(st.floats(0.3, 1)),
        "revenue.util_ramp_months": draw(st.integers(0, 12)),
        "shock.month": draw(st.integers(0, term)),
        "shock.rent_drop": draw(fraction),
        "shock.value_drop": draw(fraction),
        "assets.value_decline": draw(st.floats(0, 0.6)),
        "opex.power_price": draw(st.floats(0, 0.6)),
        "opex.idle_power_share": draw(fraction),
        "structure.amortization": draw(st.sampled_from(["bullet", "straight_line", "ltv", "sweep"])),
        "structure.principal_allocation": draw(st.sampled_from(["sequential", "pro_rata"])),
        "structure.interest_holiday_months": draw(st.integers(0, min(6, term - 1))),
        "structure.triggers.dscr_min": draw(st.sampled_from([0, 1.0, 1.2])),
        "structure.triggers.ltv_max": draw(st.sampled_from([0, 0.7, 0.9])),
        "structure.tranches.0.coupon": draw(st.floats(0.0001, 0.15)),
        "structure.tranches.2.coupon": draw(st.floats(0.0001, 0.4)),
        "default.forced_month": draw(st.integers(0, term)),
        "default.liquidation_lag_months": draw(st.integers(0, 4)),
    }
    if draw(st.booleans()):
        o["revenue.rent_path"] = draw(st.lists(st.floats(0.05, 5), min_size=term, max_size=term))
    if draw(st.booleans()):
        o["assets.buyer_discount_annual"] = None
    tree = with_overrides(copy.deepcopy(BASE), o)
    if tree["assets"].get("buyer_discount_annual", 0) is None:
        del tree["assets"]["buyer_discount_annual"]
    return tree


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(deal_trees(), min_size=1, max_size=4))
def test_scalar_and_many_scenario_apis_agree_exactly(trees):
    deals = []
    for tree in trees:
        try:
            deals.append(validate_deal(tree))
        except TemplateError:
            continue
    assume(deals)
    batch = summary_batch(deals, run_batch(deals))
    for deal, many in zip(deals, batch):
        one = build_summary(run(deal))
        assert many == one
    assert evaluate(deals) == batch
