"""Sensitivity: summary figures over a grid of one or two inputs.

``--vary PATH=LO:HI:N`` spaces N values evenly from LO to HI (whole numbers for an integer
input); two ``--vary`` options give every combination. Each ``--metric`` is a dotted path into
the summary JSON (``tranches.0.loss_pct``, ``tranches.Junior.irr``, ``deal.min_dscr``).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from ..errors import ModelgenError
from .distribute import Runner, chunks
from .engine import Base, evaluate_trees
from .inputs import InputPath, input_path, metric_value, parse_number

LOCAL_CLUSTER_POINTS = 2000    # above this many grid points (and without --workers), a LocalCluster is used
CHUNK = 200
MAX_POINTS = 1_000_000


@dataclass
class Vary:
    input: InputPath
    lo: float
    hi: float
    n: int
    values: list = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.input.path


def parse_vary(base: Base, text: str) -> Vary:
    """``PATH=LO:HI:N`` -> a checked grid axis (one line naming the problem otherwise)."""
    path, sep, spec = text.partition("=")
    path = path.strip()
    parts = spec.split(":")
    if not sep or not path or len(parts) != 3:
        raise ModelgenError(f"--vary '{text}': expected PATH=LO:HI:N, e.g. revenue.rent_decline=0:0.4:9")
    stress = input_path(base.template, path, "--vary")
    lo = parse_number(parts[0], f"--vary {path}: LO")
    hi = parse_number(parts[1], f"--vary {path}: HI")
    try:
        n = int(parts[2])
    except ValueError:
        raise ModelgenError(f"--vary {path}: N '{parts[2]}' is not a whole number") from None
    if n < 2:
        raise ModelgenError(f"--vary {path}: N must be at least 2 (got {n})")
    if not lo < hi:
        raise ModelgenError(f"--vary {path}: LO ({lo:g}) must be below HI ({hi:g})")
    values = [stress.value(x) for x in np.linspace(lo, hi, n)]
    if stress.integer:
        values = list(dict.fromkeys(values))
        if len(values) < 2:
            raise ModelgenError(f"--vary {path}: LO..HI holds fewer than 2 whole numbers")
    for end in (values[0], values[-1]):
        base.case({path: end}, where=f"--vary {path}")
    return Vary(stress, lo, hi, n, values)


def metric_values(tree: dict, cases: list[dict], metrics: list[str]) -> list[list[Any]]:
    """The metrics of each case (a picklable unit of work for a dask worker)."""
    return [[metric_value(s, m) for m in metrics] for s in evaluate_trees(tree, cases)]


@dataclass
class SensitivityResult:
    base: Base
    varies: list[Vary]
    metrics: list[str]
    cases: list[dict]                    # one {path: value} per grid point, first axis slowest
    values: dict[str, np.ndarray]        # metric -> (n1,) or (n1, n2); NaN where the figure is null
    base_values: dict[str, Any]
    runner: str = ""

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(v.values) for v in self.varies)

    def rows(self) -> list[dict]:
        """One flat record per grid point: the inputs, the metrics and the build command."""
        out = []
        flat = {m: self.values[m].reshape(-1) for m in self.metrics}
        for i, case in enumerate(self.cases):
            row = dict(case)
            for m in self.metrics:
                x = float(flat[m][i])
                row[m] = None if np.isnan(x) else x
            row["command"] = self.base.command(case)
            out.append(row)
        return out

    def to_dict(self) -> dict:
        return {"vary": [{"path": v.path, "lo": v.lo, "hi": v.hi, "n": v.n, "values": v.values} for v in self.varies],
                "metrics": self.metrics, "base": self.base_values, "points": self.rows()}


def check_metrics(base: Base, metrics: list[str]) -> dict[str, Any]:
    """Every metric must name a figure of the base case's summary; returns the base values."""
    if not metrics:
        raise ModelgenError("--metric: name at least one summary figure, e.g. --metric tranches.0.loss_pct")
    summary = base.evaluate([{}])[0]
    return {m: metric_value(summary, m) for m in metrics}


def run_sensitivity(base: Base, vary_specs: list[str], metrics: list[str], scheduler: Optional[str] = None,
                    workers: Optional[int] = None, progress: Optional[Callable[[int], None]] = None,
                    on_total: Optional[Callable[[int], None]] = None) -> SensitivityResult:
    if not 1 <= len(vary_specs) <= 2:
        raise ModelgenError(f"--vary: give one or two (got {len(vary_specs)})")
    varies = [parse_vary(base, spec) for spec in vary_specs]
    if len(varies) == 2 and varies[0].path == varies[1].path:
        raise ModelgenError(f"--vary {varies[0].path}: the two --vary options must name different inputs")
    base_values = check_metrics(base, metrics)
    cases = [dict(zip([v.path for v in varies], combo)) for combo in itertools.product(*[v.values for v in varies])]
    if len(cases) > MAX_POINTS:
        raise ModelgenError(f"--vary: {len(cases):,} grid points is more than {MAX_POINTS:,}")
    if on_total:
        on_total(len(cases))
    calls = [(base.tree, cases[a:b], metrics) for a, b in chunks(len(cases), CHUNK)]
    with Runner(scheduler, workers, size=len(cases), threshold=LOCAL_CLUSTER_POINTS) as runner:
        parts = runner.map(metric_values, calls, (lambda part: progress(len(part))) if progress else None)
        where = runner.describe()
    rows = [row for part in parts for row in part]
    shape = tuple(len(v.values) for v in varies)
    values = {m: np.array([np.nan if r[i] is None else float(r[i]) for r in rows]).reshape(shape)
              for i, m in enumerate(metrics)}
    return SensitivityResult(base, varies, metrics, cases, values, base_values, where)
