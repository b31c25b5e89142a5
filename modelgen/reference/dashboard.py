"""The Dashboard's headline figures, taken from the reference model's own (flat) values."""
from __future__ import annotations

from ..config import Deal, SecuritizedDeal
from ..chart_data import chart_value, payback_chart_columns
from ..waterfall import PARTICIPANTS
from .depin_model import TIER_FIELDS
from .values import SheetValues

TRANCHE_FIGURES = ("irr", "moic", "loss_pct", "recovery_per_100", "payback_month", "wal_years", "min_interest_cover")


def dashboard_values(deal: Deal, values: SheetValues, years: int) -> SheetValues:
    v = values.scalars
    out = SheetValues()
    d = out.scalars
    if deal.has_securitization:
        _securitization(deal.securitization, values, years, d)
    if deal.node_sale is not None:
        n = deal.node_sale.tier_count
        first = dict(zip(TIER_FIELDS, v["tier_1"], strict=True))
        last = dict(zip(TIER_FIELDS, v[f"tier_{n}"], strict=True))
        d["dash_node"] = [first["payback_days_earned"], last["payback_days_earned"], first["roi_sell"],
                          v["node_sale_proceeds"], v["house_proceeds_to_emission"]]
        for k in range(1, n + 1):
            row = v[f"tier_{k}"]
            d[f"chart_payback_tier_{k}"] = [chart_value(row[c]) for _, c in payback_chart_columns()]
    if deal.byod is not None:
        d["dash_byod"] = [v["byod_payback_month"], v["byod_roi"], v["usage_share_of_income"]]
    return out


def _securitization(deal: SecuritizedDeal, values: SheetValues, years: int, d: dict) -> None:
    """The securitization's headline blocks: tranches, the deal, who gets what, the payback picture."""
    v = values.scalars
    J = deal.tranche_count
    for j in list(range(1, J + 1)) + ["all"]:
        invested = v["raise_amount"] if j == "all" else v[f"invested_{j}"]
        d[f"dash_tranche_{j}"] = [invested] + [v[f"{m}_{j}"] for m in TRANCHE_FIGURES]
    d["dash_deal"] = [v["capex"], v["raise_amount"], v["issuance_fee"], v["default_month"], v["sale_month"]]
    for key in ["token_holders"] + [p[0] for p in PARTICIPANTS]:
        d[f"dash_party_{key}"] = [v[key][2]]
    T = deal.term_months
    for j in range(1, J + 1):
        cum = values.periods[f"cum_distributions_{j}"]
        d[f"dash_cum_{j}"] = [None] + [cum[min(12 * y, T)] for y in range(1, years + 1)]
        d[f"dash_invested_{j}"] = [None] + [v[f"invested_{j}"]] * years
