"""The reference model of the GPU securitization (docs/model.md sections 1-7 and 10).

An independent implementation that reads only validated :class:`~modelgen.config.Deal` objects.
It is vectorised over deals: S deals with the same number of classes are computed at once, every
per-month quantity an array over the S deals, so the scalar model (S = 1) and a Monte Carlo
batch are the same code. The month loop runs the steps of
:func:`modelgen.waterfall.priority_of_payments` in order, each a small function in
:mod:`.steps`; the fleet's curves are in :mod:`.fleet`, returns, participants and checks in
:mod:`.returns`.

Every value is keyed by the same snake_case name as the workbook row that computes it (classes
``_1`` .. ``_J``, all token holders together ``_all``), so ``modelgen verify`` compares the
recalculated workbook with it cell by cell. Periods: t = 0 is the closing date, t = 1..H the
months (H >= T, the widest term of the batch or of the workbook's columns).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..config import Deal
from ..waterfall import PARTICIPANTS, priority_of_payments  # noqa: F401 (PARTICIPANTS: older imports)
from . import fleet
from .deals import DealArrays
from ..dates import edate, excel_serial
from .returns import checks, participants, returns, secondary_market
from .secondary import secondary_rows
from .steps import STEP_FUNCTIONS, Month, fee_accrual
from .values import NA, BatchValues, SheetValues  # noqa: F401 (SheetValues: the flat store, re-exported)


@lru_cache(maxsize=64)
def _dates(start, n: int) -> tuple:
    return tuple(excel_serial(edate(start, t)) for t in range(n))


def _timeline_and_fleet(d: DealArrays, out: BatchValues, fees: list) -> dict[str, np.ndarray]:
    """Rows that do not depend on the waterfall: dates, flags, rent, utilisation, values, sources and uses."""
    t = d.t
    out.period("period", t, start=0, integer=True)
    out.period("date", np.array([_dates(deal.start_date, d.n) for deal in d.deals]).T, start=0, integer=True)
    out.period("year", np.ceil(t / 12), start=0, integer=True)
    shock = out.period("shock_flag", fleet.shock_flag(d), start=0, integer=True)
    term = out.period("in_term", fleet.in_term(d), integer=True)
    life = out.period("in_life", fleet.in_life(d), integer=True)
    rent = out.period("rent_per_gpu_hour", fleet.rent_per_gpu_hour(d, shock))
    util = out.period("utilisation", fleet.utilisation(d))
    su = fleet.sources_uses(d, util, fees)
    for key, value in su.items():
        out.scalar(key, value)
    cap = su["capex"]
    p = d.p
    capped = p["income_cap"] > 0
    out.scalar("scrap_value", cap * p["scrap_value_pct"])
    out.scalar("rent_growth_monthly", (1 - p["rent_decline"]) ** (1 / 12))
    out.scalar("buyer_discount_factor", np.where(capped, (1 + p["buyer_discount_annual"]) ** (-1 / 12), np.nan), na=NA)
    out.scalar("buyer_opex_month", fleet.buyer_opex_month(d, cap))
    mv = out.period("market_value", fleet.market_value(d, cap, shock), start=0)
    iv = fleet.income_value(d, cap, rent)
    cv = out.period("collateral_value", fleet.collateral_value(d, mv, iv), start=0)
    out.period("income_value", np.where(capped, iv, np.nan), start=0, na=NA)
    bv = out.period("book_value", fleet.book_value(d, cap), start=0)
    out.period("book_vs_collateral_gap", bv - cv, start=0)
    dep = np.full_like(cv, np.nan)
    dep[1:] = cv[:-1] - cv[1:]
    out.period("economic_depreciation", dep)
    return {"term": term, "life": life, "rent": rent, "util": util, "cv": cv, "cap": cap, **su}


def _new_rows(out: BatchValues, d: DealArrays, steps) -> None:
    """The waterfall's rows, zero-filled, with their values at t = 0 where they have one."""
    J = d.J
    at_close = {"opex_unpaid": 0.0, "balance_close_total": out.scalars["raise_amount"],
                "reserve_close": out.scalars["reserve_funded"], "target_balance": out.scalars["raise_amount"],
                "schedule_base_balance": out.scalars["raise_amount"], "dscr_breach_run": 0.0, "trigger_breached": 0.0,
                "senior_shortfall_run": 0.0, "defaulted": 0.0, "default_month_to_date": 0.0}
    for step in steps:
        if step.kind == "fee":
            at_close[f"{step.name}_unpaid"] = 0.0
    for j in range(1, J + 1):
        at_close[f"interest_unpaid_{j}"] = 0.0
        at_close[f"balance_close_{j}"] = out.scalars[f"invested_{j}"]
    integer = {"operating", "accruing", "sweep_mode", "default_event", "defaulted", "default_month_to_date",
               "dscr_breach_run", "trigger_breached", "trigger_breach", "ltv_breach", "senior_shortfall_run"}
    keys = ["operating", "accruing", "sweep_mode", "revenue", "opex_energy", "opex_colocation", "opex_maintenance",
            "opex_fixed", "opex_accrued", "balance_open_total", "reserve_open", "reserve_target", "reserve_release",
            "cash_available", "target_balance", "schedule_base_balance", "principal_due_total", "scheduled_principal",
            "reserve_draws_total", "reserve_topup", "reserve_close", "cash_after_reserve_topup", "residual",
            "junior_excess", "sponsor_residual", "balance_close_total", "cfads", "debt_service_due", "dscr_breach_run",
            "ltv_breach", "trigger_breach", "trigger_breached", "senior_shortfall_run", "default_event", "defaulted",
            "default_month_to_date"]
    for step in steps:
        if step.kind in ("opex", "fee"):
            keys += [f"{step.name}_{x}" for x in ("due", "paid_cash", "reserve_draw", "paid", "unpaid")]
            keys.append(step.cash_after_key)
            if step.kind == "fee":
                keys.append(f"{step.name}_accrued")
    for j in range(1, J + 1):
        keys += [f"{x}_{j}" for x in ("balance_open", "balance_close", "interest_accrued", "interest_due", "interest_paid_cash",
                                      "interest_paid", "interest_capitalised", "interest_unpaid", "cash_after_interest",
                                      "principal_due", "principal_paid", "cash_after_principal")]
    keys.append("interest_reserve_draw_1")
    for key in keys:
        start = 0 if key in at_close else 1
        row = out.period(key, 0.0, start=start, integer=key in integer)
        if start == 0:
            row[0] = at_close[key]
    for key in ["dscr", "ltv_1"] + [f"ltv_cum_{j}" for j in range(2, J + 1)] + [f"interest_cover_{j}" for j in range(1, J + 1)]:
        out.period(key, np.nan, na=NA)


