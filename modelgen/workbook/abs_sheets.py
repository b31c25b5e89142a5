"""Timeline, Depreciation and Waterfall sheets (MODEL.md sections 2-4) as row specs.

Each row's key is the name of the reference model's value; its formula template is written
once and copied across every month. The order of operations inside each formula matches the
reference so both give the same floating-point result, not just the same number to 9 digits.
"""
from __future__ import annotations

from .layout import Row, SheetSpec, blank, section

P = "period"


def timeline_sheet() -> SheetSpec:
    s = SheetSpec("Timeline", "Timeline", "Period numbers, dates and the flags that switch the deal on and off: "
                  "operating, default (MODEL.md section 4) and the sale month.")
    s.add(
        section("Periods"),
        Row("period", "Period (0 = closing date)", "month", f="=[period@-1]+1", f0="=0",
            note="Month number t; t = 0 is the closing date when funding, fees and GPU purchase happen."),
        Row("date", "Period end date", "date", f="=EDATE(start_date,[period])", f0="=EDATE(start_date,[period])",
            note="Start date plus t months: every cash flow happens at the end of its month."),
        Row("year", "Deal year", "year", f="=ROUNDUP([period]/12,0)", f0="=ROUNDUP([period]/12,0)",
            note="Year 1 holds months 1-12, year 2 months 13-24, ..."),
        Row("in_term", "Within the term", "flag", f="=IF([period]<=term_months,1,0)",
            note="1 while t <= term_months."),
        Row("shock_flag", "Next-generation shock in force", "flag",
            f="=IF(AND(shock_month>0,[period]>=shock_month),1,0)", f0="=IF(AND(shock_month>0,[period]>=shock_month),1,0)",
            note="1 from the shock month on (shock month 0 = no shock)."),
        section("Default and sale"),
        Row("operating", "Deal operating", "flag", f="=[in_term]*(1-[defaulted@-1])",
            note="1 within the term and while no default happened in an earlier month."),
        Row("default_event", "Default event this month", "flag",
            f="=[operating]*IF(OR([opex_unpaid]>0,[senior_shortfall_run]>=default_shortfall_months,"
              "[period]=default_forced_month),1,0)",
            note="Tested after the month's waterfall: opex unpaid, senior interest unpaid for "
                 "shortfall_months in a row, or the forced default month."),
        Row("defaulted", "Defaulted by the end of the month", "flag", f="=MAX([defaulted@-1],[default_event])", f0="=0",
            note="1 from the default month on."),
        Row("sale_flag", "Sale of the fleet this month", "flag", f="=IF([period]=[sale_month],1,0)",
            note="1 in the month the GPUs are sold (liquidation or maturity)."),
        blank(),
        Row("default_month", "Default month (0 = none)", "month", kind="scalar",
            f="=SUMPRODUCT([default_event@all],[period@all])",
            note="D: the first month with a default event; 0 when the deal never defaults."),
        Row("sale_month", "Sale month", "month", kind="scalar",
            f="=IF([default_month]>0,MIN([default_month]+default_liquidation_lag_months,term_months),term_months)",
            note="L = min(D + liquidation lag, T) after a default, else T (maturity)."),
    )
    return s


def depreciation_sheet() -> SheetSpec:
    s = SheetSpec("Depreciation", "GPU value and rent curves", "Rent per GPU-hour, utilisation, the fleet's market "
                  "(resale) value against its straight-line book value, and the gap between them (MODEL.md section 2).")
    s.add(
        section("Rent"),
        Row("rent_per_gpu_hour", "Rent per GPU-hour", "USD/GPU-h",
            f="=revenue_rent0*(1-revenue_rent_decline)^(([period]-1)/12)*(1-shock_rent_drop*[shock_flag])",
            note="rent0 * (1 - rent_decline)^((t - 1) / 12) * (1 - shock rent drop while the shock is in force)."),
        Row("utilisation", "Utilisation", "%",
            f="=IF(revenue_util_ramp_months=0,revenue_util_target,revenue_util_start+(revenue_util_target-"
              "revenue_util_start)*MIN(1,([period]-1)/revenue_util_ramp_months))",
            note="util_start in month 1, ramping linearly to util_target from month ramp + 1."),
        Row("opex_per_gpu_hour", "Operating cost per GPU-hour", "USD/GPU-h",
            f="=[opex_due]/(assets_gpu_count*revenue_hours_per_month)",
            note="Operating costs due in the month over the fleet's GPU-hours (0 once the GPUs go dark)."),
        section("Fleet value"),
        Row("market_value", "Market (resale) value of the fleet", "USD",
            f="=[capex]*(1-assets_value_decline)^([period]/12)*(1-shock_value_drop*[shock_flag])",
            f0="=[capex]*(1-assets_value_decline)^([period]/12)*(1-shock_value_drop*[shock_flag])",
            note="capex * (1 - value_decline)^(t / 12) * (1 - shock value drop while the shock is in force)."),
        Row("book_value", "Book value (straight line)", "USD",
            f="=[capex]*MAX(0,1-[period]/assets_useful_life_months)", f0="=[capex]*MAX(0,1-[period]/assets_useful_life_months)",
            note="What the sponsor reports: capex * max(0, 1 - t / useful life)."),
        Row("value_gap", "Book value less market value", "USD", f="=[book_value]-[market_value]",
            f0="=[book_value]-[market_value]",
            note="Depreciation the accounts do not show yet."),
        Row("economic_depreciation", "Economic depreciation", "USD", f="=[market_value@-1]-[market_value]",
            note="Market value lost during the month."),
    )
    return s


