#!/usr/bin/env python
"""Benchmark: build the default template, verify it with every installed engine, and measure the
property-test rate; prints figures, asserts nothing.

Each measurement runs in a fresh Python process so that its peak memory (max RSS) is its own.
Per engine: load, evaluate and compare seconds, the peak MB of the Python process, and the whole
``modelgen verify --engine NAME`` process (wall seconds, with its start-up and imports). Gnumeric
and LibreOffice are external programs: their load is copying the file, their evaluate includes the
program's start-up, and their memory is not in the Python peak.

    python benchmarks/bench.py [TEMPLATE] [--deals N]
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PHASE = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
phase, template, path = sys.argv[1:4]
out = {}
if phase == "build":
    from modelgen.build import build_workbook
    from modelgen.template import load_template
    tpl = load_template(template)
    t0 = time.perf_counter()
    result = build_workbook(tpl, Path(path))
    out = {"seconds": time.perf_counter() - t0, "formula_cells": result.formula_cells}
elif phase.startswith("engine:"):
    from modelgen.engines import make_engine
    from modelgen.verify import compare_workbook, prepare
    prepared = prepare(Path(path))
    engine = make_engine(phase.split(":", 1)[1])
    t0 = time.perf_counter()
    engine.load(Path(path))
    t1 = time.perf_counter()
    engine.evaluate()
    t2 = time.perf_counter()
    report = compare_workbook(prepared.index, prepared.inputs, prepared.template, prepared.sheets, engine.value,
                              prepared.path, engine.name)
    t3 = time.perf_counter()
    out = {"load": t1 - t0, "evaluate": t2 - t1, "compare": t3 - t2, "ok": report.ok,
           "mismatches": len(report.mismatches)}
    engine.close()
elif phase == "property":
    sys.path.insert(0, str(Path(sys.argv[4]) / "tests"))
    from hypothesis import HealthCheck, given, settings
    from deal_strategies import small_deal_changes
    from modelgen.build import build_workbook
    from modelgen.template import load_template
    from modelgen.verify import WhatIf
    small = Path(path).with_name("small.xlsx")
    build_workbook(load_template(str(Path(sys.argv[4]) / "tests" / "fixtures" / "small-deal.yaml")), small)
    whatif = WhatIf(small, template)  # here "template" is the engine name
    counts = {"deals": 0, "ok": 0}

    @settings(max_examples=int(sys.argv[5]), deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(small_deal_changes())
    def run(change):
        counts["deals"] += 1
        counts["ok"] += whatif.verify(change).ok

    t0 = time.perf_counter()
    run()
    seconds = time.perf_counter() - t0
    out = {"seconds": seconds, "rate": counts["deals"] / seconds, **counts}
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def phase(name: str, template: str, path: Path, *extra: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PHASE, name, template, str(path), str(ROOT), *extra],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def whole_verify(path: Path, engine: str) -> tuple[float, float, int]:
    """(wall seconds, peak MB of the process and its children, exit code) of `modelgen verify`."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "modelgen.cli", "verify", str(path),
                           "--engine", engine], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    try:
        peak = int(done.stderr.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        peak = float("nan")
    return seconds, peak, done.returncode


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    template = args[0] if args else "gpu-abs"
    deals = int(sys.argv[sys.argv.index("--deals") + 1]) if "--deals" in sys.argv else 300
    if "--deals" in sys.argv:
        args = [a for a in args if a != str(deals)]
    sys.path.insert(0, str(ROOT))
    from modelgen.engines import ENGINES, installed_engines

    installed = installed_engines()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{template}.xlsx"
        build = phase("build", template, path)
        size_kb = path.stat().st_size / 1024
        print(f"template            {template}")
        print(f"formula cells       {build['formula_cells']:,}")
        print(f"file size           {size_kb:,.0f} KB")
        print(f"build               {build['seconds']:.2f} s, peak {build['peak_mb']:.0f} MB")
        print()
        print(f"{'engine':<12}{'load s':>8}{'evaluate s':>12}{'compare s':>11}{'peak MB':>9}   "
              f"{'whole verify':>13}{'verify MB':>11}  result")
        for name in ENGINES:
            if name not in installed:
                print(f"{name:<12}  not installed")
                continue
            r = phase(f"engine:{name}", template, path)
            if "error" in r:
                print(f"{name:<12}  failed: {r['error']}")
                continue
            seconds, peak, code = whole_verify(path, name)
            result = "OK" if r["ok"] else f"{r['mismatches']} differences"
            print(f"{name:<12}{r['load']:>8.2f}{r['evaluate']:>12.2f}{r['compare']:>11.2f}{r['peak_mb']:>9.0f}   "
                  f"{seconds:>11.2f} s{peak:>9.0f} MB  {result} (exit {code})")
        print()
        for engine, n in (("ironcalc", deals), ("formulas", max(5, deals // 50))):
            if engine not in installed:
                continue
            prop = phase("property", engine, path, str(n))
            if "error" in prop:
                print(f"property test ({engine}): failed: {prop['error']}")
                continue
            print(f"property test ({engine}, small deal, one loaded model): {prop['deals']} deals in "
                  f"{prop['seconds']:.1f} s = {prop['rate']:.1f} deals/s ({prop['ok']} agree), peak {prop['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
