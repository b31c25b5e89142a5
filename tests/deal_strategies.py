"""Random valid deals for the property tests (and the benchmark's property-test rate), as input
changes by dotted path to the small test deal (tests/fixtures/small-deal.yaml)."""
from __future__ import annotations

from hypothesis import strategies as st

fraction = st.floats(0, 1, allow_nan=False)


@st.composite
def small_deal_changes(draw) -> dict:
    senior = draw(st.floats(0.05, 0.95))
    term = draw(st.integers(1, 6))
    return {
        "term_months": term,
        "assets.gpu_unit_price": draw(st.floats(5000, 40000)),
        "assets.value_decline": draw(st.floats(0, 0.9)),
        "revenue.rent0": draw(st.floats(0.1, 6)),
        "revenue.util_target": draw(fraction),
        "revenue.util_ramp_months": draw(st.integers(0, 4)),
        "shock.month": draw(st.integers(0, 7)),
        "shock.value_drop": draw(fraction),
        "opex.fixed_opex_month": draw(st.floats(0, 20000)),
        "fees.mgmt_fee_annual": draw(st.floats(0, 0.05)),
        "structure.reserve_months": draw(st.integers(0, 6)),
        "structure.junior_excess_share": draw(fraction),
        "structure.tranches.0.share": senior,
        "structure.tranches.1.share": 1 - senior,
        # Coupons are 0 or at least a basis point: below ~1e-30 of the money back, the IRR is
        # "-100% a month" for `formulas` (np.roots) but no root at all for Excel's iteration.
        "structure.tranches.1.coupon": draw(st.one_of(st.just(0.0), st.floats(1e-4, 0.4))),
        "default.shortfall_months": draw(st.integers(1, 4)),
        "default.forced_month": draw(st.integers(0, 7)),
        "default.liquidation_lag_months": draw(st.integers(0, 3)),
        "default.fire_sale_discount": draw(fraction),
        # version-2 mechanisms
        "revenue.rent_decline": draw(st.sampled_from([0.0, 0.2])),  # 0 with a 0% buyer discount: g * v = 1
        "assets.useful_life_months": draw(st.integers(1, 8)),
        "assets.scrap_value_pct": draw(st.one_of(st.just(0.0), st.floats(0.01, 0.2))),
        "assets.buyer_discount_annual": draw(st.sampled_from([0.0, 0.15, 0.5])),
        "opex.idle_power_share": draw(fraction),
        "structure.amortization": draw(st.sampled_from(["bullet", "straight_line", "ltv", "sweep"])),
        "structure.principal_allocation": draw(st.sampled_from(["sequential", "pro_rata"])),
        "structure.interest_holiday_months": draw(st.integers(0, term - 1)),
        "structure.platform_retention": draw(fraction),
        "structure.triggers.dscr_min": draw(st.sampled_from([0.0, 1.0, 1.3])),
        "structure.triggers.dscr_months": draw(st.integers(0, 3)),
        "structure.triggers.ltv_max": draw(st.sampled_from([0.0, 0.6, 0.9])),
    }


# Found by the formulas property test: a junior coupon of 1e-12 and a 100% fire sale leave an IRR
# just above -100% a month, which `formulas` finds (np.roots) and the reference must find too.
# IronCalc and LibreOffice, iterating from the workbook's guess, find no IRR ("n/a").
NEAR_TOTAL_LOSS = {
    "term_months": 3, "assets.gpu_unit_price": 5000.0, "assets.value_decline": 0.8909650048339366,
    "revenue.rent0": 0.8339729263048448, "revenue.util_target": 0.9528310467241946, "revenue.util_ramp_months": 0,
    "shock.month": 0, "shock.value_drop": 0.0, "opex.fixed_opex_month": 0.0, "fees.mgmt_fee_annual": 0.0,
    "structure.amortization": "bullet", "structure.reserve_months": 0, "structure.junior_excess_share": 0.0,
    "structure.tranches.0.share": 0.5076014981111409, "structure.tranches.1.share": 0.49239850188885914,
    "structure.tranches.1.coupon": 1e-12, "default.shortfall_months": 1, "default.forced_month": 2,
    "default.liquidation_lag_months": 0, "default.fire_sale_discount": 1.0,
}


# Found by the IronCalc property test: the junior's coupon is 0 and nothing is lost, so it gets
# exactly its money back. The reference sums to a MOIC of 0.9999999999999999 and says payback
# "never"; IronCalc and LibreOffice (which compare as Excel does, to 15 significant digits) say
# month 3.
EXACT_PAYBACK = {
    "term_months": 3, "assets.gpu_unit_price": 6202.0, "assets.value_decline": 0.0, "revenue.rent0": 3.0,
    "revenue.util_target": 1.0, "revenue.util_ramp_months": 0, "shock.month": 0, "shock.value_drop": 0.0,
    "opex.fixed_opex_month": 0.0, "fees.mgmt_fee_annual": 0.0, "structure.amortization": "straight_line",
    "structure.reserve_months": 1, "structure.junior_excess_share": 0.0, "structure.tranches.0.share": 0.59375,
    "structure.tranches.1.share": 0.40625, "structure.tranches.1.coupon": 0.0, "default.shortfall_months": 1,
    "default.forced_month": 0, "default.liquidation_lag_months": 0, "default.fire_sale_discount": 0.0,
}
