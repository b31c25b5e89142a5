#!/usr/bin/env python
"""Benchmark: the Monte Carlo as a whole process; prints figures, asserts nothing.

Times ``modelgen montecarlo TEMPLATE --paths N --seed 7 --workers 1 --json`` end to end (Python
start, imports, template, paths, reference model, statistics) in a fresh process, then the same
with ``--workers 2`` (a dask LocalCluster). Target: 10,000 paths of gpu-abs in under 20 s in one
process on a 2-core machine. Also times a breakeven and a 21 x 21 sensitivity grid.

    python benchmarks/bench_analysis.py [TEMPLATE] [PATHS]
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def timed(args: list[str]) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "modelgen.cli", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: modelgen {' '.join(args)}\n{done.stderr}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    try:
        data = json.loads(done.stdout)
    except json.JSONDecodeError:
        data = {}
    return seconds, {"peak_mb_so_far": round(peak_mb)} | ({"ran_on": data["ran_on"]} if "ran_on" in data else {})


def main() -> None:
    template = sys.argv[1] if len(sys.argv) > 1 else "gpu-abs"
    paths = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    for workers in (1, 2):
        seconds, extra = timed(["montecarlo", template, "--paths", str(paths), "--seed", "7", "--workers", str(workers),
                                "--json"])
        print(json.dumps({"run": f"montecarlo {paths} paths, --workers {workers}", "seconds": round(seconds, 2),
                          "paths_per_second": round(paths / seconds), **extra}))
    seconds, extra = timed(["breakeven", template, "--stress", "revenue.rent_decline", "--json"])
    print(json.dumps({"run": "breakeven revenue.rent_decline", "seconds": round(seconds, 2), **extra}))
    seconds, extra = timed(["sensitivity", template, "--vary", "revenue.rent_decline=0:0.4:21",
                            "--vary", "revenue.util_target=0.5:0.95:21", "--metric", "tranches.0.loss_pct",
                            "--workers", "1", "--json"])
    print(json.dumps({"run": "sensitivity 21 x 21", "seconds": round(seconds, 2), **extra}))


if __name__ == "__main__":
    main()
