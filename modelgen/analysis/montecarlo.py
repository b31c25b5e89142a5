"""Monte Carlo: seeded rent paths through the reference model, and what each class suffers.

Path i draws its random numbers from its own generator, ``SeedSequence([seed, i])``, always in
the same order (T normals, then one uniform for the jump, one for the default), so a path's
numbers never depend on the chunk or worker that ran it, nor on the parameters' values.

A path enters the model only through template inputs, so any path can be built as a normal
workbook (``--build-path``):

- ``revenue.rent_path``: rent_t = rent0 * (1 - rent_decline)^((t-1)/12) * Z_t * (1 - jump_rent_drop)^[t >= J],
  Z_t = exp(vol * B_(t-1)/12 - vol^2 (t-1) / 24) with B a standard Brownian motion in years
  (so E[Z_t] = 1: the expected rent follows the template's curve);
- ``shock.month`` = J, the jump month (0 when it falls after the term), ``shock.value_drop`` and
  ``shock.rent_drop`` = the jump's drops (the rent drop is already in the path);
- ``assets.value_decline``: the market value moves with the rent's random part by the elasticity
  e: (1 - value_decline_path) = (1 - value_decline) * Z_T^(12 e / T), so the market value at the
  term's end is the template's times Z_T^e (clipped to a decline in [0, 0.999999]);
- ``default.forced_month`` = D, the sponsor's default month (kept from the template where the
  template's is earlier; unchanged where the hazard is 0 or D falls after the term).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
import yaml

from ..config import SecuritizedDeal
from ..errors import ModelgenError
from .breakeven import LOSS_THRESHOLD
from .distribute import Runner, chunks
from .engine import Base, evaluate_trees
from .mcconfig import MonteCarlo

MAX_DECLINE = 0.999999
LOSS_QUANTILES = (0.5, 0.9, 0.95, 0.99)
IRR_QUANTILES = (0.05, 0.5, 0.95)
CHUNK = 2000                 # paths per unit of work
LOCAL_CLUSTER_PATHS = 50_000  # above this many paths (and without --workers), a LocalCluster is used
CLASS_FIELDS = ("invested", "loss", "loss_pct", "irr", "moic", "wal_years")


def montecarlo_block(base: Base) -> tuple[MonteCarlo, bool]:
    """The template's ``montecarlo:`` block (validated with the deal) and whether it has one."""
    try:
        data = yaml.safe_load(base.template.text) if base.template.text else None
    except yaml.YAMLError:
        data = None
    block = data.get("montecarlo") if isinstance(data, dict) else None
    if block is None:
        return MonteCarlo(), False
    return MonteCarlo.model_validate(block), True


@dataclass
class Draws:
    """The random inputs of paths [start, stop)."""

    start: int
    rent: np.ndarray            # (n, T) rent per GPU-hour, months 1..T
    jump_month: np.ndarray      # (n,) 0 = no jump within the term
    default_month: np.ndarray   # (n,) the forced default month to use (0 = none)
    value_decline: np.ndarray   # (n,)


def _first_month(u: float, hazard: float) -> int:
    """The month of the first arrival of a Poisson process with ``hazard`` per year (inverse transform)."""
    if hazard <= 0:
        return 0
    years = -math.log1p(-u) / hazard          # u in [0, 1): -log(1 - u) is exponential
    return max(1, math.ceil(12 * years))


def draw_paths(deal: SecuritizedDeal, mc: MonteCarlo, seed: int, start: int, stop: int) -> Draws:
    """The rent paths and events of paths start..stop-1 (seeded per path)."""
    T = deal.term_months
    n = stop - start
    normals = np.empty((n, T))
    uniforms = np.empty((n, 2))
    for k in range(n):
        rng = np.random.default_rng(np.random.SeedSequence([seed, start + k]))
        normals[k] = rng.standard_normal(T)
        uniforms[k] = rng.random(2)
    vol = mc.rent_volatility
    months = np.arange(T)                                    # t - 1 for t = 1..T
    walk = np.zeros((n, T))
    walk[:, 1:] = np.cumsum(normals[:, : T - 1], axis=1) * math.sqrt(1 / 12)
    z = np.exp(vol * walk - 0.5 * vol * vol * months / 12)
    curve = deal.revenue.rent0 * (1 - deal.revenue.rent_decline) ** (months / 12)
    jump_drop = min(jump_rent_drop(deal, mc), MAX_DECLINE)        # a rent stays above 0
    jump = np.array([_first_month(u, mc.jump_hazard) for u in uniforms[:, 0]], dtype=np.int64)
    jump[jump > T] = 0
    after = (jump[:, None] > 0) & (months[None, :] + 1 >= jump[:, None])
    rent = curve[None, :] * z * np.where(after, 1 - jump_drop, 1.0)
    forced = deal.default.forced_month
    default = np.array([_first_month(u, mc.default_hazard) for u in uniforms[:, 1]], dtype=np.int64)
    default[default > T] = 0
    if forced:
        default = np.where((default == 0) | (default > forced), forced, default)
    factor = (1 - deal.assets.value_decline) * z[:, -1] ** (12 * mc.value_elasticity / T)
    decline = np.clip(1 - factor, 0.0, MAX_DECLINE)
    return Draws(start, rent, jump, default, decline)


