"""The Waterfall sheet: the priority of payments (modelgen.waterfall) as blocks of rows.

The sheet is emitted by walking ``priority_of_payments()``: one small emitter per step kind
(operating costs, fee, interest, principal, reserve, residual) writes the step's rows, reading
the cash left by the step before it and leaving its own ``cash_after_<step>`` row for the next.
Steps the reserve covers draw, in order, on what the reserve still holds. The cash-conservation
check and the column-D totals come from the same walk (``WaterfallBlock``), never from a
hand-kept list.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..glossary import defined_name
from ..waterfall import Step, priority_of_payments
from .abs_sheets import COLOCATION, ENERGY, FIXED, MAINTENANCE
from .layout import Row, SheetSpec, section

# What a fee step accrues each month while the deal operates, by its basis (a new senior fee: one
# config field, one glossary entry and one step in modelgen.waterfall).
FEE_BASES = {
    "balance_annual": ("{rate}/12*[balance_open_total]", "annual rate / 12 x notes outstanding at the start of the month"),
    "fixed_month": ("{rate}", "a fixed amount a month"),
}


def _sum(keys) -> str:
    return "+".join(f"[{k}]" for k in keys)


def claim_key(step: Step, stem: str) -> str:
    """Row key of a claim step's row: ``opex_due``, ``mgmt_fee_paid``, ``interest_unpaid_2``."""
    return f"interest_{stem}_{step.cls}" if step.kind == "interest" else f"{step.name}_{stem}"


def draw_key(step: Step) -> str:
    return claim_key(step, "reserve_draw")


@dataclass
class WaterfallBlock:
    """What the walk over the steps leaves behind for the other sheets."""

    paid: list[str] = field(default_factory=list)     # what each step paid out (cash conservation)
    draws: list[str] = field(default_factory=list)    # reserve draws, in order
    fees: list[str] = field(default_factory=list)     # fee step names


@dataclass
class Walk:
    cash: str                      # key of the cash left before the step
    block: WaterfallBlock
    names: list[str]


def _claim_rows(step: Step, walk: Walk, accrued: str, label: str, unit_note: str) -> list[Row]:
    """Due = accrued + arrears; paid from the cash left, then (where the reserve covers this step) from the
    reserve; what is still unpaid carries as arrears (interest in a holiday month is capitalised instead)."""
    def k(stem: str) -> str:
        return claim_key(step, stem)

    cash = walk.cash
    rows = [
        Row(k("due"), f"{label} due", "USD", f=f"=[{accrued}]+[{k('unpaid')}@-1]",
            note=f"{unit_note} accrued this month plus what was left unpaid before (a claim carried forward)."),
        Row(k("paid_cash"), f"{label} paid from cash", "USD", f=f"=MIN([{cash}],[{k('due')}])",
            note=f"From the cash left after the steps above ({cash})."),
    ]
    shortfall = f"[{k('due')}]-[{k('paid_cash')}]"
    if step.reserve_covers:
        left = "[reserve_open]-[reserve_release]" + "".join(f"-[{d}]" for d in walk.block.draws)
        rows.append(Row(draw_key(step), f"{label} drawn from the reserve", "USD",
                        f=f"=[operating]*MIN({left},{shortfall})",
                        note="The shortfall, as far as the reserve still holds money after the release and the "
                             "draws of the steps above."))
        shortfall += f"-[{draw_key(step)}]"
        walk.block.draws.append(draw_key(step))
    paid = f"=[{k('paid_cash')}]" + (f"+[{draw_key(step)}]" if step.reserve_covers else "")
    rows.append(Row(k("paid"), f"{label} paid", "USD", f=paid, note="Paid from cash and from the reserve.",
                    d=f"=SUM([{k('paid')}@all])"))
    if step.kind == "interest":
        rows.append(Row(k("capitalised"), f"{label} capitalised (holiday)", "USD",
                        f=f"=[operating]*IF([period]<=structure_interest_holiday_months,{shortfall},0)",
                        note="In the interest holiday's months, interest not paid is added to the balance instead of "
                             "becoming arrears."))
        shortfall += f"-[{k('capitalised')}]"
    rows += [
        Row(k("unpaid"), f"{label} unpaid, carried (closing)", "USD", f=f"={shortfall}", f0="=0",
            note="Due less paid" + (" and less capitalised" if step.kind == "interest" else "") +
                 ": arrears that rank first next month and at the sale."),
        Row(step.cash_after_key, f"Cash left after {label.lower()}", "USD", f=f"=[{cash}]-[{k('paid_cash')}]",
            note="What the next step can use."),
    ]
    walk.block.paid.append(k("paid"))
    walk.cash = step.cash_after_key
    return rows


