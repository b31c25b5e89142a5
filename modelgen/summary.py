"""The machine-readable summary of MODEL.md Appendix B, computed by the reference model."""
from __future__ import annotations

from typing import Any

from .reference.depin_model import TIER_FIELDS
from .reference.frames import ModelResult
from .reference.metrics import NA, NEVER

PARTICIPANT_KEYS = ["token_holders", "sponsor", "platform", "hardware_vendors", "power_and_colocation", "customers",
                    "secondary_buyers", "liquidation_agent"]


def _number_or_null(value: Any) -> Any:
    if isinstance(value, str) and value in (NA, NEVER, "none"):
        return None
    return value


def build_summary(result: ModelResult) -> dict[str, Any]:
    deal, sheets = result.deal, result.sheets
    tr, rs = sheets["Tranches"].scalars, sheets["Returns"].scalars
    timeline = sheets["Timeline"].scalars
    tranches = []
    for j, tranche in enumerate(deal.structure.tranches, start=1):
        tranches.append({
            "name": tranche.name,
            "invested": tr[f"invested_{j}"],
            "interest_paid": rs[f"interest_received_{j}"],
            "principal_paid": rs[f"principal_received_{j}"],
            "recovery": rs[f"recovery_{j}"],
            "loss": tr[f"loss_{j}"],
            "loss_pct": rs[f"loss_pct_{j}"],
            "irr": _number_or_null(rs[f"irr_{j}"]),
            "moic": rs[f"moic_{j}"],
            "wal_years": _number_or_null(rs[f"wal_years_{j}"]),
            "payback_month": _number_or_null(rs[f"payback_month_{j}"]),
        })
    participants = sheets["Participants"].scalars
    out = {
        "name": deal.name,
        "scenario": result.scenario,
        "sources_uses": {"capex": tr["capex"], "raise": tr["raise_amount"], "issuance_fee": tr["issuance_fee"],
                         "reserve": tr["reserve_funded"]},
        "default_month": timeline["default_month"] or None,
        "sale_month": timeline["sale_month"],
        "tranches": tranches,
        "participants": {key: participants[key][2] for key in PARTICIPANT_KEYS},
        "checks_ok": sheets["Checks"].scalars["master_check"] == 0,
    }
    if deal.node_sale is not None:
        rows = sheets["Node tiers"].scalars
        tiers = []
        for k in range(1, deal.node_sale.tier_count + 1):
            row = dict(zip(TIER_FIELDS, rows[f"tier_{k}"]))
            tiers.append({"tier": k, "price": row["price"],
                          "payback_days_earned": _number_or_null(row["payback_days_earned"]),
                          "roi_sell_at_vesting": row["roi_sell"], "implied_fdv": row["implied_fdv"]})
        out["node_sale"] = {"tiers": tiers}
    if deal.byod is not None:
        b = sheets["BYOD ROI"].scalars
        out["byod"] = {"payback_month": _number_or_null(b["byod_payback_month"]), "roi": b["byod_roi"],
                       "usage_share_of_income": _number_or_null(b["usage_share_of_income"]),
                       "staking_real_yield": b.get("staking_real_yield_month1")}
    return out
