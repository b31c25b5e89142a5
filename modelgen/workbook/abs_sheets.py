"""Timeline and Depreciation sheets (the deal's clock and the fleet: docs/model.md sections 2-4) as row specs.

Each row's key is the name of the reference model's value; its formula template is written
once and copied across every month. The order of operations inside each formula follows the
specification's formula, so both engines give the same floating-point result, not just the same
number to 9 digits. The Waterfall sheet is built step by step in :mod:`.waterfall_rows`.
"""
from __future__ import annotations

from .layout import Row, SheetSpec, blank, section


def timeline_sheet() -> SheetSpec:
    s = SheetSpec("Timeline", "Timeline", "Period numbers, dates and the flags that switch the deal on and off: "
                  "the term, the GPUs' useful life, operating, sweep mode, default and the sale month.")
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
        Row("in_life", "Within the GPUs' useful life", "flag", f="=IF([period]<=assets_useful_life_months,1,0)",
            note="1 while t <= useful_life_months; after it the GPUs are retired: no rent, no operating cost."),
        Row("shock_flag", "Next-generation shock in force", "flag",
            f="=IF(AND(shock_month>0,[period]>=shock_month),1,0)", f0="=IF(AND(shock_month>0,[period]>=shock_month),1,0)",
            note="1 from the shock month on (shock month 0 = no shock)."),
        section("Operating, sweep mode and default"),
        Row("operating", "Deal operating", "flag", f="=[in_term]*(1-[defaulted@-1])",
            note="1 within the term and while no default happened in an earlier month: the months the "
                 "waterfall runs."),
        Row("sweep_mode", "Sweep mode (all cash to principal, in order)", "flag",
            f='=IF(structure_amortization="sweep",1,[trigger_breached@-1])',
            note="1 from month 1 when amortization is sweep, else from the month after the first trigger breach "
                 "(read from the month before, so no cell depends on itself)."),
        Row("default_event", "Default event this month", "flag",
            f="=[operating]*IF(OR([opex_unpaid]>0,[senior_shortfall_run]>=default_shortfall_months,"
              "[period]=default_forced_month),1,0)",
            note="Tested after the month's waterfall: operating costs unpaid after the reserve, class-1 interest "
                 "unpaid for shortfall_months in a row, or the forced default month."),
        Row("defaulted", "Defaulted by the end of the month", "flag", f="=MAX([defaulted@-1],[default_event])", f0="=0",
            note="1 from the default month on."),
        Row("default_month_to_date", "First default month so far (0 = none)", "month",
            f="=IF([default_month_to_date@-1]>0,[default_month_to_date@-1],[default_event]*[period])", f0="=0",
            note="A running copy of the default month, so that month t can read it from month t - 1."),
        Row("accruing", "Interest accruing", "flag",
            f="=IF([operating]=1,1,IF(AND([default_month_to_date@-1]>0,[period]<=[default_month_to_date@-1]"
              "+default_liquidation_lag_months,[period]<=term_months),1,0))",
            note="1 while the deal operates and, after a default, through the liquidation lag up to the sale "
                 "month: the notes keep accruing interest into arrears while the fleet waits to be sold."),
        Row("sale_flag", "Sale of the fleet this month", "flag", f="=IF([period]=[sale_month],1,0)",
            note="1 in the month the GPUs are sold (liquidation or maturity)."),
        blank(),
        Row("default_month", "Default month (0 = none)", "month", kind="scalar",
            f="=SUMPRODUCT([default_event@all],[period@all])",
            note="D: the first month with a default event; 0 when the deal never defaults."),
        Row("sale_month", "Sale month", "month", kind="scalar",
            f="=IF([default_month]>0,MIN([default_month]+default_liquidation_lag_months,term_months),term_months)",
            note="S = min(D + liquidation lag, T) after a default, else T (maturity)."),
        Row("trigger_month", "First trigger breach (0 = none)", "month", kind="scalar",
            f="=IF(MAX([trigger_breach@all])>0,MATCH(1,[trigger_breach@all],0),0)",
            note="The first month a DSCR or LTV trigger is breached; sweep mode starts the month after."),
    )
    return s


# Operating cost of the fleet in a month at utilisation u (docs/model.md section 2), per line.
ENERGY = ("assets_gpu_count*opex_kw_per_gpu*opex_pue*revenue_hours_per_month*opex_power_price"
          "*(opex_idle_power_share+(1-opex_idle_power_share)*{u})")
COLOCATION = "assets_gpu_count*opex_kw_per_gpu*opex_colo_per_kw_month"
MAINTENANCE = "[capex]*opex_maintenance_pct_annual/12"
FIXED = "opex_fixed_opex_month"


def _annuity(x: str, n: str) -> str:
    """Sum of x^0..x^(n-1) in closed form, or n where x = 1."""
    return f"IF({x}=1,{n},(1-({x})^{n})/(1-{x}))"


