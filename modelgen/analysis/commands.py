"""The Click commands ``breakeven``, ``sensitivity`` and ``montecarlo``: thin layers over the library.

Registered on the ``modelgen`` group at the end of :mod:`modelgen.cli`. Every user mistake is a
one-line error with exit code 2, found before any file is written. Numeric options are parsed
here (not by Click) so that a bad value gives that one line and not a usage screen.
"""
from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Optional

import click

from ..cli_errors import friendly_errors as friendly
from ..errors import ModelgenError
from ..template import DEFAULT_TEMPLATE
from .outputs import Outputs, dumps, fmt, metric_kind, print_table, write_frame
from .progress import LazyProgress


def common(func):
    """TEMPLATE, --scenario, --set and the output files, shared by the three commands."""
    options = [
        click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Write PNG plots here."),
        click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the analysis workbook (reference outputs, native charts, a rebuild command per row)."),
        click.option("--parquet", type=click.Path(dir_okay=False, path_type=Path), help="Write one row per case to Parquet."),
        click.option("--csv", type=click.Path(dir_okay=False, path_type=Path), help="Write one row per case to CSV."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables."),
        click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
                     help="Override an input of the base case by dotted path (as for build). Repeatable."),
        click.option("--scenario", "-s", metavar="NAME", help="The scenario to start from (default: the template's)."),
    ]
    for option in options:
        func = option(func)
    return click.argument("template", required=False)(func)


def _int(text: Optional[str], option: str) -> Optional[int]:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise ModelgenError(f"{option}: '{text}' is not a whole number") from None


def _invocation(command: str, template: Optional[str], *parts) -> str:
    words = ["modelgen", command] + ([template] if template else [])
    for option, value in parts:
        if value in (None, False, (), []):
            continue
        if value is True:
            words.append(option)
        elif isinstance(value, (list, tuple)):
            for v in value:
                words += [option, *(v if isinstance(v, tuple) else (v,))]
        else:
            words += [option, str(value)]
    return " ".join(shlex.quote(str(w)) for w in words)


def _base(template, scenario, sets, securitization_only: bool = True):
    from .engine import Base

    return Base.load(template, scenario, sets, securitization_only)


def _done(outputs: Outputs, as_json: bool) -> None:
    for path in outputs.written():
        click.echo(f"wrote {path}", err=as_json)


# --- breakeven ----------------------------------------------------------------------------------

@click.command()
@click.option("--stress", "stresses", multiple=True, metavar="PATH[=LO:HI]",
              help="The input to stress, by dotted path (repeatable; a range may follow: revenue.rent_decline=0:0.6).")
@click.option("--range", "rng", nargs=2, metavar="LO HI", help="The range to search (default: the input's valid range).")
@click.option("--tolerance", metavar="X", help="Root finder tolerance in the input's units (default: 1e-9 of the range).")
@click.option("--prove", is_flag=True,
              help="Build the workbook just below and just above each breakeven and recalculate both (IronCalc).")
@click.option("--prove-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs/breakeven"),
              show_default=True, help="Where --prove writes its workbooks.")
