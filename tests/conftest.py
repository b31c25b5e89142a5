"""Shared fixtures: deal dictionaries and templates for the test layers."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SMALL_DEAL = FIXTURES / "small-deal.yaml"


def hand_deal(**changes) -> dict:
    """The 3-month, one-tranche deal worked by hand in test_reference_hand.py."""
    deal = {
        "name": "Hand-worked deal",
        "start_date": "2026-01-01",
        "term_months": 3,
        "assets": {"gpu_model": "H100", "gpu_count": 10, "gpu_unit_price": 1000, "ancillary_capex_pct": 0,
                   "useful_life_months": 12, "value_decline": 0},
        "revenue": {"rent0": 1.0, "rent_decline": 0, "util_start": 1, "util_target": 1, "util_ramp_months": 0,
                    "hours_per_month": 730},
        "shock": {"month": 0, "rent_drop": 0, "value_drop": 0},
        "opex": {"kw_per_gpu": 0, "pue": 1, "power_price": 0, "colo_per_kw_month": 0, "maintenance_pct_annual": 0,
                 "fixed_opex_month": 1000},
        "fees": {"issuance_fee_pct": 0, "mgmt_fee_annual": 0},
        "structure": {"amortization": "straight_line", "reserve_months": 0, "junior_excess_share": 0,
                      "tranches": [{"name": "Notes", "share": 1.0, "coupon": 0.12}]},
        "default": {"shortfall_months": 3, "forced_month": 0, "liquidation_lag_months": 0, "fire_sale_discount": 0,
                    "liquidation_cost_pct": 0.05},
    }
    deal = copy.deepcopy(deal)
    for path, value in changes.items():
        node = deal
        parts = path.split("__")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    return deal


@pytest.fixture
def small_template_path() -> Path:
    return SMALL_DEAL


def find_row(ws, key: str) -> int:
    """The row holding ``key`` in column C (the row key); StopIteration where there is none."""
    return next(r[0].row for r in ws.iter_rows(min_col=3, max_col=3) if r[0].value == key)