def depreciation_sheet(rent_path: bool = False) -> SheetSpec:
    s = SheetSpec("Depreciation", "GPU value and rent curves", "Rent per GPU-hour, utilisation, the fleet's market "
                  "(resale) value, the value of what it can still earn, the collateral value (the lower of the two) "
                  "against the sponsor's book value, and the gap between them.")
    # without a rent path in any scenario, revenue_rent_path is one cell ("none"), which the rent row
    # leaves alone (INDEX on a single cell is #REF! in Gnumeric)
    curve = "revenue_rent0*(1-revenue_rent_decline)^(([period]-1)/12)*(1-shock_rent_drop*[shock_flag])"
    v, g, n = "[buyer_discount_factor]", "[rent_growth_monthly]", "MAX(0,assets_useful_life_months-[period])"
    gv = f"{g}*{v}"
    income = (f'=IF(ISNUMBER({v}),MAX(0,assets_gpu_count*revenue_hours_per_month*revenue_util_target*{{r1}}*{v}'
              f'*{_annuity(gv, n)}-[buyer_opex_month]*{v}*{_annuity(v, n)})+[scrap_value]*{v}^{n},"n/a")')
    s.add(
        section("Rent, utilisation and cost"),
        Row("rent_per_gpu_hour", "Rent per GPU-hour", "USD/GPU-h",
            f=("=IF(ISNUMBER(INDEX(revenue_rent_path,1,1)),INDEX(revenue_rent_path,MIN([period],term_months),1)," + curve + ")"
               if rent_path else "=" + curve),
            note="The rent path's month t where a path is given (one rent per month of the term; beyond the term its "
                 "last rent), else rent0 * "
                 "(1 - rent_decline)^((t - 1) / 12) * (1 - shock rent drop while the shock is in force)."),
        Row("utilisation", "Utilisation", "%",
            f="=IF(revenue_util_ramp_months=0,revenue_util_target,revenue_util_start+(revenue_util_target-"
              "revenue_util_start)*MIN(1,([period]-1)/revenue_util_ramp_months))",
            note="util_start in month 1, ramping linearly to util_target from month ramp + 1."),
        Row("opex_per_gpu_hour", "Operating cost per GPU-hour", "USD/GPU-h",
            f="=[opex_accrued]/(assets_gpu_count*revenue_hours_per_month)",
            note="Operating costs accrued in the month over the fleet's GPU-hours (0 once the GPUs go dark or retire)."),
        section("What a buyer of the fleet would pay for its income"),
        Row("scrap_value", "Scrap value of the fleet", "USD", kind="scalar", f="=[capex]*assets_scrap_value_pct",
            note="capex * scrap_value_pct: the fleet's value after its useful life."),
        Row("rent_growth_monthly", "Monthly rent factor", "x", kind="scalar", f="=(1-revenue_rent_decline)^(1/12)",
            note="g = (1 - rent_decline)^(1/12): next month's rent over this month's."),
        Row("buyer_discount_factor", "Buyer's monthly discount factor", "x", kind="scalar",
            f='=IF(ISNUMBER(assets_buyer_discount_annual),(1+assets_buyer_discount_annual)^(-1/12),"n/a")',
            note="v = (1 + buyer_discount_annual)^(-1/12); n/a where the income cap is off (discount none)."),
        Row("buyer_opex_month", "Buyer's operating cost per month", "USD", kind="scalar",
            f="=" + "+".join([ENERGY.format(u="revenue_util_target"), COLOCATION, MAINTENANCE, FIXED]),
            note="o: the fleet's monthly operating cost at util_target (energy + colocation + maintenance + fixed)."),
        section("Fleet value"),
        Row("market_value", "Market (resale) value of the fleet", "USD",
            f="=IF([period]<=assets_useful_life_months,[capex]*(1-assets_value_decline)^([period]/12)*"
              "(1-shock_value_drop*[shock_flag]),[scrap_value])",
            f0="=IF([period]<=assets_useful_life_months,[capex]*(1-assets_value_decline)^([period]/12)*"
               "(1-shock_value_drop*[shock_flag]),[scrap_value])",
            note="capex * (1 - value_decline)^(t / 12) * (1 - shock value drop while the shock is in force) "
                 "within the useful life; the scrap value after it."),
        Row("income_value", "Income value of the fleet", "USD",
            f=income.format(r1=f"[rent_per_gpu_hour]*{g}"), f0=income.format(r1="INDEX([rent_per_gpu_hour@all],1,1)"),
            note="What a buyer would pay for what the fleet can still earn, with n = max(0, L - t) months of life "
                 "left: max(0, GPUs * hours * util_target * r1 * v * (1 - (g v)^n) / (1 - g v) - o * v * "
                 "(1 - v^n) / (1 - v)) + scrap * v^n, where r1 = this month's rent * g (month 1's rent at close) "
                 "and a fraction with g v = 1 (or v = 1) is n. n/a where the income cap is off."),
        Row("collateral_value", "Collateral value of the fleet", "USD",
            f="=IF(ISNUMBER([income_value]),MIN([market_value],[income_value]),[market_value])",
            f0="=IF(ISNUMBER([income_value]),MIN([market_value],[income_value]),[market_value])",
            note="min(market value, income value): no buyer pays more than used GPUs fetch, nor more than the "
                 "GPUs can earn; the market value alone where the income cap is off."),
        Row("book_value", "Book value (straight line)", "USD",
            f="=[capex]*MAX(0,1-[period]/assets_useful_life_months)", f0="=[capex]*MAX(0,1-[period]/assets_useful_life_months)",
            note="What the sponsor reports: capex * max(0, 1 - t / useful life)."),
        Row("book_vs_collateral_gap", "Book value less collateral value", "USD", f="=[book_value]-[collateral_value]",
            f0="=[book_value]-[collateral_value]",
            note="The depreciation that the accounts do not show yet."),
        Row("economic_depreciation", "Economic depreciation", "USD", f="=[collateral_value@-1]-[collateral_value]",
            note="Collateral value lost during the month."),
    )
    return s
