"""The seed write-up's figure: token holders who put in 100 get about 30 back (29.8 here)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from modelgen.cli import main
from modelgen.reference import run
from modelgen.template import load_template


def test_gpu_token_seed_recovers_29_8_per_100():
    result = run(load_template("gpu-token-seed").deal())
    s = result.values.scalars
    assert round(s["recovery_per_100_1"], 1) == 29.8
    assert round(s["loss_pct_1"], 3) == 0.702  # "a loss of about 70% of principal"
    assert s["default_month"] == 24
    # the story told literally: market-value collateral, no trigger, no reserve
    assert s["sale_collateral_value"] == result.values.periods["market_value"][24]
    assert s["trigger_month"] == 0 and s["reserve_funded"] == 0


def test_seed_figure_in_summary_json():
    data = json.loads(CliRunner().invoke(main, ["summary", "gpu-token-seed", "--json"]).output)
    t = data["tranches"][0]
    assert round(t["recovery"] / t["invested"] * 100, 1) == 29.8
