"""Node ROI, Node tiers and BYOD ROI sheets (docs/model.md sections 8-9) as row specs.

Every tier earns the same rewards per node, so the monthly rows are per node, and the tier
table finds each tier's payback, ROI, IRR and break-even price from them by lookup: one row per
tier, no tiers-by-months grid.
"""
from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from ..config import NodeSale
from ..reference.depin_model import PAYBACK_BASES, STRATEGIES, TIER_FIELDS
from .layout import VALUE_COL, Row, SheetSpec, blank, section

STRATEGY_LABELS = {
    "earned": "Earned basis (what a node seller quotes)",
    "sell": "Sell at vesting",
    "instant": "Claim at once, with the penalty",
    "hold": "Hold to the horizon",
    "hedge": "Hedged: short when earned",
}
TIER_COLUMNS = (["Tier", "Licences in tier", "Licences up to tier", "Sold", "Price", "Sale proceeds", "Implied FDV",
                 "Implied / market FDV"]
                + [f"Payback month: {b}" for b in PAYBACK_BASES]
                + [f"Payback days: {b}" for b in PAYBACK_BASES]
                + [f"ROI at horizon: {s}" for s in STRATEGIES]
                + [f"IRR: {s}" for s in STRATEGIES]
                + ["Break-even token price"])


TIER_UNITS = tuple(["#", "#", "#", "#", "USD", "USD", "USD", "x"] + ["month"] * 5 + ["days"] * 5 + ["%"] * 8
                   + ["USD/token"])


def _c(index: int) -> str:
    """The same-row cell of tier-table column ``index`` (D is 0)."""
    return f"{xl_col_to_name(VALUE_COL + index)}{{row}}"


