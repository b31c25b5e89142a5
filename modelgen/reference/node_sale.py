"""Reference model of node-sale licences (MODEL.md section 7): plain loops over months m = 1..H,
keyed like the rows of the Node ROI and Node tiers sheets.

Every tier earns the same rewards per node; only the price paid differs. So the monthly rows are
per node, and each tier's payback, ROI, IRR and break-even price are found from them (the
workbook does the same with lookups, not a tiers-by-months grid).

The price feels the dilution: p_m = p0 * (1 + drift)^((m - 1) / 12) * (S_0 / S_(m-1))^elasticity
* (1 - shock drop from the shock month), S_m the circulating supply at the end of month m (node
emission and unlocks added, whether or not the nodes run). A node runs in month m only if its
month's rewards at p_m are worth at least its operating cost (rational shutdown). Tokens sold
at vesting move the price by the square-root law on the market's monthly volume.
"""
from __future__ import annotations

import math

from ..config import NodeSale
from ..depin import PAYBACK_BASES, STRATEGIES, TIER_FIELDS
from .abs_model import SheetValues
from .metrics import NA, NEVER, irr_annual

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


def cumulative(values: list, start: float = 0.0) -> list[float]:
    """[start, start + v1, start + v1 + v2, ...] over values[1:] (values[0] is t = 0)."""
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


def exit_impact(sell_usd: float, ns: NodeSale, days: float) -> float:
    """Share of the price lost when ``sell_usd`` of tokens is sold in a month: min(1, k * sqrt(sold /
    monthly volume)), the square-root law (0 when the coefficient is 0 or nothing is sold)."""
    k = ns.market.impact_coeff
    if k == 0 or sell_usd == 0:
        return 0.0
    return min(1.0, k * math.sqrt(sell_usd / (ns.market.daily_volume_usd * days)))


def irr_shown(flows: list[float], floor: float):
    """The effective annual IRR, or "n/a" where it does not exist, no month brings cash in, or it is
    below ``floor`` (so far below zero the root is ambiguous: the ROI tells the loss)."""
    if max(flows[1:]) <= 0:
        return NA
    irr = irr_annual(flows)
    return NA if irr == NA or irr < floor else irr


