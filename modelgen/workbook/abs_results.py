"""Tranches, Returns, Participants and Checks sheets (MODEL.md sections 1, 4-6 and 9) as row specs."""
from __future__ import annotations

from ..reference.abs_model import PARTICIPANTS
from .layout import Row, SheetSpec, blank, section


def _sum(keys) -> str:
    return "+".join(f"[{k}]" for k in keys)


def tranches_sheet(tranche_names: list[str]) -> SheetSpec:
    J = len(tranche_names)
    js = range(1, J + 1)
    s = SheetSpec("Tranches", "Sources and uses, the sale, and a corkscrew per tranche",
                  "Sources and uses at close (section 1), the sale of the fleet and its priority of payments "
                  "(section 4), and each tranche's balance, interest and losses month by month.")
    shares = "+".join(f"tranche{j}_share*tranche{j}_coupon" for j in js)
    s.add(
        section("Sources and uses at close (t = 0)"),
        Row("capex", "GPU capex (uses)", "USD", kind="scalar",
            f="=assets_gpu_count*assets_gpu_unit_price*(1+assets_ancillary_capex_pct)",
            note="GPUs x unit price x (1 + ancillary capex for servers, network and install)."),
        Row("weighted_coupon", "Weighted coupon of all notes", "%", kind="scalar", f=f"={shares}",
            note="Sum over tranches of share x coupon."),
        Row("raise_amount", "Raise from token holders (sources)", "USD", kind="scalar",
            f="=[capex]/(1-fees_issuance_fee_pct-structure_reserve_months*[weighted_coupon]/12)",
            note="Grossed up in closed form so that raise = capex + reserve + fee (no circular reference)."),
        Row("issuance_fee", "Issuance fee to the platform (uses)", "USD", kind="scalar",
            f="=[raise_amount]*fees_issuance_fee_pct"),
        Row("reserve_funded", "Reserve account funded at close (uses)", "USD", kind="scalar",
            f="=structure_reserve_months*[raise_amount]*[weighted_coupon]/12",
            note="reserve_months x the first month's interest on all notes."),
    )
    for j, name in zip(js, tranche_names):
        s.add(Row(f"invested_{j}", f"{name}: invested", "USD", kind="scalar", f=f"=[raise_amount]*tranche{j}_share"))
    s.add(
        section("Sale of the fleet (liquidation or maturity)"),
        Row("sale_market_value", "Market value in the sale month", "USD", kind="scalar",
            f="=INDEX([market_value@all],[sale_month])"),
        Row("sale_fire_discount", "Fire-sale discount applied", "%", kind="scalar",
            f="=IF([default_month]>0,default_fire_sale_discount,0)", note="Only after a default; none at maturity."),
        Row("sale_price_gross", "Sale price paid by the buyers", "USD", kind="scalar",
            f="=[sale_market_value]*(1-[sale_fire_discount])"),
        Row("sale_costs", "Sale costs (liquidation agent)", "USD", kind="scalar",
            f="=[sale_price_gross]*default_liquidation_cost_pct"),
        Row("sale_price_net", "Net sale price", "USD", kind="scalar", f="=[sale_price_gross]-[sale_costs]"),
        Row("sale_reserve_balance", "Reserve balance released at the sale", "USD", kind="scalar",
            f="=INDEX([reserve_close@all],[sale_month])"),
        Row("sale_proceeds", "Sale proceeds to distribute", "USD", kind="scalar",
            f="=[sale_price_net]+[sale_reserve_balance]", note="Net price plus the reserve balance."),
    )
    left = "sale_proceeds"
    for j, name in zip(js, tranche_names):
        s.add(
            Row(f"sale_interest_{j}", f"{name}: unpaid interest paid from the sale", "USD", kind="scalar",
                f=f"=MIN([{left}],INDEX([interest_unpaid_{j}@all],[sale_month]))"),
            Row(f"sale_principal_{j}", f"{name}: principal paid from the sale", "USD", kind="scalar",
                f=f"=MIN([{left}]-[sale_interest_{j}],INDEX([balance_close_{j}@all],[sale_month]))"),
            Row(f"proceeds_left_{j}", f"Proceeds left after {name}", "USD", kind="scalar",
                f=f"=[{left}]-[sale_interest_{j}]-[sale_principal_{j}]"),
            Row(f"loss_{j}", f"{name}: principal loss", "USD", kind="scalar",
                f=f"=INDEX([balance_close_{j}@all],[sale_month])-[sale_principal_{j}]",
                note="Principal not repaid by the waterfall or the sale."),
        )
        left = f"proceeds_left_{j}"
    s.add(Row("sale_to_sponsor", "Sale proceeds left to the sponsor", "USD", kind="scalar", f=f"=[{left}]"))
    for j, name in zip(js, tranche_names):
        s.add(
            section(f"{name} corkscrew"),
            Row(f"balance_open_{j}", f"{name}: balance, opening", "USD", f=f"=[balance_close_{j}@-1]"),
            Row(f"interest_accrued_{j}", f"{name}: interest accrued", "USD",
                f=f"=[operating]*[balance_open_{j}]*tranche{j}_coupon/12",
                note="coupon / 12 on the balance at the start of the month, while the deal operates."),
            Row(f"interest_paid_{j}", f"{name}: interest paid (cash and reserve)", "USD",
                f=f"=[interest_paid_cash_{j}]+[reserve_draw_{j}]", d=f"=SUM([interest_paid_{j}@all])"),
            Row(f"interest_unpaid_{j}", f"{name}: interest unpaid, closing", "USD",
                f=f"=[interest_unpaid_{j}@-1]+[interest_accrued_{j}]-[interest_paid_cash_{j}]-[reserve_draw_{j}]",
                f0="=0", note="Corkscrew: carried to the next month and, at the sale, paid before principal."),
            Row(f"balance_close_{j}", f"{name}: balance, closing (waterfall)", "USD",
                f=f"=[balance_open_{j}]-[principal_paid_{j}]", f0=f"=[invested_{j}]",
                note="Moved by the monthly waterfall only; the sale lands in the rows below."),
            Row(f"sale_interest_received_{j}", f"{name}: interest from the sale", "USD",
                f=f"=[sale_flag]*[sale_interest_{j}]"),
            Row(f"sale_principal_received_{j}", f"{name}: principal from the sale", "USD",
                f=f"=[sale_flag]*[sale_principal_{j}]"),
            Row(f"principal_written_off_{j}", f"{name}: principal written off", "USD",
                f=f"=[sale_flag]*[loss_{j}]"),
            Row(f"notes_outstanding_{j}", f"{name}: notes outstanding after the sale", "USD",
                f=f"=[notes_outstanding_{j}@-1]-[principal_paid_{j}]-[sale_principal_received_{j}]-[principal_written_off_{j}]",
                f0=f"=[invested_{j}]", note="Zero from the sale month on."),
        )
    return s


