"""Participants and Checks sheets (docs/model.md sections 6 and 10) as row specs."""
from __future__ import annotations

from ..waterfall import PARTICIPANTS, fee_steps
from .layout import Row, SheetSpec, blank, section
from .waterfall_rows import WaterfallBlock


def participants_sheet(tranche_names: list[str]) -> SheetSpec:
    J = len(tranche_names)
    s = SheetSpec("Participants", "Who gets what", "Whole-life cash in, cash out and net (in - out) of everyone the "
                  "money passes through. The nets sum to zero.", columns="table",
                  table_headers=("Cash in", "Cash out", "Net", "Risk borne"))
    net = "=D{row}-E{row}"
    kept = "structure_platform_retention"
    for j, name in enumerate(tranche_names, start=1):
        if j < J:
            cells = (f"=[total_received_{j}]", f"=[invested_{j}]", net)
        else:
            cells = (f"=[total_received_{j}]*(1-{kept})", f"=[invested_{j}]-[retained_invested]", net)
        s.add(Row(f"token_holders_{j}", f"Token holders: {name}", "USD", kind="table", cells=cells,
                  text="Market and default risk, in order of seniority" + (" (less the platform's retained slice)" if j == J else ""),
                  note="Whole-life distributions received against the money invested" +
                       (", less the platform's retained slice." if j == J else ".")))
    s.add(Row("token_holders", "Token holders (all classes)", "USD", kind="table",
              cells=(f"=[total_received_all]-[total_received_{J}]*{kept}", "=[raise_amount]-[retained_invested]", net),
              text="Extreme: they fund everything and bear the GPUs' depreciation",
              note="Every class together, less the platform's retained slice."))
    fees = "+".join(f"SUM([{fee.name}_paid@all])" for fee in fee_steps())
    formulas = {
        "sponsor": ("=SUM([sponsor_residual@all])+[sale_to_sponsor]", "",
                    "The waterfall's residual after the junior's share, and the sale proceeds left after every class."),
        "platform": (f"=[issuance_fee]+{fees}+[sale_fee_paid]+[total_received_{J}]*{kept}", "=[retained_invested]",
                     ("Issuance fee, senior fees (in the waterfall and fee arrears from the sale) and its retained "
                      "slice's distributions; the slice's price as cash out.")),
        "hardware_vendors": ("=[capex]", "", "The GPU purchase at close."),
        "power_and_colocation": ("=SUM([opex_paid@all])+[sale_opex_paid]", "",
                                 "Operating costs paid in the waterfall and arrears paid from the sale."),
        "customers": ("", "=SUM([revenue@all])", "Rent paid for compute."),
        "secondary_buyers": ("", "=[sale_price_gross]", "The price paid for the auctioned GPUs."),
        "liquidation_agent": ("=[sale_costs]", "", "The sale costs."),
    }
    for key, label, risk in PARTICIPANTS:
        cash_in, cash_out, note = formulas[key]
        s.add(Row(key, label, "USD", kind="table", cells=(cash_in, cash_out, net), text=risk, note=note))
    parties = ["token_holders"] + [p[0] for p in PARTICIPANTS]
    s.add(blank(), Row("participants_net_total", "Sum of all participants' net cash (must be 0)", "USD", kind="scalar",
                       f="=" + "+".join(f"[{p}@net]" for p in parties), note="Money is only moved, never made."))
    return s


def _flag(key: str, label: str, condition: str, note: str) -> Row:
    return Row(key, label, "flag", kind="scalar", f=f"=IF({condition},1,0)", note=note + " 1 = fails.")


def checks_sheet(tranche_names: list[str] | None, block: WaterfallBlock | None, node_tiers: int | None = None,
                 byod: bool = False) -> SheetSpec:
    """The checks of each part the deal has (``tranche_names`` None: no securitization)."""
    purpose = ("Each check counts the periods (or cases) where an identity fails by more than the check tolerance; "
               "column D must be 0. The master check at the top sums them all.")
    if tranche_names is None or block is None:
        s = SheetSpec("Checks", "Checks", purpose, columns="table", table_headers=("Fails",))
        s.add(section("Whole-deal identities (1 = fails)"))
    else:
        s = _securitization_checks(SheetSpec("Checks", "Checks", purpose), tranche_names, block)
    if node_tiers:
        s.add(_flag("check_tier_sizes", "Node tiers add up to the licences",
                    f"ABS([tier_{node_tiers}@c2]-node_sale_licences)>check_tolerance", "The last tier's cumulative size."))
    if byod:
        s.add(_flag("check_byod_cumulative", "Bring your own GPU: cumulative cash corkscrew",
                    "ABS(INDEX([byod_cum_cash@all0],1,byod_horizon_months+1)-INDEX([byod_cum_cash@all0],1,1)"
                    "-SUM([byod_net_cash@all]))>check_tolerance",
                    "Cumulative cash at the horizon = cumulative cash at the start + every month's net cash."))
    return s