@common
@friendly
def breakeven(template, stresses, rng, tolerance, prove, prove_dir, scenario, sets, as_json, csv, parquet, xlsx, plot):
    """For each class, the smallest stress at which it loses its first dollar.

    A class loses when its loss exceeds 1e-6 of what it invested. A bracketing root finder on
    the reference model (a grid, then multisection) finds the value, in whichever direction
    the input hurts: revenue.rent_decline or opex.power_price upwards, revenue.util_target or
    default.forced_month (searched over whole months) downwards. Where a class never loses, or
    always loses, in the range, it says so. The tolerance is printed.

    \b
    Example:
      modelgen breakeven gpu-abs --stress revenue.rent_decline
      modelgen breakeven gpu-abs --stress default.forced_month --json
      modelgen breakeven gpu-abs --stress shock.value_drop --set shock.month=18 --prove
    """
    from .breakeven import LOSS_THRESHOLD, SECTIONS, find_breakevens
    from .inputs import parse_number

    outputs = Outputs(csv, parquet, xlsx, plot).check()
    if not stresses:
        raise ModelgenError("--stress: name the input to stress, e.g. --stress revenue.rent_decline")
    if rng is not None and len(stresses) > 1:
        raise ModelgenError("--range: applies to a single --stress; write PATH=LO:HI for several")
    tol = parse_number(tolerance, "--tolerance") if tolerance is not None else None
    base = _base(template, scenario, sets)
    specs = []
    for text in stresses:
        path, sep, spec = text.partition("=")
        r = None
        if sep:
            lo_hi = spec.split(":")
            if len(lo_hi) != 2:
                raise ModelgenError(f"--stress '{text}': expected PATH or PATH=LO:HI")
            r = (parse_number(lo_hi[0], f"--stress {path}: LO"), parse_number(lo_hi[1], f"--stress {path}: HI"))
        elif rng is not None:
            r = (parse_number(rng[0], "--range LO"), parse_number(rng[1], "--range HI"))
        specs.append((path.strip(), r))
    results = []
    with LazyProgress(len(specs) * 200, "breakeven") as bar:
        for path, r in specs:
            bar.set_description(f"breakeven {path}")
            results.append(find_breakevens(base, path, r, tol, bar.advance))
    proofs = {}
    if prove:
        from .prove import ENGINE, prove_breakevens

        count = sum(2 * len(c.crossings) for res in results for c in res.classes)
        with LazyProgress(count, f"building and recalculating with {ENGINE}") as bar:
            for res in results:
                proofs[res.stress.path] = prove_breakevens(base, res, prove_dir, bar.advance)

    rows = []
    for res in results:
        for c in res.classes:
            for x in c.crossings or [None]:
                row = {"stress": res.stress.path, "class": c.name, "status": c.status, "result": c.describe(res.stress.path),
                       "direction": x.direction if x else None, "breakeven": res.stress.value(x.value) if x else None,
                       "no_loss_at": res.stress.value(x.safe) if x else None, "tolerance": res.tolerance,
                       "range_lo": res.lo, "range_hi": res.hi, "note": c.note or None,
                       "command_no_loss": base.command({res.stress.path: res.stress.value(x.below)}) if x else None,
                       "command_loss": base.command({res.stress.path: res.stress.value(x.above)}) if x else None}
                rows.append(row)
    write_frame(rows, outputs)
    invocation = _invocation("breakeven", template, ("--stress", stresses), ("--range", [tuple(rng)] if rng else None),
                             ("--scenario", scenario), ("--set", sets), ("--prove", prove))
    if outputs.xlsx:
        from .report_book import AnalysisBook

        book = AnalysisBook(base, "breakeven", invocation)
        book.add_breakeven(results)
        book.save(outputs.xlsx)
    if outputs.plot:
        from .plots import plot_breakeven

        plot_breakeven(results, outputs.plot)
    failed = any(not p.ok for ps in proofs.values() for p in ps)
    if as_json:
        data = {"template": base.template_arg, "scenario": base.template.selected,
                "breakevens": [res.to_dict(base) for res in results]}
        if prove:
            data["proofs"] = {k: [p.to_dict() for p in ps] for k, ps in proofs.items()}
            data["proofs_ok"] = not failed
        click.echo(dumps(data))
    else:
        for res in results:
            table = [[c.name, c.describe(res.stress.path),
                      ", ".join(fmt(res.stress.value(x.value), "exact") for x in c.crossings) or "-",
                      ", ".join(fmt(res.stress.value(x.safe), "exact") for x in c.crossings) or "-", c.note]
                     for c in res.classes]
            print_table(f"Breakeven: {res.stress.path} over [{fmt(res.lo)}, {fmt(res.hi)}] ({base.deal.name}, "
                        f"scenario {base.template.selected})",
                        ["Class", "Result", "Breakeven", "No loss at", "Note"], table, left=2)
            what = ("whole numbers (adjacent values bracket each breakeven)" if res.stress.integer else
                    f"±{res.tolerance:.3g} in {res.stress.path} (the losing end of a bracket no wider than that)")
            click.echo(f"tolerance: {what}; a loss is above {LOSS_THRESHOLD:g} of invested; "
                       f"{res.evaluations} reference evaluations (a grid of {len(res.grid)}, then {SECTIONS} points a round)")
        for path, ps in proofs.items():
            if not ps:
                click.echo(f"proof: {path}: no breakeven in range, nothing to build")
                continue
            table = [[p.cls, p.side, fmt(p.value, "exact"), fmt(p.loss), "yes" if p.loses else "no",
                      "yes" if not p.differences else f"NO ({len(p.differences)})",
                      "OK" if not p.verify_mismatches else f"{p.verify_mismatches} differ", "OK" if p.ok else "FAILED",
                      p.workbook.name] for p in ps]
            print_table(f"Proof: {path}: workbooks built on each side and recalculated with IronCalc",
                        ["Class", "Side", "Value", "Workbook loss", "Loses", "= reference", "verify", "Proof", "Workbook"],
                        table, left=2)
            if ps:
                click.echo(f"workbooks in {ps[0].workbook.parent}; each equals its `modelgen build` command "
                           f"(e.g. {ps[0].command})")
    _done(outputs, as_json)
    if failed:
        click.echo("FAILED: a breakeven did not hold on its recalculated workbook", err=True)
        sys.exit(1)


