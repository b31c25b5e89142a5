"""Node ROI and Node tiers sheets (docs/model.md) as row specs.

Every tier earns the same rewards per node, so the monthly rows are per node, and the tier
table finds each tier's payback, ROI, IRR and break-even price from them by lookup: one row per
tier, no tiers-by-months grid. Down the tier table every column is one relative formula: a
running column reads the row above (the first tier reads the blank section heading).
"""
from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from ..config import NodeSale
from ..depin import PAYBACK_BASES, STRATEGIES, TIER_FIELDS
from .layout import FIRST_ROW, VALUE_COL, Row, SheetSpec, blank, section

STRATEGY_LABELS = {
    "earned": "Earned basis (what a node seller quotes)",
    "sell": "Sell at vesting",
    "instant": "Claim at once, with the penalty",
    "hold": "Hold to the horizon",
    "hedge": "Hedged: short when earned",
}
# (header, unit) of each tier-table column, in TIER_FIELDS order.
TIER_COLUMNS = ([("Tier", "#"), ("Licences in tier", "#"), ("Licences up to tier", "#"), ("Sold", "#"),
                 ("Price", "USD"), ("Sale proceeds", "USD"), ("Implied FDV (active nodes)", "USD"),
                 ("Implied / market FDV", "x")]
                + [(f"Payback month: {b}", "month") for b in PAYBACK_BASES]
                + [(f"Payback days: {b}", "days") for b in PAYBACK_BASES]
                + [(f"ROI at horizon: {s}", "%") for s in STRATEGIES]
                + [(f"IRR: {s}", "%") for s in STRATEGIES]
                + [("Break-even launch price", "USD/token")])
TIER_HEADERS = tuple(f"{h} ({u})" for h, u in TIER_COLUMNS)
TIER_UNITS = tuple(u for _, u in TIER_COLUMNS)


def _c(index: int) -> str:
    """The same-row cell of tier-table column ``index`` (D is 0)."""
    return f"{xl_col_to_name(VALUE_COL + index)}{{row}}"


def _above(index: int, row_above: int) -> str:
    """Tier-table column ``index`` in the row above (1-based ``row_above``), relative."""
    return f"{xl_col_to_name(VALUE_COL + index)}{row_above}"


STRATEGY_CASH = {
    "earned": "=[in_horizon]*[earned_value]-[node_opex_paid]",
    "sell": "=[tokens_vesting]*[realised_price]-[node_opex_paid]",
    "instant": "=[in_horizon]*[tokens_earned]*(1-node_sale_instant_claim_penalty)*[token_price]-[node_opex_paid]",
    "hold": "=IF([node_month]=node_sale_horizon_months,[vested_tokens_by_horizon]*[token_price],0)-[node_opex_paid]",
    "hedge": "=[in_horizon]*IF([node_month]>node_sale_vesting_months,INDEX([earned_value@all],1,[node_month]-"
             "node_sale_vesting_months)*(1-node_sale_hedge_funding_annual*node_sale_vesting_months/12),0)-[node_opex_paid]",
}
STRATEGY_NOTES = {
    "earned": "Rewards valued at the price of the month they are earned, before vesting or selling, less the cost paid.",
    "sell": "Tokens earned in month m are sold in month m + vesting at that month's realised price (after the exit's impact).",
    "instant": "Tokens claimed at once lose the instant-claim penalty and are sold the same month.",
    "hold": "Every token vested by the horizon is sold at the horizon's price.",
    "hedge": "The token is shorted when earned: sold at the earning month's price, less perp funding over the vesting months.",
}