def returns_sheet(tranche_names: list[str]) -> SheetSpec:
    J = len(tranche_names)
    js = list(range(1, J + 1))
    s = SheetSpec("Returns", "Investor returns and what the yield really is",
                  "Per tranche and for all token holders (MODEL.md section 5): cash flows, IRR, MOIC, WAL, payback, "
                  "and distributions split into return OF capital (your own money back) and return ON capital.")
    groups = [(j, name) for j, name in zip(js, tranche_names)] + [("all", "All token holders")]

    def total(base: str) -> str:
        return "=" + _sum(f"{base}_{k}" for k in js)

    for j, name in groups:
        inv = "[raise_amount]" if j == "all" else f"[invested_{j}]"
        if j == "all":
            dist = total("distributions")
            unpaid = "(" + "+".join(f"[interest_unpaid_{k}@all]" for k in js) + ")"
        else:
            dist = (f"=[interest_paid_{j}]+[principal_paid_{j}]+[sale_interest_received_{j}]+[sale_principal_received_{j}]"
                    + ("+[junior_excess]" if j == J else ""))
            unpaid = f"[interest_unpaid_{j}@all]"
        dscr = f"dscr_{J}" if j == "all" else f"dscr_{j}"
        cf, cum = f"[cash_flow_{j}@all0]", f"[cum_distributions_{j}@all]"
        loss = "[loss_all]" if j == "all" else f"[loss_{j}]"
        s.add(
            section(name),
            Row(f"distributions_{j}", f"{name}: distributions received", "USD", f=dist,
                note="Interest (and excess yield for the most junior), principal, and sale proceeds."),
            Row(f"cash_flow_{j}", f"{name}: investor cash flow", "USD", f=f"=[distributions_{j}]", f0=f"=-{inv}",
                note="Money invested at t = 0 (negative), distributions after: the IRR's cash flows."),
            Row(f"cum_distributions_{j}", f"{name}: cumulative distributions", "USD",
                f=f"=[cum_distributions_{j}@-1]+[distributions_{j}]", f0="=0"),
            Row(f"interest_received_{j}", f"{name}: interest received", "USD", kind="scalar",
                f=total("interest_received") if j == "all" else f"=SUM([interest_paid_{j}@all])"
                + ("+SUM([junior_excess@all])" if j == J else ""),
                note="From the waterfall (the most junior tranche's includes its excess yield)."),
            Row(f"principal_received_{j}", f"{name}: principal received from the waterfall", "USD", kind="scalar",
                f=total("principal_received") if j == "all" else f"=SUM([principal_paid_{j}@all])"),
            Row(f"recovery_{j}", f"{name}: recovery from the sale", "USD", kind="scalar",
                f=total("recovery") if j == "all" else f"=[sale_interest_{j}]+[sale_principal_{j}]"),
            Row(f"total_received_{j}", f"{name}: total received", "USD", kind="scalar", f=f"=SUM([distributions_{j}@all])"),
            Row(f"principal_returned_{j}", f"{name}: principal returned (waterfall and sale)", "USD", kind="scalar",
                f=total("principal_returned") if j == "all" else f"=[principal_received_{j}]+[sale_principal_{j}]"),
            Row(f"principal_month_weighted_{j}", f"{name}: principal returned x month", "USD x month", kind="scalar",
                f=total("principal_month_weighted") if j == "all"
                else f"=SUMPRODUCT([period@all],[principal_paid_{j}@all])+[sale_month]*[sale_principal_{j}]",
                note="Sum over months of t x principal returned in month t (for the WAL)."),
        )
        if j == "all":
            s.add(Row("loss_all", "All: principal loss", "USD", kind="scalar", f=total("loss")))
        s.add(
            Row(f"loss_pct_{j}", f"{name}: loss as % of invested", "%", kind="scalar", f=f"={loss}/{inv}"),
            Row(f"recovery_per_100_{j}", f"{name}: recovery per 100 invested", "per 100", kind="scalar",
                f=f"=[recovery_{j}]/{inv}*100"),
            Row(f"irr_{j}", f"{name}: IRR (annualised)", "%", kind="scalar",
                f=f'=IF(AND(MIN({cf})<0,MAX({cf})>0),IFERROR((1+IRR({cf},IF([moic_{j}]>0,[moic_{j}]^(1/term_months)-1,0)))'
                  f'^12-1,"n/a"),"n/a")',
                note="(1 + monthly IRR)^12 - 1; n/a where the cash flows never change sign. The guess (MOIC spread "
                     "over the term) helps engines that iterate from it converge."),
            Row(f"moic_{j}", f"{name}: MOIC", "x", kind="scalar", f=f"=[total_received_{j}]/{inv}",
                note="Total received / invested."),
            Row(f"wal_years_{j}", f"{name}: weighted average life", "years", kind="scalar",
                f=f'=IF([principal_returned_{j}]>0,[principal_month_weighted_{j}]/12/[principal_returned_{j}],"n/a")',
                note="Sum of (t / 12) x principal returned at t / total principal returned."),
            Row(f"payback_month_{j}", f"{name}: payback month", "month", kind="scalar",
                f=f'=IF(MAX({cum})>={inv},SUMPRODUCT(({cum}<{inv})*1)+1,"never")',
                note="First month in which cumulative distributions reach the amount invested."),
            Row(f"first_shortfall_month_{j}", f"{name}: first month with interest unpaid", "month", kind="scalar",
                f=f'{{=IF(MAX({unpaid})>0,MATCH(TRUE,{unpaid}>0,0),"none")}}',
                note="First month with interest still unpaid after the reserve draw."),
            Row(f"min_dscr_{j}", f"{name}: minimum DSCR", "x", kind="scalar",
                f=f'=IF(COUNT([{dscr}@all])>0,MIN([{dscr}@all]),"n/a")'),
            blank(),
        )
    s.add(section("Yield decomposition by deal year"),
          Row("year_number", "Deal year", "year", kind="year", f="=[year_number@-1]+1", f0="=1"))
    for j, name in groups:
        inv = "[raise_amount]" if j == "all" else f"[invested_{j}]"
        cum0 = f"[cum_distributions_{j}@all0]"
        s.add(
            Row(f"cash_yield_{j}", f"{name}: cash yield (distributions / invested)", "%", kind="year",
                f=f"=SUMIF([year@all],[year_number],[distributions_{j}@all])/{inv}",
                note="The headline yield a holder sees in the year."),
            Row(f"yield_return_of_capital_{j}", f"{name}: of which return OF capital", "%", kind="year",
                f=f"=(MIN(INDEX({cum0},MIN(12*[year_number],term_months)+1),{inv})-MIN(INDEX({cum0},"
                  f"MIN(12*([year_number]-1),term_months)+1),{inv}))/{inv}",
                note="Distributions count as your own money back until they add up to the amount invested."),
            Row(f"yield_return_on_capital_{j}", f"{name}: of which return ON capital", "%", kind="year",
                f=f"=[cash_yield_{j}]-[yield_return_of_capital_{j}]",
                note="Only distributions beyond the amount invested are a return on capital."),
        )
    return s