# --- sensitivity ----------------------------------------------------------------------------------

@click.command()
@click.option("--vary", "varies", multiple=True, metavar="PATH=LO:HI:N",
              help="An input and its grid: N values from LO to HI (one or two --vary).")
@click.option("--metric", "metrics", multiple=True, metavar="FIELD",
              help="A summary figure by dotted path, e.g. tranches.0.loss_pct or tranches.Junior.irr (repeatable).")
@click.option("--scheduler", metavar="ADDRESS", help="A running dask scheduler to send the grid to (tcp://host:8786).")
@click.option("--workers", metavar="N", help="Worker processes on this machine (1: no cluster).")
@common
@friendly
def sensitivity(template, varies, metrics, scheduler, workers, scenario, sets, as_json, csv, parquet, xlsx, plot):
    """Any summary figure over a grid of one or two inputs.

    \b
    Example:
      modelgen sensitivity gpu-abs --vary revenue.rent_decline=0:0.4:9 --metric tranches.0.loss_pct
      modelgen sensitivity gpu-abs --vary revenue.rent_decline=0:0.4:9 --vary revenue.util_target=0.5:0.9:5 \\
          --metric tranches.2.irr --xlsx outputs/sensitivity.xlsx
    """
    from .sensitivity import run_sensitivity

    outputs = Outputs(csv, parquet, xlsx, plot).check()
    n_workers = _int(workers, "--workers")
    from .distribute import check_workers

    check_workers(n_workers)
    if not varies:
        raise ModelgenError("--vary: name one or two inputs as PATH=LO:HI:N, e.g. revenue.rent_decline=0:0.4:9")
    depin = any(m.startswith(("node_sale", "byod")) for m in metrics) or any(v.startswith(("node_sale", "byod")) for v in varies)
    base = _base(template, scenario, sets, securitization_only=not depin)
    with LazyProgress(None, "sensitivity") as bar:
        result = run_sensitivity(base, list(varies), list(metrics), scheduler, n_workers, bar.advance, bar.set_total)
    write_frame(result.rows(), outputs)
    invocation = _invocation("sensitivity", template, ("--vary", varies), ("--metric", metrics),
                             ("--scenario", scenario), ("--set", sets))
    if outputs.xlsx:
        from .report_book import AnalysisBook

        book = AnalysisBook(base, "sensitivity", invocation)
        book.add_sensitivity(result)
        book.save(outputs.xlsx)
    if outputs.plot:
        from .plots import plot_sensitivity

        plot_sensitivity(result, outputs.plot)
    if as_json:
        click.echo(dumps(result.to_dict()))
    elif len(result.varies) == 1:
        v = result.varies[0]
        table = [[fmt(x)] + [fmt(_nan(result.values[m][i]), metric_kind(m)) for m in result.metrics]
                 for i, x in enumerate(v.values)]
        print_table(f"Sensitivity ({base.deal.name}, scenario {base.template.selected})", [v.path] + result.metrics, table)
    else:
        v1, v2 = result.varies
        for m in result.metrics:
            table = [[fmt(y)] + [fmt(_nan(result.values[m][i, k]), metric_kind(m)) for k in range(len(v2.values))]
                     for i, y in enumerate(v1.values)]
            print_table(f"{m}: rows {v1.path}, columns {v2.path}", [f"{v1.path} \\ {v2.path}"] + [fmt(x) for x in v2.values],
                        table)
    if not as_json:
        click.echo(f"{len(result.cases)} cases on {result.runner}; each row rebuilds with "
                   f"{base.command({v.path: '<value>' for v in result.varies})}")
    _done(outputs, as_json)


