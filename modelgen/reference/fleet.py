"""The fleet (docs/model.md sections 1-2): sources and uses, rent, utilisation, costs and value.

Every function takes the batch's inputs (:class:`~.deals.DealArrays`) and returns arrays over
periods t = 0..H (shape (n, S)) or per deal (shape (S,)). Rows without a value at t = 0 hold NaN
there. None of these depend on the waterfall.
"""
from __future__ import annotations

import numpy as np

from .deals import DealArrays


def capex(d: DealArrays) -> np.ndarray:
    """capex = gpu_count * gpu_unit_price * (1 + ancillary_capex_pct)"""
    p = d.p
    return p["gpu_count"] * p["gpu_unit_price"] * (1 + p["ancillary_capex_pct"])


def shock_flag(d: DealArrays) -> np.ndarray:
    """shock_flag_t = [shock_month > 0 and t >= shock_month]"""
    m = d.p["shock_month"]
    return ((m > 0) & (d.t >= m)).astype(float)


def in_term(d: DealArrays) -> np.ndarray:
    """in_term_t = [t <= term_months] (t >= 1)"""
    return (d.t <= d.T).astype(float)


def in_life(d: DealArrays) -> np.ndarray:
    """in_life_t = [t <= useful_life_months] (t >= 1)"""
    return (d.t <= d.p["useful_life_months"]).astype(float)


def rent_per_gpu_hour(d: DealArrays, shock: np.ndarray) -> np.ndarray:
    """rent_t = rent0 * (1 - rent_decline)^((t - 1) / 12) * (1 - shock_rent_drop * shock_flag_t), or
    rent_path[t] where a path is given (the last rent beyond the term). NaN at t = 0."""
    p = d.p
    curve = p["rent0"] * (1 - p["rent_decline"]) ** ((d.t - 1) / 12) * (1 - p["shock_rent_drop"] * shock)
    rent = np.where(d.has_path > 0, d.rent_path, curve)
    rent[0] = np.nan
    return rent


def utilisation(d: DealArrays) -> np.ndarray:
    """u_t = util_start + (util_target - util_start) * min(1, (t - 1) / util_ramp_months); util_target
    where the ramp is 0. NaN at t = 0."""
    p = d.p
    ramp = p["util_ramp_months"]
    safe = np.where(ramp > 0, ramp, 1.0)
    ramped = p["util_start"] + (p["util_target"] - p["util_start"]) * np.minimum(1, (d.t - 1) / safe)
    u = np.where(ramp > 0, ramped, p["util_target"] + 0 * d.t)
    u[0] = np.nan
    return u


def energy_when_running(d: DealArrays, u) -> np.ndarray:
    """gpu_count * kw_per_gpu * pue * hours * power_price * (idle_power_share + (1 - idle_power_share) * u):
    an idle GPU still draws its idle share, a busy one full power."""
    p = d.p
    idle = p["idle_power_share"]
    return (p["gpu_count"] * p["kw_per_gpu"] * p["pue"] * p["hours_per_month"] * p["power_price"]
            * (idle + (1 - idle) * u))


def colocation_when_running(d: DealArrays) -> np.ndarray:
    """gpu_count * kw_per_gpu * colo_per_kw_month: priced per kW of IT load (PUE is in the energy bill)."""
    p = d.p
    return p["gpu_count"] * p["kw_per_gpu"] * p["colo_per_kw_month"]


def maintenance_when_running(d: DealArrays, cap: np.ndarray) -> np.ndarray:
    """capex * maintenance_pct_annual / 12"""
    return cap * d.p["maintenance_pct_annual"] / 12