def participants_sheet(tranche_names: list[str]) -> SheetSpec:
    s = SheetSpec("Participants", "Who gets what", "Whole-life cash in, cash out and net (in - out) of everyone the "
                  "money passes through (MODEL.md section 6). The nets sum to zero.", columns="table",
                  table_headers=("Cash in", "Cash out", "Net", "Risk borne"))
    net = "=D{row}-E{row}"
    for j, name in enumerate(tranche_names, start=1):
        s.add(Row(f"token_holders_{j}", f"Token holders: {name}", "USD", kind="table",
                  cells=(f"=[total_received_{j}]", f"=[invested_{j}]", net),
                  text="Market and default risk, in order of seniority"))
    s.add(Row("token_holders", "Token holders (all tranches)", "USD", kind="table",
              cells=("=[total_received_all]", "=[raise_amount]", net),
              text="Extreme: they fund everything and bear the GPUs' depreciation"))
    formulas = {
        "sponsor": ("=SUM([sponsor_residual@all])+[sale_to_sponsor]", ""),
        "platform": ("=[issuance_fee]+SUM([mgmt_fee_paid@all])", ""),
        "hardware_vendors": ("=[capex]", ""),
        "power_and_colocation": ("=SUM([opex_paid@all])", ""),
        "customers": ("", "=SUM([revenue@all])"),
        "secondary_buyers": ("", "=[sale_price_gross]"),
        "liquidation_agent": ("=[sale_costs]", ""),
    }
    for key, label, risk in PARTICIPANTS:
        cash_in, cash_out = formulas[key]
        s.add(Row(key, label, "USD", kind="table", cells=(cash_in, cash_out, net), text=risk))
    parties = ["token_holders"] + [p[0] for p in PARTICIPANTS]
    s.add(blank(), Row("participants_net_total", "Sum of all participants' net cash (must be 0)", "USD", kind="scalar",
                       f="=" + "+".join(f"[{p}@net]" for p in parties)))
    return s


