"""What every input is: label, unit and definition, in one place for the workbook and the docs.

Keys are template paths with ``*`` standing for a list index (``structure.tranches.*.coupon``).
"""
from __future__ import annotations

import re

INPUTS: dict[str, tuple[str, str, str]] = {
    "name": ("Deal name", "text", "Shown on the cover; always written as text."),
    "start_date": ("Closing date", "date", "t = 0: funding, fees and the GPU purchase happen here."),
    "term_months": ("Term", "months", "T: the deal runs months 1..T; the fleet is sold at T if no default came first."),
    "assets.gpu_model": ("GPU model", "text", "The GPU financed."),
    "assets.gpu_count": ("GPUs in the fleet", "#", "Number of GPUs bought at close."),
    "assets.gpu_unit_price": ("Price per GPU", "USD", "Purchase price of one GPU, new."),
    "assets.ancillary_capex_pct": ("Ancillary capex", "%", "Servers, network and installation, as a share of the GPU cost."),
    "assets.useful_life_months": ("Useful life", "months", "L: the GPUs earn rent and cost money in months 1..L, are retired after it (scrap value), "
        "and the sponsor's book value falls straight-line over it."),
    "assets.value_decline": ("Resale value decline", "% / yr", "Annual fall in the market value of a used GPU."),
    "assets.scrap_value_pct": ("Scrap value", "% of capex", "What the fleet fetches after its useful life, as a share of capex."),
    "assets.buyer_discount_annual": ("Buyer's discount rate", "% / yr", "The return a buyer of the fleet demands: caps the collateral value at the "
        "value of what the fleet can still earn. none = no income cap (collateral = market value)."),
    "revenue.rent0": ("Rent in month 1", "USD/GPU-h", "Rent per GPU-hour in the first month."),
    "revenue.rent_decline": ("Rent decline", "% / yr", "Annual fall in rent per GPU-hour."),
    "revenue.util_start": ("Utilisation in month 1", "%", "Share of hours rented in the first month."),
    "revenue.util_target": ("Utilisation after the ramp", "%", "Share of hours rented once the ramp is over."),
    "revenue.util_ramp_months": ("Utilisation ramp", "months", "Months to go from util_start to util_target (0 = none)."),
    "revenue.hours_per_month": ("Hours per month", "hours", "Hours a GPU can be rented in a month."),
    "revenue.rent_path": ("Rent path", "USD/GPU-h", "A rent for every month of the term that replaces the rent curve and the shock's rent drop (none = "
        "use the curve)."),
    "revenue.rent_path.*": ("Rent in month", "USD/GPU-h", "Rent per GPU-hour in this month of the term (replaces the curve and the shock's rent drop)."),
    "shock.month": ("Next-generation shock month", "month", "Month from which rents and values drop (0 = no shock)."),
    "shock.rent_drop": ("Shock: rent drop", "%", "Share of rent lost from the shock month on."),
    "shock.value_drop": ("Shock: resale value drop", "%", "Share of market value lost from the shock month on."),
    "opex.kw_per_gpu": ("Power per GPU", "kW", "Power draw per GPU at the wall, server share included."),
    "opex.pue": ("PUE", "x", "Power usage effectiveness of the data centre (total / IT power)."),
    "opex.power_price": ("Power price", "USD/kWh", "Price of electricity."),
    "opex.colo_per_kw_month": ("Colocation price", "USD/kW-month", "Colocation rent per kW of IT load per month (the PUE is in the energy bill)."),
    "opex.maintenance_pct_annual": ("Maintenance", "% capex / yr", "Annual maintenance as a share of capex."),
    "opex.fixed_opex_month": ("Fixed operating costs", "USD/month", "SPV administration and audit per month (the trustee's fee can be given apart: "
        "fees.trustee_fee_month)."),
    "opex.idle_power_share": ("Idle power share", "%", "Share of full power an idle GPU still draws (1 = billed at full load when idle)."),
    "fees.issuance_fee_pct": ("Issuance fee", "% of raise", "Taken by the platform at close from the raise."),
    "fees.mgmt_fee_annual": ("Management fee", "% / yr", "Platform fee on notes outstanding, paid monthly after opex."),
    "fees.trustee_fee_month": ("Trustee fee", "USD/month", "A fixed senior fee a month, paid after the management fee; the reserve covers it."),
    "structure.amortization": ("Amortisation", "mode", "The target balance: bullet (none before the sale), straight_line (to 0 at the term after the "
        "holiday), ltv (keeps the loan-to-value of the close) or sweep (all cash to principal from month 1)."),
    "structure.principal_allocation": ("Principal allocation", "mode", "sequential: class 1 is repaid first, then class 2, ...; pro_rata: in "
        "proportion to balances until a trigger switches the deal to sweep mode."),
    "structure.interest_holiday_months": ("Interest holiday", "months", "Months 1..H in which interest not paid is added to the balance (a ramp-up "
        "financing); the straight-line schedule starts after it."),
    "structure.reserve_months": ("Liquidity reserve", "months", "Months of senior needs (operating costs, fees, class-1 interest) funded at close and "
        "kept topped up while class 1 is outstanding."),
    "structure.platform_retention": ("Platform retention", "%", "Share of the most junior class the platform buys and keeps."),
    "structure.triggers.dscr_min": ("DSCR trigger", "x", "The deal switches to a full cash sweep after the DSCR stays below this for dscr_months "
        "months in a row (0 = off)."),
    "structure.triggers.dscr_months": ("DSCR trigger: months in a row", "months", "Consecutive months below the DSCR trigger that breach it (0 counts as 1)."),
    "structure.triggers.ltv_max": ("LTV trigger", "x", "The deal switches to a full cash sweep when class 1's balance exceeds this multiple of the "
        "collateral value (0 = off)."),
    "structure.junior_excess_share": ("Excess to the junior tranche", "%", "Share of residual cash, and of sale proceeds left after every class, paid "
        "to the most junior tranche; the rest goes to the sponsor."),
    "structure.tranches.*.name": ("Tranche name", "text", "Tranches are listed in order of seniority."),
    "structure.tranches.*.share": ("Tranche share of the raise", "%", "Shares of all tranches sum to 1."),
    "structure.tranches.*.coupon": ("Tranche coupon", "% / yr", "Annual coupon; accrues coupon / 12 a month on the opening balance."),
    "default.shortfall_months": ("Default after senior interest unpaid for", "months", "Months in a row with senior interest unpaid that make a default."),
    "default.forced_month": ("Forced default month", "month", "The sponsor goes bankrupt in this month (0 = never)."),
    "default.liquidation_lag_months": ("Liquidation lag", "months", "Months from default to the sale of the GPUs."),
    "default.fire_sale_discount": ("Fire-sale discount", "%", "Discount to the collateral value in a sale after default (also used for the liquidation "
        "cover)."),
    "default.liquidation_cost_pct": ("Sale costs", "% of price", "Liquidation agent's costs, as a share of the sale price."),
    "secondary.spread": ("Secondary market: yield spread", "% / yr", "A buyer of a tranche token wants its coupon plus this spread."),
    "secondary.normal_haircut": ("Secondary market: normal haircut", "%", "Discount to fair value a seller takes in normal markets."),
    "secondary.crunch_haircut": ("Secondary market: crunch haircut", "%", "Discount to fair value a seller takes from the first stress event on "
        "(buyers vanish)."),
    "node_sale.licences": ("Node licences (cap)", "#", "Licences offered in the node sale."),
    "node_sale.tiers": ("Tiers", "#", "Number of price tiers of equal size (or a list of tier sizes)."),
    "node_sale.tiers.*": ("Licences in tier", "#", "Size of one tier."),
    "node_sale.tier1_price": ("Tier-1 price", "USD", "Price of a licence in the first tier."),
    "node_sale.last_tier_price": ("Last-tier price", "USD", "Price in the last tier; prices in between are geometric."),
    "node_sale.tier_prices.*": ("Tier price", "USD", "Price of a licence in this tier (a price list)."),
    "node_sale.sold_share": ("Share of licences sold", "%", "Licences sold / licences; tiers sell out in order."),
    "node_sale.active_share": ("Share of nodes active", "%", "Share of sold licences that run a node and share rewards."),
    "node_sale.token_supply": ("Token supply", "tokens", "Total token supply (for FDV and the node pool)."),
    "node_sale.circulating0": ("Circulating supply at the sale", "tokens",
                               "Tokens in circulation when rewards start; node emission and unlocks add to it."),
    "node_sale.unlocks": ("Unlocks", "list", "Tokens other than node rewards entering circulation, as a list of "
                                             "{month, tokens}; none by default."),
    "node_sale.unlocks.*.month": ("Unlock month", "month", "Month at whose end these tokens enter circulation."),
    "node_sale.unlocks.*.tokens": ("Tokens unlocked", "tokens", "Tokens other than node rewards (team, investors) unlocked."),
    "node_sale.node_pool_share": ("Share of supply to nodes", "%", "Share of the supply emitted to nodes."),
    "node_sale.emission_months": ("Emission period", "months", "Months over which the node pool is emitted."),
    "node_sale.emission_decay_monthly": ("Emission decay", "% / month", "Monthly decline of the emission (0 = linear)."),
    "node_sale.token_price0": ("Token price at launch", "USD/token", "Token price in month 1, before dilution."),
    "node_sale.token_drift_annual": ("Token price drift", "% / yr", "Annual change of the token price, apart from dilution."),
    "node_sale.dilution_elasticity": ("Dilution elasticity", "x",
                                      "Price x (supply at the sale / supply now)^elasticity: 0 ignores dilution, "
                                      "1 keeps the market cap constant."),
    "node_sale.shock.month": ("Token shock month", "month", "Month from which the token price drops (0 = none)."),
    "node_sale.shock.drop": ("Token shock drop", "%", "Share of the token price lost from the shock month."),
    "node_sale.node_opex_month": ("Node operating cost", "USD/month", "Cost of running one node per month (server, VPS)."),
    "node_sale.rational_shutdown": ("Rational shutdown", "flag",
                                    "TRUE: a node is switched off in a month whose rewards are worth less than its cost."),
    "node_sale.vesting_months": ("Vesting", "months", "Rewards earned in month m can be sold in month m + vesting."),
    "node_sale.instant_claim_penalty": ("Instant-claim penalty", "%", "Share of rewards lost when claimed at once."),
    "node_sale.hedge_funding_annual": ("Perp funding rate", "% / yr", "Cost of holding the short hedge over the vesting."),
    "node_sale.market.daily_volume_usd": ("Token daily trading volume", "USD/day",
                                          "The market node tokens are sold into (for the exit's price impact)."),
    "node_sale.market.impact_coeff": ("Market impact coefficient", "x",
                                      "Price lost = coefficient x sqrt(tokens sold / month's volume); 0 = no impact."),
    "node_sale.horizon_months": ("Horizon", "months", "Months over which returns are measured."),
    "byod.gpu_cost": ("GPU cost", "USD", "Price of the GPU the owner brings."),
    "byod.resale_decline_annual": ("GPU resale decline", "% / yr",
                                   "Annual fall of the GPU's resale value; sold at the horizon (1 = worthless)."),
    "byod.power_w": ("Power draw, busy", "W", "GPU system power draw while hired."),
    "byod.idle_power_w": ("Power draw, idle", "W", "Power draw while online but not hired."),
    "byod.power_price": ("Power price", "USD/kWh", "Owner's electricity price."),
    "byod.bandwidth_month": ("Bandwidth", "USD/month", "Internet cost per month."),
    "byod.hire_share": ("Share of hours hired", "%", "Share of hours a customer rents the GPU."),
    "byod.hire_price": ("Hire price", "USD/GPU-h", "Price per hour hired, before the platform fee."),
    "byod.platform_fee": ("Platform fee", "%", "Share of hire income the platform keeps."),
    "byod.network_emission_month": ("Network emission", "tokens/month", "Tokens the network emits in month 1."),
    "byod.emission_decay_annual": ("Emission decline", "% / yr", "Annual decline of the network emission."),
    "byod.device_reward_share": ("Share of emission to devices", "%",
                                 "Share of the emission paid as block rewards to devices (1 = all; 0 = all to stakers)."),
    "byod.devices0": ("Devices online at the start", "#", "Devices sharing the block rewards in month 1."),
    "byod.device_growth_monthly": ("Device growth", "% / month", "Monthly growth of devices online (dilution)."),
    "byod.airdrop_tokens": ("Airdrop", "tokens", "Tokens airdropped to the device."),
    "byod.airdrop_month": ("Airdrop month", "month", "Month of the airdrop (0 = none)."),
    "byod.lock_months": ("Lock-up", "months", "Rewards earned in month m can be sold in month m + lock-up."),
    "byod.token_price0": ("Token price at the start", "USD/token", "Token price in month 1."),
    "byod.hours_per_month": ("Hours per month", "hours", "Hours a GPU is online in a month."),
    "byod.token_drift_annual": ("Token price drift", "% / yr", "Annual change of the token price, apart from dilution."),
    "byod.circulating0": ("Circulating supply at the start", "tokens",
                          "The network's tokens in circulation; its emission dilutes them (and sets the inflation)."),
    "byod.dilution_elasticity": ("Dilution elasticity", "x", "Price x (supply at the start / supply now)^elasticity."),
    "byod.stake_tokens": ("Stake per device", "tokens", "Tokens the network requires staked, bought at the start, "
                                                      "returned at the horizon."),
    "byod.staking.bonded_ratio": ("Bonded ratio", "%", "Share of the circulating supply staked."),
    "byod.staking.staking_reward_share": ("Share of emission to stakers", "%",
                                          "Share of the emission stakers receive (after commissions and taxes)."),
    "byod.rational_shutdown": ("Rational shutdown", "flag",
                               "TRUE: the owner unplugs in a month whose income is below its costs."),
    "byod.horizon_months": ("Horizon", "months", "Months over which returns are measured."),
}