def _target_balance(d: DealArrays, r: dict, t: int, total: np.ndarray, cv: np.ndarray) -> np.ndarray:
    """TB_t: bullet = balance_open_total; straight_line = balance_open_total for t <= holiday, else
    schedule_base_balance(t-1) * MAX(0, (T - t) / (T - holiday)); ltv = B_0 * CV_t / CV_0 (0 where CV_0 = 0);
    sweep = 0 (every balance is due)."""
    p = d.p
    hol = p["interest_holiday_months"]
    straight = np.where(t <= hol, total, r["schedule_base_balance"][t - 1] * np.maximum(0, (d.T - t) / (d.T - hol)))
    b0 = r["balance_close_total"][0]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ltv = np.where(cv[0] > 0, b0 * cv[t] / np.where(cv[0] > 0, cv[0], 1.0), 0.0)
    return np.where(p["bullet"] > 0, total, np.where(p["straight_line"] > 0, straight, np.where(p["ltv"] > 0, ltv, 0.0)))


def _scheduled_principal(d: DealArrays, r: dict, t: int, op: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Scheduled principal (DSCR's denominator): straight_line after the holiday =
    MAX(0, schedule_base_balance(t-1) * MAX(0, (T - t + 1) / (T - holiday)) - TB_t); ltv = MAX(0, TB_(t-1) - TB_t);
    0 for bullet and sweep."""
    p = d.p
    hol = p["interest_holiday_months"]
    straight = (t > hol) * np.maximum(0, r["schedule_base_balance"][t - 1] * np.maximum(0, (d.T - t + 1) / (d.T - hol)) - target)
    ltv = np.maximum(0, r["target_balance"][t - 1] - target)
    return op * np.where(p["straight_line"] > 0, straight, np.where(p["ltv"] > 0, ltv, 0.0))


def _principal_dues(d: DealArrays, r: dict, t: int, op: np.ndarray, due_total: np.ndarray, sweep_mode: np.ndarray,
                    opens: list[np.ndarray], total: np.ndarray) -> None:
    """principal_due_j: in sweep mode op * the whole balance; sequential MIN(balance_open_j, principal_due_total
    - dues above); pro_rata principal_due_total * balance_open_j / balance_open_total."""
    sequential = (d.p["pro_rata"] == 0) | (sweep_mode > 0)
    remaining = due_total
    safe_total = np.where(total > 0, total, 1.0)
    for j, b in enumerate(opens, start=1):
        seq = np.minimum(b, remaining)
        remaining = remaining - seq
        pro = np.where(total > 0, due_total * b / safe_total, 0.0)
        r[f"principal_due_{j}"][t] = np.where(sweep_mode > 0, op * b, np.where(sequential, seq, pro))


def _tests_and_default(d: DealArrays, r: dict, t: int, op: np.ndarray, cv: np.ndarray, fee_keys: list[str]) -> None:
    """After the month's waterfall: CFADS, DSCR, LTV, the triggers, and the default events (section 3-4).

    cfads = revenue - opex_accrued - fees accrued; debt_service_due = op * (interest accrued + scheduled principal);
    dscr = cfads / debt_service_due ("n/a" where 0); ltv_1 = balance_close_1 / CV_t; a trigger breaches on
    dscr < dscr_min for MAX(1, dscr_months) months in a row, or ltv_1 > ltv_max (a limit of 0 is off);
    default_event = op * (opex unpaid, or class 1 interest unpaid shortfall_months in a row, or t = forced_month)."""
    p, J = d.p, d.J
    fees = sum((r[k][t] for k in fee_keys), np.zeros(d.S))
    cfads = r["cfads"][t] = r["revenue"][t] - r["opex_accrued"][t] - fees
    accrued = [r[f"interest_accrued_{j}"][t] for j in range(1, J + 1)]
    interest_total = sum(accrued[1:], accrued[0])
    ds = r["debt_service_due"][t] = op * (interest_total + r["scheduled_principal"][t])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        dscr = r["dscr"][t] = np.where(ds > 0, cfads / np.where(ds > 0, ds, 1.0), np.nan)
        run = r["dscr_breach_run"][t] = op * (p["dscr_min"] > 0) * (dscr < p["dscr_min"]) * (r["dscr_breach_run"][t - 1] + 1)
        closes = [r[f"balance_close_{j}"][t] for j in range(1, J + 1)]
        usable = (op > 0) & (cv[t] > 0)
        safe_cv = np.where(cv[t] > 0, cv[t], 1.0)
        cumulative = closes[0]
        r["ltv_1"][t] = np.where(usable, cumulative / safe_cv, np.nan)
        for j in range(2, J + 1):
            cumulative = cumulative + closes[j - 1]
            r[f"ltv_cum_{j}"][t] = np.where(usable, cumulative / safe_cv, np.nan)
        ltv_breach = r["ltv_breach"][t] = op * (p["ltv_max"] > 0) * (closes[0] > 0) * ((cv[t] <= 0) | (r["ltv_1"][t] > p["ltv_max"]))
        breach = r["trigger_breach"][t] = op * np.maximum(run >= np.maximum(1, p["dscr_months"]), ltv_breach)
        r["trigger_breached"][t] = np.maximum(r["trigger_breached"][t - 1], breach)
        covered = np.zeros(d.S)
        for j in range(1, J + 1):
            covered = covered + accrued[j - 1]
            ok = (op > 0) & (covered > 0)
            r[f"interest_cover_{j}"][t] = np.where(ok, cfads / np.where(ok, covered, 1.0), np.nan)
    shortfall = r["senior_shortfall_run"][t] = op * (r["interest_unpaid_1"][t] > 0) * (r["senior_shortfall_run"][t - 1] + 1)
    event = r["default_event"][t] = op * ((r["opex_unpaid"][t] > 0) | (shortfall >= p["shortfall_months"]) | (t == p["forced_month"]))
    r["defaulted"][t] = np.maximum(r["defaulted"][t - 1], event)
    before = r["default_month_to_date"][t - 1]
    r["default_month_to_date"][t] = np.where(before > 0, before, event * t)


def _month(d: DealArrays, r: dict, t: int, f: dict, steps, draw_keys: tuple, fee_keys: list[str]) -> None:
    """Month t for every deal: flags, accruals, the reserve and the targets, then the steps in order."""
    p, J = d.p, d.J
    defaulted = r["defaulted"][t - 1]
    op = r["operating"][t] = f["term"][t] * (1 - defaulted)
    r["accruing"][t] = np.maximum(op, defaulted * (t <= r["default_month_to_date"][t - 1] + p["liquidation_lag_months"]) * f["term"][t])
    sweep_mode = r["sweep_mode"][t] = np.maximum(p["sweep"], r["trigger_breached"][t - 1])
    running = op * f["life"][t]
    r["revenue"][t] = running * p["gpu_count"] * p["hours_per_month"] * f["util"][t] * f["rent"][t]
    energy = r["opex_energy"][t] = running * fleet.energy_when_running(d, f["util"][t])
    colo = r["opex_colocation"][t] = running * fleet.colocation_when_running(d)
    maint = r["opex_maintenance"][t] = running * fleet.maintenance_when_running(d, f["cap"])
    fixed = r["opex_fixed"][t] = running * p["fixed_opex_month"]
    r["opex_accrued"][t] = energy + colo + maint + fixed
    opens = []
    for j in range(1, J + 1):
        b = r[f"balance_open_{j}"][t] = r[f"balance_close_{j}"][t - 1]
        opens.append(b)
        r[f"interest_accrued_{j}"][t] = r["accruing"][t] * b * d.coupon[j - 1] / 12
    total = r["balance_open_total"][t] = sum(opens[1:], opens[0])
    fees = np.zeros(d.S)
    for key, step in zip(fee_keys, [s for s in steps if s.kind == "fee"], strict=True):
        r[key][t] = fee_accrual(step, p, op, total)
        fees = fees + r[key][t]
    reserve_open = r["reserve_open"][t] = r["reserve_close"][t - 1]
    target = r["reserve_target"][t] = op * p["reserve_months"] * (r["opex_accrued"][t] + fees + r["interest_accrued_1"][t]) * (opens[0] > 0)
    release = r["reserve_release"][t] = op * np.maximum(0, reserve_open - target)
    cash = r["cash_available"][t] = r["revenue"][t] + release
    tb = r["target_balance"][t] = _target_balance(d, r, t, total, f["cv"])
    due_total = r["principal_due_total"][t] = op * np.where(sweep_mode > 0, total, np.maximum(0, total - tb))
    r["scheduled_principal"][t] = _scheduled_principal(d, r, t, op, tb)
    _principal_dues(d, r, t, op, due_total, sweep_mode, opens, total)
    holiday = (t <= p["interest_holiday_months"]).astype(float)
    m = Month(r, t, op, cash, reserve_open - release, p, holiday, draw_keys)
    for step in steps:
        STEP_FUNCTIONS[step.kind](m, step)
    closes = [r[f"balance_close_{j}"][t] for j in range(1, J + 1)]
    close_total = r["balance_close_total"][t] = sum(closes[1:], closes[0])
    r["schedule_base_balance"][t] = np.where(t <= p["interest_holiday_months"], close_total, r["schedule_base_balance"][t - 1])
    _tests_and_default(d, r, t, op, f["cv"], fee_keys)


def _rate_inputs(d: DealArrays, steps) -> None:
    """Fee steps read their rate input by dotted path; put it beside the other per-deal inputs."""
    for step in steps:
        if step.kind == "fee" and step.rate not in d.p:
            section, name = step.rate.split(".")
            d.p[step.rate] = np.array([float(getattr(getattr(deal, section), name)) for deal in d.deals])


def _totals(d: DealArrays, out: BatchValues, fee_keys: list[str]) -> None:
    """Column D of the waterfall's flow rows: the total over months 1..H; and opex per GPU-hour."""
    r = out.periods
    keys = ["revenue", "opex_accrued", "opex_paid", "residual", "junior_excess", "sponsor_residual"]
    keys += [k.replace("_accrued", "_paid") for k in fee_keys]
    keys += [f"{stem}_{j}" for j in range(1, d.J + 1) for stem in ("principal_paid", "interest_paid")]
    for key in keys:
        out.scalar(key, np.cumsum(r[key][1:], axis=0)[-1])
    opex = r["opex_accrued"] / (d.p["gpu_count"] * d.p["hours_per_month"])
    opex[0] = np.nan
    out.period("opex_per_gpu_hour", opex)


def _sale(d: DealArrays, out: BatchValues, fee_keys: list[str]) -> None:
    """Section 4: default and sale months, the sale's price and its priority of payments (rows of their own).

    sale_month S = MIN(D + liquidation_lag_months, T) if D > 0 else T; price = CV_S * (1 - fire) less
    liquidation_cost_pct; proceeds = net price + reserve balance, paid to opex arrears, fee arrears, then per
    class its interest arrears and its balance; the rest junior_excess_share to class J, the sponsor the rest."""
    r, p, J = out.periods, d.p, d.J
    cols = np.arange(d.S)
    D = out.scalar("default_month", r["default_month_to_date"][d.H], integer=True)
    S = out.scalar("sale_month", np.where(D > 0, np.minimum(D + p["liquidation_lag_months"], d.T), d.T), integer=True)
    breach = r["trigger_breach"][1:] > 0
    out.scalar("trigger_month", np.where(breach.any(axis=0), breach.argmax(axis=0) + 1, 0), integer=True)
    at = S.astype(int)
    flag = out.period("sale_flag", (d.t == S).astype(float), integer=True)

    def at_sale(key: str) -> np.ndarray:
        return r[key][at, cols]

    cv = out.scalar("sale_collateral_value", at_sale("collateral_value"))
    fire = out.scalar("sale_fire_discount", np.where(D > 0, p["fire_sale_discount"], 0.0))
    gross = out.scalar("sale_price_gross", cv * (1 - fire))
    costs = out.scalar("sale_costs", gross * p["liquidation_cost_pct"])
    net = out.scalar("sale_price_net", gross - costs)
    reserve = out.scalar("sale_reserve_balance", at_sale("reserve_close"))
    left = out.scalar("sale_proceeds", net + reserve)
    opex_arrears = out.scalar("sale_opex_arrears", at_sale("opex_unpaid"))
    paid = out.scalar("sale_opex_paid", np.minimum(left, opex_arrears))
    left = left - paid
    fee_arrears = sum((at_sale(k) for k in fee_keys[1:]), at_sale(fee_keys[0])) if fee_keys else np.zeros(d.S)
    out.scalar("sale_fee_arrears", fee_arrears)
    paid = out.scalar("sale_fee_paid", np.minimum(left, fee_arrears))
    left = out.scalar("proceeds_after_senior_costs", left - paid)
    for j in range(1, J + 1):
        interest = out.scalar(f"sale_interest_{j}", np.minimum(left, at_sale(f"interest_unpaid_{j}")))
        balance = at_sale(f"balance_close_{j}")
        principal = out.scalar(f"sale_principal_{j}", np.minimum(left - interest, balance))
        left = out.scalar(f"proceeds_left_{j}", left - interest - principal)
        loss = out.scalar(f"loss_{j}", balance - principal)
        out.period(f"sale_interest_received_{j}", flag * interest)
        out.period(f"sale_principal_received_{j}", flag * principal)
        out.period(f"principal_written_off_{j}", flag * loss)
        moves = r[f"interest_capitalised_{j}"] - r[f"principal_paid_{j}"] - flag * principal - flag * loss
        moves[0] = out.scalars[f"invested_{j}"]
        out.period(f"notes_outstanding_{j}", np.cumsum(moves, axis=0), start=0)
    junior = out.scalar("sale_excess_junior", left * p["junior_excess_share"])
    out.scalar("sale_to_sponsor", left - junior)
    out.period("sale_excess_received", flag * junior)


def run_abs_batch(d: DealArrays, check_tolerance: float = 0.01, irr_floor: float = -0.99) -> BatchValues:
    """Every securitization row for the S deals of ``d``, over periods 0..H (an IRR below
    ``irr_floor`` a year shows as n/a; a payback counts cash within ``check_tolerance`` of invested)."""
    out = BatchValues(d.S, d.n, max(1, math.ceil(d.H / 12)))
    names = [tranche.name for tranche in d.deals[0].structure.tranches]
    steps = priority_of_payments(names)
    _rate_inputs(d, steps)
    f = _timeline_and_fleet(d, out, [s for s in steps if s.kind == "fee"])
    _new_rows(out, d, steps)
    fee_keys = [f"{s.name}_accrued" for s in steps if s.kind == "fee"]
    draw_keys = tuple(f"{s.name}_reserve_draw" if s.kind != "interest" else f"interest_reserve_draw_{s.cls}"
                      for s in steps if s.reserve_covers)
    r = out.periods
    for t in range(1, d.n):
        _month(d, r, t, f, steps, draw_keys, fee_keys)
    _totals(d, out, fee_keys)
    _sale(d, out, [k.replace("_accrued", "_unpaid") for k in fee_keys])
    returns(d, out, irr_floor, check_tolerance)
    secondary_market(d, out)
    secondary_rows(d, out)
    participants(d, out, fee_keys)
    checks(d, out, steps, check_tolerance)
    return out


def run_abs(deal: Deal, horizon: int | None = None, check_tolerance: float = 0.01) -> SheetValues:
    """One deal's securitization rows as plain Python (the S = 1 case of :func:`run_abs_batch`)."""
    return run_abs_batch(DealArrays.of([deal], horizon), check_tolerance).deal(0)