def jump_rent_drop(deal: SecuritizedDeal, mc: MonteCarlo) -> float:
    return deal.shock.rent_drop if mc.jump_rent_drop is None else mc.jump_rent_drop


def path_overrides(deal: SecuritizedDeal, mc: MonteCarlo, draws: Draws, k: int) -> dict[str, Any]:
    """The template inputs of path ``draws.start + k``: how the path enters the model and a workbook."""
    jump = int(draws.jump_month[k])
    out: dict[str, Any] = {"revenue.rent_path": [float(x) for x in draws.rent[k]]}
    out["shock.month"] = jump
    if jump:
        out["shock.rent_drop"] = float(jump_rent_drop(deal, mc))
        out["shock.value_drop"] = float(deal.shock.value_drop if mc.jump_value_drop is None else mc.jump_value_drop)
    out["assets.value_decline"] = float(draws.value_decline[k])
    out["default.forced_month"] = int(draws.default_month[k])
    return out


def run_chunk(tree: dict, mc_data: dict, seed: int, start: int, stop: int) -> dict[str, np.ndarray]:
    """Draw and evaluate paths start..stop-1 (a picklable unit of work for a dask worker)."""
    from ..template import validate_deal

    deal = validate_deal(tree).securitization  # Base refused a template without one
    mc = MonteCarlo.model_validate(mc_data)
    draws = draw_paths(deal, mc, seed, start, stop)
    cases = [path_overrides(deal, mc, draws, k) for k in range(stop - start)]
    summaries = evaluate_trees(tree, cases)
    J = deal.tranche_count
    out: dict[str, np.ndarray] = {"path": np.arange(start, stop), "jump_month": draws.jump_month,
                                  "forced_default_month": draws.default_month, "value_decline": draws.value_decline,
                                  "rent": draws.rent}
    for name in CLASS_FIELDS:
        out[name] = np.array([[_float(s["tranches"][j].get(name)) for j in range(J)] for s in summaries])
    out["default_month"] = np.array([s["default_month"] or 0 for s in summaries], dtype=np.int64)
    out["sale_month"] = np.array([s["sale_month"] for s in summaries], dtype=np.int64)
    return out


def _float(value: Any) -> float:
    return float("nan") if value is None else float(value)


@dataclass
class MonteCarloResult:
    base: Base
    mc: MonteCarlo
    paths: int
    seed: int
    data: dict[str, np.ndarray]          # per-path arrays (classes on axis 1)
    stats: list[dict] = field(default_factory=list)
    deal_stats: dict = field(default_factory=dict)
    runner: str = ""

    def received(self) -> np.ndarray:
        """Token holders' total cash received per path (all classes)."""
        return np.sum(self.data["moic"] * self.data["invested"], axis=1)

    def path_index(self, spec: str) -> int:
        """``--build-path``: an INDEX (0..paths-1) or a QUANTILE of the token holders' outcome.

        A quantile q (0.95, or p95) ranks the paths from best to worst by the cash all token
        holders receive and picks rank floor(q * (paths - 1)): p95 is a bad path, p50 the median."""
        text = spec.strip().lower()
        if text.startswith("p") and text[1:].replace(".", "", 1).isdigit():
            q = float(text[1:]) / 100
        elif "." in text:
            try:
                q = float(text)
            except ValueError:
                raise ModelgenError(f"--build-path '{spec}': expected a path index or a quantile such as 0.95 or p95") from None
        else:
            if not text.isdigit():
                raise ModelgenError(f"--build-path '{spec}': expected a path index or a quantile such as 0.95 or p95")
            index = int(text)
            if index >= self.paths:
                raise ModelgenError(f"--build-path {spec}: there are only {self.paths} paths (0..{self.paths - 1})")
            return index
        if not 0 <= q <= 1:
            raise ModelgenError(f"--build-path '{spec}': a quantile must lie between 0 and 1 (p0 to p100)")
        order = np.lexsort((np.arange(self.paths), -self.received()))   # best first, ties by index
        return int(order[int(math.floor(q * (self.paths - 1)))])

    def overrides(self, index: int) -> dict[str, Any]:
        deal = self.base.deal
        draws = draw_paths(deal, self.mc, self.seed, index, index + 1)
        return path_overrides(deal, self.mc, draws, 0)

    def rows(self) -> list[dict]:
        """One flat record per path (CSV / Parquet): events, and per class loss, IRR, MOIC, WAL."""
        d = self.data
        names = [t.name for t in self.base.deal.structure.tranches]
        out = []
        for i in range(self.paths):
            row: dict[str, Any] = {"path": int(d["path"][i]), "jump_month": int(d["jump_month"][i]),
                   "forced_default_month": int(d["forced_default_month"][i]),
                   "value_decline": float(d["value_decline"][i]), "default_month": int(d["default_month"][i]),
                   "sale_month": int(d["sale_month"][i]), "final_rent": float(d["rent"][i, -1])}
            for j, name in enumerate(names):
                for field_name in ("loss", "loss_pct", "irr", "moic", "wal_years"):
                    value = float(d[field_name][i, j])
                    row[f"{name}.{field_name}"] = None if math.isnan(value) else value
            out.append(row)
        return out

    def to_dict(self) -> dict:
        return {"template": self.base.template_arg, "scenario": self.base.template.selected,
                "paths": self.paths, "seed": self.seed, "montecarlo": self.mc.model_dump(),
                "ran_on": self.runner, "deal": self.deal_stats, "classes": self.stats}

    def path_summary(self, index: int) -> dict:
        """The Monte Carlo's own numbers for one path (as the summary JSON names them)."""
        d = self.data
        tranches = []
        for j, tranche in enumerate(self.base.deal.structure.tranches):
            item: dict[str, Any] = {"name": tranche.name}
            for name in CLASS_FIELDS:
                value = float(d[name][index, j])
                item[name] = None if math.isnan(value) else value
            tranches.append(item)
        return {"path": index, "default_month": int(d["default_month"][index]) or None,
                "sale_month": int(d["sale_month"][index]), "tranches": tranches}


