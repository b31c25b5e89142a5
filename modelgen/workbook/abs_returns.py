"""The Returns sheet (docs/model.md sections 5 and 7): per class and for all token holders, cash flows, coupon
against excess against recovery, IRR (effective and nominal), MOIC, WAL, payback, loss, interest
cover, the liquidation cover each month, and what the yield really is, year by year."""
from __future__ import annotations

from ..waterfall import fee_steps
from .layout import Row, SheetSpec, blank, section
from .secondary_rows import secondary_rows


def _sum(keys) -> str:
    return "+".join(f"[{k}]" for k in keys)


def _cover_rows(J: int) -> list[Row]:
    """What each class would recover if the fleet were sold this month."""
    arrears = "".join(f"-[{fee.name}_unpaid]" for fee in fee_steps())
    return [
        section("Liquidation cover: what a sale this month would pay each class"),
        Row("liquidation_pool", "Proceeds of a sale this month, for the notes", "USD",
            f=f"=MAX(0,[collateral_value]*(1-default_fire_sale_discount)*(1-default_liquidation_cost_pct)+[reserve_close]"
              f"-[opex_unpaid]{arrears})",
            f0=f"=MAX(0,[collateral_value]*(1-default_fire_sale_discount)*(1-default_liquidation_cost_pct)+[reserve_close]"
               f"-[opex_unpaid]{arrears})",
            note="Collateral value x (1 - fire-sale discount) x (1 - sale costs) + the reserve, less unpaid operating "
                 "costs and fees (at least 0)."),
    ]