def irr_guess_rows(basis: str, cash: str, month: str, label: str) -> list[Row]:
    """Four single values that give IRR a starting point near its root, whatever the shape of the cash
    flows: cash in and out over the horizon and their cash-weighted mean months. With the price P
    paid at t = 0: guess = (in / (P + out))^(1 / (mean month in - out's moment / (P + out))) - 1."""
    return [
        Row(f"irr_in_{basis}", f"{label}cash in over the horizon", "USD", kind="scalar", f=f'=SUMIF({cash},">0")',
            note="Months with net cash in: for the IRR's starting guess."),
        Row(f"irr_in_month_{basis}", f"{label}mean month of cash in", "month", kind="scalar",
            f=f"=IF([irr_in_{basis}]>0,SUMPRODUCT({month},({cash}>0)*{cash})/[irr_in_{basis}],0)",
            note="Cash-weighted mean month of the cash in: for the IRR's starting guess."),
        Row(f"irr_out_{basis}", f"{label}cash out over the horizon", "USD", kind="scalar", f=f'=-SUMIF({cash},"<0")',
            note="Months with net cash out (the price paid not included): for the IRR's starting guess."),
        Row(f"irr_out_moment_{basis}", f"{label}cash out x month", "USD", kind="scalar",
            f=f"=-SUMPRODUCT({month},({cash}<0)*{cash})",
            note="Cash out weighted by its month (the price, paid at month 0, adds nothing): for the IRR's guess."),
    ]


def irr_guess(basis: str, price: str) -> str:
    """The IRR's starting guess for a cash flow that pays ``price`` at t = 0 (see irr_guess_rows)."""
    out = f"({price}+[irr_out_{basis}])"
    return (f"IF([irr_in_{basis}]>0,([irr_in_{basis}]/{out})^(1/MAX(1,[irr_in_month_{basis}]-[irr_out_moment_{basis}]"
            f"/{out}))-1,0)")


