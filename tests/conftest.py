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


# --- shared, session-wide workbooks and engines (one per pytest-xdist worker) --------------------------
# Building a workbook takes about a second and compiling it with `formulas` a few: tests that read
# the same bundled workbook share one build and one loaded engine per worker. Tests that use them
# carry pytest.mark.xdist_group(<template>) so that one worker loads each template.

def engine_or_skip(name: str) -> None:
    """Skip a test whose engine is not installed here, except in CI, where a missing engine fails."""
    import os

    from modelgen.engines import engine_class
    if not engine_class(name).available() and not os.environ.get("CI"):
        pytest.skip(f"{name} is not installed")


@pytest.fixture(scope="session")
def bundled_workbook(tmp_path_factory):
    """name -> the path of that bundled template's workbook (its default scenario), built once."""
    from modelgen.build import build_workbook
    from modelgen.template import load_template
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            path = tmp_path_factory.mktemp("bundled") / f"{name}.xlsx"
            build_workbook(load_template(name), path)
            cache[name] = path
        return cache[name]

    return get


@pytest.fixture(scope="session")
def loaded_engine(bundled_workbook):
    """(engine, template name) -> that engine with the template's workbook loaded, kept for the session.

    Whoever uses it sets the scenario selector it needs (verify does so for an engine it is given)."""
    from modelgen.engines import make_engine
    cache: dict[tuple[str, str], object] = {}

    def get(engine: str, name: str):
        if (engine, name) not in cache:
            engine_or_skip(engine)
            cache[(engine, name)] = make_engine(engine).load(bundled_workbook(name))
        return cache[(engine, name)]

    yield get
    for engine in cache.values():
        engine.close()


@pytest.fixture(scope="session")
def prepared(bundled_workbook):
    """(template name, scenario) -> what verify reads from the workbook and the reference, once."""
    from modelgen.verify import prepare
    cache: dict[tuple[str, str], object] = {}

    def get(name: str, scenario: str):
        if (name, scenario) not in cache:
            cache[(name, scenario)] = prepare(bundled_workbook(name), scenario)
        return cache[(name, scenario)]

    return get
