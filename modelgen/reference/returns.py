"""Investor returns, who gets what, and the checks (docs/model.md sections 5, 6, 7 and 10), for a batch.

Holders are the classes 1..J and ``all`` token holders together. Sums over months run in month
order (a cumulative sum), so one deal gives the same figures alone or in a batch.
"""
from __future__ import annotations

import numpy as np

from .deals import DealArrays
from .metrics import irr_monthly_batch
from .values import NA, NEVER, NONE, BatchValues


def total(row: np.ndarray) -> np.ndarray:
    """The sum of a period row over months 1..H, in month order."""
    return np.cumsum(row[1:], axis=0)[-1]


def first_month(mask: np.ndarray) -> np.ndarray:
    """The first month t >= 1 where mask[t] holds, NaN where it never does."""
    hit = mask[1:]
    return np.where(hit.any(axis=0), hit.argmax(axis=0) + 1.0, np.nan)


def _holders(d: DealArrays) -> list:
    return list(range(1, d.J + 1)) + ["all"]


def _sum_classes(out: BatchValues, stem: str, J: int, where=None) -> np.ndarray:
    src = out.periods if where is None else where
    acc = src[f"{stem}_1"]
    for j in range(2, J + 1):
        acc = acc + src[f"{stem}_{j}"]
    return acc


def liquidation_cover(d: DealArrays, out: BatchValues) -> None:
    """What each class would recover if the fleet were sold at t (section 5), t = 0..H.

    pool = [t < S] * MAX(0, CV_t * (1 - fire_sale_discount) * (1 - liquidation_cost_pct) + reserve_close
           - opex_unpaid - fees unpaid); owed_j = [t < S] * (interest_unpaid_j + balance_close_j);
    liquidation_cover_j = MIN(owed_j, pool - covers above); collateral_coverage_j = cover / owed ("n/a" at 0)."""
    r, p, J = out.periods, d.p, d.J
    before_sale = (d.t < out.scalars["sale_month"]).astype(float)
    fees = [k for k in r if k.endswith("_unpaid") and not k.startswith(("opex", "interest"))]
    arrears = r["opex_unpaid"] + sum((r[k] for k in fees), np.zeros_like(r["opex_unpaid"]))
    pool = out.period("liquidation_pool", np.maximum(0, r["collateral_value"] * (1 - p["fire_sale_discount"])
                                                     * (1 - p["liquidation_cost_pct"]) + r["reserve_close"] - arrears), start=0)
    pool = before_sale * pool
    covers, owed_all, cover_all = [], 0.0, 0.0
    for j in range(1, J + 1):
        owed = before_sale * (r[f"interest_unpaid_{j}"] + r[f"balance_close_{j}"])
        cover = np.minimum(owed, pool)
        pool = pool - cover
        covers.append(cover)
        owed_all, cover_all = owed_all + owed, cover_all + cover
        _cover_rows(out, j, cover, owed)
    _cover_rows(out, "all", cover_all, owed_all)