def node_roi_sheet(horizon: int | None, ns: NodeSale) -> SheetSpec:
    s = SheetSpec("Node ROI", "Node-sale ROI per node, month by month",
                  "Token emission shared by the active nodes, the circulating supply and a price that feels its "
                  "dilution, the node's on/off decision, the exit's price impact, and each strategy's net cash per "
                  "node. Every tier earns the same; see Node tiers for what each tier paid.",
                  horizon=horizon, period_label="N")
    unlocks = len(ns.unlock_list)
    s.add(
        section("Nodes and emission"),
        Row("active_nodes", "Active nodes", "#", kind="scalar",
            f="=node_sale_licences*node_sale_sold_share*node_sale_active_share",
            note="Licences x share sold x share of nodes active: they share the emission."),
        Row("licences_sold", "Licences sold", "#", kind="scalar", f="=node_sale_licences*node_sale_sold_share",
            note="Licences x share sold; tiers sell out in order."),
        Row("node_pool_tokens", "Tokens for node rewards", "tokens", kind="scalar",
            f="=node_sale_token_supply*node_sale_node_pool_share", note="Token supply x the node pool's share."),
        Row("node_month", "Month since the node sale", "month", f="=[node_month@-1]+1", f0="=0",
            note="Months since rewards started (0 = the sale)."),
        Row("in_horizon", "Within the horizon", "flag", f="=IF([node_month]<=node_sale_horizon_months,1,0)",
            note="1 in the months returns are measured over."),
        Row("emission_weight", "Emission weight", "#",
            f="=IF([node_month]<=node_sale_emission_months,(1-node_sale_emission_decay_monthly)^([node_month]-1),0)",
            note="(1 - monthly decay)^(m - 1) during the emission months, 0 after (decay 0 = linear)."),
        Row("emission_weight_total", "Sum of emission weights over the emission months", "#", kind="scalar",
            f="=IF(node_sale_emission_decay_monthly=0,node_sale_emission_months,(1-(1-node_sale_emission_decay_monthly)"
              "^node_sale_emission_months)/node_sale_emission_decay_monthly)",
            note="Sum of (1 - decay)^(m - 1) for m = 1..emission months (a geometric series; the horizon may be shorter)."),
        Row("tokens_emitted", "Tokens emitted to nodes", "tokens",
            f="=[node_pool_tokens]*[emission_weight]/[emission_weight_total]",
            note="The node pool x this month's weight / the sum of weights."),
        Row("tokens_per_node", "Tokens per running node", "tokens", f="=[tokens_emitted]/[active_nodes]",
            note="The month's emission split among the active nodes."),
        Row("tokens_per_node_day", "Tokens per running node per day", "tokens",
            f="=[tokens_emitted]/days_per_month/[active_nodes]", note="Tokens per running node / days in a month."),
        section("Circulating supply and unlocks"),
    )
    for k in range(1, unlocks + 1):
        s.add(Row(f"unlock_{k}", f"Unlock {k}", "tokens",
                  f=f"=IF([node_month]=node_sale_unlock{k}_month,node_sale_unlock{k}_tokens,0)",
                  note="Tokens other than node rewards entering circulation at the end of the unlock month."))
    if unlocks:
        s.add(Row("unlocked_tokens", "Tokens unlocked", "tokens",
                  f="=" + "+".join(f"[unlock_{k}]" for k in range(1, unlocks + 1)), note="Sum of the unlocks of the month."))
    supply = "=[circulating_supply@-1]+[tokens_emitted]" + ("+[unlocked_tokens]" if unlocks else "")
    s.add(
        Row("circulating_supply", "Circulating supply at the end of the month", "tokens", f=supply,
            f0="=node_sale_circulating0",
            note="Supply at the sale, plus node emission (whether or not the nodes run) and unlocks."),
        section("Token price"),
        Row("node_dilution_factor", "Dilution factor", "x",
            f="=(node_sale_circulating0/[circulating_supply@-1])^node_sale_dilution_elasticity",
            note="(Supply at the sale / supply at the start of the month)^elasticity: 1 when the elasticity is 0."),
        Row("token_price", "Token price", "USD/token",
            f="=node_sale_token_price0*(1+node_sale_token_drift_annual)^(([node_month]-1)/12)*[node_dilution_factor]*(1-"
              "node_sale_shock_drop*IF(AND(node_sale_shock_month>0,[node_month]>=node_sale_shock_month),1,0))",
            note="Launch price x (1 + annual drift)^((m - 1) / 12) x dilution factor, less the shock drop from the shock month."),
        Row("token_market_cap", "Market cap (price x supply at the start of the month)", "USD",
            f="=[token_price]*[circulating_supply@-1]",
            note="With an elasticity of 1 this moves only with the drift and the shock: new tokens take value from old ones."),
        section("Running the node: rational shutdown"),
        Row("node_opex", "Operating cost per node if it runs", "USD",
            f="=[in_horizon]*IF([node_month]<=node_sale_emission_months,node_sale_node_opex_month,0)",
            note="Due while rewards are emitted, within the horizon."),
        Row("reward_value_if_running", "Rewards per node at this month's price, if it runs", "USD",
            f="=[tokens_per_node]*[token_price]", note="What a month of running earns, valued when earned."),
        Row("node_running", "Node running", "flag",
            f="=IF(AND(node_sale_rational_shutdown,[reward_value_if_running]<[node_opex]),0,1)",
            note="0 when rational shutdown is on and the month's rewards are worth less than its cost: "
                 "switched off, no rewards, no cost."),
        Row("tokens_earned", "Tokens earned per node", "tokens", f="=[node_running]*[tokens_per_node]",
            note="Tokens per running node, in the months the node runs."),
        Row("earned_value", "Rewards per node at the earning month's price", "USD", f="=[tokens_earned]*[token_price]",
            note="Tokens earned x this month's price."),
        Row("node_opex_paid", "Operating cost paid per node", "USD", f="=[node_running]*[node_opex]",
            note="The cost in the months the node runs."),
        Row("usd_per_node_day", "Net USD per node per day", "USD/node/day", f="=([earned_value]-[node_opex_paid])/days_per_month",
            note="Earned rewards less the cost paid, per day."),
        Row("vested_tokens_by_horizon", "Tokens per node vested by the horizon", "tokens", kind="scalar",
            f="=SUMPRODUCT(([node_month@all]<=node_sale_horizon_months-node_sale_vesting_months)*[tokens_earned@all])",
            note="Tokens earned in months up to the horizon less the vesting: what hold-to-the-horizon sells."),
        section("Selling at vesting: the exit's price impact"),
        Row("tokens_vesting", "Tokens vesting per node", "tokens",
            f="=[in_horizon]*IF([node_month]>node_sale_vesting_months,INDEX([tokens_earned@all],1,[node_month]-"
              "node_sale_vesting_months),0)", note="Tokens earned vesting months ago; after the horizon they are not counted."),
        Row("exit_sell_usd", "Tokens sold by every node, at this month's price", "USD",
            f="=[tokens_vesting]*[active_nodes]*[token_price]",
            note="If every node sells what vests: tokens vesting x active nodes x price."),
        Row("exit_impact", "Price impact of the nodes' selling", "%",
            f="=IF(OR(node_sale_market_impact_coeff=0,[exit_sell_usd]=0),0,MIN(1,node_sale_market_impact_coeff*"
              "SQRT([exit_sell_usd]/(node_sale_market_daily_volume_usd*days_per_month))))",
            note="The square-root law: coefficient x sqrt(tokens sold / the month's volume), at most 100%."),
        Row("realised_price", "Realised price when selling at vesting", "USD/token", f="=[token_price]*(1-[exit_impact])",
            note="This month's price less the impact."),
    )
    for basis in PAYBACK_BASES:
        s.add(
            section(STRATEGY_LABELS[basis]),
            Row(f"{basis}_cash", f"{STRATEGY_LABELS[basis]}: net cash per node", "USD", f=STRATEGY_CASH[basis], f0="=0",
                note=STRATEGY_NOTES[basis]),
            Row(f"cum_{basis}", f"{STRATEGY_LABELS[basis]}: cumulative", "USD", f=f"=[cum_{basis}@-1]+[{basis}_cash]", f0="=0",
                note="The first month it reaches a tier's price is that tier's payback month."),
        )
        if basis in STRATEGIES:
            s.add(*irr_guess_rows(basis, f"[{basis}_cash@all]", "[node_month@all]",
                                  f"{STRATEGY_LABELS[basis]}: "))
    s.add(
        section("Break-even and the house: node-sale proceeds against tokens emitted"),
        Row("sell_unit_value", "Tokens sold at vesting x realised price / launch price", "tokens",
            f="=[tokens_vesting]*[realised_price]/node_sale_token_price0", d="=SUM([sell_unit_value@all])",
            note="For the break-even launch price: sell-at-vesting revenue is this times the launch price "
                 "(running months and impact held as modelled)."),
        Row("node_opex_total", "Operating cost per node over the horizon", "USD", kind="scalar", f="=SUM([node_opex_paid@all])",
            note="Cost paid in the months the node runs."),
        Row("emission_value", "USD value of tokens emitted to nodes", "USD", f="=[tokens_emitted]*[token_price]",
            note="Every token emitted, valued at the month's price."),
        Row("cum_emission_value", "Cumulative USD value emitted", "USD", f="=[cum_emission_value@-1]+[emission_value]",
            f0="=0", note="Running total of the value emitted."),
        Row("emission_value_horizon", "USD value emitted by the horizon", "USD", kind="scalar",
            f="=INDEX([cum_emission_value@all],1,node_sale_horizon_months)", note="Cumulative value emitted at the horizon."),
        Row("market_fdv_launch", "Token market FDV at launch", "USD", kind="scalar",
            f="=node_sale_token_supply*node_sale_token_price0", note="Token supply x launch price."),
    )
    return s