def run_node(ns: NodeSale, columns: int, days: float, irr_floor: float = -0.99) -> dict[str, SheetValues]:
    """The Node ROI (monthly, per node) and Node tiers sheets over months 0..columns."""
    H, M, v = columns, ns.horizon_months, ns.vesting_months
    months = list(range(H + 1))
    later = months[1:]
    roi, tiers = SheetValues(), SheetValues()
    s, p = roi.scalars, roi.periods
    s["active_nodes"] = N = ns.licences * ns.sold_share * ns.active_share
    s["licences_sold"] = ns.licences * ns.sold_share
    s["node_pool_tokens"] = ns.token_supply * ns.node_pool_share
    p["node_month"] = months
    inh = p["in_horizon"] = [None] + [1 if m <= M else 0 for m in later]
    weights = p["emission_weight"] = [None] + [(1 - ns.emission_decay_monthly) ** (m - 1) if m <= ns.emission_months else 0
                                               for m in later]
    total_weight = 0.0
    for m in range(1, ns.emission_months + 1):
        total_weight += (1 - ns.emission_decay_monthly) ** (m - 1)
    s["emission_weight_total"] = total_weight
    emitted = p["tokens_emitted"] = [None] + [s["node_pool_tokens"] * weights[m] / total_weight for m in later]
    per_node = p["tokens_per_node"] = [None] + [emitted[m] / N for m in later]
    p["tokens_per_node_day"] = [None] + [emitted[m] / days / N for m in later]

    # Circulating supply: node emission and unlocks enter at the end of their month.
    for i, unlock in enumerate(ns.unlock_list, start=1):
        p[f"unlock_{i}"] = [None] + [unlock.tokens if m == unlock.month else 0 for m in later]
    unlocked = [None] + [sum(u.tokens for u in ns.unlock_list if u.month == m) for m in later]
    if ns.unlock_list:
        p["unlocked_tokens"] = unlocked
    supply = p["circulating_supply"] = cumulative([None] + [emitted[m] + unlocked[m] for m in later], ns.circulating0)

    # The price: drift, dilution (supply at the start of the month), shock.
    p["node_dilution_factor"] = [None] + [(ns.circulating0 / supply[m - 1]) ** ns.dilution_elasticity for m in later]
    shocked = [None] + [1 if (ns.shock.month > 0 and m >= ns.shock.month) else 0 for m in later]
    price = p["token_price"] = [None] + [ns.token_price0 * (1 + ns.token_drift_annual) ** ((m - 1) / 12)
                                         * p["node_dilution_factor"][m] * (1 - ns.shock.drop * shocked[m]) for m in later]
    p["token_market_cap"] = [None] + [price[m] * supply[m - 1] for m in later]

    # Running the node: rational shutdown.
    opex = p["node_opex"] = [None] + [inh[m] * (ns.node_opex_month if m <= ns.emission_months else 0) for m in later]
    potential = p["reward_value_if_running"] = [None] + [per_node[m] * price[m] for m in later]
    running = p["node_running"] = [None] + [0 if (ns.rational_shutdown and potential[m] < opex[m]) else 1 for m in later]
    earned_tokens = p["tokens_earned"] = [None] + [running[m] * per_node[m] for m in later]
    earned_value = p["earned_value"] = [None] + [earned_tokens[m] * price[m] for m in later]
    node_opex_paid = p["node_opex_paid"] = [None] + [running[m] * opex[m] for m in later]
    p["usd_per_node_day"] = [None] + [(earned_value[m] - node_opex_paid[m]) / days for m in later]

    # Selling at vesting: every node sells what vests; the exit moves the price.
    vesting = p["tokens_vesting"] = [None] + [inh[m] * (earned_tokens[m - v] if m > v else 0) for m in later]
    sold_usd = p["exit_sell_usd"] = [None] + [vesting[m] * N * price[m] for m in later]
    impact = p["exit_impact"] = [None] + [exit_impact(sold_usd[m], ns, days) for m in later]
    realised = p["realised_price"] = [None] + [price[m] * (1 - impact[m]) for m in later]

    vested = 0.0
    for m in later:
        if m <= M - v:
            vested += earned_tokens[m]
    s["vested_tokens_by_horizon"] = vested
    funding = 1 - ns.hedge_funding_annual * v / 12
    cash = {
        "earned": [0] + [inh[m] * earned_value[m] - node_opex_paid[m] for m in later],
        "sell": [0] + [vesting[m] * realised[m] - node_opex_paid[m] for m in later],
        "instant": [0] + [inh[m] * earned_tokens[m] * (1 - ns.instant_claim_penalty) * price[m] - node_opex_paid[m] for m in later],
        "hold": [0] + [(vested * price[m] if m == M else 0) - node_opex_paid[m] for m in later],
        "hedge": [0] + [inh[m] * (earned_value[m - v] * funding if m > v else 0) - node_opex_paid[m] for m in later],
    }
    cums = {}
    for basis in PAYBACK_BASES:
        p[f"{basis}_cash"] = cash[basis]
        cums[basis] = p[f"cum_{basis}"] = cumulative(cash[basis])
    unit = p["sell_unit_value"] = [None] + [vesting[m] * realised[m] / ns.token_price0 for m in later]
    s["sell_unit_value"] = sum(unit[1:])
    s["node_opex_total"] = sum(node_opex_paid[1:])
    p["emission_value"] = [None] + [emitted[m] * price[m] for m in later]
    p["cum_emission_value"] = cumulative(p["emission_value"])
    s["emission_value_horizon"] = p["cum_emission_value"][M]
    s["market_fdv_launch"] = ns.token_supply * ns.token_price0

    unit_total = s["sell_unit_value"]
    cum_size, proceeds_total = 0.0, 0.0
    for k, (size, tier_price) in enumerate(zip(tier_sizes(ns), tier_prices(ns)), start=1):
        cum_size = cum_size + size
        sold = max(0, min(size, s["licences_sold"] - (cum_size - size)))
        proceeds = sold * tier_price
        proceeds_total += proceeds
        fdv = tier_price * N / ns.node_pool_share
        row = [k, size, cum_size, sold, tier_price, proceeds, fdv, fdv / s["market_fdv_launch"]]
        row += [payback_month(tier_price, cums[b]) for b in PAYBACK_BASES]
        row += [payback_days(tier_price, cash[b], cums[b], days) for b in PAYBACK_BASES]
        row += [(cums[b][M] - tier_price) / tier_price for b in STRATEGIES]
        row += [irr_shown([-tier_price] + cash[b][1:], irr_floor) for b in STRATEGIES]
        row += [(tier_price + s["node_opex_total"]) / unit_total if unit_total > 0 else NA]
        assert len(row) == len(TIER_FIELDS)
        tiers.scalars[f"tier_{k}"] = row
    ts = tiers.scalars
    ts["tier_count"] = ns.tier_count
    ts["node_sale_proceeds"] = proceeds_total
    ts["house_emission_value"] = s["emission_value_horizon"]
    ts["house_proceeds_to_emission"] = proceeds_total / s["emission_value_horizon"] if s["emission_value_horizon"] > 0 else NA
    ts["fdv_cap_to_active"] = ns.licences / N
    return {"Node ROI": roi, "Node tiers": tiers}
