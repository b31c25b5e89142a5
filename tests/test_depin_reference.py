"""Node-sale and BYOD reference (MODEL.md sections 7-8): the seed figures, version 1's figures
where the new mechanisms are off, the strategy identities, the price's dilution, rational
shutdown, the exit's impact, the staking block, and the property tests."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelgen.config import Byod, NodeSale
from modelgen.depin import TIER_FIELDS
from modelgen.reference.depin_model import run_byod, run_node
from modelgen.template import load_template

DAYS = 365.25 / 12


SEED = load_template("seed-node-sale").deal().node_sale.model_dump()


def seed_node(**changes) -> NodeSale:
    data = {**SEED, **changes}
    return NodeSale.model_validate(data)


IONET = load_template("ionet-byod").deal().byod.model_dump()


def ionet(**changes) -> Byod:
    data = {**IONET, **changes}
    return Byod.model_validate(data)


def tier(sheets, k: int) -> dict:
    return dict(zip(TIER_FIELDS, sheets["Node tiers"].scalars[f"tier_{k}"]))


def cum_at_horizon(sheets, basis: str, horizon: int) -> float:
    return sheets["Node ROI"].periods[f"cum_{basis}"][horizon]


def test_seed_paybacks_208_and_833_days():
    sheets = run_node(seed_node(), 48, DAYS)
    assert sheets["Node ROI"].periods["tokens_per_node_day"][1] == pytest.approx(40)
    assert round(tier(sheets, 1)["payback_days_earned"], 1) == 208.3
    assert round(tier(sheets, 50)["payback_days_earned"], 1) == 833.3
    assert tier(sheets, 50)["price"] == pytest.approx(2000)


# Version 1's model (before dilution, shutdown and impact), run on the seed with these changes:
# its figures, recorded when version 2 replaced it.
V1_CASE = {"token_drift_annual": -0.5, "vesting_months": 6, "instant_claim_penalty": 0.75, "hedge_funding_annual": 0.1,
               "shock": {"month": 20, "drop": 0.4}, "emission_decay_monthly": 0.02, "active_share": 0.8, "sold_share": 0.9}
V1_FIGURES = {
    1: {"payback_days_earned": 106.93870254409833, "payback_days_sell": 343.93055392511826, "roi_sell": 1.4616259945992325,
        "roi_instant": -0.06408554736162853, "roi_hold": -0.6434900060661959, "roi_hedge": 2.522766640930391,
        "irr_sell": 1.1590983778031236, "breakeven_token_price": 0.024374133248364706},
    50: {"payback_days_earned": "never", "payback_days_sell": "never", "roi_sell": -0.3845935013501919,
         "roi_instant": -0.7660213868404071, "roi_hold": -0.910872501516549, "roi_hedge": -0.11930833976740235,
         "irr_sell": -0.28843491466067284, "breakeven_token_price": 0.09749653299345883},
}


@pytest.mark.parametrize("shutdown", [True, False])
def test_version_1_figures_unchanged_with_the_new_mechanisms_off(shutdown):
    # elasticity 0, impact 0 and no operating cost (then shutdown never switches a node off)
    sheets = run_node(seed_node(**V1_CASE, rational_shutdown=shutdown), 48, DAYS)
    for k, figures in V1_FIGURES.items():
        got = tier(sheets, k)
        for field, value in figures.items():
            assert got[field] == (value if isinstance(value, str) else pytest.approx(value, rel=1e-12)), (k, field)


def test_legacy_token_shock_keys_still_load():
    data = load_template("seed-node-sale").deal().node_sale.model_dump()
    del data["shock"]
    data.update(token_shock_month=12, token_shock_drop=0.3)
    ns = NodeSale.model_validate(data)
    assert (ns.shock.month, ns.shock.drop) == (12, 0.3)


def test_strategies_agree_with_no_vesting_no_penalty_constant_price():
    ns = seed_node(vesting_months=0, instant_claim_penalty=0, hedge_funding_annual=0.2, node_opex_month=3)
    sheets = run_node(ns, ns.horizon_months, DAYS)
    values = {b: cum_at_horizon(sheets, b, ns.horizon_months) for b in ("sell", "instant", "hold", "hedge", "earned")}
    assert len({round(v, 6) for v in values.values()}) == 1, values


def test_vesting_penalty_and_funding_cost_something():
    ns = seed_node(vesting_months=6, instant_claim_penalty=0.75, hedge_funding_annual=0.1, token_drift_annual=-0.3)
    sheets = run_node(ns, ns.horizon_months, DAYS)
    t = tier(sheets, 1)
    assert t["roi_instant"] < t["roi_sell"]
    assert t["payback_days_sell"] > t["payback_days_earned"]


def test_payback_beyond_horizon_is_never():
    ns = seed_node(horizon_months=6)
    sheets = run_node(ns, 6, DAYS)
    assert tier(sheets, 50)["payback_days_earned"] == "never"
    assert tier(sheets, 50)["payback_month_sell"] == "never"


def test_fast_emission_now_moves_the_price():
    # Version 1 priced half the node pool emitted in month 1 at an unchanged $0.06: an 8.7-day payback.
    blind = run_node(seed_node(emission_decay_monthly=0.5), 48, DAYS)
    feels = run_node(seed_node(emission_decay_monthly=0.5, circulating0=8_000_000_000, dilution_elasticity=1), 48, DAYS)
    assert tier(blind, 1)["payback_days_earned"] < 10
    p = feels["Node ROI"].periods
    assert p["token_price"][2] == pytest.approx(p["token_price"][1] * 8e9 / (8e9 + p["tokens_emitted"][1]))
    assert p["token_price"][2] < 0.75 * p["token_price"][1]  # 2.9B new tokens on 8B in circulation
    # Month 1 is priced on the supply before it; tier 50 needs month 2, which now feels month 1's tokens.
    assert tier(feels, 50)["payback_days_earned"] > tier(blind, 50)["payback_days_earned"]
    assert tier(feels, 1)["roi_sell"] < tier(blind, 1)["roi_sell"] - 1


def test_unlocks_enter_the_supply_at_the_end_of_their_month():
    ns = seed_node(circulating0=10_000_000_000, unlocks=[{"month": 12, "tokens": 5_000_000_000}], dilution_elasticity=1)
    p = run_node(ns, 48, DAYS)["Node ROI"].periods
    emitted = p["tokens_emitted"][1]
    assert p["circulating_supply"][12] - p["circulating_supply"][11] == pytest.approx(emitted + 5e9)
    assert p["token_price"][13] / p["token_price"][12] == pytest.approx(p["circulating_supply"][11] / p["circulating_supply"][12])


def test_rational_shutdown_stops_losses_beyond_the_price():
    # Version 1: tier 1 with a $100 monthly cost lost 270% of its price.
    on = run_node(seed_node(node_opex_month=50, token_drift_annual=-0.8), 48, DAYS)
    off = run_node(seed_node(node_opex_month=50, token_drift_annual=-0.8, rational_shutdown=False), 48, DAYS)
    assert tier(off, 1)["roi_sell"] < -1
    assert tier(on, 1)["roi_sell"] >= -1 - 1e-12
    running = on["Node ROI"].periods["node_running"]
    assert running[1] == 1 and running[48] == 0


def test_exit_impact_follows_the_square_root_law():
    ns = seed_node(market={"daily_volume_usd": 1_000_000, "impact_coeff": 0.8})
    p = run_node(ns, 48, DAYS)["Node ROI"].periods
    sold_usd = p["tokens_vesting"][1] * 100_000 * p["token_price"][1]
    assert p["exit_impact"][1] == pytest.approx(min(1, 0.8 * math.sqrt(sold_usd / (1_000_000 * DAYS))))
    assert p["realised_price"][1] == pytest.approx(p["token_price"][1] * (1 - p["exit_impact"][1]))
    assert cum_at_horizon(run_node(ns, 48, DAYS), "sell", 48) < cum_at_horizon(run_node(seed_node(), 48, DAYS), "sell", 48)


def test_implied_fdv_on_active_nodes():
    deal = load_template("aethir-checker-nodes").deal()
    sheets = run_node(deal.node_sale, 54, DAYS)
    active = 100_000 * 0.91759 * 0.8
    assert tier(sheets, 1)["implied_fdv"] == pytest.approx(550 * active / 0.15)
    assert sheets["Node tiers"].scalars["fdv_cap_to_active"] == pytest.approx(1.362, abs=1e-3)
    per_minted_node_day = 42e9 * 0.15 / 1460 / 91_759  # 1,460 days: 48 months in the template
    assert per_minted_node_day == pytest.approx(47.03, abs=0.02)


# --- BYOD -----------------------------------------------------------------------------------

def test_byod_power_idle_and_busy():
    b = ionet()
    p = run_byod(b, 36, DAYS)["BYOD ROI"].periods
    assert p["power_if_running"][1] == pytest.approx((60 + (450 - 60) * 0.2) * 730 / 1000 * 0.12)


def test_byod_emission_declines_as_ionet_publishes():
    p = run_byod(ionet(), 36, DAYS)["BYOD ROI"].periods
    hourly = [500e6 * 0.08 / 8760 * (1 - 1.3886952395979e-5) ** (t - 1) for t in range(1, 730 * 13 + 1)]
    assert p["network_emission"][1] == pytest.approx(sum(hourly[:730]), rel=1e-6)
    assert p["network_emission"][13] == pytest.approx(sum(hourly[730 * 12:730 * 13]), rel=1e-4)


def test_byod_resale_and_stake_count_at_the_horizon():
    b = ionet()
    sheet = run_byod(b, 36, DAYS)["BYOD ROI"]
    p, s = sheet.periods, sheet.scalars
    assert p["gpu_resale"][36] == pytest.approx(2000 * 0.8 ** 3)
    assert p["stake_returned"][36] == pytest.approx(200 * p["byod_token_price"][36])
    assert s["byod_invested"] == pytest.approx(2000 + 200 * 5.0)
    assert s["byod_roi"] == pytest.approx(p["byod_cum_cash"][36] / s["byod_invested"])


def test_byod_owner_unplugs_when_a_month_loses_money():
    no_demand = ionet(hire_share=0.01)
    on = run_byod(no_demand, 36, DAYS)["BYOD ROI"]
    always = run_byod(no_demand.model_copy(update={"rational_shutdown": False}), 36, DAYS)["BYOD ROI"]
    assert 0 in on.periods["byod_running"][1:]
    assert on.scalars["byod_roi"] > always.scalars["byod_roi"]
    assert on.scalars["usage_share_of_income"] < run_byod(ionet(), 36, DAYS)["BYOD ROI"].scalars["usage_share_of_income"]


def test_akash_apr_is_inflation_over_bonded_ratio():
    deal = load_template("akash-staking", scenario="protocol").deal()
    s = run_byod(deal.byod, 12, DAYS)["BYOD ROI"].scalars
    assert s["staking_apr_month1"] == pytest.approx(0.4773 / 0.8434)
    assert round(s["staking_apr_month1"], 4) == 0.5659
    base = run_byod(load_template("akash-staking").deal().byod, 12, DAYS)["BYOD ROI"].scalars
    assert base["staking_apr_month1"] > 0 > base["staking_real_yield_month1"]


def test_no_staking_block_without_circulating_supply():
    b = load_template("gpu-abs").deal().byod
    assert b.circulating0 is None
    assert "staking_real_yield_month1" not in run_byod(b, b.horizon_months, DAYS)["BYOD ROI"].scalars


# --- property tests -------------------------------------------------------------------------

node_changes = st.fixed_dictionaries({
    "token_drift_annual": st.floats(-0.9, 2.0),
    "dilution_elasticity": st.floats(0, 2),
    "circulating0": st.floats(1e9, 60e9),
    "emission_decay_monthly": st.floats(0, 0.3),
    "node_opex_month": st.floats(0, 200),
    "hedge_funding_annual": st.floats(-0.2, 0.5),
    "shock": st.fixed_dictionaries({"month": st.integers(0, 48), "drop": st.floats(0, 0.95)}),
    "unlocks": st.lists(st.fixed_dictionaries({"month": st.integers(1, 48), "tokens": st.floats(0, 5e9)}), max_size=3),
})


@settings(max_examples=40, deadline=None)
@given(node_changes)
def test_strategies_agree_without_vesting_penalty_impact_or_shutdown(changes):
    ns = seed_node(**changes, vesting_months=0, instant_claim_penalty=0, rational_shutdown=False)
    p = run_node(ns, 48, DAYS)["Node ROI"].periods
    for m in range(49):
        scale = 1 + abs(p["cum_sell"][m])
        assert p["cum_instant"][m] == pytest.approx(p["cum_sell"][m], abs=1e-9 * scale)
        assert p["cum_hedge"][m] == pytest.approx(p["cum_sell"][m], abs=1e-9 * scale)


@settings(max_examples=40, deadline=None)
@given(node_changes)
def test_elasticity_one_keeps_market_cap_apart_from_drift_and_shock(changes):
    changes = {**changes, "dilution_elasticity": 1}
    ns = seed_node(**changes)
    p = run_node(ns, 48, DAYS)["Node ROI"].periods
    for m in range(1, 49):
        shocked = ns.shock.month > 0 and m >= ns.shock.month
        expected = ns.token_price0 * ns.circulating0 * (1 + ns.token_drift_annual) ** ((m - 1) / 12) * (1 - ns.shock.drop * shocked)
        assert p["token_market_cap"][m] == pytest.approx(expected, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(node_changes)
def test_shutdown_never_leaves_earned_value_below_running_every_month(changes):
    on = run_node(seed_node(**changes, rational_shutdown=True), 48, DAYS)["Node ROI"].periods["cum_earned"]
    off = run_node(seed_node(**changes, rational_shutdown=False), 48, DAYS)["Node ROI"].periods["cum_earned"]
    assert all(a >= b - 1e-9 * (1 + abs(b)) for a, b in zip(on, off))


@settings(max_examples=60, deadline=None)
@given(st.floats(1e6, 1e9), st.one_of(st.just(0.0), st.floats(1e3, 1e8)), st.floats(0.01, 1), st.floats(0, 1),
       st.floats(0, 0.5))
def test_real_yield_negative_whenever_inflation_exceeds_apr(circulating, emission, bonded, share, decay):
    b = ionet(circulating0=circulating, network_emission_month=emission, emission_decay_annual=decay,
              staking={"bonded_ratio": bonded, "staking_reward_share": share})
    p = run_byod(b, 36, DAYS)["BYOD ROI"].periods
    for m in range(1, 37):
        inflation, apr, real = p["inflation_annual"][m], p["staking_apr"][m], p["staking_real_yield"][m]
        if inflation > apr * (1 + 1e-6):
            assert real < 0
        elif apr > inflation * (1 + 1e-6):
            assert real > 0