def checks_sheet(tranche_names: list[str], node_tiers: int | None = None) -> SheetSpec:
    J = len(tranche_names)
    js = range(1, J + 1)
    s = SheetSpec("Checks", "Checks", "Each check counts the periods (or cases) where an identity fails by more than "
                  "the check tolerance; column D must be 0. The master check at the top sums them all (MODEL.md "
                  "section 9).")
    count = '=COUNTIF([{key}@all],">"&check_tolerance)'

    def period_check(key: str, label: str, formula: str, note: str = "") -> Row:
        return Row(key, label, "USD", f=formula, d=count.format(key=key), note=note)

    paid = "+".join([f"[interest_paid_{j}]" for j in js] + ["[reserve_topup]"] + [f"[principal_paid_{j}]" for j in js])
    balances = ",".join(["[reserve_close]"] + [f"[balance_close_{j}]" for j in js] + [f"[interest_unpaid_{j}]" for j in js])
    s.add(
        section("Monthly identities (absolute differences)"),
        period_check("check_cash_conservation", "Cash conservation: sources = uses", 
                     f"=ABS(([revenue]+[reserve_draws_total]+[reserve_release])-([opex_paid]+[mgmt_fee_paid]+{paid}+[residual]))",
                     note="Revenue + reserve draws + releases = everything the waterfall paid out."),
        period_check("check_reserve_corkscrew", "Reserve corkscrew",
                     "=ABS([reserve_close]-([reserve_close@-1]+[reserve_topup]-[reserve_draws_total]-[reserve_release]))"),
    )
    for j, name in zip(js, tranche_names):
        s.add(period_check(f"check_balance_corkscrew_{j}", f"{name}: balance corkscrew and notes outstanding",
                           f"=ABS([balance_close_{j}]-([balance_close_{j}@-1]-[principal_paid_{j}]))"
                           f"+ABS([notes_outstanding_{j}]-IF([period]>=[sale_month],0,[balance_close_{j}]))",
                           note="Closing = previous closing - principal paid; notes outstanding after the sale agree "
                                "with the waterfall's balance before the sale month and are zero from it."))
    s.add(
        period_check("check_no_negative_balance", "No negative balance", f"=ABS(MIN(0,{balances}))",
                     note="Reserve, note balances and unpaid interest never go below zero."),
        section("Whole-deal identities (1 = fails)"),
        Row("check_tranche_shares", "Tranche shares sum to 1", "flag", kind="scalar",
            f="=IF(ABS(" + "+".join(f"tranche{j}_share" for j in js) + "-1)*[raise_amount]>check_tolerance,1,0)",
            note="The share error is valued at the raise, in USD."),
        Row("check_sources_uses", "Sources = uses at close", "flag", kind="scalar",
            f="=IF(ABS([raise_amount]-([capex]+[reserve_funded]+[issuance_fee]))>check_tolerance,1,0)"),
        Row("check_participants_net_zero", "Participants' net cash sums to zero", "flag", kind="scalar",
            f="=IF(ABS([participants_net_total])>check_tolerance,1,0)"),
    )
    for j, name in zip(js, tranche_names):
        s.add(Row(f"check_loss_{j}", f"{name}: loss = principal not repaid", "flag", kind="scalar",
                  f=f"=IF(ABS([loss_{j}]-([invested_{j}]-[principal_received_{j}]-[sale_principal_{j}]))>check_tolerance,1,0)"))
    if node_tiers:
        s.add(Row("check_tier_sizes", "Node tiers add up to the licences", "flag", kind="scalar",
                  f=f"=IF(ABS([tier_{node_tiers}@c2]-node_sale_licences)>check_tolerance,1,0)"))
    return s
