"""Node-sale and BYOD reference: the seed figures, the strategy identities, and bad input."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelgen.config import NodeSale
from modelgen.errors import TemplateError
from modelgen.reference.depin_model import TIER_FIELDS, run_byod, run_node
from modelgen.template import load_template

DAYS = 365.25 / 12


def seed_node(**changes) -> NodeSale:
    data = load_template("seed-node-sale").deal().node_sale.model_dump()
    data.update(changes)
    return NodeSale.model_validate(data)


def tier(sheets, k: int) -> dict:
    return dict(zip(TIER_FIELDS, sheets["Node tiers"].scalars[f"tier_{k}"]))


def test_seed_paybacks_208_and_833_days():
    sheets = run_node(seed_node(), 48, DAYS)
    assert sheets["Node ROI"].periods["tokens_per_node_day"][1] == pytest.approx(40)
    assert round(tier(sheets, 1)["payback_days_earned"], 1) == 208.3
    assert round(tier(sheets, 50)["payback_days_earned"], 1) == 833.3
    assert tier(sheets, 50)["price"] == pytest.approx(2000)


def cum_at_horizon(sheets, basis: str, horizon: int) -> float:
    return sheets["Node ROI"].periods[f"cum_{basis}"][horizon]


def test_strategies_agree_with_no_vesting_no_penalty_constant_price():
    ns = seed_node(vesting_months=0, instant_claim_penalty=0, hedge_funding_annual=0.2, node_opex_month=3)
    sheets = run_node(ns, ns.horizon_months, DAYS)
    values = {b: cum_at_horizon(sheets, b, ns.horizon_months) for b in ("sell", "instant", "hold", "hedge", "earned")}
    assert len({round(v, 6) for v in values.values()}) == 1, values


def test_hold_differs_when_the_price_moves():
    ns = seed_node(vesting_months=0, instant_claim_penalty=0, token_drift_annual=-0.5)
    sheets = run_node(ns, ns.horizon_months, DAYS)
    sell, instant, hedge, hold = (cum_at_horizon(sheets, b, ns.horizon_months) for b in ("sell", "instant", "hedge", "hold"))
    assert sell == pytest.approx(instant) == pytest.approx(hedge)
    assert hold < sell  # held tokens are sold at the horizon's lower price


def test_vesting_penalty_and_funding_cost_something():
    ns = seed_node(vesting_months=6, instant_claim_penalty=0.75, hedge_funding_annual=0.1, token_drift_annual=-0.3)
    sheets = run_node(ns, ns.horizon_months, DAYS)
    t = tier(sheets, 1)
    assert t["roi_instant"] < t["roi_sell"]
    assert t["payback_days_sell"] > t["payback_days_earned"]


@settings(max_examples=30, deadline=None)
@given(st.floats(0.05, 0.95), st.floats(0.05, 0.95))
def test_more_active_nodes_never_raise_the_reward_per_node(a, b):
    low, high = sorted((a, b))
    few = run_node(seed_node(active_share=low), 48, DAYS)["Node ROI"].periods["tokens_per_node"]
    many = run_node(seed_node(active_share=high), 48, DAYS)["Node ROI"].periods["tokens_per_node"]
    assert all(m <= f + 1e-9 for f, m in zip(few[1:], many[1:]))


def test_payback_beyond_horizon_is_never():
    ns = seed_node(horizon_months=6)
    sheets = run_node(ns, 6, DAYS)
    assert tier(sheets, 50)["payback_days_earned"] == "never"
    assert tier(sheets, 50)["payback_month_sell"] == "never"


def test_byod_usage_share_and_dilution():
    deal = load_template("ionet-byod").deal()
    sheets = run_byod(deal.byod, deal.byod.horizon_months, DAYS)["BYOD ROI"]
    tokens = sheets.periods["block_reward_tokens"]
    assert tokens[2] < tokens[1]  # the network grows: each device's share falls
    no_demand = load_template("ionet-byod", scenario="no-demand").deal()
    share = run_byod(no_demand.byod, 36, DAYS)["BYOD ROI"].scalars["usage_share_of_income"]
    assert share < sheets.scalars["usage_share_of_income"]


@pytest.mark.parametrize("path, value, message", [
    ("node_sale.tiers", 0, "node_sale.tiers"),
    ("node_sale.last_tier_price", 100, "below tier1_price"),
    ("node_sale.sold_share", 1.5, "node_sale.sold_share"),
    ("node_sale.active_share", -0.1, "node_sale.active_share"),
    ("node_sale.vesting_months", 60, "must be shorter than horizon_months"),
    ("byod.hire_share", 2, "byod.hire_share"),
])
def test_bad_depin_input_names_the_field(path, value, message):
    template = "gpu-abs"
    with pytest.raises(TemplateError, match=message):
        load_template(template, sets=[f"{path}={value}"])


def test_template_without_sections_has_no_tabs(tmp_path):
    from modelgen.build import build_workbook
    import openpyxl
    result = build_workbook(load_template("gpu-token-seed"), tmp_path / "x.xlsx")
    names = openpyxl.load_workbook(result.path).sheetnames
    assert "Node ROI" not in names and "BYOD ROI" not in names
    result = build_workbook(load_template("gpu-abs"), tmp_path / "y.xlsx")
    names = openpyxl.load_workbook(result.path).sheetnames
    assert {"Node ROI", "Node tiers", "BYOD ROI"} <= set(names)