def _cover_rows(out: BatchValues, j, cover, owed) -> None:
    out.period(f"liquidation_cover_{j}", cover, start=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out.period(f"collateral_coverage_{j}", np.where(owed > 0, cover / np.where(owed > 0, owed, 1.0), np.nan), start=0, na=NA)


def _distributions(d: DealArrays, out: BatchValues) -> None:
    """distributions_j = interest_paid_j + principal_paid_j + sale_interest_received_j + sale_principal_received_j
    (+ junior_excess + sale_excess_received for class J); cash_flow_j = -invested_j at t = 0, then distributions."""
    r, J = out.periods, d.J
    rows: dict[int | str, np.ndarray] = {}
    for j in range(1, J + 1):
        dist = r[f"interest_paid_{j}"] + r[f"principal_paid_{j}"] + r[f"sale_interest_received_{j}"] + r[f"sale_principal_received_{j}"]
        if j == J:
            dist = dist + r["junior_excess"] + r["sale_excess_received"]
        rows[j] = dist
    all_ = rows[1]
    for j in range(2, J + 1):
        all_ = all_ + rows[j]
    rows["all"] = all_
    for h, dist in rows.items():
        inv = out.scalars["raise_amount" if h == "all" else f"invested_{h}"]
        dist = dist.copy()
        dist[0] = np.nan
        out.period(f"distributions_{h}", dist)
        flow = dist.copy()
        flow[0] = -inv
        out.period(f"cash_flow_{h}", flow, start=0)
        cum = np.zeros_like(dist)
        cum[1:] = np.cumsum(dist[1:], axis=0)
        out.period(f"cum_distributions_{h}", cum, start=0)


def returns(d: DealArrays, out: BatchValues, irr_floor: float = -0.99, tolerance: float = 0.01) -> None:
    """Section 5 per holder: received, recovery, loss %, IRR (effective and nominal), MOIC, WAL, payback,
    cover, and the yield by deal year with the mark-to-liquidation return."""
    r, sc, J = out.periods, out.scalars, d.J
    _distributions(d, out)
    liquidation_cover(d, out)
    S = sc["sale_month"]
    ys = np.arange(1, out.Y + 1)
    out.year("year_number", ys[:, None], integer=True)
    ends = np.minimum(12 * ys, d.H)
    for h in _holders(d):
        one = h != "all"
        inv = sc[f"invested_{h}"] if one else sc["raise_amount"]
        if one:
            interest = total(r[f"interest_paid_{h}"])
            excess = total(r["junior_excess"]) if h == J else np.zeros(d.S)
            principal = total(r[f"principal_paid_{h}"])
            recovery = sc[f"sale_interest_{h}"] + sc[f"sale_principal_{h}"] + (sc["sale_excess_junior"] if h == J else 0.0)
            returned = principal + sc[f"sale_principal_{h}"]
            loss = sc[f"loss_{h}"]
            weighted = total(d.t * r[f"principal_paid_{h}"]) + S * (sc[f"sale_principal_{h}"] + loss)
            capitalised = total(r[f"interest_capitalised_{h}"])
            unpaid = r[f"interest_unpaid_{h}"] > 0
            cover_row = r[f"interest_cover_{h}"]
        else:
            interest = _sum_classes(out, "interest_received", J, sc)
            excess = sc[f"excess_received_{J}"]
            principal = _sum_classes(out, "principal_received", J, sc)
            recovery = _sum_classes(out, "recovery", J, sc)
            returned = _sum_classes(out, "principal_returned", J, sc)
            loss = out.scalar("loss_all", _sum_classes(out, "loss", J, sc))
            weighted = _sum_classes(out, "balance_reduction_month_weighted", J, sc)
            capitalised = _sum_classes(out, "capitalised_interest", J, sc)
            unpaid = _sum_classes(out, "interest_unpaid", J) > 0
            cover_row = r[f"interest_cover_{J}"]
        received = total(r[f"distributions_{h}"])
        reductions = returned + loss
        out.scalar(f"interest_received_{h}", interest)
        out.scalar(f"excess_received_{h}", excess)
        out.scalar(f"principal_received_{h}", principal)
        out.scalar(f"recovery_{h}", recovery)
        out.scalar(f"total_received_{h}", received)
        out.scalar(f"principal_returned_{h}", returned)
        out.scalar(f"balance_reduction_month_weighted_{h}", weighted)
        out.scalar(f"balance_reductions_{h}", reductions)
        out.scalar(f"capitalised_interest_{h}", capitalised)
        out.scalar(f"loss_pct_{h}", loss / (inv + capitalised))
        out.scalar(f"recovery_per_100_{h}", recovery / inv * 100)
        monthly = irr_monthly_batch(r[f"cash_flow_{h}"], d.T.astype(int))
        with np.errstate(invalid="ignore"):
            effective = np.where(monthly > -1, (1 + monthly) ** 12 - 1, np.nan)
        # below the floor the money is as good as lost and engines disagree on the root: n/a
        shown = effective >= irr_floor
        out.scalar(f"irr_{h}", np.where(shown, effective, np.nan), na=NA)
        out.scalar(f"irr_nominal_{h}", np.where(shown, 12 * monthly, np.nan), na=NA)
        out.scalar(f"moic_{h}", received / inv)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.scalar(f"wal_years_{h}", np.where(reductions > 0, weighted / 12 / np.where(reductions > 0, reductions, 1.0), np.nan), na=NA)
        cum = r[f"cum_distributions_{h}"]
        out.scalar(f"payback_month_{h}", first_month(cum >= inv - tolerance), na=NEVER, integer=True)
        out.scalar(f"first_shortfall_month_{h}", first_month(unpaid), na=NONE, integer=True)
        out.scalar(f"min_interest_cover_{h}", np.fmin.reduce(cover_row[1:], axis=0), na=NA)
        cover = r[f"liquidation_cover_{h}"]
        out.scalar(f"day_one_cover_{h}", cover[0] / inv)
        _years(out, h, inv, cum, cover, ends)
    out.scalar("min_dscr", np.fmin.reduce(r["dscr"][1:], axis=0), na=NA)
    out.scalar("max_ltv", np.fmax.reduce(r["ltv_1"][1:], axis=0), na=NA)


def _years(out: BatchValues, h, inv: np.ndarray, cum: np.ndarray, cover: np.ndarray, ends: np.ndarray) -> None:
    """By deal year y (months 12(y-1)+1 .. 12y): cash_yield = cash / invested; return of capital = the part that
    brings cumulative cash up to invested; mtl_return = (cash + cover at the end of y - cover at the end of y-1)
    / invested, year 1 starting from invested."""
    starts = np.concatenate([[0], ends[:-1]])
    cash = cum[ends] - cum[starts]
    of_capital = (np.minimum(cum[ends], inv) - np.minimum(cum[starts], inv)) / inv
    cash_yield = out.year(f"cash_yield_{h}", cash / inv)
    out.year(f"yield_return_of_capital_{h}", of_capital)
    out.year(f"yield_return_on_capital_{h}", cash_yield - of_capital)
    end_cover = out.year(f"cover_end_of_year_{h}", cover[ends])
    start_cover = np.concatenate([inv[None, :], end_cover[:-1]])
    out.year(f"mtl_return_{h}", (cash + end_cover - start_cover) / inv)


def participants(d: DealArrays, out: BatchValues, fee_keys: list[str]) -> None:
    """Section 6: whole-life cash in, cash out and net (in - out) of every participant; the nets sum to 0.
    The platform's retained slice of class J is taken out of that class's holders and added to the platform."""
    r, sc, J = out.periods, out.scalars, d.J
    ret = d.p["platform_retention"]
    rows = []
    for j in range(1, J + 1):
        keep = 1 - ret if j == J else 1.0
        rows.append((f"token_holders_{j}", keep * sc[f"total_received_{j}"], keep * sc[f"invested_{j}"]))
    retained_in = ret * sc[f"total_received_{J}"]
    rows.append(("token_holders", sc["total_received_all"] - retained_in, sc["raise_amount"] - sc["retained_invested"]))
    rows.append(("sponsor", total(r["sponsor_residual"]) + sc["sale_to_sponsor"], 0.0))
    fees = sum((total(r[k.replace("_accrued", "_paid")]) for k in fee_keys), np.zeros(d.S))
    rows.append(("platform", sc["issuance_fee"] + fees + sc["sale_fee_paid"] + retained_in, sc["retained_invested"]))
    rows.append(("hardware_vendors", sc["capex"], 0.0))
    rows.append(("power_and_colocation", total(r["opex_paid"]) + sc["sale_opex_paid"], 0.0))
    rows.append(("customers", 0.0, total(r["revenue"])))
    rows.append(("secondary_buyers", 0.0, sc["sale_price_gross"]))
    rows.append(("liquidation_agent", sc["sale_costs"], 0.0))
    net_total = np.zeros(d.S)
    for key, cash_in, cash_out in rows:
        out.table(key, [cash_in, cash_out, cash_in - cash_out])
        if not key.startswith("token_holders_"):
            net_total = net_total + (cash_in - cash_out)
    out.scalar("participants_net_total", net_total)


def checks(d: DealArrays, out: BatchValues, steps, tol: float) -> None:
    """Section 10: each monthly identity's absolute difference per month and its count of months above the
    tolerance; whole-deal checks 1 where they fail; master_check the sum (0 = all hold)."""
    r, sc, J, p = out.periods, out.scalars, d.J, d.p
    fee_names = [s.name for s in steps if s.kind == "fee"]
    uses = r["opex_paid"] + r["reserve_topup"] + r["residual"]
    for name in fee_names:
        uses = uses + r[f"{name}_paid"]
    for j in range(1, J + 1):
        uses = uses + r[f"interest_paid_{j}"] + r[f"principal_paid_{j}"]
    period_checks = {
        "check_cash_conservation": np.abs(r["revenue"] + r["reserve_draws_total"] + r["reserve_release"] - uses),
        "check_reserve_corkscrew": np.abs(r["reserve_close"] - (np.roll(r["reserve_close"], 1, axis=0) + r["reserve_topup"]
                                                                - r["reserve_draws_total"] - r["reserve_release"])),
    }
    before_sale = (d.t < sc["sale_month"]).astype(float)
    for j in range(1, J + 1):
        close = r[f"balance_close_{j}"]
        period_checks[f"check_balance_corkscrew_{j}"] = (
            np.abs(close - (np.roll(close, 1, axis=0) - r[f"principal_paid_{j}"] + r[f"interest_capitalised_{j}"]))
            + np.abs(r[f"notes_outstanding_{j}"] - before_sale * close))
    lowest = np.minimum(0, np.minimum(r["reserve_close"], r["opex_unpaid"]))
    for name in fee_names:
        lowest = np.minimum(lowest, r[f"{name}_unpaid"])
    for j in range(1, J + 1):
        lowest = np.minimum(lowest, np.minimum(r[f"balance_close_{j}"], r[f"interest_unpaid_{j}"]))
    period_checks["check_no_negative_balance"] = np.abs(lowest)
    sequential = np.maximum(1 - p["pro_rata"], r["sweep_mode"])
    above = r["balance_close_1"]
    junior_paid = np.zeros_like(above)
    for j in range(2, J + 1):
        junior_paid = junior_paid + r[f"principal_paid_{j}"] * (above > 0)
        above = above + r[f"balance_close_{j}"]
    period_checks["check_subordination_principal"] = sequential * junior_paid
    master = np.zeros(d.S)
    for key, row in period_checks.items():
        row = row.copy()
        row[0] = np.nan
        out.period(key, row)
        count = out.scalar(key, (row[1:] > tol).sum(axis=0), integer=True)
        master = master + count
    shares = np.zeros(d.S)
    for j in range(J):
        shares = shares + d.share[j]
    flags = {
        "check_tranche_shares": np.abs(shares - 1) * sc["raise_amount"] > tol,
        "check_sources_uses": np.abs(sc["raise_amount"] - (sc["capex"] + sc["reserve_funded"] + sc["issuance_fee"])) > tol,
        "check_participants_net_zero": np.abs(sc["participants_net_total"]) > tol,
    }
    for j in range(1, J + 1):
        expected = sc[f"invested_{j}"] + sc[f"capitalised_interest_{j}"] - sc[f"principal_received_{j}"] - sc[f"sale_principal_{j}"]
        flags[f"check_loss_{j}"] = np.abs(sc[f"loss_{j}"] - expected) > tol
    for j in range(1, J + 1):
        inv = sc[f"invested_{j}"]
        earned = np.cumsum(out.years[f"mtl_return_{j}"], axis=0)[-1] * inv
        flags[f"check_mtl_identity_{j}"] = np.abs(earned - (sc[f"total_received_{j}"] - inv)) > tol
    falls = np.zeros(d.S, dtype=bool)
    for j in range(1, J):
        falls |= (sc[f"loss_pct_{j}"] - sc[f"loss_pct_{j + 1}"]) * sc["raise_amount"] > tol
    flags["check_subordination_loss"] = falls
    for key, flag in flags.items():
        master = master + out.scalar(key, flag.astype(float), integer=True)
    out.scalar("master_check", master, integer=True)


def secondary_market(d: DealArrays, out: BatchValues) -> None:
    """Section 9 in brief, for the summary's exit value: per class, the fair value of its remaining cash flows at
    its market yield (coupon + secondary.spread), V_t = (V_(t+1) + distributions_(t+1)) / (1 + yield / 12) from
    V_H = 0, and the bid V_t * (1 - haircut), the haircut crunch_haircut from the first stress event (the rent
    shock, a trigger breach or a default, within the term) and normal_haircut before.

    first_stress_month = the first such month (0 = none);
    exit_per_100_at_first_stress_j = bid at that month / invested_j * 100 ("n/a" without a stress)."""
    r, sc = out.periods, out.scalars
    spread = np.array([deal.secondary.spread for deal in d.deals])
    normal = np.array([deal.secondary.normal_haircut for deal in d.deals])
    crunch = np.array([deal.secondary.crunch_haircut for deal in d.deals])
    stress = ((r["shock_flag"] > 0) | (r["trigger_breach"] > 0) | (r["default_event"] > 0)) & (d.t <= d.T) & (d.t >= 1)
    first = out.scalar("first_stress_month", np.nan_to_num(first_month(stress)), integer=True)
    after = (d.t >= first) & (first > 0)
    haircut = np.where(after, crunch, normal)
    at = first.astype(int)
    cols = np.arange(d.S)
    for j in range(1, d.J + 1):
        monthly = (d.coupon[j - 1] + spread) / 12
        flows = np.nan_to_num(r[f"distributions_{j}"])
        value = np.zeros_like(flows)
        for t in range(d.H - 1, -1, -1):
            value[t] = (value[t + 1] + flows[t + 1]) / (1 + monthly)
        out.period(f"fair_value_{j}", value, start=0)
        bid = out.period(f"exit_value_{j}", value * (1 - haircut), start=0)
        per_100 = bid[at, cols] / sc[f"invested_{j}"] * 100
        out.scalar(f"exit_per_100_at_first_stress_{j}", np.where(first > 0, per_100, np.nan), na=NA)