def _quantiles(values: np.ndarray, qs: tuple[float, ...]) -> dict[str, float]:
    return {f"p{round(q * 100)}": float(np.quantile(values, q)) for q in qs}


def summarise(result: MonteCarloResult) -> None:
    """Per class: probability of loss, expected loss, loss and IRR quantiles, EL against spread."""
    d = result.data
    tranches = result.base.deal.structure.tranches
    senior = tranches[0].coupon
    result.stats = []
    for j, tranche in enumerate(tranches):
        invested = d["invested"][:, j]
        loss, loss_pct = d["loss"][:, j], d["loss_pct"][:, j]
        irr = d["irr"][:, j]
        wal = d["wal_years"][:, j]
        missing = int(np.isnan(irr).sum())
        irr_filled = np.where(np.isnan(irr), -1.0, irr)      # no IRR: nothing came back (-100%)
        el = float(np.mean(loss_pct))
        mean_wal = float(np.nanmean(wal)) if np.any(~np.isnan(wal)) else None
        per_year = el / mean_wal if mean_wal else None
        spread = tranche.coupon - senior
        result.stats.append({
            "class": tranche.name, "coupon": tranche.coupon, "invested": float(np.mean(invested)),
            "probability_of_loss": float(np.mean(loss > LOSS_THRESHOLD * invested)),
            "expected_loss": float(np.mean(loss)), "expected_loss_pct": el,
            "loss_pct_quantiles": _quantiles(loss_pct, LOSS_QUANTILES),
            "irr_quantiles": _quantiles(irr_filled, IRR_QUANTILES), "paths_without_irr": missing,
            "mean_irr": float(np.mean(irr_filled)), "mean_wal_years": mean_wal,
            "expected_loss_per_year": per_year, "spread_over_senior": spread,
            "spread_covers_expected_loss": None if per_year is None else bool(spread >= per_year),
        })
    result.deal_stats = {
        "paths": result.paths, "seed": result.seed,
        "probability_of_default": float(np.mean(d["default_month"] > 0)),
        "probability_of_jump": float(np.mean(d["jump_month"] > 0)),
        "mean_sale_month": float(np.mean(d["sale_month"])),
    }


def run_montecarlo(base: Base, mc: MonteCarlo, paths: int, seed: int, scheduler: Optional[str] = None,
                   workers: Optional[int] = None, chunk: int = CHUNK,
                   progress: Optional[Callable[[int], None]] = None, on_start: Optional[Callable[[Runner], None]] = None) -> MonteCarloResult:
    """Run ``paths`` seeded paths (chunked; locally, on a LocalCluster or on a dask cluster)."""
    if paths < 2:
        raise ModelgenError(f"--paths: at least 2 paths are needed (got {paths})")
    if seed < 0:
        raise ModelgenError(f"--seed: must be 0 or more (got {seed})")
    mc = mc.model_copy(update={"paths": paths, "seed": seed})
    ranges = chunks(paths, chunk)
    calls = [(base.tree, mc.model_dump(), seed, a, b) for a, b in ranges]
    with Runner(scheduler, workers, size=paths, threshold=LOCAL_CLUSTER_PATHS) as runner:
        if on_start:
            on_start(runner)
        parts = runner.map(run_chunk, calls, (lambda part: progress(len(part["path"]))) if progress else None)
        where = runner.describe()
    data = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    result = MonteCarloResult(base, mc, paths, seed, data, runner=where)
    summarise(result)
    return result