def node_roi_sheet(horizon: int) -> SheetSpec:
    s = SheetSpec("Node ROI", "Node-sale ROI per node, month by month",
                  "Token emission shared by all active nodes, the token price, and each strategy's net cash per "
                  "node. Every tier earns the same; see Node tiers for what each tier paid.",
                  horizon=horizon, period_label="N")
    strategy_cash = {
        "earned": "=[in_horizon]*[earned_value]-[node_opex]",
        "sell": "=[in_horizon]*IF([node_month]>node_sale_vesting_months,INDEX([tokens_per_node@all],[node_month]-"
                "node_sale_vesting_months)*[token_price],0)-[node_opex]",
        "instant": "=[in_horizon]*[tokens_per_node]*(1-node_sale_instant_claim_penalty)*[token_price]-[node_opex]",
        "hold": "=IF([node_month]=node_sale_horizon_months,[vested_tokens_by_horizon]*[token_price],0)-[node_opex]",
        "hedge": "=[in_horizon]*IF([node_month]>node_sale_vesting_months,INDEX([earned_value@all],[node_month]-"
                 "node_sale_vesting_months)*(1-node_sale_hedge_funding_annual*node_sale_vesting_months/12),0)-[node_opex]",
    }
    notes = {
        "earned": "Rewards valued at the price of the month they are earned, before vesting or selling, less opex.",
        "sell": "Tokens earned in month m are sold in month m + vesting at that month's price.",
        "instant": "Tokens claimed at once lose the instant-claim penalty and are sold the same month.",
        "hold": "Every token vested by the horizon is sold at the horizon's price.",
        "hedge": "The token is shorted when earned: sold at the earning month's price, less perp funding over the vesting months.",
    }
    s.add(
        section("Nodes and emission"),
        Row("active_nodes", "Active nodes", "#", kind="scalar",
            f="=node_sale_licences*node_sale_sold_share*node_sale_active_share",
            note="Licences x share sold x share of nodes active: they share the emission."),
        Row("licences_sold", "Licences sold", "#", kind="scalar", f="=node_sale_licences*node_sale_sold_share"),
        Row("node_pool_tokens", "Tokens for node rewards", "tokens", kind="scalar",
            f="=node_sale_token_supply*node_sale_node_pool_share"),
        Row("node_month", "Month since the node sale", "month", f="=[node_month@-1]+1", f0="=0"),
        Row("in_horizon", "Within the horizon", "flag", f="=IF([node_month]<=node_sale_horizon_months,1,0)"),
        Row("emission_weight", "Emission weight", "#",
            f="=IF([node_month]<=node_sale_emission_months,(1-node_sale_emission_decay_monthly)^([node_month]-1),0)",
            note="(1 - monthly decay)^(m - 1) during the emission months, 0 after (decay 0 = linear)."),
        Row("emission_weight_total", "Sum of emission weights over the emission months", "#", kind="scalar",
            f="=IF(node_sale_emission_decay_monthly=0,node_sale_emission_months,(1-(1-node_sale_emission_decay_monthly)"
              "^node_sale_emission_months)/node_sale_emission_decay_monthly)",
            note="Sum of (1 - decay)^(m - 1) for m = 1..emission months (a geometric series; the horizon may be shorter)."),
        Row("tokens_emitted", "Tokens emitted to nodes", "tokens",
            f="=[node_pool_tokens]*[emission_weight]/[emission_weight_total]"),
        Row("tokens_per_node", "Tokens earned per node", "tokens", f="=[tokens_emitted]/[active_nodes]"),
        Row("tokens_per_node_day", "Tokens per node per day", "tokens", f="=[tokens_emitted]/days_per_month/[active_nodes]"),
        Row("vested_tokens_by_horizon", "Tokens per node vested by the horizon", "tokens", kind="scalar",
            f="=SUMPRODUCT(([node_month@all]<=node_sale_horizon_months-node_sale_vesting_months)*[tokens_per_node@all])"),
        section("Token price and rewards per node"),
        Row("token_price", "Token price", "USD/token",
            f="=node_sale_token_price0*(1+node_sale_token_drift_annual)^(([node_month]-1)/12)*(1-node_sale_token_shock_drop"
              "*IF(AND(node_sale_token_shock_month>0,[node_month]>=node_sale_token_shock_month),1,0))",
            note="Launch price x (1 + annual drift)^((m - 1) / 12), less the shock drop from the shock month."),
        Row("node_opex", "Operating cost per node", "USD",
            f="=[in_horizon]*IF([node_month]<=node_sale_emission_months,node_sale_node_opex_month,0)",
            note="Paid while rewards are emitted, within the horizon."),
        Row("usd_per_node_day", "Net USD per node per day", "USD/node/day",
            f="=[tokens_per_node_day]*[token_price]-[node_opex]/days_per_month"),
        Row("earned_value", "Rewards per node at the earning month's price", "USD", f="=[tokens_per_node]*[token_price]"),
        Row("sell_unit_value", "Tokens sold at vesting x price path / launch price", "tokens",
            f="=[in_horizon]*IF([node_month]>node_sale_vesting_months,INDEX([tokens_per_node@all],[node_month]-"
              "node_sale_vesting_months),0)*[token_price]/node_sale_token_price0", d="=SUM([sell_unit_value@all])",
            note="For the break-even launch price: sell-at-vesting revenue is this times the launch price."),
        Row("node_opex_total", "Operating cost per node over the horizon", "USD", kind="scalar", f="=SUM([node_opex@all])"),
    )
    for basis in PAYBACK_BASES:
        s.add(
            section(STRATEGY_LABELS[basis]),
            Row(f"{basis}_cash", f"{STRATEGY_LABELS[basis]}: net cash per node", "USD", f=strategy_cash[basis], f0="=0",
                note=notes[basis]),
            Row(f"cum_{basis}", f"{STRATEGY_LABELS[basis]}: cumulative", "USD", f=f"=[cum_{basis}@-1]+[{basis}_cash]", f0="=0",
                note="The first month it reaches a tier's price is that tier's payback month."),
        )
    s.add(
        section("The house: node-sale proceeds against tokens emitted"),
        Row("emission_value", "USD value of tokens emitted to nodes", "USD", f="=[tokens_emitted]*[token_price]"),
        Row("cum_emission_value", "Cumulative USD value emitted", "USD", f="=[cum_emission_value@-1]+[emission_value]", f0="=0"),
        Row("emission_value_horizon", "USD value emitted by the horizon", "USD", kind="scalar",
            f="=INDEX([cum_emission_value@all],node_sale_horizon_months)"),
        Row("market_fdv_launch", "Token market FDV at launch", "USD", kind="scalar",
            f="=node_sale_token_supply*node_sale_token_price0"),
    )
    return s