def emit_opex(step: Step, walk: Walk) -> list[Row]:
    live = "[operating]*[in_life]*"
    accrual = [
        Row("opex_energy", "Energy", "USD", f="=" + live + ENERGY.format(u="[utilisation]"),
            note="GPUs x kW per GPU x PUE x hours x power price x (idle share + (1 - idle share) x utilisation): "
                 "an idle GPU still draws power, a busy one draws full."),
        Row("opex_colocation", "Colocation", "USD", f="=" + live + COLOCATION,
            note="GPUs x kW per GPU x colocation price per kW of IT load."),
        Row("opex_maintenance", "Maintenance", "USD", f="=" + live + MAINTENANCE, note="capex x annual maintenance rate / 12."),
        Row("opex_fixed", "Fixed operating costs", "USD", f="=" + live + FIXED,
            note="SPV administration and other fixed costs per month."),
        Row("opex_accrued", "Operating costs accrued", "USD",
            f="=[opex_energy]+[opex_colocation]+[opex_maintenance]+[opex_fixed]", d="=SUM([opex_accrued@all])",
            note="Energy + colocation + maintenance + fixed, while the deal operates and the GPUs are within their "
                 "useful life."),
    ]
    return accrual + _claim_rows(step, walk, "opex_accrued", "Operating costs", "Operating costs")


def emit_fee(step: Step, walk: Walk) -> list[Row]:
    assert step.basis is not None and step.rate is not None, f"fee step {step.name} needs a rate and a basis"
    formula, words = FEE_BASES[step.basis]
    formula = formula.format(rate=defined_name(step.rate))
    walk.block.fees.append(step.name)
    accrued = claim_key(step, "accrued")
    rows = [Row(accrued, f"{step.label} accrued", "USD", f=f"=[operating]*{formula}",
                note=f"{step.rate}: {words}, while the deal operates.")]
    return rows + _claim_rows(step, walk, accrued, step.label, "The fee")


def emit_interest(step: Step, walk: Walk) -> list[Row]:
    j = step.class_number
    name = walk.names[j - 1]
    accrued = f"interest_accrued_{j}"
    rows = [Row(accrued, f"{name}: interest accrued", "USD",
                f=f"=[accruing]*[balance_open_{j}]*tranche{j}_coupon/12",
                note="coupon / 12 on the balance at the start of the month, while interest accrues (operating, and "
                     "after a default through the liquidation lag).")]
    return rows + _claim_rows(step, walk, accrued, f"{name} interest", "Interest")


def emit_principal(step: Step, walk: Walk) -> list[Row]:
    j = step.class_number
    name = walk.names[j - 1]
    above = "".join(f"-[principal_due_{k}]" for k in range(1, j))
    cash = walk.cash
    rows = [
        Row(f"principal_due_{j}", f"{name}: principal due", "USD",
            f=f'=[operating]*IF([sweep_mode]=1,[balance_open_{j}],IF(structure_principal_allocation="pro_rata",'
              f'IF([balance_open_total]>0,[principal_due_total]*[balance_open_{j}]/[balance_open_total],0),'
              f'MIN([balance_open_{j}],MAX(0,[principal_due_total]{above}))))',
            note="Sweep mode: the whole balance. Sequential: min(balance, aggregate principal due less what the "
                 "classes above are due). Pro rata: aggregate due x balance / all balances."),
        Row(f"principal_paid_{j}", f"{name}: principal paid", "USD", f=f"=MIN([{cash}],[principal_due_{j}])",
            d=f"=SUM([principal_paid_{j}@all])", note=f"From the cash left after the steps above ({cash})."),
        Row(step.cash_after_key, f"Cash left after {name.lower()} principal", "USD",
            f=f"=[{cash}]-[principal_paid_{j}]", note="What the next step can use."),
    ]
    walk.block.paid.append(f"principal_paid_{j}")
    walk.cash = step.cash_after_key
    return rows