def _nan(x):
    return None if x != x else float(x)


# --- montecarlo ----------------------------------------------------------------------------------

@click.command()
@click.option("--paths", metavar="N", help="How many paths (default: the template's montecarlo block, else 1000).")
@click.option("--seed", metavar="S", help="The seed (default: the block's, else 0); path i uses SeedSequence([S, i]).")
@click.option("--build-path", metavar="QUANTILE|INDEX",
              help="Write one path's live workbook (an index, or a quantile of token holders' outcome: p95 = a bad path), "
                   "recalculate it with IronCalc and check it equals the path's numbers.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Where --build-path writes the workbook (default: outputs/<template>-path-<index>.xlsx).")
@click.option("--scheduler", metavar="ADDRESS", help="A running dask scheduler to send chunks of paths to (tcp://host:8786).")
@click.option("--workers", metavar="N", help="Worker processes on this machine (1: one process, no cluster).")
@click.option("--chunk", metavar="N", help="Paths per unit of work (default 2000); results do not depend on it.")
@common
@friendly
def montecarlo(template, paths, seed, build_path, output, scheduler, workers, chunk, scenario, sets, as_json, csv,
               parquet, xlsx, plot):
    """Rent paths through the reference model: each class's probability of loss, expected loss,
    loss and IRR quantiles, and expected loss against its spread over the senior coupon.

    The template's montecarlo block sets the annual rent volatility, the next-generation jump
    (hazard per year, rent and value drops), the elasticity of market value to rent and the
    sponsor's default hazard; the drift is revenue.rent_decline. Each path enters the model
    through revenue.rent_path (and the shock, value decline and default inputs), so any path
    can be built as a normal workbook with --build-path.

    \b
    Example:
      modelgen montecarlo gpu-abs --paths 10000 --seed 7
      modelgen montecarlo gpu-abs --paths 2000 --build-path p95 -o outputs/p95.xlsx
      modelgen montecarlo gpu-abs --paths 100000 --scheduler tcp://10.0.0.5:8786 --parquet paths.parquet
    """
    from .montecarlo import CHUNK, montecarlo_block, run_montecarlo

    outputs = Outputs(csv, parquet, xlsx, plot).check()
    if output is not None and output.suffix.lower() != ".xlsx":
        raise ModelgenError(f"--output: '{output}' must end in .xlsx")
    if output is not None and build_path is None:
        raise ModelgenError("--output: names the workbook of --build-path; give --build-path too")
    if output is not None and not output.parent.is_dir():
        raise ModelgenError(f"--output: the folder '{output.parent}' does not exist (create it first)")
    n_workers = _int(workers, "--workers")
    n_chunk = _int(chunk, "--chunk")
    if n_chunk is not None and n_chunk < 1:
        raise ModelgenError(f"--chunk: must be at least 1 (got {n_chunk})")
    base = _base(template, scenario, sets)
    mc, has_block = montecarlo_block(base)
    n_paths = _int(paths, "--paths")
    n_paths = mc.paths if n_paths is None else n_paths
    n_seed = _int(seed, "--seed")
    n_seed = mc.seed if n_seed is None else n_seed
    if n_paths < 2:
        raise ModelgenError(f"--paths: at least 2 paths are needed (got {n_paths})")
    if build_path is not None:
        _check_build_path(build_path, n_paths)
    from .distribute import check_workers

    check_workers(n_workers)
    with LazyProgress(n_paths, f"{n_paths:,} paths") as bar:
        result = run_montecarlo(base, mc, n_paths, n_seed, scheduler, n_workers, n_chunk or CHUNK, bar.advance)
    proof = None
    if build_path is not None:
        from .prove import prove_path

        index = result.path_index(build_path)
        stem = Path(base.template_arg).stem
        target = output or Path("outputs") / f"{stem}-path-{index}.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)     # the default folder, as build makes it
        figures, diffs, mismatches = prove_path(base, result.overrides(index), result.path_summary(index), target)
        proof = {"path": index, "workbook": str(target), "command": base.command(result.overrides(index), str(target)),
                 "monte_carlo": result.path_summary(index), "workbook_figures": figures,
                 "differences": [str(d) for d in diffs], "verify_mismatches": mismatches,
                 "ok": not diffs and not mismatches}
    if outputs.csv or outputs.parquet:
        write_frame(result.rows(), outputs)
    invocation = _invocation("montecarlo", template, ("--paths", n_paths), ("--seed", n_seed), ("--scenario", scenario),
                             ("--set", sets))
    if outputs.xlsx:
        from .report_book import AnalysisBook

        book = AnalysisBook(base, "Monte Carlo", invocation)
        book.add_montecarlo(result)
        book.save(outputs.xlsx)
    if outputs.plot:
        from .plots import plot_montecarlo

        plot_montecarlo(result, outputs.plot)
    if as_json:
        data = result.to_dict()
        if proof:
            data["build_path"] = proof
        click.echo(dumps(data))
    else:
        table = []
        for s in result.stats:
            lq, iq = s["loss_pct_quantiles"], s["irr_quantiles"]
            table.append([s["class"], fmt(s["probability_of_loss"], "pct"), fmt(s["expected_loss_pct"], "pct"),
                          fmt(lq["p50"], "pct"), fmt(lq["p95"], "pct"), fmt(lq["p99"], "pct"),
                          fmt(iq["p5"], "pct"), fmt(iq["p50"], "pct"), fmt(iq["p95"], "pct"),
                          fmt(s["spread_over_senior"], "pct"), fmt(s["expected_loss_per_year"], "pct"),
                          fmt(s["spread_covers_expected_loss"])])
        print_table(f"Monte Carlo: {base.deal.name}, {result.paths:,} paths, seed {result.seed} ({result.runner})",
                    ["Class", "P(loss)", "Exp. loss", "Loss P50", "Loss P95", "Loss P99", "IRR P5", "IRR P50", "IRR P95",
                     "Spread", "EL / year", "Spread >= EL"], table)
        ds = result.deal_stats
        click.echo(f"sponsor default on {fmt(ds['probability_of_default'], 'pct')} of paths, a next-generation jump on "
                   f"{fmt(ds['probability_of_jump'], 'pct')}; loss % of invested; IRR effective annual "
                   f"(a path with no IRR counts as -100%); EL / year = expected loss / mean WAL")
        if proof:
            click.echo(f"path {proof['path']}: wrote {proof['workbook']}; recalculated with IronCalc: "
                       + ("equals the Monte Carlo's numbers" if not proof["differences"] else
                          "DIFFERS from the Monte Carlo's numbers")
                       + f"; modelgen verify: {proof['verify_mismatches']} cell(s) differ from the reference")
            for line in proof["differences"][:10]:
                click.echo(f"  {line}", err=True)
    _done(outputs, as_json)
    if not has_block:
        click.echo("note: the template has no montecarlo: block; the defaults were used (no volatility, no jump, "
                   "no default)", err=True)
    if proof and not proof["ok"]:
        sys.exit(1)


def _check_build_path(spec: str, paths: int) -> None:
    text = spec.strip().lower()
    number = text[1:] if text.startswith("p") else text
    try:
        value = float(number)
    except ValueError:
        raise ModelgenError(f"--build-path '{spec}': expected a path index or a quantile such as 0.95 or p95") from None
    if text.startswith("p") or "." in text:
        q = value / 100 if text.startswith("p") else value
        if not 0 <= q <= 1:
            raise ModelgenError(f"--build-path '{spec}': a quantile must lie between 0 and 1 (p0 to p100)")
    elif not text.isdigit() or int(text) >= paths:
        raise ModelgenError(f"--build-path {spec}: not a path index (0..{paths - 1})")


COMMANDS = (breakeven, sensitivity, montecarlo)
DEFAULT = DEFAULT_TEMPLATE
