"""Benchmark: the reference engine on a batch of deals; prints figures, asserts nothing.

Runs 10,000 variants of a template (random rent decline, utilisation and shock month) through
``summary_batch`` (every row computed, only the summaries kept) and ``run_batch``
(every row of every deal kept): deals per second, against the Monte Carlo budget of 10,000
paths in under 20 s.

    python benchmarks/bench_reference.py [TEMPLATE] [--deals N]
"""
from __future__ import annotations

import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from modelgen.reference import run_batch, summary_batch  # noqa: E402
from modelgen.template import load_template  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(sys.argv[sys.argv.index("--deals") + 1]) if "--deals" in sys.argv else 10_000
    args = [a for a in args if a != str(count)]
    base = load_template(args[0] if args else "gpu-abs").deal()
    rng = random.Random(0)
    deals = []
    for _ in range(count):
        revenue = base.revenue.model_copy(update={"rent_decline": rng.uniform(0, 0.4), "util_target": rng.uniform(0.5, 0.95)})
        shock = base.shock.model_copy(update={"month": rng.randint(0, base.term_months)})
        deals.append(base.model_copy(update={"revenue": revenue, "shock": shock}))
    t0 = time.perf_counter()
    summaries = summary_batch(deals)
    t1 = time.perf_counter()
    run_batch(deals)
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"reference batch  {len(summaries):,} deals: summaries in {t1 - t0:.2f} s ({len(summaries) / (t1 - t0):,.0f} deals/s); "
          f"run_batch keeping every row {t2 - t1:.2f} s; peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