def emit_reserve(step: Step, walk: Walk) -> list[Row]:
    cash = walk.cash
    rows = [
        Row("reserve_draws_total", "Reserve draws", "USD", f="=" + _sum(walk.block.draws),
            note="Draws for operating costs, senior fees and class-1 interest."),
        Row("reserve_topup", "Reserve top-up from cash", "USD",
            f=f"=[operating]*MIN([{cash}],MAX(0,[reserve_target]-([reserve_open]-[reserve_release]-[reserve_draws_total])))",
            note="Cash left after class-1 principal refills the reserve to its target."),
        Row("reserve_close", "Reserve account, closing", "USD",
            f="=[reserve_open]-[reserve_release]-[reserve_draws_total]+[reserve_topup]", f0="=[reserve_funded]",
            note="Corkscrew: opening - release - draws + top-up; funded at close."),
        Row(step.cash_after_key, "Cash left after the reserve top-up", "USD", f=f"=[{cash}]-[reserve_topup]",
            note="What the junior classes can use."),
    ]
    walk.block.paid.append("reserve_topup")
    walk.cash = step.cash_after_key
    return rows


def emit_residual(step: Step, walk: Walk) -> list[Row]:
    junior = walk.names[-1]
    rows = [
        Row("residual", "Residual cash", "USD", f=f"=[{walk.cash}]", d="=SUM([residual@all])",
            note="What is left after every class: 0 in sweep mode while any class is outstanding."),
        Row("junior_excess", f"Excess yield to {junior}", "USD", f="=[residual]*structure_junior_excess_share",
            d="=SUM([junior_excess@all])",
            note="junior_excess_share of the residual, paid to the most junior class apart from its coupon, even "
                 "after it is repaid."),
        Row("sponsor_residual", "Residual to the sponsor", "USD", f="=[residual]-[junior_excess]",
            d="=SUM([sponsor_residual@all])", note="The sponsor is paid only after everything above."),
    ]
    walk.block.paid.append("residual")
    return rows


EMITTERS = {"opex": emit_opex, "fee": emit_fee, "interest": emit_interest, "principal": emit_principal,
            "reserve": emit_reserve, "residual": emit_residual}


def _cash_rows(fees: list[str]) -> list[Row]:
    fee_accruals = "".join(f"+[{f}_accrued]" for f in fees)
    return [
        section("Revenue, the reserve's release and the cash available"),
        Row("revenue", "Rental revenue", "USD",
            f="=[operating]*[in_life]*assets_gpu_count*revenue_hours_per_month*[utilisation]*[rent_per_gpu_hour]",
            d="=SUM([revenue@all])",
            note="GPUs x hours x utilisation x rent per GPU-hour, while the deal operates and the GPUs are within "
                 "their useful life."),
        Row("reserve_open", "Reserve account, opening", "USD", f="=[reserve_close@-1]", note="Last month's closing balance."),
        Row("reserve_target", "Reserve target", "USD",
            f=f"=IF(AND([operating]=1,[balance_open_1]>0),structure_reserve_months*([opex_accrued]{fee_accruals}"
              "+[interest_accrued_1]),0)",
            note="reserve_months x (operating costs + senior fees + class-1 interest accrued this month), while the "
                 "deal operates and class 1 is outstanding at the start of the month; else 0."),
        Row("reserve_release", "Reserve released into cash", "USD",
            f="=[operating]*MAX(0,[reserve_open]-[reserve_target])",
            note="The reserve's balance above its target, released before step 1 so that it follows the same "
                 "order as rent."),
        Row("cash_available", "Cash available", "USD", f="=[revenue]+[reserve_release]",
            note="Revenue plus the reserve's release: A at the start of the priority of payments."),
    ]


