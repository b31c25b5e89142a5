"""The reference model of the GPU securitization (MODEL.md sections 1-6 and 9).

An independent, plain-Python implementation: a month-by-month loop over the priority of
payments. It reads only the validated :class:`~modelgen.config.Deal`. Every value it returns is
keyed by the same snake_case name as the workbook row that computes it (per-tranche rows end in
``_1`` .. ``_J``, all token holders together in ``_all``), so ``modelgen verify`` can compare the
recalculated workbook with it cell by cell.

Periods: t = 0 is the closing date, t = 1..H the months (H >= T, the widest scenario's term).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Deal, weighted_coupon
from .metrics import NA, NEVER, edate, excel_serial, irr_annual, roundup

Series = list  # one value per period t = 0..H (None where the row has no value at t)


@dataclass
class SheetValues:
    """What one sheet holds: period rows (t = 0..H), year rows (years 1..Y) and single values."""

    periods: dict[str, Series] = field(default_factory=dict)
    years: dict[str, list] = field(default_factory=dict)
    scalars: dict[str, object] = field(default_factory=dict)


def _zeros(n: int) -> list:
    return [0.0] * n


def sources_uses(deal: Deal) -> dict[str, float]:
    """Section 1, closing date.

    capex = gpu_count * gpu_unit_price * (1 + ancillary_capex_pct)
    raise_amount = capex / (1 - issuance_fee_pct - reserve_months * weighted_coupon / 12)
    issuance_fee = raise_amount * issuance_fee_pct
    reserve_funded = reserve_months * raise_amount * weighted_coupon / 12
    """
    a, f, s = deal.assets, deal.fees, deal.structure
    capex = a.gpu_count * a.gpu_unit_price * (1 + a.ancillary_capex_pct)
    wc = weighted_coupon(deal)
    raise_amount = capex / (1 - f.issuance_fee_pct - s.reserve_months * wc / 12)
    return {
        "capex": capex,
        "weighted_coupon": wc,
        "raise_amount": raise_amount,
        "issuance_fee": raise_amount * f.issuance_fee_pct,
        "reserve_funded": s.reserve_months * raise_amount * wc / 12,
    }


def rent_per_gpu_hour(deal: Deal, t: int, shock_flag: int) -> float:
    """rent0 * (1 - rent_decline)^((t - 1) / 12) * (1 - shock_rent_drop * shock_flag)"""
    r = deal.revenue
    return r.rent0 * (1 - r.rent_decline) ** ((t - 1) / 12) * (1 - deal.shock.rent_drop * shock_flag)


def utilisation(deal: Deal, t: int) -> float:
    """util_start + (util_target - util_start) * min(1, (t - 1) / util_ramp_months); target if no ramp."""
    r = deal.revenue
    if r.util_ramp_months == 0:
        return r.util_target
    return r.util_start + (r.util_target - r.util_start) * min(1, (t - 1) / r.util_ramp_months)


def market_value(deal: Deal, capex: float, t: int, shock_flag: int) -> float:
    """capex * (1 - value_decline)^(t / 12) * (1 - shock_value_drop * shock_flag)"""
    return capex * (1 - deal.assets.value_decline) ** (t / 12) * (1 - deal.shock.value_drop * shock_flag)


def book_value(deal: Deal, capex: float, t: int) -> float:
    """capex * max(0, 1 - t / useful_life_months): straight-line book value."""
    return capex * max(0, 1 - t / deal.assets.useful_life_months)


def run_abs(deal: Deal, horizon: int | None = None, check_tolerance: float = 0.01) -> dict[str, SheetValues]:
    """Compute every row of the securitization sheets for periods 0..horizon."""
    T = deal.term_months
    H = T if horizon is None else horizon
    if H < T:
        raise ValueError("horizon must be at least term_months")
    J = deal.tranche_count
    js = range(1, J + 1)
    tranches = deal.structure.tranches
    amort = deal.structure.amortization
    n = H + 1
    su = sources_uses(deal)
    capex, raise_amount, reserve_funded = su["capex"], su["raise_amount"], su["reserve_funded"]
    invested = {j: raise_amount * tranches[j - 1].share for j in js}
    out = {name: SheetValues() for name in ("Timeline", "Depreciation", "Waterfall", "Tranches", "Returns", "Participants", "Checks")}

    # ---- Timeline and curves that do not depend on the waterfall ----
    period = list(range(n))
    shock_flag = [1 if (deal.shock.month > 0 and t >= deal.shock.month) else 0 for t in period]
    tl = out["Timeline"].periods
    tl["period"] = period
    tl["date"] = [excel_serial(edate(deal.start_date, t)) for t in period]
    tl["year"] = [roundup(t / 12) for t in period]
    tl["in_term"] = [None] + [1 if t <= T else 0 for t in period[1:]]
    tl["shock_flag"] = shock_flag

    dep = out["Depreciation"].periods
    dep["rent_per_gpu_hour"] = [None] + [rent_per_gpu_hour(deal, t, shock_flag[t]) for t in period[1:]]
    dep["utilisation"] = [None] + [utilisation(deal, t) for t in period[1:]]
    mv = [market_value(deal, capex, t, shock_flag[t]) for t in period]
    dep["market_value"] = mv
    bv = [book_value(deal, capex, t) for t in period]
    dep["book_value"] = bv
    dep["value_gap"] = [bv[t] - mv[t] for t in period]
    dep["economic_depreciation"] = [None] + [mv[t - 1] - mv[t] for t in period[1:]]
    # opex_per_gpu_hour is filled in after the waterfall (it reads opex_due)

    # ---- the monthly waterfall ----
    a, o, d = deal.assets, deal.opex, deal.default
    keys_w = ["revenue", "opex_energy", "opex_colocation", "opex_maintenance", "opex_fixed", "opex_due", "opex_paid",
              "opex_unpaid", "cash_after_opex", "mgmt_fee_due", "mgmt_fee_paid", "mgmt_fee_unpaid", "cash_after_fees",
              "reserve_open", "reserve_draws_total", "cash_after_interest", "reserve_target", "reserve_topup", "reserve_release", "reserve_close",
              "cash_after_reserve", "residual", "junior_excess", "sponsor_residual", "senior_shortfall_run"]
    per_j = ["interest_due", "interest_paid_cash", "reserve_draw", "principal_due", "principal_paid",
             "principal_unpaid", "debt_service_due", "dscr",
             "balance_open", "interest_accrued", "interest_paid", "interest_unpaid", "balance_close"]
    w: dict[str, list] = {k: [None] * n for k in keys_w}
    for base in per_j:
        for j in js:
            w[f"{base}_{j}"] = [None] * n
    operating, default_event, defaulted, sale_flag = [None] * n, [None] * n, [None] * n, [None] * n
    defaulted[0] = 0
    w["reserve_close"][0] = reserve_funded
    w["senior_shortfall_run"][0] = 0
    for j in js:
        w[f"interest_unpaid_{j}"][0] = 0
        w[f"balance_close_{j}"][0] = invested[j]

    def prev(key: str, t: int) -> float:
        value = w[key][t - 1]
        return 0.0 if value is None else value

    for t in period[1:]:
        op = tl["in_term"][t] * (1 - defaulted[t - 1])
        operating[t] = op
        for j in js:
            w[f"balance_open_{j}"][t] = w[f"balance_close_{j}"][t - 1]
            w[f"interest_accrued_{j}"][t] = op * w[f"balance_open_{j}"][t] * tranches[j - 1].coupon / 12
        revenue = op * a.gpu_count * deal.revenue.hours_per_month * dep["utilisation"][t] * dep["rent_per_gpu_hour"][t]
        energy = op * a.gpu_count * o.kw_per_gpu * o.pue * deal.revenue.hours_per_month * o.power_price
        colo = op * a.gpu_count * o.kw_per_gpu * o.pue * o.colo_per_kw_month
        maint = op * capex * o.maintenance_pct_annual / 12
        fixed = op * o.fixed_opex_month
        opex_due = energy + colo + maint + fixed
        opex_paid = min(revenue, opex_due)
        cash = revenue - opex_paid
        w["revenue"][t], w["opex_energy"][t], w["opex_colocation"][t] = revenue, energy, colo
        w["opex_maintenance"][t], w["opex_fixed"][t], w["opex_due"][t] = maint, fixed, opex_due
        w["opex_paid"][t], w["opex_unpaid"][t], w["cash_after_opex"][t] = opex_paid, opex_due - opex_paid, cash

        open_total = 0.0
        for j in js:
            open_total += w[f"balance_open_{j}"][t]
        fee_due = op * (deal.fees.mgmt_fee_annual / 12 * open_total + prev("mgmt_fee_unpaid", t))
        fee_paid = min(cash, fee_due)
        cash = cash - fee_paid
        w["mgmt_fee_due"][t], w["mgmt_fee_paid"][t], w["mgmt_fee_unpaid"][t] = fee_due, fee_paid, fee_due - fee_paid
        w["cash_after_fees"][t] = cash

        reserve_open = w["reserve_close"][t - 1]
        w["reserve_open"][t] = reserve_open
        reserve_left = reserve_open
        for j in js:
            due = op * (w[f"interest_unpaid_{j}"][t - 1] + w[f"interest_accrued_{j}"][t])
            paid = min(cash, due)
            cash = cash - paid
            draw = min(reserve_left, due - paid)
            reserve_left = reserve_left - draw
            w[f"interest_due_{j}"][t], w[f"interest_paid_cash_{j}"][t] = due, paid
            w[f"reserve_draw_{j}"][t] = draw
            w[f"interest_paid_{j}"][t] = paid + draw
            w[f"interest_unpaid_{j}"][t] = w[f"interest_unpaid_{j}"][t - 1] + w[f"interest_accrued_{j}"][t] - paid - draw
        draws_total = 0.0
        for j in js:
            draws_total += w[f"reserve_draw_{j}"][t]
        w["cash_after_interest"][t] = cash
        target = reserve_funded if open_total > 0 else 0
        topup = op * min(cash, max(0, target - (reserve_open - draws_total)))
        release = op * max(0, reserve_open - draws_total - target)
        w["reserve_draws_total"][t], w["reserve_target"][t] = draws_total, target
        w["reserve_topup"][t], w["reserve_release"][t] = topup, release
        w["reserve_close"][t] = reserve_open - draws_total + topup - release
        cash = cash - topup + release
        w["cash_after_reserve"][t] = cash

        for j in js:
            bal = w[f"balance_open_{j}"][t]
            if amort == "bullet":
                due = 0
            elif amort == "sweep":
                due = bal
            else:
                due = min(bal, invested[j] / T + prev(f"principal_unpaid_{j}", t))
            due = op * due
            paid = min(cash, due)
            cash = cash - paid
            w[f"principal_due_{j}"][t], w[f"principal_paid_{j}"][t] = due, paid
            w[f"principal_unpaid_{j}"][t] = due - paid
            w[f"balance_close_{j}"][t] = bal - paid
        w["residual"][t] = cash
        junior = cash * deal.structure.junior_excess_share
        w["junior_excess"][t], w["sponsor_residual"][t] = junior, cash - junior

        ds = 0.0
        for j in js:
            scheduled = w[f"principal_due_{j}"][t] if amort == "straight_line" else 0
            ds = ds + w[f"interest_due_{j}"][t] + scheduled
            w[f"debt_service_due_{j}"][t] = ds
            w[f"dscr_{j}"][t] = w["cash_after_fees"][t] / ds if ds > 0 else NA

        run = w["senior_shortfall_run"][t - 1] + 1 if (op == 1 and w["interest_unpaid_1"][t] > 0) else 0
        w["senior_shortfall_run"][t] = run
        triggered = w["opex_unpaid"][t] > 0 or run >= d.shortfall_months or t == d.forced_month
        default_event[t] = op * (1 if triggered else 0)
        defaulted[t] = max(defaulted[t - 1], default_event[t])

    default_month = 0
    for t in period[1:]:
        default_month += default_event[t] * t
    sale_month = min(default_month + d.liquidation_lag_months, T) if default_month > 0 else T
    for t in period[1:]:
        sale_flag[t] = 1 if t == sale_month else 0
    tl.update(operating=operating, default_event=default_event, defaulted=defaulted, sale_flag=sale_flag)
    out["Timeline"].scalars.update(default_month=default_month, sale_month=sale_month)

    dep["opex_per_gpu_hour"] = [None] + [w["opex_due"][t] / (a.gpu_count * deal.revenue.hours_per_month) for t in period[1:]]
    wf_keys = set(keys_w) | {f"{b}_{j}" for b in per_j[:8] for j in js}
    out["Waterfall"].periods.update({k: v for k, v in w.items() if k in wf_keys})
    totals = ["revenue", "opex_energy", "opex_colocation", "opex_maintenance", "opex_fixed", "opex_due", "opex_paid",
              "mgmt_fee_paid", "residual", "junior_excess", "sponsor_residual"] + [f"principal_paid_{j}" for j in js]
    for key in totals:
        out["Waterfall"].scalars[key] = sum(w[key][1:])

    # ---- sale at liquidation or maturity (rows of their own: the waterfall never reads them) ----
    tr = out["Tranches"]
    tr.scalars.update(su)
    for j in js:
        tr.scalars[f"invested_{j}"] = invested[j]
    fire = d.fire_sale_discount if default_month > 0 else 0
    gross = mv[sale_month] * (1 - fire)
    costs = gross * d.liquidation_cost_pct
    net = gross - costs
    reserve_at_sale = w["reserve_close"][sale_month]
    proceeds = net + reserve_at_sale
    tr.scalars.update(sale_market_value=mv[sale_month], sale_fire_discount=fire, sale_price_gross=gross,
                      sale_costs=costs, sale_price_net=net, sale_reserve_balance=reserve_at_sale, sale_proceeds=proceeds)
    left = proceeds
    for j in js:
        s_int = min(left, w[f"interest_unpaid_{j}"][sale_month])
        s_prin = min(left - s_int, w[f"balance_close_{j}"][sale_month])
        left = left - s_int - s_prin
        tr.scalars[f"sale_interest_{j}"] = s_int
        tr.scalars[f"sale_principal_{j}"] = s_prin
        tr.scalars[f"proceeds_left_{j}"] = left
        tr.scalars[f"loss_{j}"] = w[f"balance_close_{j}"][sale_month] - s_prin
    tr.scalars["sale_to_sponsor"] = left
    for j in js:
        tr.periods[f"balance_open_{j}"] = w[f"balance_open_{j}"]
        tr.periods[f"interest_accrued_{j}"] = w[f"interest_accrued_{j}"]
        tr.periods[f"interest_paid_{j}"] = w[f"interest_paid_{j}"]
        tr.scalars[f"interest_paid_{j}"] = sum(w[f"interest_paid_{j}"][1:])
        tr.periods[f"interest_unpaid_{j}"] = w[f"interest_unpaid_{j}"]
        tr.periods[f"balance_close_{j}"] = w[f"balance_close_{j}"]
        s_int, s_prin, loss = tr.scalars[f"sale_interest_{j}"], tr.scalars[f"sale_principal_{j}"], tr.scalars[f"loss_{j}"]
        tr.periods[f"sale_interest_received_{j}"] = [None] + [sale_flag[t] * s_int for t in period[1:]]
        tr.periods[f"sale_principal_received_{j}"] = [None] + [sale_flag[t] * s_prin for t in period[1:]]
        tr.periods[f"principal_written_off_{j}"] = [None] + [sale_flag[t] * loss for t in period[1:]]
        outstanding = [invested[j]]
        for t in period[1:]:
            outstanding.append(outstanding[-1] - w[f"principal_paid_{j}"][t] - tr.periods[f"sale_principal_received_{j}"][t]
                               - tr.periods[f"principal_written_off_{j}"][t])
        tr.periods[f"notes_outstanding_{j}"] = outstanding

    _returns(deal, out, w, period, invested, H)
    _participants(deal, out, w, su)
    _checks(deal, out, w, period, invested, check_tolerance)
    return out


def _returns(deal: Deal, out: dict[str, SheetValues], w: dict[str, list], period: list[int], invested: dict, H: int) -> None:
    """Section 5: cash flows, IRR, MOIC, WAL, payback and the yield decomposition per holder."""
    J = deal.tranche_count
    T = deal.term_months
    js = range(1, J + 1)
    tr, ret = out["Tranches"], out["Returns"]
    rp, rs = ret.periods, ret.scalars
    sale_month = out["Timeline"].scalars["sale_month"]
    years = list(range(1, roundup(H / 12) + 1))
    ret.years["year_number"] = years
    year_of = out["Timeline"].periods["year"]
    for j in list(js) + ["all"]:
        if j == "all":
            inv = tr.scalars["raise_amount"]
            dist = [None] + [_sum_in_order(rp[f"distributions_{k}"][t] for k in js) for t in period[1:]]
            unpaid = [None] + [_sum_in_order(tr.periods[f"interest_unpaid_{k}"][t] for k in js) for t in period[1:]]
            dscr = w[f"dscr_{J}"]
            interest = _sum_in_order(rs[f"interest_received_{k}"] for k in js)
            principal = _sum_in_order(rs[f"principal_received_{k}"] for k in js)
            recovery = _sum_in_order(rs[f"recovery_{k}"] for k in js)
            returned = _sum_in_order(rs[f"principal_returned_{k}"] for k in js)
            weighted = _sum_in_order(rs[f"principal_month_weighted_{k}"] for k in js)
            loss = rs["loss_all"] = _sum_in_order(tr.scalars[f"loss_{k}"] for k in js)
        else:
            inv = invested[j]
            dist = [None]
            for t in period[1:]:
                value = (tr.periods[f"interest_paid_{j}"][t] + w[f"principal_paid_{j}"][t]
                         + tr.periods[f"sale_interest_received_{j}"][t] + tr.periods[f"sale_principal_received_{j}"][t])
                if j == J:
                    value = value + w["junior_excess"][t]
                dist.append(value)
            unpaid = tr.periods[f"interest_unpaid_{j}"]
            dscr = w[f"dscr_{j}"]
            interest = sum(tr.periods[f"interest_paid_{j}"][1:])
            if j == J:
                interest = interest + sum(w["junior_excess"][1:])
            principal = sum(w[f"principal_paid_{j}"][1:])
            recovery = tr.scalars[f"sale_interest_{j}"] + tr.scalars[f"sale_principal_{j}"]
            returned = principal + tr.scalars[f"sale_principal_{j}"]
            weighted = sum(t * w[f"principal_paid_{j}"][t] for t in period[1:]) + sale_month * tr.scalars[f"sale_principal_{j}"]
            loss = tr.scalars[f"loss_{j}"]
        rp[f"distributions_{j}"] = dist
        cash_flow = [-inv] + dist[1:]
        rp[f"cash_flow_{j}"] = cash_flow
        cum = [0.0]
        for t in period[1:]:
            cum.append(cum[-1] + dist[t])
        rp[f"cum_distributions_{j}"] = cum
        total = sum(dist[1:])
        rs[f"interest_received_{j}"] = interest
        rs[f"principal_received_{j}"] = principal
        rs[f"recovery_{j}"] = recovery
        rs[f"total_received_{j}"] = total
        rs[f"principal_returned_{j}"] = returned
        rs[f"principal_month_weighted_{j}"] = weighted
        rs[f"loss_pct_{j}"] = loss / inv
        rs[f"recovery_per_100_{j}"] = recovery / inv * 100
        rs[f"irr_{j}"] = irr_annual(cash_flow)
        rs[f"moic_{j}"] = total / inv
        rs[f"wal_years_{j}"] = weighted / 12 / returned if returned > 0 else NA
        rs[f"payback_month_{j}"] = next((t for t in period[1:] if cum[t] >= inv), NEVER)
        rs[f"first_shortfall_month_{j}"] = next((t for t in period[1:] if unpaid[t] > 0), "none")
        numeric = [x for x in dscr[1:] if not isinstance(x, str)]
        rs[f"min_dscr_{j}"] = min(numeric) if numeric else NA

        cash_yield = [sum(dist[t] for t in period[1:] if year_of[t] == y) / inv for y in years]
        of_capital = [(min(cum[min(12 * y, T)], inv) - min(cum[min(12 * (y - 1), T)], inv)) / inv for y in years]
        ret.years[f"cash_yield_{j}"] = cash_yield
        ret.years[f"yield_return_of_capital_{j}"] = of_capital
        ret.years[f"yield_return_on_capital_{j}"] = [a - b for a, b in zip(cash_yield, of_capital)]


def _sum_in_order(values) -> float:
    total = 0.0
    for v in values:
        total += v
    return total


PARTICIPANTS = [
    ("sponsor", "Sponsor (AI company)", "Last in line: gets only what is left after costs, fees and investors; loses the business on default"),
    ("platform", "Platform (arranger / RWA protocol)", "Almost none: fees are taken at issuance and ahead of investors"),
    ("hardware_vendors", "Hardware vendors", "None: paid in full in cash at closing"),
    ("power_and_colocation", "Power and colocation providers", "Low: paid first in the waterfall, before any investor"),
    ("customers", "Rental customers", "Price risk only: they pay rent for compute they use"),
    ("secondary_buyers", "Secondary-market buyers of the GPUs", "Buy used GPUs at auction; bear the residual value from there"),
    ("liquidation_agent", "Liquidation agent", "None: paid from sale proceeds before investors"),
]


def _participants(deal: Deal, out: dict[str, SheetValues], w: dict[str, list], su: dict[str, float]) -> None:
    """Section 6: whole-life cash in, cash out and net (in - out) of every participant; nets sum to 0."""
    J = deal.tranche_count
    rs, tr = out["Returns"].scalars, out["Tranches"].scalars
    ps = out["Participants"].scalars
    rows: list[tuple[str, float, float]] = []
    for j in range(1, J + 1):
        rows.append((f"token_holders_{j}", rs[f"total_received_{j}"], tr[f"invested_{j}"]))
    rows.append(("token_holders", rs["total_received_all"], su["raise_amount"]))
    rows.append(("sponsor", sum(w["sponsor_residual"][1:]) + tr["sale_to_sponsor"], 0.0))
    rows.append(("platform", su["issuance_fee"] + sum(w["mgmt_fee_paid"][1:]), 0.0))
    rows.append(("hardware_vendors", su["capex"], 0.0))
    rows.append(("power_and_colocation", sum(w["opex_paid"][1:]), 0.0))
    rows.append(("customers", 0.0, sum(w["revenue"][1:])))
    rows.append(("secondary_buyers", 0.0, tr["sale_price_gross"]))
    rows.append(("liquidation_agent", tr["sale_costs"], 0.0))
    for key, cash_in, cash_out in rows:
        ps[key] = [cash_in, cash_out, cash_in - cash_out]
    net_total = 0.0
    for key, _, _ in rows:
        if not key.startswith("token_holders_"):
            net_total += ps[key][2]
    ps["participants_net_total"] = net_total


def _checks(deal: Deal, out: dict[str, SheetValues], w: dict[str, list], period: list[int], invested: dict, tol: float) -> None:
    """Section 9: each check row's per-period differences, its count of failures, and the master check."""
    J = deal.tranche_count
    js = range(1, J + 1)
    cp, cs = out["Checks"].periods, out["Checks"].scalars
    tr = out["Tranches"]
    sale_month = out["Timeline"].scalars["sale_month"]

    def interest_and_principal(t: int) -> float:
        total = 0.0
        for j in js:
            total += w[f"interest_paid_{j}"][t]
        total += w["reserve_topup"][t]
        for j in js:
            total += w[f"principal_paid_{j}"][t]
        return total

    cp["check_cash_conservation"] = [None] + [abs((w["revenue"][t] + w["reserve_draws_total"][t] + w["reserve_release"][t])
                                                  - (w["opex_paid"][t] + w["mgmt_fee_paid"][t] + interest_and_principal(t) + w["residual"][t]))
                                              for t in period[1:]]
    cp["check_reserve_corkscrew"] = [None] + [abs(w["reserve_close"][t] - (w["reserve_close"][t - 1] + w["reserve_topup"][t]
                                                                           - w["reserve_draws_total"][t] - w["reserve_release"][t]))
                                              for t in period[1:]]
    for j in js:
        cp[f"check_balance_corkscrew_{j}"] = [None] + [
            abs(w[f"balance_close_{j}"][t] - (w[f"balance_close_{j}"][t - 1] - w[f"principal_paid_{j}"][t]))
            + abs(tr.periods[f"notes_outstanding_{j}"][t] - (0 if t >= sale_month else w[f"balance_close_{j}"][t]))
            for t in period[1:]]
    negatives = []
    for t in period[1:]:
        values = [0, w["reserve_close"][t]] + [w[f"balance_close_{j}"][t] for j in js] + [w[f"interest_unpaid_{j}"][t] for j in js]
        negatives.append(abs(min(values)))
    cp["check_no_negative_balance"] = [None] + negatives
    for key, row in list(cp.items()):
        cs[key] = sum(1 for x in row[1:] if x > tol)

    su = tr.scalars
    shares = 0.0
    for tranche in deal.structure.tranches:
        shares += tranche.share
    cs["check_tranche_shares"] = 1 if abs(shares - 1) * su["raise_amount"] > tol else 0
    cs["check_sources_uses"] = 1 if abs(su["raise_amount"] - (su["capex"] + su["reserve_funded"] + su["issuance_fee"])) > tol else 0
    cs["check_participants_net_zero"] = 1 if abs(out["Participants"].scalars["participants_net_total"]) > tol else 0
    rs = out["Returns"].scalars
    for j in js:
        diff = tr.scalars[f"loss_{j}"] - (invested[j] - rs[f"principal_received_{j}"] - tr.scalars[f"sale_principal_{j}"])
        cs[f"check_loss_{j}"] = 1 if abs(diff) > tol else 0
