"""Reference model of node-sale licences (docs/model.md): plain loops over months m = 1..H,
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
from collections.abc import Callable

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


def cumulative(values: list[float], start: float = 0.0) -> list[float]:
    """[start, start + v1, start + v1 + v2, ...] over values[1:] (values[0] is t = 0)."""
    out: list[float] = [start]
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


def irr_guess_values(basis: str, cash: list[float]) -> dict[str, float]:
    """What the workbook's IRR starting guess is built from: cash in and out over months 1..H and
    their month-weighted sums (the reference finds the IRR without a guess)."""
    cash_in = sum(c for c in cash[1:] if c > 0)
    month_in = sum(m * c for m, c in enumerate(cash) if m > 0 and c > 0)
    return {f"irr_in_{basis}": cash_in, f"irr_in_month_{basis}": month_in / cash_in if cash_in > 0 else 0,
            f"irr_out_{basis}": -sum(c for c in cash[1:] if c < 0),
            f"irr_out_moment_{basis}": -sum(m * c for m, c in enumerate(cash) if m > 0 and c < 0)}


def irr_shown(flows: list[float], floor: float):
    """The effective annual IRR, or "n/a" where it does not exist, no month brings cash in, or it is
    below ``floor`` (so far below zero the root is ambiguous: the ROI tells the loss)."""
    if max(flows[1:]) <= 0:
        return NA
    irr = irr_annual(flows)
    return NA if isinstance(irr, str) or irr < floor else irr


def shown(values: list[float]) -> list:
    """A period row as the sheet shows it: no value at t = 0."""
    return [None] + values[1:]


def run_node(ns: NodeSale, columns: int, days: float, irr_floor: float = -0.99) -> dict[str, SheetValues]:
    """The Node ROI (monthly, per node) and Node tiers sheets over months 0..columns.

    Monthly lists hold months 0..H with a 0 at t = 0 (no value is shown there)."""
    H, M, v = columns, ns.horizon_months, ns.vesting_months
    later = range(1, H + 1)

    def monthly(value: Callable[[int], float]) -> list[float]:
        return [0.0] + [float(value(m)) for m in later]

    roi, tiers = SheetValues(), SheetValues()
    s, p = roi.scalars, roi.periods
    N = ns.licences * ns.sold_share * ns.active_share
    pool = ns.token_supply * ns.node_pool_share
    s["active_nodes"], s["licences_sold"], s["node_pool_tokens"] = N, ns.licences * ns.sold_share, pool
    p["node_month"] = list(range(H + 1))
    inh = monthly(lambda m: 1 if m <= M else 0)
    weights = monthly(lambda m: (1 - ns.emission_decay_monthly) ** (m - 1) if m <= ns.emission_months else 0)
    total_weight = 0.0
    for m in range(1, ns.emission_months + 1):
        total_weight += (1 - ns.emission_decay_monthly) ** (m - 1)
    s["emission_weight_total"] = total_weight
    emitted = monthly(lambda m: pool * weights[m] / total_weight)
    per_node = monthly(lambda m: emitted[m] / N)
    p["in_horizon"], p["emission_weight"], p["tokens_emitted"] = shown(inh), shown(weights), shown(emitted)
    p["tokens_per_node"], p["tokens_per_node_day"] = shown(per_node), shown(monthly(lambda m: emitted[m] / days / N))

    # Circulating supply: node emission and unlocks enter at the end of their month.
    for i, unlock in enumerate(ns.unlock_list, start=1):
        p[f"unlock_{i}"] = [None] + [unlock.tokens if m == unlock.month else 0 for m in later]
    unlocked = monthly(lambda m: sum(u.tokens for u in ns.unlock_list if u.month == m))
    if ns.unlock_list:
        p["unlocked_tokens"] = shown(unlocked)
    circulating0 = ns.circulating0 if ns.circulating0 is not None else ns.token_supply
    supply = cumulative(monthly(lambda m: emitted[m] + unlocked[m]), circulating0)
    p["circulating_supply"] = supply

    # The price: drift, dilution (supply at the start of the month), shock.
    dilution = monthly(lambda m: (circulating0 / supply[m - 1]) ** ns.dilution_elasticity)
    shocked = monthly(lambda m: 1 if (ns.shock.month > 0 and m >= ns.shock.month) else 0)
    price = monthly(lambda m: ns.token_price0 * (1 + ns.token_drift_annual) ** ((m - 1) / 12) * dilution[m]
                    * (1 - ns.shock.drop * shocked[m]))
    p["node_dilution_factor"], p["token_price"] = shown(dilution), shown(price)
    p["token_market_cap"] = shown(monthly(lambda m: price[m] * supply[m - 1]))

    # Running the node: rational shutdown.
    opex = monthly(lambda m: inh[m] * (ns.node_opex_month if m <= ns.emission_months else 0))
    potential = monthly(lambda m: per_node[m] * price[m])
    running = monthly(lambda m: 0 if (ns.rational_shutdown and potential[m] < opex[m]) else 1)
    earned_tokens = monthly(lambda m: running[m] * per_node[m])
    earned_value = monthly(lambda m: earned_tokens[m] * price[m])
    opex_paid = monthly(lambda m: running[m] * opex[m])
    p["node_opex"], p["reward_value_if_running"], p["node_running"] = shown(opex), shown(potential), shown(running)
    p["tokens_earned"], p["earned_value"], p["node_opex_paid"] = shown(earned_tokens), shown(earned_value), shown(opex_paid)
    p["usd_per_node_day"] = shown(monthly(lambda m: (earned_value[m] - opex_paid[m]) / days))

    # Selling at vesting: every node sells what vests; the exit moves the price.
    vesting = monthly(lambda m: inh[m] * (earned_tokens[m - v] if m > v else 0))
    sold_usd = monthly(lambda m: vesting[m] * N * price[m])
    impact = monthly(lambda m: exit_impact(sold_usd[m], ns, days))
    realised = monthly(lambda m: price[m] * (1 - impact[m]))
    p["tokens_vesting"], p["exit_sell_usd"] = shown(vesting), shown(sold_usd)
    p["exit_impact"], p["realised_price"] = shown(impact), shown(realised)

    vested = 0.0
    for m in later:
        if m <= M - v:
            vested += earned_tokens[m]
    s["vested_tokens_by_horizon"] = vested
    funding = 1 - ns.hedge_funding_annual * v / 12
    cash = {
        "earned": monthly(lambda m: inh[m] * earned_value[m] - opex_paid[m]),
        "sell": monthly(lambda m: vesting[m] * realised[m] - opex_paid[m]),
        "instant": monthly(lambda m: inh[m] * earned_tokens[m] * (1 - ns.instant_claim_penalty) * price[m] - opex_paid[m]),
        "hold": monthly(lambda m: (vested * price[m] if m == M else 0) - opex_paid[m]),
        "hedge": monthly(lambda m: inh[m] * (earned_value[m - v] * funding if m > v else 0) - opex_paid[m]),
    }
    cums = {}
    for basis in PAYBACK_BASES:
        p[f"{basis}_cash"] = cash[basis]
        cums[basis] = p[f"cum_{basis}"] = cumulative(cash[basis])
        if basis in STRATEGIES:
            s.update(irr_guess_values(basis, cash[basis]))
    unit = monthly(lambda m: vesting[m] * realised[m] / ns.token_price0)
    p["sell_unit_value"] = shown(unit)
    s["sell_unit_value"] = unit_total = sum(unit[1:])
    s["node_opex_total"] = opex_total = sum(opex_paid[1:])
    emission_value = monthly(lambda m: emitted[m] * price[m])
    p["emission_value"] = shown(emission_value)
    p["cum_emission_value"] = cum_value = cumulative(emission_value)
    s["emission_value_horizon"] = value_horizon = cum_value[M]
    s["market_fdv_launch"] = market_fdv = ns.token_supply * ns.token_price0

    cum_size, proceeds_total = 0.0, 0.0
    for k, (size, tier_price) in enumerate(zip(tier_sizes(ns), tier_prices(ns)), start=1):
        cum_size = cum_size + size
        sold = max(0, min(size, ns.licences * ns.sold_share - (cum_size - size)))
        proceeds = sold * tier_price
        proceeds_total += proceeds
        fdv = tier_price * N / ns.node_pool_share
        row: list = [k, size, cum_size, sold, tier_price, proceeds, fdv, fdv / market_fdv]
        row += [payback_month(tier_price, cums[b]) for b in PAYBACK_BASES]
        row += [payback_days(tier_price, cash[b], cums[b], days) for b in PAYBACK_BASES]
        row += [(cums[b][M] - tier_price) / tier_price for b in STRATEGIES]
        row += [irr_shown([-tier_price] + cash[b][1:], irr_floor) for b in STRATEGIES]
        row += [(tier_price + opex_total) / unit_total if unit_total > 0 else NA]
        assert len(row) == len(TIER_FIELDS)
        tiers.scalars[f"tier_{k}"] = row
    ts = tiers.scalars
    ts["tier_count"] = ns.tier_count
    ts["node_sale_proceeds"] = proceeds_total
    ts["house_emission_value"] = value_horizon
    ts["house_proceeds_to_emission"] = proceeds_total / value_horizon if value_horizon > 0 else NA
    ts["fdv_cap_to_active"] = ns.licences / N
    return {"Node ROI": roi, "Node tiers": tiers}