def _securitization_checks(s: SheetSpec, tranche_names: list[str], block: WaterfallBlock) -> SheetSpec:
    J = len(tranche_names)
    js = range(1, J + 1)
    count = '=COUNTIF([{key}@all],">"&check_tolerance)'
    flag = _flag

    def period_check(key: str, label: str, formula: str, note: str) -> Row:
        return Row(key, label, "USD", f=formula, d=count.format(key=key), note=note)

    paid = "+".join(f"[{k}]" for k in block.paid)
    arrears = [f"[{fee}_unpaid]" for fee in block.fees]
    balances = ",".join(["[reserve_close]", "[opex_unpaid]"] + arrears + [f"[balance_close_{j}]" for j in js]
                        + [f"[interest_unpaid_{j}]" for j in js])
    s.add(
        section("Monthly identities (absolute differences)"),
        period_check("check_cash_conservation", "Cash conservation: sources = uses",
                     f"=ABS(([revenue]+[reserve_release]+[reserve_draws_total])-({paid}))",
                     "Revenue + reserve release + reserve draws = what every step of the waterfall paid out."),
        period_check("check_reserve_corkscrew", "Reserve corkscrew",
                     "=ABS([reserve_close]-([reserve_close@-1]-[reserve_release]-[reserve_draws_total]+[reserve_topup]))",
                     "Closing = last closing - release - draws + top-up."),
    )
    for j, name in zip(js, tranche_names):
        s.add(period_check(f"check_balance_corkscrew_{j}", f"{name}: balance corkscrew and notes outstanding",
                           f"=ABS([balance_close_{j}]-([balance_close_{j}@-1]-[principal_paid_{j}]+[interest_capitalised_{j}]))"
                           f"+ABS([notes_outstanding_{j}]-IF([period]>=[sale_month],0,[balance_close_{j}]))",
                           "Closing = previous closing - principal paid + interest capitalised; notes outstanding after "
                           "the sale agree with the waterfall's balance before the sale month and are zero from it."))
    s.add(period_check("check_no_negative_balance", "No negative balance", f"=ABS(MIN(0,{balances}))",
                       "Reserve, arrears of operating costs, fees and interest, and note balances never go below zero."))
    if J > 1:
        below = "+".join(f"IF(({'+'.join(f'[balance_close_{k}]' for k in range(1, j))})>check_tolerance,[principal_paid_{j}],0)"
                         for j in range(2, J + 1))
        s.add(period_check("check_subordination_principal", "No principal below an outstanding class (sequential)",
                           f'=IF(OR(structure_principal_allocation="sequential",[sweep_mode]=1),{below},0)',
                           "Principal paid to a class while a class above it is still outstanding at the month's end, "
                           "in sequential allocation or sweep mode."))
    s.add(
        section("Whole-deal identities (1 = fails)"),
        flag("check_tranche_shares", "Tranche shares sum to 1",
             "ABS(" + "+".join(f"tranche{j}_share" for j in js) + "-1)*[raise_amount]>check_tolerance",
             "The share error is valued at the raise, in USD."),
        flag("check_sources_uses", "Sources = uses at close",
             "ABS([raise_amount]-([capex]+[reserve_funded]+[issuance_fee]))>check_tolerance",
             "Raise = capex + reserve + issuance fee."),
        flag("check_participants_net_zero", "Participants' net cash sums to zero",
             "ABS([participants_net_total])>check_tolerance", "Money is only moved, never made."),
    )
    for j, name in zip(js, tranche_names):
        s.add(flag(f"check_loss_{j}", f"{name}: loss = balance not repaid",
                   f"ABS([loss_{j}]-([invested_{j}]+[capitalised_interest_{j}]-[principal_received_{j}]-[sale_principal_{j}]))"
                   ">check_tolerance",
                   "Loss = invested + interest capitalised - principal from the waterfall - principal from the sale."))
    for j, name in zip(js, tranche_names):
        s.add(flag(f"check_mtl_identity_{j}", f"{name}: mark-to-liquidation identity",
                   f"ABS(SUM([mtl_return_{j}@all])*[invested_{j}]-([total_received_{j}]-[invested_{j}]))>check_tolerance",
                   "The yearly mark-to-liquidation returns x invested add up to total cash received - invested."))
    if J > 1:
        falls = ",".join(f"([loss_pct_{j}]-[loss_pct_{j + 1}])*[raise_amount]>check_tolerance" for j in range(1, J))
        s.add(flag("check_subordination_loss", "Loss % never falls going down the classes", f"OR({falls})",
                   "A class never loses a smaller share than the class above it (the difference valued at the raise, "
                   "against the tolerance)."))
    return s
