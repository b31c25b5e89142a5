"""Reference model of the DePIN side: node-sale ROI (docs/model.md section 8) and bring-your-own-GPU
ROI (section 9). Plain loops over months m = 1..H, keyed like the workbook rows.

Node licences: every tier earns the same rewards per node; only the price paid differs. So the
monthly rows are per node, and each tier's payback, ROI, IRR and break-even price are found from
them (the workbook does the same with lookups, not a tiers-by-months grid).
"""
from __future__ import annotations

from ..config import Byod, NodeSale
from .abs_model import SheetValues
from .metrics import NA, NEVER, irr_annual

STRATEGIES = ("sell", "instant", "hold", "hedge")
PAYBACK_BASES = ("earned",) + STRATEGIES
# The columns of a tier row (Node tiers sheet, D onwards), in order.
TIER_FIELDS = (["tier", "size", "cum_size", "sold", "price", "proceeds", "implied_fdv", "fdv_to_market"]
               + [f"payback_month_{b}" for b in PAYBACK_BASES] + [f"payback_days_{b}" for b in PAYBACK_BASES]
               + [f"roi_{b}" for b in STRATEGIES] + [f"irr_{b}" for b in STRATEGIES] + ["breakeven_token_price"])


def tier_prices(ns: NodeSale) -> list[float]:
    """The price list, or geometric prices p_k = p_1 * (p_N / p_1)^((k - 1) / (N - 1))."""
    n = ns.tier_count
    if ns.tier_prices is not None:
        return list(ns.tier_prices)
    if n == 1:
        return [ns.tier1_price]
    return [ns.tier1_price * (ns.last_tier_price / ns.tier1_price) ** ((k - 1) / (n - 1)) for k in range(1, n + 1)]


def tier_sizes(ns: NodeSale) -> list[float]:
    return list(ns.tiers) if isinstance(ns.tiers, list) else [ns.licences / ns.tiers] * ns.tiers


def _cumulative(values: list[float], start: float = 0.0) -> list[float]:
    out = [start]
    for v in values[1:]:
        out.append(out[-1] + v)
    return out


def payback_month(price: float, cum: list):
    """The first month m with cumulative net cash >= price, or "never"."""
    return next((m for m in range(1, len(cum)) if cum[m] >= price), NEVER)


def payback_days(price: float, cash: list, cum: list, days: float):
    """Days to recover ``price``: (m - 1) * days + remaining / (month m's net per day), m the payback
    month; "never" when no month within the horizon gets there."""
    m = payback_month(price, cum)
    if m == NEVER:
        return NEVER
    return (m - 1) * days + (price - cum[m - 1]) / (cash[m] / days)


def run_node(ns: NodeSale, columns: int, days: float) -> dict[str, SheetValues]:
    """The Node ROI (monthly, per node) and Node tiers sheets over months 0..columns."""
    H, M, v = columns, ns.horizon_months, ns.vesting_months
    months = list(range(H + 1))
    roi, tiers = SheetValues(), SheetValues()
    s, p = roi.scalars, roi.periods
    s["active_nodes"] = ns.licences * ns.sold_share * ns.active_share
    s["node_pool_tokens"] = ns.token_supply * ns.node_pool_share
    s["licences_sold"] = ns.licences * ns.sold_share
    p["node_month"] = months
    p["in_horizon"] = [None] + [1 if m <= M else 0 for m in months[1:]]
    weights = [None] + [(1 - ns.emission_decay_monthly) ** (m - 1) if m <= ns.emission_months else 0 for m in months[1:]]
    p["emission_weight"] = weights
    total_weight = 0.0
    for m in range(1, ns.emission_months + 1):
        total_weight += (1 - ns.emission_decay_monthly) ** (m - 1)
    s["emission_weight_total"] = total_weight
    emitted = [None] + [s["node_pool_tokens"] * weights[m] / total_weight for m in months[1:]]
    p["tokens_emitted"] = emitted
    p["tokens_per_node_day"] = [None] + [emitted[m] / days / s["active_nodes"] for m in months[1:]]
    shock = [0] + [1 if (ns.token_shock_month > 0 and m >= ns.token_shock_month) else 0 for m in months[1:]]
    price = [None] + [ns.token_price0 * (1 + ns.token_drift_annual) ** ((m - 1) / 12) * (1 - ns.token_shock_drop * shock[m])
                      for m in months[1:]]
    p["token_price"] = price
    inh = p["in_horizon"]
    opex = [None] + [inh[m] * (ns.node_opex_month if m <= ns.emission_months else 0) for m in months[1:]]
    p["node_opex"] = opex
    p["usd_per_node_day"] = [None] + [p["tokens_per_node_day"][m] * price[m] - opex[m] / days for m in months[1:]]
    per_node = [None] + [emitted[m] / s["active_nodes"] for m in months[1:]]
    p["tokens_per_node"] = per_node
    earned_value = [None] + [per_node[m] * price[m] for m in months[1:]]
    p["earned_value"] = earned_value
    vested = 0.0
    for m in months[1:]:
        if m <= M - v:
            vested += per_node[m]
    s["vested_tokens_by_horizon"] = vested
    funding = 1 - ns.hedge_funding_annual * v / 12
    cash = {
        "earned": [0] + [inh[m] * earned_value[m] - opex[m] for m in months[1:]],
        "sell": [0] + [inh[m] * (per_node[m - v] * price[m] if m > v else 0) - opex[m] for m in months[1:]],
        "instant": [0] + [inh[m] * per_node[m] * (1 - ns.instant_claim_penalty) * price[m] - opex[m] for m in months[1:]],
        "hold": [0] + [(vested * price[m] if m == M else 0) - opex[m] for m in months[1:]],
        "hedge": [0] + [inh[m] * (earned_value[m - v] * funding if m > v else 0) - opex[m] for m in months[1:]],
    }
    cums = {}
    for basis in PAYBACK_BASES:
        p[f"{basis}_cash"] = cash[basis]
        cums[basis] = p[f"cum_{basis}"] = _cumulative(cash[basis])
    unit = [None] + [inh[m] * (per_node[m - v] if m > v else 0) * price[m] / ns.token_price0 for m in months[1:]]
    p["sell_unit_value"] = unit
    s["sell_unit_value"] = sum(unit[1:])
    p["emission_value"] = [None] + [emitted[m] * price[m] for m in months[1:]]
    p["cum_emission_value"] = _cumulative([0] + p["emission_value"][1:])
    s["node_opex_total"] = sum(opex[1:])
    s["market_fdv_launch"] = ns.token_supply * ns.token_price0
    s["emission_value_horizon"] = p["cum_emission_value"][M]

    unit_total = s["sell_unit_value"]
    cum_size, proceeds_total = 0.0, 0.0
    rows = []
    for k, (size, tier_price) in enumerate(zip(tier_sizes(ns), tier_prices(ns)), start=1):
        cum_size = cum_size + size
        sold = max(0, min(size, s["licences_sold"] - (cum_size - size)))
        proceeds = sold * tier_price
        proceeds_total += proceeds
        fdv = tier_price * ns.licences / ns.node_pool_share
        row = [k, size, cum_size, sold, tier_price, proceeds, fdv, fdv / s["market_fdv_launch"]]
        row += [payback_month(tier_price, cums[b]) for b in PAYBACK_BASES]
        row += [payback_days(tier_price, cash[b], cums[b], days) for b in PAYBACK_BASES]
        row += [(cums[b][M] - tier_price) / tier_price for b in STRATEGIES]
        row += [irr_annual([-tier_price] + cash[b][1:]) if max(cash[b][1:]) > 0 else NA for b in STRATEGIES]
        row += [(tier_price + s["node_opex_total"]) / unit_total if unit_total > 0 else NA]
        assert len(row) == len(TIER_FIELDS)
        tiers.scalars[f"tier_{k}"] = row
        rows.append(row)
    ts = tiers.scalars
    ts["tier_count"] = len(rows)
    ts["node_sale_proceeds"] = proceeds_total
    ts["house_emission_value"] = s["emission_value_horizon"]
    ts["house_proceeds_to_emission"] = proceeds_total / s["emission_value_horizon"] if s["emission_value_horizon"] > 0 else NA
    return {"Node ROI": roi, "Node tiers": tiers}