def opex_month1(d: DealArrays, u: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """opex_1 = energy_1 + colocation + maintenance + fixed: month 1's operating cost (the fleet runs)."""
    return energy_when_running(d, u[1]) + colocation_when_running(d) + maintenance_when_running(d, cap) + d.p["fixed_opex_month"]


def sources_uses(d: DealArrays, u: np.ndarray, fees=()) -> dict[str, np.ndarray]:
    """Section 1, closing date (fee = the month-1 accrual of the senior fee steps: mgmt_fee_annual / 12 x raise).

    raise_amount = (capex + reserve_months * opex_1)
                   / (1 - issuance_fee_pct - reserve_months * (mgmt_fee_annual + share_1 * coupon_1) / 12)
    reserve_funded = reserve_months * (opex_1 + raise * mgmt_fee_annual / 12 + raise * share_1 * coupon_1 / 12)
    issuance_fee = raise * issuance_fee_pct; invested_j = raise * share_j;
    retained_invested = platform_retention * invested_J
    A fee step on a fixed monthly amount adds reserve_months x its amount to the numerator and to the reserve.
    """
    p = d.p
    cap = capex(d)
    o1 = opex_month1(d, u, cap)
    rm = p["reserve_months"]
    rate: np.ndarray | float = 0.0
    fixed = o1
    for f in fees:
        if f.basis == "balance_annual":
            rate = rate + p[f.rate]
        elif f.basis == "fixed_month":
            fixed = fixed + p[f.rate]
    raise_amount = (cap + rm * fixed) / (1 - p["issuance_fee_pct"] - rm * (rate + d.share[0] * d.coupon[0]) / 12)
    out = {
        "capex": cap,
        "opex_month1": o1,
        "raise_amount": raise_amount,
        "issuance_fee": raise_amount * p["issuance_fee_pct"],
        "reserve_funded": rm * (fixed + raise_amount * rate / 12 + raise_amount * d.share[0] * d.coupon[0] / 12),
    }
    for j in range(1, d.J + 1):
        out[f"invested_{j}"] = raise_amount * d.share[j - 1]
    out["retained_invested"] = p["platform_retention"] * out[f"invested_{d.J}"]
    return out


def market_value(d: DealArrays, cap: np.ndarray, shock: np.ndarray) -> np.ndarray:
    """MV_t = capex * (1 - value_decline)^(t / 12) * (1 - shock_value_drop * shock_flag_t) for t <= life,
    scrap (capex * scrap_value_pct) after."""
    p = d.p
    live = cap * (1 - p["value_decline"]) ** (d.t / 12) * (1 - p["shock_value_drop"] * shock)
    return np.where(d.t <= p["useful_life_months"], live, cap * p["scrap_value_pct"])


def _annuity(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """(1 - x^n) / (1 - x), and n where x = 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 1, n, (1 - x ** n) / np.where(x == 1, 2.0, 1 - x))


def buyer_opex_month(d: DealArrays, cap: np.ndarray) -> np.ndarray:
    """o = a buyer's monthly operating cost at util_target: energy + colocation + maintenance + fixed."""
    return (energy_when_running(d, d.p["util_target"]) + colocation_when_running(d)
            + maintenance_when_running(d, cap) + d.p["fixed_opex_month"])


def income_value(d: DealArrays, cap: np.ndarray, rent: np.ndarray) -> np.ndarray:
    """IV_t = max(0, gpu_count * hours * util_target * r1 * v * A(g*v, n) - o * v * A(v, n)) + scrap * v^n,
    with n = max(0, life - t), g = (1 - rent_decline)^(1/12), v = (1 + buyer_discount_annual)^(-1/12),
    r1 = rent_t * g (t >= 1; rent_1 at t = 0), A(x, n) = (1 - x^n) / (1 - x) (n where x = 1)."""
    p = d.p
    n = np.maximum(0, p["useful_life_months"] - d.t)
    g = (1 - p["rent_decline"]) ** (1 / 12)
    v = (1 + p["buyer_discount_annual"]) ** (-1 / 12)
    r1 = rent * g
    r1[0] = rent[1]
    earnings = (p["gpu_count"] * p["hours_per_month"] * p["util_target"] * r1 * v * _annuity(g * v, n)
                - buyer_opex_month(d, cap) * v * _annuity(v, n))
    return np.maximum(0, earnings) + cap * p["scrap_value_pct"] * v ** n


def collateral_value(d: DealArrays, mv: np.ndarray, iv: np.ndarray) -> np.ndarray:
    """CV_t = MIN(MV_t, IV_t), or MV_t where buyer_discount_annual is null (no income cap)."""
    return np.where(d.p["income_cap"] > 0, np.minimum(mv, iv), mv)


def book_value(d: DealArrays, cap: np.ndarray) -> np.ndarray:
    """BV_t = capex * max(0, 1 - t / useful_life_months): the sponsor's straight-line book value."""
    return cap * np.maximum(0, 1 - d.t / d.p["useful_life_months"])