def _target_rows(J: int) -> list[Row]:
    invested = "(" + _sum(f"invested_{j}" for j in range(1, J + 1)) + ")"
    cv0 = "INDEX([collateral_value@all0],1,1)"
    holiday = "structure_interest_holiday_months"
    return [
        section("Target balance and principal due"),
        Row("balance_open_total", "Notes outstanding, opening", "USD", f="=" + _sum(f"balance_open_{j}" for j in range(1, J + 1)),
            note="Sum of every class's balance at the start of the month."),
        Row("schedule_base_balance", "Balance the straight-line schedule starts from", "USD",
            f=f"=IF([period]<={holiday},[balance_close_total],[schedule_base_balance@-1])", f0="=[balance_close_total]",
            note="B_H: the notes outstanding at the end of the interest holiday's last month (at close without a "
                 "holiday), held from then on."),
        Row("target_balance", "Target balance", "USD",
            f=f'=IF(structure_amortization="bullet",[balance_open_total],IF(structure_amortization="straight_line",'
              f'IF([period]<={holiday},[balance_open_total],[schedule_base_balance@-1]*MAX(0,(term_months-[period])/'
              f'(term_months-{holiday}))),IF(structure_amortization="ltv",IF({cv0}>0,{invested}*[collateral_value]/{cv0},0),0)))',
            f0="=[balance_close_total]",
            note="bullet: the opening balance (nothing scheduled); straight_line: the opening balance in the holiday, "
                 "then B_H x max(0, (T - t) / (T - H)); ltv: the notes at close x collateral value / collateral value "
                 "at close (0 if the collateral was worth nothing at close); sweep: 0."),
        Row("principal_due_total", "Principal due, all classes", "USD",
            f="=[operating]*IF([sweep_mode]=1,[balance_open_total],MAX(0,[balance_open_total]-[target_balance]))",
            note="max(0, opening balance - target balance), or the whole opening balance in sweep mode; a target "
                 "missed leaves the balance above next month's target, so no principal arrears ledger is needed."),
        Row("scheduled_principal", "Scheduled principal (for the DSCR)", "USD",
            f=f'=[operating]*IF(structure_amortization="straight_line",IF([period]>{holiday},MAX(0,IF([period]-1<={holiday},'
              f'[schedule_base_balance@-1],[target_balance@-1])-[target_balance]),0),IF(structure_amortization="ltv",'
              f'MAX(0,[target_balance@-1]-[target_balance]),0))',
            note="max(0, last month's target - this month's) where a schedule runs (straight_line after the holiday, "
                 "counted from B_H; ltv from month 1); 0 for bullet and sweep."),
    ]


