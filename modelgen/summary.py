"""The machine-readable summary that ``modelgen summary --json`` prints, computed by the reference model."""
from __future__ import annotations

import math
from typing import Any

from .reference.depin_model import TIER_FIELDS
from .reference.frames import ModelResult
from .reference.values import NA, NEVER, NONE

PARTICIPANT_KEYS = ["token_holders", "sponsor", "platform", "hardware_vendors", "power_and_colocation", "customers",
                    "secondary_buyers", "liquidation_agent"]


def _number_or_null(value: Any) -> Any:
    if isinstance(value, str) and value in (NA, NEVER, NONE):
        return None
    return value


def _month_or_null(value: Any) -> Any:
    return None if value in (0, None) else value


class _OneDeal:
    """Read one deal's values from its flat store (the same interface as a batch's deal)."""

    def __init__(self, values):
        self.values = values

    def scalar(self, key: str):
        return self.values.scalars[key]

    def years(self, key: str) -> list:
        return self.values.years[key]


def securitization_summary(deal, get, scenario: str) -> dict[str, Any]:
    """The summary's securitization part from one deal's reference values (``get.scalar`` / ``get.years``)."""
    deal_years = max(1, math.ceil(deal.term_months / 12))
    tranches = []
    for j, tranche in enumerate(deal.structure.tranches, start=1):
        tranches.append({
            "name": tranche.name,
            "invested": get.scalar(f"invested_{j}"),
            "interest_paid": get.scalar(f"interest_received_{j}"),
            "excess_paid": get.scalar(f"excess_received_{j}"),
            "principal_paid": get.scalar(f"principal_received_{j}"),
            "recovery": get.scalar(f"recovery_{j}"),
            "loss": get.scalar(f"loss_{j}"),
            "loss_pct": get.scalar(f"loss_pct_{j}"),
            "irr": _number_or_null(get.scalar(f"irr_{j}")),
            "irr_nominal": _number_or_null(get.scalar(f"irr_nominal_{j}")),
            "moic": get.scalar(f"moic_{j}"),
            "wal_years": _number_or_null(get.scalar(f"wal_years_{j}")),
            "payback_month": _number_or_null(get.scalar(f"payback_month_{j}")),
            "min_interest_cover": _number_or_null(get.scalar(f"min_interest_cover_{j}")),
            "day_one_cover": get.scalar(f"day_one_cover_{j}"),
            "mtl_return_by_year": get.years(f"mtl_return_{j}")[:deal_years],
            "exit_per_100_at_first_stress": _number_or_null(get.scalar(f"exit_per_100_at_first_stress_{j}")),
        })
    return {
        "name": deal.name,
        "scenario": scenario,
        "sources_uses": {"capex": get.scalar("capex"), "raise": get.scalar("raise_amount"),
                         "issuance_fee": get.scalar("issuance_fee"), "reserve": get.scalar("reserve_funded")},
        "default_month": _month_or_null(get.scalar("default_month")),
        "sale_month": get.scalar("sale_month"),
        "trigger_month": _month_or_null(get.scalar("trigger_month")),
        "tranches": tranches,
        "deal": {"min_dscr": _number_or_null(get.scalar("min_dscr")), "max_ltv": _number_or_null(get.scalar("max_ltv"))},
        "participants": {key: get.scalar(key)[2] for key in PARTICIPANT_KEYS},
        "checks_ok": get.scalar("master_check") == 0,
    }


def build_summary(result: ModelResult) -> dict[str, Any]:
    """The summary with only the parts the template has; name, scenario and checks_ok (every part's
    checks) always."""
    deal, values = result.deal, result.values
    s = values.scalars
    if deal.has_securitization:
        out = securitization_summary(deal.securitization, _OneDeal(values), result.scenario)
    else:
        out = {"name": deal.name, "scenario": result.scenario, "checks_ok": s["master_check"] == 0}
    if deal.node_sale is not None:
        tiers = []
        for k in range(1, deal.node_sale.tier_count + 1):
            row = dict(zip(TIER_FIELDS, s[f"tier_{k}"], strict=True))
            tiers.append({"tier": k, "price": row["price"],
                          "payback_days_earned": _number_or_null(row["payback_days_earned"]),
                          "roi_sell_at_vesting": row["roi_sell"], "implied_fdv": row["implied_fdv"]})
        out["node_sale"] = {"tiers": tiers}
    if deal.byod is not None:
        out["byod"] = {"payback_month": _number_or_null(s["byod_payback_month"]), "roi": s["byod_roi"],
                       "usage_share_of_income": _number_or_null(s["usage_share_of_income"]),
                       "staking_real_yield": s.get("staking_real_yield_month1")}
    return out
