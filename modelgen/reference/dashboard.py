"""The Dashboard's headline figures, taken from the reference model's own values."""
from __future__ import annotations

from ..config import Deal
from .abs_model import PARTICIPANTS, SheetValues
from ..chart_data import chart_value, payback_chart_columns
from .depin_model import TIER_FIELDS


def dashboard_values(deal: Deal, sheets: dict[str, SheetValues], years: int) -> SheetValues:
    tr, rs = sheets["Tranches"].scalars, sheets["Returns"].scalars
    out = SheetValues()
    d = out.scalars
    J = deal.tranche_count
    for j in list(range(1, J + 1)) + ["all"]:
        invested = tr["raise_amount"] if j == "all" else tr[f"invested_{j}"]
        d[f"dash_tranche_{j}"] = [invested] + [rs[f"{m}_{j}"] for m in
                                                ("irr", "moic", "loss_pct", "recovery_per_100", "payback_month",
                                                 "wal_years", "min_dscr")]
    timeline = sheets["Timeline"].scalars
    d["dash_deal"] = [tr["capex"], tr["raise_amount"], tr["issuance_fee"], timeline["default_month"], timeline["sale_month"]]
    parts = sheets["Participants"].scalars
    for key in ["token_holders"] + [p[0] for p in PARTICIPANTS]:
        d[f"dash_party_{key}"] = [parts[key][2]]
    T = deal.term_months
    for j in range(1, J + 1):
        cum = sheets["Returns"].periods[f"cum_distributions_{j}"]
        d[f"dash_cum_{j}"] = [None] + [cum[min(12 * y, T)] for y in range(1, years + 1)]
        d[f"dash_invested_{j}"] = [None] + [tr[f"invested_{j}"]] * years
    if deal.node_sale is not None:
        n = deal.node_sale.tier_count
        first = dict(zip(TIER_FIELDS, sheets["Node tiers"].scalars["tier_1"]))
        last = dict(zip(TIER_FIELDS, sheets["Node tiers"].scalars[f"tier_{n}"]))
        nt = sheets["Node tiers"].scalars
        d["dash_node"] = [first["payback_days_earned"], last["payback_days_earned"], first["roi_sell"],
                          nt["node_sale_proceeds"], nt["house_proceeds_to_emission"]]
        for k in range(1, n + 1):
            row = sheets["Node tiers"].scalars[f"tier_{k}"]
            d[f"chart_payback_tier_{k}"] = [chart_value(row[c]) for _, c in payback_chart_columns()]
    if deal.byod is not None:
        b = sheets["BYOD ROI"].scalars
        d["dash_byod"] = [b["byod_payback_month"], b["byod_roi"], b["usage_share_of_income"]]
    return out