def node_tiers_sheet(ns: NodeSale) -> SheetSpec:
    n = ns.tier_count
    s = SheetSpec("Node tiers", "Node licences by tier: what each tier paid and earns",
                  "One row per tier, found from the per-node rows of Node ROI by lookup: payback days per strategy, "
                  "ROI and IRR at the horizon, and the launch token price at which selling at vesting breaks even.",
                  columns="table", table_headers=tuple(TIER_COLUMNS))
    s.add(section("Tiers"))
    for k in range(1, n + 1):
        prev = f"tier_{k - 1}"
        number = "=1" if k == 1 else f"=[{prev}@c0]+1"
        size = f"=node_sale_tiers_{k}" if isinstance(ns.tiers, list) else "=node_sale_licences/node_sale_tiers"
        cum = f"={_c(1)}" if k == 1 else f"=[{prev}@c2]+{_c(1)}"
        if ns.tier_prices is not None:
            price = f"=node_sale_tier_prices_{k}"
        else:
            price = (f"=IF([tier_count]=1,node_sale_tier1_price,node_sale_tier1_price*(node_sale_last_tier_price/"
                     f"node_sale_tier1_price)^(({_c(0)}-1)/([tier_count]-1)))")
        P = _c(4)
        cells = [number, size, cum, f"=MAX(0,MIN({_c(1)},[licences_sold]-({_c(2)}-{_c(1)})))", price,
                 f"={_c(3)}*{P}", f"={P}*node_sale_licences/node_sale_node_pool_share", f"={_c(6)}/[market_fdv_launch]"]
        for basis in PAYBACK_BASES:
            cum = f"[cum_{basis}@all]"
            cells.append(f'{{=IF(MAX({cum})>={P},MATCH(TRUE,{cum}>={P},0),"never")}}')
        for i, basis in enumerate(PAYBACK_BASES):
            month = _c(8 + i)
            cells.append(f'=IF(ISNUMBER({month}),({month}-1)*days_per_month+({P}-INDEX([cum_{basis}@all0],{month}))'
                         f'/(INDEX([{basis}_cash@all],{month})/days_per_month),"never")')
        for basis in STRATEGIES:
            cells.append(f"=(INDEX([cum_{basis}@all],node_sale_horizon_months)-{P})/{P}")
        for i, basis in enumerate(STRATEGIES):
            roi = _c(18 + i)
            # The guess (ROI spread evenly over the horizon) lets Newton-based engines converge on
            # back-loaded cash flows such as hold-to-the-horizon.
            guess = f"IF(1+{roi}>0,(1+{roi})^(1/node_sale_horizon_months)-1,0)"
            cells.append(f'{{=IF(MAX([{basis}_cash@all])>0,IFERROR((1+IRR([{basis}_cash@all0]-([node_month@all0]=0)*{P},'
                         f'{guess}))^12-1,"n/a"),"n/a")}}')
        cells.append(f'=IF([sell_unit_value@tot]>0,({P}+[node_opex_total])/[sell_unit_value@tot],"n/a")')
        assert len(cells) == len(TIER_COLUMNS) == len(TIER_FIELDS)
        s.add(Row(f"tier_{k}", f"Tier {k}", "USD", kind="table", cells=tuple(cells), cell_units=TIER_UNITS,
                  note="Price paid for a licence in this tier, and what the per-node rows of Node ROI return on it."))
    s.add(
        blank(),
        section("Totals and the house view"),
        Row("tier_count", "Number of tiers", "#", kind="scalar", f=f"=MAX([tier_1..tier_{n}@c0])"),
        Row("node_sale_proceeds", "Node-sale proceeds to the house (at once)", "USD", kind="scalar",
            f=f"=SUM([tier_1..tier_{n}@c5])", note="Licences sold in tier order, each at its tier's price."),
        Row("house_emission_value", "USD value of tokens emitted to nodes by the horizon", "USD", kind="scalar",
            f="=[emission_value_horizon]"),
        Row("house_proceeds_to_emission", "Proceeds / value emitted", "x", kind="scalar",
            f='=IF([house_emission_value]>0,[node_sale_proceeds]/[house_emission_value],"n/a")',
            note="Above 1x the house took more in cash at once than it pays out in tokens over the horizon."),
    )
    return s


