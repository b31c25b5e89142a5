#!/usr/bin/env python
"""Benchmark: build and verify the default template, and the reference engine on a batch of deals;
prints figures, asserts nothing.

Each phase runs in a fresh Python process so that its peak memory (max RSS) is its own.
Targets: build under 1 s; verify under 60 s and under 2 GB on a 2-core machine. The LibreOffice
engine is timed too where soffice is installed. The batch phase runs 10,000 variants of the
template (random rent decline, utilisation and shock month) through ``run_batch`` and
``summary_batch``: deals per second (the Monte Carlo budget is 10,000 paths in under 20 s).

    python benchmarks/bench.py [TEMPLATE] [--batch-only]
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PHASE = r"""
import json, resource, sys, time
from pathlib import Path
phase, template, path = sys.argv[1:4]
t0 = time.perf_counter()
if phase == "build":
    from modelgen.build import build_workbook
    from modelgen.template import load_template
    tpl = load_template(template)
    t0 = time.perf_counter()
    result = build_workbook(tpl, Path(path))
    extra = {"formula_cells": result.formula_cells}
elif phase == "batch":
    import random
    from modelgen.reference import run_batch, summary_batch
    from modelgen.template import load_template
    base = load_template(template).deal()
    rng = random.Random(0)
    deals = []
    for _ in range(10_000):
        revenue = base.revenue.model_copy(update={"rent_decline": rng.uniform(0, 0.4), "util_target": rng.uniform(0.5, 0.95)})
        shock = base.shock.model_copy(update={"month": rng.randint(0, base.term_months)})
        deals.append(base.model_copy(update={"revenue": revenue, "shock": shock}))
    t0 = time.perf_counter()
    summaries = summary_batch(deals)          # in chunks: every row computed, only the summaries kept
    t1 = time.perf_counter()
    batch = run_batch(deals)                  # every row of every deal kept
    extra = {"deals": len(summaries), "engine_seconds": time.perf_counter() - t1}
    t0 += time.perf_counter() - t1
else:
    from modelgen.verify import verify_workbook
    report = verify_workbook(Path(path), engine="libreoffice" if phase == "verify-lo" else "formulas")
    extra = {"ok": report.ok, "mismatches": len(report.mismatches)}
seconds = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, **extra}))
"""


def phase(name: str, template: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", PHASE, name, template, str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    template = args[0] if args else "gpu-abs"
    batch = phase("batch", template, Path("unused"))
    batch_line = (f"reference batch     {batch['deals']:,} deals: summaries in {batch['seconds']:.2f} s "
                  f"({batch['deals'] / batch['seconds']:,.0f} deals/s); run_batch keeping every row "
                  f"{batch['engine_seconds']:.2f} s; peak {batch['peak_mb']:.0f} MB")
    if "--batch-only" in sys.argv:
        print(batch_line)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{template}.xlsx"
        build = phase("build", template, path)
        size_kb = path.stat().st_size / 1024
        verify = phase("verify", template, path)
        from modelgen.libreoffice import find_soffice
        verify_lo = phase("verify-lo", template, path) if find_soffice() else None
    print(f"template            {template}")
    print(f"formula cells       {build['formula_cells']:,}")
    print(f"file size           {size_kb:,.0f} KB")
    print(f"build               {build['seconds']:.2f} s, peak {build['peak_mb']:.0f} MB   (target < 1 s)")
    print(f"verify              {verify['seconds']:.1f} s, peak {verify['peak_mb']:.0f} MB   (target < 60 s, < 2,048 MB)"
          f"  -> {'OK' if verify['ok'] else str(verify['mismatches']) + ' mismatches'}")
    print(batch_line)
    if verify_lo:
        print(f"verify LibreOffice  {verify_lo['seconds']:.1f} s (soffice start-up included; python peak "
              f"{verify_lo['peak_mb']:.0f} MB)  -> {'OK' if verify_lo['ok'] else str(verify_lo['mismatches']) + ' mismatches'}")
    else:
        print("verify LibreOffice  skipped: soffice is not installed")


if __name__ == "__main__":
    main()