def run_byod(b: Byod, columns: int, days: float) -> dict[str, SheetValues]:
    """The BYOD ROI sheet over months 0..columns."""
    H, M, lock = columns, b.horizon_months, b.lock_months
    months = list(range(H + 1))
    sheet = SheetValues()
    p, s = sheet.periods, sheet.scalars
    hours = days * 24
    s["byod_hours_month"] = hours
    p["byod_month"] = months
    inh = [None] + [1 if m <= M else 0 for m in months[1:]]
    p["byod_in_horizon"] = inh
    p["hire_income"] = [None] + [inh[m] * b.hire_share * hours * b.hire_price * (1 - b.platform_fee) for m in months[1:]]
    devices = [None] + [b.devices0 * (1 + b.device_growth_monthly) ** (m - 1) for m in months[1:]]
    p["devices_online"] = devices
    block = [None] + [inh[m] * b.network_emission_month / devices[m] for m in months[1:]]
    p["block_reward_tokens"] = block
    airdrop = [None] + [inh[m] * (b.airdrop_tokens if m == b.airdrop_month else 0) for m in months[1:]]
    p["airdrop_tokens"] = airdrop
    price = [None] + [b.token_price0 * (1 + b.token_drift_annual) ** ((m - 1) / 12) for m in months[1:]]
    p["byod_token_price"] = price
    p["block_reward_income"] = [None] + [inh[m] * (block[m - lock] * price[m] if m > lock else 0) for m in months[1:]]
    p["airdrop_income"] = [None] + [inh[m] * (airdrop[m - lock] * price[m] if m > lock else 0) for m in months[1:]]
    p["power_cost"] = [None] + [inh[m] * b.power_w / 1000 * hours * b.power_price for m in months[1:]]
    p["bandwidth_cost"] = [None] + [inh[m] * b.bandwidth_month for m in months[1:]]
    net = [None] + [p["hire_income"][m] + p["block_reward_income"][m] + p["airdrop_income"][m] - p["power_cost"][m]
                    - p["bandwidth_cost"][m] for m in months[1:]]
    p["byod_net_cash"] = net
    cum = [-b.gpu_cost]
    for m in months[1:]:
        cum.append(cum[-1] + net[m])
    p["byod_cum_cash"] = cum
    for key in ("hire_income", "block_reward_income", "airdrop_income", "power_cost", "bandwidth_cost", "byod_net_cash"):
        s[key] = sum(p[key][1:])
    income = s["hire_income"] + s["block_reward_income"] + s["airdrop_income"]
    s["byod_payback_month"] = next((m for m in months[1:] if cum[m] >= 0), NEVER)
    s["byod_roi"] = cum[M] / b.gpu_cost
    s["usage_share_of_income"] = s["hire_income"] / income if income > 0 else NA
    return {"BYOD ROI": sheet}