def _class_rows(j, name: str, J: int) -> list[Row]:
    """Period and single-value rows of one class (j = 1..J) or of all token holders (j = 'all')."""
    everyone = j == "all"
    js = range(1, J + 1)
    inv = "[raise_amount]" if everyone else f"[invested_{j}]"
    claim = ("(" + "+".join(f"[interest_unpaid_{k}]+[balance_close_{k}]" for k in js) + ")" if everyone
             else f"([interest_unpaid_{j}]+[balance_close_{j}])")

    def total(base: str) -> str:
        return "=" + _sum(f"{base}_{k}" for k in js)

    if everyone:
        dist = total("distributions")
        cover = total("liquidation_cover")
    else:
        dist = (f"=[interest_paid_{j}]+[principal_paid_{j}]+[sale_interest_received_{j}]+[sale_principal_received_{j}]"
                + ("+[junior_excess]+[sale_excess_received]" if j == J else ""))
        above = "".join(f"-[liquidation_cover_{k}]" for k in range(1, j))
        cover = (f"=IF([period]>=[sale_month],0,MIN([interest_unpaid_{j}]+[balance_close_{j}],"
                 f"MAX(0,[liquidation_pool]{above})))")
    cf, cum = f"[cash_flow_{j}@all0]", f"[cum_distributions_{j}@all]"
    loss = "[loss_all]" if everyone else f"[loss_{j}]"
    guess = f"IF([moic_{j}]>0,[moic_{j}]^([total_received_{j}]/SUMPRODUCT([period@all],[distributions_{j}@all]))-1,0)"
    has_root = f"AND(MIN({cf})<0,MAX({cf})>0)"
    unpaid = ("(" + "+".join(f"[interest_unpaid_{k}@all]" for k in js) + ")") if everyone else f"[interest_unpaid_{j}@all]"
    cover_of = f"interest_cover_{J if everyone else j}"
    rows = [
        section(name),
        Row(f"distributions_{j}", f"{name}: distributions received", "USD", f=dist,
            note="Coupon (and, for the most junior class, excess yield), principal, and what the sale paid."),
        Row(f"cash_flow_{j}", f"{name}: investor cash flow", "USD", f=f"=[distributions_{j}]", f0=f"=-{inv}",
            note="Money invested at t = 0 (negative), distributions after: the IRR's cash flows."),
        Row(f"cum_distributions_{j}", f"{name}: cumulative distributions", "USD",
            f=f"=[cum_distributions_{j}@-1]+[distributions_{j}]", f0="=0", note="Corkscrew of distributions."),
        Row(f"liquidation_cover_{j}", f"{name}: liquidation cover", "USD", f=cover, f0=cover,
            note="What the class would recover if the fleet were sold this month: the sale's proceeds paid down the "
                 "classes in order against arrears plus balance; 0 from the sale month on (the sale has paid out)."),
        Row(f"collateral_coverage_{j}", f"{name}: collateral coverage", "x",
            f=f'=IF(AND([period]<[sale_month],{claim}>0),[liquidation_cover_{j}]/{claim},"n/a")',
            f0=f'=IF(AND([period]<[sale_month],{claim}>0),[liquidation_cover_{j}]/{claim},"n/a")',
            note="Liquidation cover / (interest arrears + balance); n/a where nothing is owed or after the sale."),
        Row(f"interest_received_{j}", f"{name}: coupon received", "USD", kind="scalar",
            f=total("interest_received") if everyone else f"=SUM([interest_paid_{j}@all])",
            note="Interest paid by the waterfall (coupon only)."),
    ]
    if everyone or j == J:
        rows.append(Row(f"excess_received_{j}", f"{name}: excess yield received", "USD", kind="scalar",
                        f="=SUM([junior_excess@all])", note="The residual's junior share, paid by the waterfall."))
    rows += [
        Row(f"principal_received_{j}", f"{name}: principal received from the waterfall", "USD", kind="scalar",
            f=total("principal_received") if everyone else f"=SUM([principal_paid_{j}@all])",
            note="Principal paid by the monthly waterfall."),
        Row(f"recovery_{j}", f"{name}: recovery from the sale", "USD", kind="scalar",
            f=total("recovery") if everyone else
            f"=[sale_interest_{j}]+[sale_principal_{j}]" + ("+[sale_excess_junior]" if j == J else ""),
            note="What the sale paid: interest arrears, principal and (most junior class) what was left after every class."),
        Row(f"total_received_{j}", f"{name}: total received", "USD", kind="scalar", f=f"=SUM([distributions_{j}@all])",
            note="Sum of distributions."),
        Row(f"principal_returned_{j}", f"{name}: principal returned (waterfall and sale)", "USD", kind="scalar",
            f=total("principal_returned") if everyone else f"=[principal_received_{j}]+[sale_principal_{j}]",
            note="Principal from the waterfall plus principal from the sale."),
        Row(f"capitalised_interest_{j}", f"{name}: interest capitalised", "USD", kind="scalar",
            f=total("capitalised_interest") if everyone else f"=SUM([interest_capitalised_{j}@all])",
            note="Interest added to the balance in the interest holiday."),
        Row(f"balance_reductions_{j}", f"{name}: balance reductions", "USD", kind="scalar",
            f=total("balance_reductions") if everyone else f"=[principal_returned_{j}]+[loss_{j}]",
            note="Principal paid (waterfall and sale) plus principal written off at the sale."),
        Row(f"balance_reduction_month_weighted_{j}", f"{name}: balance reductions x month", "USD x month", kind="scalar",
            f=total("balance_reduction_month_weighted") if everyone
            else f"=SUMPRODUCT([period@all],[principal_paid_{j}@all])+[sale_month]*([sale_principal_{j}]+[loss_{j}])",
            note="Sum over months of t x the balance reduction in month t (for the WAL)."),
    ]
    if everyone:
        rows.append(Row("loss_all", "All: principal written off", "USD", kind="scalar", f=total("loss"),
                        note="Sum of every class's loss."))
    rows += [
        Row(f"loss_pct_{j}", f"{name}: loss %", "%", kind="scalar",
            f=f"={loss}/({inv}+[capitalised_interest_{j}])",
            note="Principal written off / (invested + interest capitalised)."),
        Row(f"recovery_per_100_{j}", f"{name}: recovery per 100 invested", "per 100", kind="scalar",
            f=f"=[recovery_{j}]/{inv}*100", note="Recovery / invested x 100."),
        Row(f"irr_{j}", f"{name}: IRR (effective annual)", "%", kind="scalar",
            f=f'=IF({has_root},IFERROR(IF((1+IRR({cf},{guess}))^12-1<irr_floor_annual,"n/a",(1+IRR({cf},{guess}))^12-1),'
              f'"n/a"),"n/a")',
            note="(1 + monthly IRR)^12 - 1; n/a where the cash flows never change sign, no root is found or the IRR is "
                 "below the lowest IRR shown (a setting). The guess "
                 "(MOIC spread over the cash-weighted months of the distributions) helps engines that iterate from "
                 "it converge."),
        Row(f"irr_nominal_{j}", f"{name}: IRR (nominal annual)", "%", kind="scalar",
            f=f'=IF({has_root},IFERROR(IF((1+IRR({cf},{guess}))^12-1<irr_floor_annual,"n/a",12*IRR({cf},{guess})),'
              f'"n/a"),"n/a")',
            note="12 x monthly IRR: the figure comparable with a coupon (n/a where the effective IRR is n/a)."),
        Row(f"moic_{j}", f"{name}: MOIC", "x", kind="scalar", f=f"=[total_received_{j}]/{inv}",
            note="Total received / invested."),
        Row(f"wal_years_{j}", f"{name}: weighted average life", "years", kind="scalar",
            f=f'=IF([balance_reductions_{j}]>0,[balance_reduction_month_weighted_{j}]/12/[balance_reductions_{j}],"n/a")',
            note="Sum of (t / 12) x balance reduction at t / sum of balance reductions."),
        Row(f"payback_month_{j}", f"{name}: payback month", "month", kind="scalar",
            f=f'=IF(MAX({cum})>={inv}-check_tolerance,SUMPRODUCT(({cum}<{inv}-check_tolerance)*1)+1,"never")',
            note="First month in which cumulative distributions reach the amount invested (within the check "
                 "tolerance, so that a class paid back to the cent is not 'never' for a rounding residue)."),
        Row(f"first_shortfall_month_{j}", f"{name}: first month with interest unpaid", "month", kind="scalar",
            f=f'{{=IF(MAX({unpaid})>0,MATCH(TRUE,{unpaid}>0,0),"none")}}',
            note="First month that ends with interest arrears (after the reserve; after a default, the interest "
                 "accruing until the sale)."),
        Row(f"min_interest_cover_{j}", f"{name}: minimum interest cover", "x", kind="scalar",
            f=f'=IF(COUNT([{cover_of}@all])>0,MIN([{cover_of}@all]),"n/a")',
            note=f"Lowest monthly CFADS / interest accrued on classes 1..{J if everyone else j}."),
        Row(f"day_one_cover_{j}", f"{name}: day-one cover", "x", kind="scalar",
            f=f"=INDEX([liquidation_cover_{j}@all0],1,1)/{inv}",
            note="Liquidation cover at close / invested: below 1 because fees and the reserve make the fleet worth "
                 "less than the raise the day it is bought."),
        blank(),
    ]
    return rows