def _tier_cells(ns: NodeSale, k: int, row_above: int) -> list[str]:
    """The formulas of tier k's row: the same in every row (relative references), except a link to
    the tier's own size or price input where the template lists them."""
    size = f"=node_sale_tiers_{k}" if isinstance(ns.tiers, list) else "=node_sale_licences/node_sale_tiers"
    if ns.tier_prices is not None:
        price = f"=node_sale_tier_prices_{k}"
    else:
        price = (f"=IF([tier_count]=1,node_sale_tier1_price,node_sale_tier1_price*(node_sale_last_tier_price/"
                 f"node_sale_tier1_price)^(({_c(0)}-1)/([tier_count]-1)))")
    P = _c(4)
    cells = [f"={_above(0, row_above)}+1", size, f"={_above(2, row_above)}+{_c(1)}",
             f"=MAX(0,MIN({_c(1)},[licences_sold]-({_c(2)}-{_c(1)})))", price,
             f"={_c(3)}*{P}", f"={P}*[active_nodes]/node_sale_node_pool_share", f"={_c(6)}/[market_fdv_launch]"]
    for basis in PAYBACK_BASES:
        cum = f"[cum_{basis}@all]"
        cells.append(f'{{=IF(MAX({cum})>={P},MATCH(TRUE,{cum}>={P},0),"never")}}')
    for i, basis in enumerate(PAYBACK_BASES):
        month = _c(8 + i)
        cells.append(f'=IF(ISNUMBER({month}),({month}-1)*days_per_month+({P}-INDEX([cum_{basis}@all0],1,{month}))'
                     f'/(INDEX([{basis}_cash@all],1,{month})/days_per_month),"never")')
    for basis in STRATEGIES:
        cells.append(f"=(INDEX([cum_{basis}@all],1,node_sale_horizon_months)-{P})/{P}")
    for basis in STRATEGIES:
        cash, guess = f"[{basis}_cash@all]", irr_guess(basis, P)
        irr = f"(1+IRR([{basis}_cash@all0]-([node_month@all0]=0)*{P},{guess}))^12-1"
        cells.append(f'{{=IF(MAX({cash})>0,IFERROR(IF({irr}<irr_floor_annual,"n/a",{irr}),"n/a"),"n/a")}}')
    cells.append(f'=IF([sell_unit_value@tot]>0,({P}+[node_opex_total])/[sell_unit_value@tot],"n/a")')
    assert len(cells) == len(TIER_COLUMNS) == len(TIER_FIELDS)
    return cells