def _sum(keys: list[str]) -> str:
    return "+".join(f"[{k}]" for k in keys)


def waterfall_sheet(tranche_names: list[str]) -> SheetSpec:
    J = len(tranche_names)
    js = range(1, J + 1)
    s = SheetSpec("Waterfall", "Monthly priority of payments", "Revenue, then each step of the waterfall in order "
                  "(MODEL.md section 3): what is due, what is paid from the cash left, what stays unpaid.")
    opens = _sum([f"balance_open_{j}" for j in js])
    s.add(
        section("Revenue and operating costs (step 1)"),
        Row("revenue", "Rental revenue", "USD",
            f="=[operating]*assets_gpu_count*revenue_hours_per_month*[utilisation]*[rent_per_gpu_hour]",
            d="=SUM([revenue@all])",
            note="GPUs x hours x utilisation x rent per GPU-hour, while the deal operates."),
        Row("opex_energy", "Energy", "USD",
            f="=[operating]*assets_gpu_count*opex_kw_per_gpu*opex_pue*revenue_hours_per_month*opex_power_price",
            d="=SUM([opex_energy@all])", note="GPUs x kW per GPU x PUE x hours x power price."),
        Row("opex_colocation", "Colocation", "USD",
            f="=[operating]*assets_gpu_count*opex_kw_per_gpu*opex_pue*opex_colo_per_kw_month",
            d="=SUM([opex_colocation@all])", note="GPUs x kW per GPU x PUE x colocation price per kW-month."),
        Row("opex_maintenance", "Maintenance", "USD", f="=[operating]*[capex]*opex_maintenance_pct_annual/12",
            d="=SUM([opex_maintenance@all])", note="capex x annual maintenance rate / 12."),
        Row("opex_fixed", "Fixed operating costs", "USD", f="=[operating]*opex_fixed_opex_month",
            d="=SUM([opex_fixed@all])", note="SPV administration and other fixed costs per month."),
        Row("opex_due", "Operating costs due", "USD",
            f="=[opex_energy]+[opex_colocation]+[opex_maintenance]+[opex_fixed]", d="=SUM([opex_due@all])",
            note="Energy + colocation + maintenance + fixed."),
        Row("opex_paid", "Operating costs paid", "USD", f="=MIN([revenue],[opex_due])", d="=SUM([opex_paid@all])",
            note="Paid first from revenue."),
        Row("opex_unpaid", "Operating costs unpaid", "USD", f="=[opex_due]-[opex_paid]",
            note="Any amount here turns the GPUs off: a default event."),
        Row("cash_after_opex", "Cash left after operating costs", "USD", f="=[revenue]-[opex_paid]"),
        section("Platform management fee (step 2)"),
        Row("mgmt_fee_due", "Management fee due", "USD",
            f=f"=[operating]*(fees_mgmt_fee_annual/12*({opens})+[mgmt_fee_unpaid@-1])",
            note="Annual fee / 12 x notes outstanding at the start of the month, plus last month's unpaid fee."),
        Row("mgmt_fee_paid", "Management fee paid", "USD", f="=MIN([cash_after_opex],[mgmt_fee_due])",
            d="=SUM([mgmt_fee_paid@all])"),
        Row("mgmt_fee_unpaid", "Management fee unpaid (carried)", "USD", f="=[mgmt_fee_due]-[mgmt_fee_paid]"),
        Row("cash_after_fees", "Cash left after fees", "USD", f="=[cash_after_opex]-[mgmt_fee_paid]",
            note="Cash available for debt service (the DSCR numerator)."),
        section("Interest by seniority, with reserve draws (step 3)"),
        Row("reserve_open", "Reserve account, opening", "USD", f="=[reserve_close@-1]"),
    )
    cash = "[cash_after_fees]"
    for j, name in zip(js, tranche_names):
        earlier_draws = "".join(f"-[reserve_draw_{k}]" for k in range(1, j))
        s.add(
            Row(f"interest_due_{j}", f"{name}: interest due", "USD",
                f=f"=[operating]*([interest_unpaid_{j}@-1]+[interest_accrued_{j}])",
                note="This month's accrual plus interest unpaid last month (no interest on interest)."),
            Row(f"interest_paid_cash_{j}", f"{name}: interest paid from cash", "USD",
                f=f"=MIN({cash},[interest_due_{j}])",
                note="From the cash left after fees and the interest of the tranches senior to it."),
            Row(f"reserve_draw_{j}", f"{name}: drawn from the reserve", "USD",
                f=f"=MIN([reserve_open]{earlier_draws},[interest_due_{j}]-[interest_paid_cash_{j}])",
                note="The shortfall, as far as the reserve still holds money."),
        )
        cash = f"{cash}-[interest_paid_cash_{j}]"
    draws = _sum([f"reserve_draw_{j}" for j in js])
    s.add(
        section("Reserve account (step 4)"),
        Row("reserve_draws_total", "Reserve draws", "USD", f=f"={draws}"),
        Row("reserve_target", "Reserve target", "USD", f=f"=IF(({opens})>0,[reserve_funded],0)",
            note="The amount funded at close while any notes are outstanding, else 0."),
        Row("cash_after_interest", "Cash left after interest", "USD", f=f"={cash}"),
        Row("reserve_topup", "Reserve top-up from cash", "USD",
            f="=[operating]*MIN([cash_after_interest],MAX(0,[reserve_target]-([reserve_open]-[reserve_draws_total])))"),
        Row("reserve_release", "Reserve excess released to cash", "USD",
            f="=[operating]*MAX(0,[reserve_open]-[reserve_draws_total]-[reserve_target])"),
        Row("reserve_close", "Reserve account, closing", "USD",
            f="=[reserve_open]-[reserve_draws_total]+[reserve_topup]-[reserve_release]", f0="=[reserve_funded]",
            note="Corkscrew: opening - draws + top-up - release; funded at close."),
        Row("cash_after_reserve", "Cash left after the reserve", "USD",
            f="=[cash_after_interest]-[reserve_topup]+[reserve_release]"),
        section("Principal by seniority (step 5)"),
    )
    cash = "[cash_after_reserve]"
    for j, name in zip(js, tranche_names):
        s.add(
            Row(f"principal_due_{j}", f"{name}: principal due", "USD",
                f=f'=[operating]*IF(structure_amortization="bullet",0,IF(structure_amortization="sweep",'
                  f'[balance_open_{j}],MIN([balance_open_{j}],[invested_{j}]/term_months+[principal_unpaid_{j}@-1])))',
                note="bullet: 0 until the sale; straight_line: balance at close / T plus last month's unpaid "
                     "schedule; sweep: the whole balance."),
            Row(f"principal_paid_{j}", f"{name}: principal paid", "USD", f=f"=MIN({cash},[principal_due_{j}])",
                d=f"=SUM([principal_paid_{j}@all])",
                note="From the cash left after the reserve and the principal of the tranches senior to it."),
            Row(f"principal_unpaid_{j}", f"{name}: principal unpaid", "USD", f=f"=[principal_due_{j}]-[principal_paid_{j}]"),
        )
        cash = f"{cash}-[principal_paid_{j}]"
    s.add(
        section("Residual (step 6)"),
        Row("residual", "Residual cash", "USD", f=f"={cash}", d="=SUM([residual@all])"),
        Row("junior_excess", f"Excess yield to {tranche_names[-1]}", "USD",
            f="=[residual]*structure_junior_excess_share", d="=SUM([junior_excess@all])"),
        Row("sponsor_residual", "Residual to the sponsor", "USD", f="=[residual]-[junior_excess]",
            d="=SUM([sponsor_residual@all])", note="The sponsor is paid only after everything above."),
        section("Coverage and default tests"),
    )
    previous = None
    for j, name in zip(js, tranche_names):
        head = f"[debt_service_due_{previous}]+" if previous else ""
        s.add(
            Row(f"debt_service_due_{j}", f"Debt service due through {name}", "USD",
                f=f'={head}[interest_due_{j}]+IF(structure_amortization="straight_line",[principal_due_{j}],0)',
                note="Interest due plus scheduled (straight-line) principal due, on this tranche and all senior to it."),
            Row(f"dscr_{j}", f"DSCR through {name}", "x",
                f=f'=IF([debt_service_due_{j}]>0,[cash_after_fees]/[debt_service_due_{j}],"n/a")',
                note="Cash after opex and fees / debt service due; n/a where nothing is due."),
        )
        previous = j
    s.add(
        Row("senior_shortfall_run", "Months in a row with senior interest unpaid", "months",
            f="=IF(AND([operating]=1,[interest_unpaid_1]>0),[senior_shortfall_run@-1]+1,0)", f0="=0",
            note="A default when it reaches default.shortfall_months."),
    )
    return s