# Inputs that may be null (off): the Inputs sheet shows a null as this word, so that the input has a
# cell and a defined name whatever its value, and the formulas test it with ISNUMBER.
NULL_WORD = "none"
NULLABLE_INPUTS = ("assets.buyer_discount_annual", "revenue.rent_path")

SECTIONS = {
    "": "Deal", "assets": "Assets", "revenue": "Revenue", "shock": "Next-generation shock", "opex": "Operating costs",
    "fees": "Fees", "structure": "Structure and tranches", "default": "Default and liquidation",
    "secondary": "Secondary market for the tranche tokens",
    "node_sale": "Node sale (DePIN licences)", "byod": "Bring your own GPU",
}

SETTINGS: dict[str, tuple[str, str, str, float]] = {
    "check_tolerance": ("Check tolerance", "USD", "A check fails when an identity is off by more than this.", 0.01),
    "days_per_month": ("Days per month", "days", "365.25 / 12: converts monthly rewards and costs to daily figures.", 365.25 / 12),
    "irr_floor_annual": ("Lowest IRR shown", "% / yr",
                         "An IRR (a class's, a node tier's or the GPU owner's) below this shows as n/a: the money is as good as lost (the "
                         "ROI says how much), and so far below zero the IRR has several roots or none that spreadsheet "
                         "engines agree on.", -0.99),
}