def node_tiers_sheet(ns: NodeSale) -> SheetSpec:
    n = ns.tier_count
    s = SheetSpec("Node tiers", "Node licences by tier: what each tier paid and earns",
                  "One row per tier, found from the per-node rows of Node ROI by lookup: the implied FDV on active "
                  "nodes, payback days per strategy, ROI and IRR at the horizon, and the launch token price at which "
                  "selling at vesting breaks even. Units are in the column headers.",
                  columns="table", table_headers=TIER_HEADERS)
    s.add(section("Tiers"))
    for k in range(1, n + 1):
        row_above = FIRST_ROW + len(s.rows)  # 1-based number of the row above this tier's row
        cells = _tier_cells(ns, k, row_above)
        s.add(Row(f"tier_{k}", f"Tier {k}", "by column", kind="table", cells=tuple(cells), cell_units=TIER_UNITS,
                  note="A licence in this tier: its price, and what the per-node rows of Node ROI return on it."))
    s.add(
        blank(),
        section("Totals and the house view"),
        Row("tier_count", "Number of tiers", "#", kind="scalar", f=f"=MAX([tier_1..tier_{n}@c0])",
            note="The last tier's number."),
        Row("node_sale_proceeds", "Node-sale proceeds to the house (at once)", "USD", kind="scalar",
            f=f"=SUM([tier_1..tier_{n}@c5])", note="Licences sold in tier order, each at its tier's price."),
        Row("house_emission_value", "USD value of tokens emitted to nodes by the horizon", "USD", kind="scalar",
            f="=[emission_value_horizon]", note="What the house pays out in tokens, valued when emitted."),
        Row("house_proceeds_to_emission", "Proceeds / value emitted", "x", kind="scalar",
            f='=IF([house_emission_value]>0,[node_sale_proceeds]/[house_emission_value],"n/a")',
            note="Above 1x the house took more in cash at once than it pays out in tokens over the horizon."),
        Row("fdv_cap_to_active", "Implied FDV on the licence cap / on active nodes", "x", kind="scalar",
            f="=node_sale_licences/[active_nodes]",
            note="How much an implied FDV quoted on every licence offered overstates the one on the nodes that share "
                 "the rewards."),
    )
    return s