def _year_rows(j, name: str) -> list[Row]:
    inv = "[raise_amount]" if j == "all" else f"[invested_{j}]"
    cum0 = f"[cum_distributions_{j}@all0]"
    cash = f"SUMIF([year@all],[year_number],[distributions_{j}@all])"
    end, start = "MIN(12*[year_number],term_months)+1", "MIN(12*([year_number]-1),term_months)+1"
    return [
        Row(f"cash_yield_{j}", f"{name}: cash yield", "%", kind="year", f=f"={cash}/{inv}",
            note="Distributions received in the year / invested: the yield a holder sees."),
        Row(f"yield_return_of_capital_{j}", f"{name}: of which return OF capital", "%", kind="year",
            f=f"=(MIN(INDEX({cum0},1,{end}),{inv})-MIN(INDEX({cum0},1,{start}),{inv}))/{inv}",
            note="Distributions count as your own money back until they add up to the amount invested."),
        Row(f"yield_return_on_capital_{j}", f"{name}: of which return ON capital", "%", kind="year",
            f=f"=[cash_yield_{j}]-[yield_return_of_capital_{j}]",
            note="Only distributions beyond the amount invested are a return on capital."),
        Row(f"cover_end_of_year_{j}", f"{name}: liquidation cover at the year end", "USD", kind="year",
            f=f"=INDEX([liquidation_cover_{j}@all0],1,{end})",
            note="What a sale at the end of the year would pay the class (0 once the fleet is sold)."),
        Row(f"mtl_return_{j}", f"{name}: mark-to-liquidation return", "%", kind="year",
            f=f"=({cash}+[cover_end_of_year_{j}]-[cover_end_of_year_{j}@-1])/{inv}",
            f0=f"=({cash}+[cover_end_of_year_{j}]-{inv})/{inv}",
            note="(Cash received in the year + cover at its end - cover at the end of the year before) / invested; "
                 "year 1 starts from the amount invested, so it carries the day-one gap. What the holder really "
                 "earned once the collateral's fall is counted."),
    ]


def returns_sheet(tranche_names: list[str]) -> SheetSpec:
    J = len(tranche_names)
    s = SheetSpec("Returns", "Investor returns and what the yield really is",
                  "Per class and for all token holders: cash flows, coupon against excess against "
                  "recovery, IRR, MOIC, WAL, payback, loss, the liquidation cover each month, and distributions split "
                  "into return OF capital and return ON capital and marked to liquidation, year by year.")
    groups = [(j, name) for j, name in zip(range(1, J + 1), tranche_names)] + [("all", "All token holders")]
    s.add(*_cover_rows(J))
    for j, name in groups:
        s.add(*_class_rows(j, name, J))
    s.add(
        section("The deal"),
        Row("min_dscr", "Minimum DSCR", "x", kind="scalar", f='=IF(COUNT([dscr@all])>0,MIN([dscr@all]),"n/a")',
            note="Lowest monthly DSCR over the months the waterfall runs."),
        Row("max_ltv", f"Maximum LTV: {tranche_names[0]}", "x", kind="scalar",
            f='=IF(COUNT([ltv_1@all])>0,MAX([ltv_1@all]),"n/a")',
            note="Highest monthly class-1 LTV over the months the waterfall runs."),
        *secondary_rows(tranche_names),
        blank(),
        section("What the yield really is, by deal year"),
        Row("year_number", "Deal year", "year", kind="year", f="=[year_number@-1]+1", f0="=1", note="Year 1, 2, ..."),
    )
    for j, name in groups:
        s.add(*_year_rows(j, name))
    return s