def _test_rows(J: int, names: list[str], fees: list[str]) -> list[Row]:
    fee_accruals = "".join(f"-[{f}_accrued]" for f in fees)
    interest = _sum(f"interest_accrued_{j}" for j in range(1, J + 1))
    rows = [
        section("Coverage tests and triggers"),
        Row("cfads", "Cash flow available for debt service", "USD", f=f"=[revenue]-[opex_accrued]{fee_accruals}",
            note="Revenue - operating costs - senior fees accrued this month (arrears and reserve movements left out)."),
        Row("debt_service_due", "Debt service due", "USD", f=f"=[operating]*({interest}+[scheduled_principal])",
            note="Interest accrued this month on every class (holiday months included) + scheduled principal, in the "
                 "months the waterfall runs."),
        Row("dscr", "DSCR", "x", f='=IF(AND([operating]=1,[debt_service_due]>0),[cfads]/[debt_service_due],"n/a")',
            note="CFADS / debt service due, in the months the waterfall runs; n/a where nothing is due."),
        Row("dscr_breach_run", "Months in a row with the DSCR below its trigger", "months",
            f="=IF(AND([operating]=1,structure_triggers_dscr_min>0,ISNUMBER([dscr])),IF([dscr]<structure_triggers_dscr_min,"
              "[dscr_breach_run@-1]+1,0),0)", f0="=0",
            note="Counts months with DSCR < dscr_min; an n/a month (or the test switched off) breaks the run."),
        Row("ltv_1", f"LTV: {names[0]}", "x",
            f='=IF(AND([operating]=1,[collateral_value]>0),[balance_close_1]/[collateral_value],"n/a")',
            note="Class 1's balance at the end of the month / collateral value, in the months the waterfall runs; "
                 "n/a where the collateral is worth nothing."),
    ]
    for j in range(2, J + 1):
        total = _sum(f"balance_close_{k}" for k in range(1, j + 1))
        rows.append(Row(f"ltv_cum_{j}", f"Cumulative LTV through {names[j - 1]}", "x",
                        f=f'=IF(AND([operating]=1,[collateral_value]>0),({total})/[collateral_value],"n/a")',
                        note=f"Balances of classes 1..{j} at the end of the month / collateral value."))
    rows += [
        Row("ltv_breach", "LTV trigger breached", "flag",
            f="=[operating]*IF(AND(structure_triggers_ltv_max>0,[balance_close_1]>0),IF([collateral_value]>0,"
              "IF([balance_close_1]/[collateral_value]>structure_triggers_ltv_max,1,0),1),0)",
            note="1 where class 1 is outstanding and its LTV exceeds ltv_max (or the collateral is worth nothing); "
                 "ltv_max 0 switches the test off."),
        Row("trigger_breach", "Trigger breached this month", "flag",
            f="=[operating]*IF(OR(AND(structure_triggers_dscr_min>0,[dscr_breach_run]>=MAX(1,structure_triggers_dscr_months)),"
              "[ltv_breach]=1),1,0)",
            note="The DSCR has been below dscr_min for dscr_months months in a row (0 counts as 1), or the LTV test "
                 "failed."),
        Row("trigger_breached", "Trigger breached by the end of the month", "flag",
            f="=MAX([trigger_breached@-1],[trigger_breach])", f0="=0",
            note="A breach is not cured: the deal is in sweep mode from the next month on."),
    ]
    for j in range(1, J + 1):
        accrued = _sum(f"interest_accrued_{k}" for k in range(1, j + 1))
        rows.append(Row(f"interest_cover_{j}", f"Interest cover through {names[j - 1]}", "x",
                        f=f'=IF(AND([operating]=1,({accrued})>0),[cfads]/({accrued}),"n/a")',
                        note=f"CFADS / interest accrued on classes 1..{j}, in the months the waterfall runs."))
    rows.append(Row("senior_shortfall_run", "Months in a row with class-1 interest unpaid", "months",
                    f="=IF(AND([operating]=1,[interest_unpaid_1]>0),[senior_shortfall_run@-1]+1,0)", f0="=0",
                    note="A default when it reaches default.shortfall_months."))
    return rows


def waterfall_sheet(tranche_names: list[str]) -> tuple[SheetSpec, WaterfallBlock]:
    """The Waterfall sheet, and what its walk over the priority of payments leaves for the Checks sheet."""
    J = len(tranche_names)
    s = SheetSpec("Waterfall", "Monthly priority of payments", "Revenue and the reserve's release, then each step of "
                  "the priority of payments in order: what is due, what is paid from cash and "
                  "from the reserve, what stays unpaid; the target balance, the coverage tests and the triggers.")
    steps = priority_of_payments(tranche_names)
    fees = [step.name for step in steps if step.kind == "fee"]
    walk = Walk("cash_available", WaterfallBlock(), tranche_names)
    s.add(*_cash_rows(fees), *_target_rows(J))
    for number, step in enumerate(steps, start=1):
        s.add(section(f"Step {number}: {step.label}"), *EMITTERS[step.kind](step, walk))
    s.add(*_test_rows(J, tranche_names, fees))
    return s, walk.block
