"""Monte Carlo: paths seeded per path, statistics of the draws, results independent of chunks and
workers, and a path rebuilt as a live workbook equal to the path's numbers."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from modelgen.analysis.engine import Base
from modelgen.analysis.mcconfig import MonteCarlo
from modelgen.analysis.montecarlo import draw_paths, path_overrides, run_montecarlo
from modelgen.build import reference_for
from modelgen.cli import main
from modelgen.summary import build_summary
from modelgen.template import load_template

MC = MonteCarlo(rent_volatility=0.3, jump_hazard=0.3, jump_value_drop=0.4, value_elasticity=1.0, default_hazard=0.1)


@pytest.fixture(scope="module")
def base() -> Base:
    return Base.load("gpu-abs")


def test_each_path_has_its_own_seed(base):
    whole = draw_paths(base.deal, MC, 7, 0, 12)
    part = draw_paths(base.deal, MC, 7, 5, 9)
    for name in ("rent", "jump_month", "default_month", "value_decline"):
        assert np.array_equal(getattr(whole, name)[5:9], getattr(part, name))
    other = draw_paths(base.deal, MC, 8, 5, 9)
    assert not np.array_equal(other.rent, part.rent)


def test_draws_follow_the_block(base):
    deal, n = base.deal, 4000
    T = deal.term_months
    calm = MC.model_copy(update={"jump_hazard": 0.0, "default_hazard": 0.0})
    d = draw_paths(deal, calm, 1, 0, n)
    curve = deal.revenue.rent0 * (1 - deal.revenue.rent_decline) ** (np.arange(T) / 12)
    ratio = d.rent[:, -1] / curve[-1]                       # Z_T: mean 1, variance exp(vol^2 (T-1)/12) - 1
    se = math.sqrt(math.exp(0.09 * (T - 1) / 12) - 1) / math.sqrt(n)
    assert abs(ratio.mean() - 1) < 4 * se
    assert np.array_equal(d.rent[:, 0], np.full(n, deal.revenue.rent0))
    assert not d.jump_month.any() and not d.default_month.any()
    # market value moves with rent: (1 - decline_path) = (1 - decline) * Z_T^(12 e / T)
    expected = 1 - (1 - deal.assets.value_decline) * ratio ** (12 / T)
    assert np.allclose(d.value_decline, np.clip(expected, 0, 0.999999), rtol=0, atol=1e-12)
    # the jump and the default: first arrivals of Poisson processes with the hazards per year
    d = draw_paths(deal, MC, 2, 0, n)
    for months, hazard in ((d.jump_month, MC.jump_hazard), (d.default_month, MC.default_hazard)):
        p = 1 - math.exp(-hazard * T / 12)
        assert abs((months > 0).mean() - p) < 4 * math.sqrt(p * (1 - p) / n)
        assert months.min() >= 0 and months.max() <= T
    jumped = d.jump_month > 0
    k = int(np.argmax(jumped))
    m = d.jump_month[k]
    assert d.rent[k, m - 1] / d.rent[k, m - 2] < 1 - 0.28 * 0.5   # the template's rent drop is in the path


def test_a_path_enters_through_template_inputs(base):
    d = draw_paths(base.deal, MC, 3, 0, 40)
    k = int(np.argmax(d.jump_month > 0))
    o = path_overrides(base.deal, MC, d, k)
    assert o["revenue.rent_path"] == list(d.rent[k]) and len(o["revenue.rent_path"]) == base.deal.term_months
    assert o["shock.month"] == d.jump_month[k] and o["shock.value_drop"] == 0.4
    assert o["assets.value_decline"] == d.value_decline[k]
    assert o["default.forced_month"] == d.default_month[k]
    # the same case reached as `modelgen summary --set` reaches it gives the Monte Carlo's numbers
    result = run_montecarlo(base, MC, 40, 3)
    tpl = load_template("gpu-abs", sets=base.set_options(o))
    ref = build_summary(reference_for(tpl))
    got = result.path_summary(k)
    for j, t in enumerate(ref["tranches"]):
        for name in ("loss", "loss_pct", "irr", "moic", "invested"):
            assert got["tranches"][j][name] == t[name]


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=a[k].dtype.kind == "f") for k in a)


def test_identical_whatever_the_chunking_and_the_workers(base):
    one = run_montecarlo(base, MC, 120, 11, workers=1, chunk=120)
    small = run_montecarlo(base, MC, 120, 11, workers=1, chunk=7)
    cluster = run_montecarlo(base, MC, 120, 11, workers=2, chunk=25)
    assert cluster.runner.startswith("dask LocalCluster (2")
    assert _same(one.data, small.data) and _same(one.data, cluster.data)
    assert one.stats == small.stats == cluster.stats
    assert run_montecarlo(base, MC, 120, 12, workers=1).stats != one.stats


def test_statistics_are_those_of_the_paths(base):
    r = run_montecarlo(base, MC, 200, 5)
    d = r.data
    for j, s in enumerate(r.stats):
        lost = d["loss"][:, j] > 1e-6 * d["invested"][:, j]
        assert s["probability_of_loss"] == lost.mean()
        assert s["expected_loss_pct"] == d["loss_pct"][:, j].mean()
        assert s["loss_pct_quantiles"]["p95"] == np.quantile(d["loss_pct"][:, j], 0.95)
        irr = np.where(np.isnan(d["irr"][:, j]), -1.0, d["irr"][:, j])
        assert s["irr_quantiles"]["p5"] == np.quantile(irr, 0.05)
        assert s["spread_over_senior"] == base.deal.structure.tranches[j].coupon - base.deal.structure.tranches[0].coupon
    assert r.stats[0]["probability_of_loss"] <= r.stats[-1]["probability_of_loss"]


def test_build_path_recalculates_to_the_paths_numbers(tmp_path, monkeypatch):
    template = tmp_path / "mc.yaml"
    data = yaml.safe_load(load_template("gpu-abs").text)
    data["montecarlo"] = {"paths": 60, "seed": 4, "rent_volatility": 0.35, "jump_hazard": 0.3, "jump_value_drop": 0.5,
                          "value_elasticity": 1.0, "default_hazard": 0.1}
    template.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "p90.xlsx"
    res = CliRunner().invoke(main, ["montecarlo", str(template), "--build-path", "p90", "-o", str(out), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    proof = data["build_path"]
    assert out.is_file() and proof["ok"] and proof["differences"] == []
    assert data["paths"] == 60 and data["seed"] == 4           # from the block
    wb, mc = proof["workbook_figures"], proof["monte_carlo"]
    assert any(t["loss"] > 0 for t in mc["tranches"])           # p90 is a path where someone loses
    for w, m in zip(wb["tranches"], mc["tranches"]):
        assert w["loss"] == pytest.approx(m["loss"], rel=1e-9, abs=1e-6)
    assert "revenue.rent_path=[" in proof["command"]


def test_build_path_index_and_quantile_ranking(base):
    r = run_montecarlo(base, MC, 50, 9)
    received = r.received()
    worst, best = r.path_index("1.0"), r.path_index("p0")
    assert received[worst] == received.min() and received[best] == received.max()
    assert r.path_index("17") == 17