def pattern(path: str) -> str:
    return re.sub(r"\.\d+(\.|$)", r".*\1", path)


def describe_input(path: str) -> tuple[str, str, str]:
    """(label, unit, note) of an input path; tranche inputs get the tranche number in the label."""
    label, unit, note = INPUTS.get(pattern(path), (path.rsplit(".", 1)[-1].replace("_", " ").capitalize(), "", ""))
    match = re.search(r"\.(\d+)(\.|$)", path)
    if match:
        label = f"{label} ({int(match.group(1)) + 1})"
    return label, unit, note


def defined_name(path: str) -> str:
    """The global Excel name of an input: ``assets.gpu_count`` -> ``assets_gpu_count``,
    ``structure.tranches.0.coupon`` -> ``tranche1_coupon``, ``name`` -> ``deal_name``."""
    match = re.fullmatch(r"structure\.tranches\.(\d+)\.(\w+)", path)
    if match:
        return f"tranche{int(match.group(1)) + 1}_{match.group(2)}"
    match = re.fullmatch(r"(node_sale\.tiers|node_sale\.tier_prices|revenue\.rent_path)\.(\d+)", path)
    if match:
        return f"{match.group(1).replace('.', '_')}_{int(match.group(2)) + 1}"
    match = re.fullmatch(r"node_sale\.unlocks\.(\d+)\.(\w+)", path)
    if match:
        return f"node_sale_unlock{int(match.group(1)) + 1}_{match.group(2)}"
    if path == "name":
        return "deal_name"
    return path.replace(".", "_")