def byod_sheet(horizon: int) -> SheetSpec:
    s = SheetSpec("BYOD ROI", "Bring-your-own-GPU ROI, month by month",
                  "A GPU owner joining a DePIN network: hire income from real usage against "
                  "block rewards diluted by a growing network, the airdrop, costs, and the payback.",
                  horizon=horizon, period_label="N")
    s.add(
        section("Usage and rewards"),
        Row("byod_hours_month", "Hours in a month", "hours", kind="scalar", f="=days_per_month*24"),
        Row("byod_month", "Month since joining", "month", f="=[byod_month@-1]+1", f0="=0"),
        Row("byod_in_horizon", "Within the horizon", "flag", f="=IF([byod_month]<=byod_horizon_months,1,0)"),
        Row("hire_income", "Hire income (real usage)", "USD",
            f="=[byod_in_horizon]*byod_hire_share*[byod_hours_month]*byod_hire_price*(1-byod_platform_fee)",
            d="=SUM([hire_income@all])", note="Share of hours hired x hours x hire price, less the platform fee."),
        Row("devices_online", "Devices online", "#", f="=byod_devices0*(1+byod_device_growth_monthly)^([byod_month]-1)",
            note="The network grows every month: the emission is shared by more devices (dilution)."),
        Row("block_reward_tokens", "Block-reward tokens earned", "tokens",
            f="=[byod_in_horizon]*byod_network_emission_month/[devices_online]"),
        Row("airdrop_tokens", "Airdrop tokens earned", "tokens",
            f="=[byod_in_horizon]*IF([byod_month]=byod_airdrop_month,byod_airdrop_tokens,0)"),
        Row("byod_token_price", "Token price", "USD/token",
            f="=byod_token_price0*(1+byod_token_drift_annual)^(([byod_month]-1)/12)"),
        section("Cash per month"),
        Row("block_reward_income", "Block-reward income (sold after the lock-up)", "USD",
            f="=[byod_in_horizon]*IF([byod_month]>byod_lock_months,INDEX([block_reward_tokens@all],[byod_month]-"
              "byod_lock_months)*[byod_token_price],0)", d="=SUM([block_reward_income@all])"),
        Row("airdrop_income", "Airdrop income (sold after the lock-up)", "USD",
            f="=[byod_in_horizon]*IF([byod_month]>byod_lock_months,INDEX([airdrop_tokens@all],[byod_month]-"
              "byod_lock_months)*[byod_token_price],0)", d="=SUM([airdrop_income@all])"),
        Row("power_cost", "Power", "USD", f="=[byod_in_horizon]*byod_power_w/1000*[byod_hours_month]*byod_power_price",
            d="=SUM([power_cost@all])"),
        Row("bandwidth_cost", "Bandwidth", "USD", f="=[byod_in_horizon]*byod_bandwidth_month", d="=SUM([bandwidth_cost@all])"),
        Row("byod_net_cash", "Net cash", "USD",
            f="=[hire_income]+[block_reward_income]+[airdrop_income]-[power_cost]-[bandwidth_cost]",
            d="=SUM([byod_net_cash@all])"),
        Row("byod_cum_cash", "Cumulative cash (GPU bought at the start)", "USD", f="=[byod_cum_cash@-1]+[byod_net_cash]",
            f0="=-byod_gpu_cost"),
        section("Results"),
        Row("byod_payback_month", "Payback month", "month", kind="scalar",
            f='{=IF(MAX([byod_cum_cash@all])>=0,MATCH(TRUE,[byod_cum_cash@all]>=0,0),"never")}',
            note="First month in which cumulative cash, GPU cost included, is no longer negative."),
        Row("byod_roi", "ROI at the horizon", "%", kind="scalar", f="=INDEX([byod_cum_cash@all],byod_horizon_months)/byod_gpu_cost",
            note="Cumulative cash at the horizon / GPU cost (the GPU's resale value is not counted)."),
        Row("usage_share_of_income", "Share of income from real usage", "%", kind="scalar",
            f='=IF(([hire_income@tot]+[block_reward_income@tot]+[airdrop_income@tot])>0,[hire_income@tot]/('
              '[hire_income@tot]+[block_reward_income@tot]+[airdrop_income@tot]),"n/a")',
            note="Near zero while the token rises: the rewards are emission alone."),
    )
    return s
