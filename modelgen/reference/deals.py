"""A batch of deals as arrays: every input of S deals side by side, ready for the vectorised engine.

Per-deal inputs are arrays of shape (S,); per-class inputs (J, S); rows over time (n, S) with
n = H + 1 periods t = 0..H, H the widest term of the batch (or the workbook's columns). Modes
(amortisation, allocation) become 0/1 flags, so one code path serves every deal of the batch.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Deal, SecuritizedDeal


def _col(deals: list[SecuritizedDeal], get) -> np.ndarray:
    return np.array([float(get(d)) for d in deals])


@dataclass
class DealArrays:
    """The inputs of S deals with the same number of classes J, over periods t = 0..H."""

    deals: list[SecuritizedDeal]
    S: int
    J: int
    H: int
    t: np.ndarray            # (n, 1): 0..H
    T: np.ndarray            # (S,) term_months
    p: dict[str, np.ndarray]  # per-deal inputs, (S,)
    share: np.ndarray        # (J, S)
    coupon: np.ndarray       # (J, S)
    rent_path: np.ndarray    # (n, S): the given path (t >= 1; the last rent after T), NaN where none
    has_path: np.ndarray     # (S,) 1 where a rent_path is given

    @property
    def n(self) -> int:
        return self.H + 1

    @classmethod
    def of(cls, batch: list[Deal], horizon: int | None = None) -> "DealArrays":
        if not batch:
            raise ValueError("a batch needs at least one deal")
        if not all(d.has_securitization for d in batch):
            raise ValueError("every deal of a batch must have the securitization part")
        deals = [d.securitization for d in batch]
        J = deals[0].tranche_count
        if any(d.tranche_count != J for d in deals):
            raise ValueError("every deal of a batch must have the same number of classes")
        widest = max(d.term_months for d in deals)
        H = widest if horizon is None else horizon
        if H < widest:
            raise ValueError("horizon must be at least the longest term_months")
        S, n = len(deals), H + 1
        fields = {
            "gpu_count": lambda d: d.assets.gpu_count, "gpu_unit_price": lambda d: d.assets.gpu_unit_price,
            "ancillary_capex_pct": lambda d: d.assets.ancillary_capex_pct,
            "useful_life_months": lambda d: d.assets.useful_life_months, "value_decline": lambda d: d.assets.value_decline,
            "scrap_value_pct": lambda d: d.assets.scrap_value_pct,
            "income_cap": lambda d: d.assets.buyer_discount_annual is not None,
            "buyer_discount_annual": lambda d: d.assets.buyer_discount_annual or 0.0,
            "rent0": lambda d: d.revenue.rent0, "rent_decline": lambda d: d.revenue.rent_decline,
            "util_start": lambda d: d.revenue.util_start, "util_target": lambda d: d.revenue.util_target,
            "util_ramp_months": lambda d: d.revenue.util_ramp_months, "hours_per_month": lambda d: d.revenue.hours_per_month,
            "shock_month": lambda d: d.shock.month, "shock_rent_drop": lambda d: d.shock.rent_drop,
            "shock_value_drop": lambda d: d.shock.value_drop,
            "kw_per_gpu": lambda d: d.opex.kw_per_gpu, "pue": lambda d: d.opex.pue, "power_price": lambda d: d.opex.power_price,
            "colo_per_kw_month": lambda d: d.opex.colo_per_kw_month,
            "maintenance_pct_annual": lambda d: d.opex.maintenance_pct_annual, "fixed_opex_month": lambda d: d.opex.fixed_opex_month,
            "idle_power_share": lambda d: d.opex.idle_power_share,
            "issuance_fee_pct": lambda d: d.fees.issuance_fee_pct, "mgmt_fee_annual": lambda d: d.fees.mgmt_fee_annual,
            "bullet": lambda d: d.structure.amortization == "bullet",
            "straight_line": lambda d: d.structure.amortization == "straight_line",
            "ltv": lambda d: d.structure.amortization == "ltv",
            "sweep": lambda d: d.structure.amortization == "sweep",
            "pro_rata": lambda d: d.structure.principal_allocation == "pro_rata",
            "interest_holiday_months": lambda d: d.structure.interest_holiday_months,
            "reserve_months": lambda d: d.structure.reserve_months,
            "junior_excess_share": lambda d: d.structure.junior_excess_share,
            "platform_retention": lambda d: d.structure.platform_retention,
            "dscr_min": lambda d: d.structure.triggers.dscr_min, "dscr_months": lambda d: d.structure.triggers.dscr_months,
            "ltv_max": lambda d: d.structure.triggers.ltv_max,
            "shortfall_months": lambda d: d.default.shortfall_months, "forced_month": lambda d: d.default.forced_month,
            "liquidation_lag_months": lambda d: d.default.liquidation_lag_months,
            "fire_sale_discount": lambda d: d.default.fire_sale_discount,
            "liquidation_cost_pct": lambda d: d.default.liquidation_cost_pct,
        }
        p = {key: _col(deals, get) for key, get in fields.items()}
        share = np.array([[d.structure.tranches[j].share for d in deals] for j in range(J)])
        coupon = np.array([[d.structure.tranches[j].coupon for d in deals] for j in range(J)])
        rent_path = np.full((n, S), np.nan)
        has_path = np.zeros(S)
        for s, d in enumerate(deals):
            path = d.revenue.rent_path
            if path is not None:
                T = d.term_months
                rent_path[1:T + 1, s] = path
                rent_path[T + 1:, s] = path[-1]
                has_path[s] = 1.0
        terms = np.array([float(d.term_months) for d in deals])
        return cls(deals, S, J, H, np.arange(n, dtype=float)[:, None], terms, p, share, coupon, rent_path, has_path)
