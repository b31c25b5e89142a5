"""The ``modelgen`` command: thin Click commands over the library API.

Every user mistake is raised as a :class:`~modelgen.errors.ModelgenError` and printed as one
line with exit code 2; no traceback.
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Optional

import click

from . import __version__
from .errors import ModelgenError


class UserError(click.ClickException):
    exit_code = 2


def friendly_errors(func):
    """Turn library errors into one-line CLI errors with exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ModelgenError as exc:
            raise UserError(str(exc)) from None

    return wrapper


def scenario_options(func):
    """--scenario and --set, shared by build and summary."""
    func = click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
                        help="Override an input by dotted path, e.g. --set structure.tranches.0.coupon=0.08 "
                             "(the value is parsed as YAML and validated). Repeatable.")(func)
    func = click.option("--scenario", "-s", metavar="NAME", help="The scenario to select (default: the template's).")(func)
    return func


def _load(template: Optional[str], scenario: Optional[str], sets: tuple[str, ...]):
    from .template import load_template
    return load_template(template, scenario=scenario, sets=sets)


def _progress():
    """A rich spinner on a terminal; nothing when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    console = Console(stderr=True)
    status = console.status("working")
    return status, lambda text: status.update(text)


def _fmt(value, kind: str = "num") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "x":
        return f"{value:.2f}x"
    if kind == "money":
        return f"{value:,.0f}"
    return f"{value:g}"


def _headline_lines(summary: dict) -> list[str]:
    lines = [f"{summary['name']} — scenario {summary['scenario']}",
             f"  raise {_fmt(summary['sources_uses']['raise'], 'money')} USD for capex "
             f"{_fmt(summary['sources_uses']['capex'], 'money')}; "
             + (f"default in month {summary['default_month']}, " if summary["default_month"] else "no default, ")
             + f"GPUs sold in month {summary['sale_month']}"]
    for t in summary["tranches"]:
        recovery = t["recovery"] / t["invested"] * 100 if t["invested"] else 0
        lines.append(f"  {t['name']:<14} IRR {_fmt(t['irr'], 'pct'):>7}  MOIC {_fmt(t['moic'], 'x'):>6}  "
                     f"loss {_fmt(t['loss_pct'], 'pct'):>6}  recovery {recovery:5.1f} per 100  "
                     f"payback {_fmt(t['payback_month']) if t['payback_month'] else 'never'}")
    lines.append(f"  checks: {'all pass' if summary['checks_ok'] else 'FAILING (see the Checks sheet)'}")
    return lines


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="modelgen")
def main():
    """Build auditable, formula-driven Excel models of GPU-backed finance.

    \b
    Example:
      modelgen build                      # the default template into outputs/
      modelgen summary gpu-abs --json     # headline figures from the reference model
      modelgen verify outputs/gpu-abs.xlsx
    """


@main.command()
@click.argument("template", required=False)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the workbook (default: outputs/<template>[-<scenario>].xlsx).")
@scenario_options
@friendly_errors
def build(template, output, scenario, sets):
    """Write the formula-driven workbook for TEMPLATE (a bundled name or a YAML path).

    \b
    Example:
      modelgen build gpu-abs --scenario crash -o outputs/crash.xlsx
      modelgen build my-deal.yaml --set structure.tranches.0.coupon=0.08
    """
    from .build import build_workbook
    from .summary import build_summary

    tpl = _load(template, scenario, sets)
    result = build_workbook(tpl, output)
    click.echo(f"wrote {result.path} ({result.formula_cells:,} formula cells)")
    for line in _headline_lines(build_summary(result.model)):
        click.echo(line)


@main.command()
def templates():
    """List the bundled templates, one line each.

    \b
    Example:
      modelgen templates
    """
    from .template import bundled_templates, describe

    for name, path in bundled_templates().items():
        click.echo(f"{name:<24} {describe(path)}")


@main.command()
@click.argument("template", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON object of MODEL.md Appendix B.")
@scenario_options
@friendly_errors
def summary(template, as_json, scenario, sets):
    """Headline figures of TEMPLATE from the Python reference model (no workbook is written).

    \b
    Example:
      modelgen summary gpu-token-seed --json
      modelgen summary gpu-abs --scenario bear --set revenue.rent_decline=0.3
    """
    from .build import reference_for
    from .summary import build_summary

    tpl = _load(template, scenario, sets)
    result = reference_for(tpl)
    data = build_summary(result)
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        for line in _headline_lines(data):
            click.echo(line)


ENGINE_CHOICES = ["ironcalc", "formulas", "gnumeric", "libreoffice", "all"]


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="ironcalc", show_default=True,
              help="Which spreadsheet engine recalculates the workbook: IronCalc (fast), the formulas package "
                   "(pure Python), Gnumeric (ssconvert), LibreOffice (soffice); all: every installed one.")
@click.option("--scenario", "-s", metavar="NAME",
              help="Recalculate with the workbook's scenario selector switched to NAME (default: as saved).")
@click.option("--show", default=20, show_default=True, help="How many differing cells to list.")
@friendly_errors
def verify(workbook, engine, scenario, show):
    """Recalculate WORKBOOK's formulas and compare every cell with the reference model.

    Reads the workbook's own Inputs (as an analyst may have edited them), recomputes the
    reference for the active scenario, recalculates every formula with the chosen engine and
    compares them cell by cell (tolerance: relative 1e-9 or absolute 1e-6). Exits 1 on any
    difference, on a formula that did not evaluate, on an Excel error value, or on a constant
    typed over a calculated cell; 2 when the engine is not installed.

    \b
    Example:
      modelgen verify outputs/gpu-abs.xlsx
      modelgen verify outputs/gpu-abs.xlsx --engine all
      modelgen verify outputs/gpu-abs.xlsx --engine formulas --scenario crash
    """
    from .engines import ENGINES, engine_class, installed_engines
    from .verify import ABS_TOL, REL_TOL, check, prepare

    if engine == "all":
        names = installed_engines()
        for name in ENGINES:
            if name not in names:
                click.echo(f"{name}: not installed, skipped (install it with: {engine_class(name).install_hint})")
    else:
        engine_class(engine).require()
        names = [engine]
    status, progress = _progress()
    if status:
        status.start()
    try:
        prepared = prepare(workbook, scenario, progress)
    finally:
        if status:
            status.stop()
    failed = False
    for name in names:
        status, progress = _progress()
        if status:
            status.start()
        try:
            report = check(prepared, name, progress)
        finally:
            if status:
                status.stop()
        compared = sum(r.cells for r in report.sheets.values())
        click.echo(f"{report.path} [{name}]: scenario {report.scenario}; {report.formula_cells:,} formula cells, "
                   f"{compared:,} compared with the reference (tolerance: relative {REL_TOL:g} or absolute {ABS_TOL:g})")
        click.echo(f"{'sheet':<14}{'rows':>6}{'cells':>8}{'differ':>8}  largest difference")
        for rep in report.sheets.values():
            if rep.largest_abs == 0:
                largest = "none (exact)"
            else:
                rel = f", relative {rep.largest_rel:.2g}" if rep.largest_rel else ""
                largest = f"{rep.largest_abs:.3g} at {rep.largest_cell}{rel}"
            click.echo(f"{rep.sheet:<14}{len(rep.rows):>6}{rep.cells:>8}{rep.differing:>8}  {largest}")
        if report.ok:
            click.echo(f"OK [{name}]: every formula cell agrees with the reference")
            continue
        failed = True
        click.echo(f"FAILED [{name}]: {len(report.mismatches)} cell(s) differ, did not evaluate or are hard-coded", err=True)
        first = report.causes[0] if report.causes else report.mismatches[0]
        others = len(report.mismatches) - len(report.causes)
        if len(report.causes) == 1:
            why = ("a constant typed over a calculated cell" if first.kind == "hard-coded"
                   else f"{first.reason}, although every cell it reads agrees")
            click.echo(f"Where it starts: {first.where} [{first.key}]: {why}"
                       + (f"; the other {others} difference(s) follow from it" if others else ""), err=True)
        elif report.causes:
            listed = ", ".join(m.where for m in report.causes[:5]) + (" ..." if len(report.causes) > 5 else "")
            click.echo(f"Where it starts: {len(report.causes)} cells that no other difference explains, first "
                       f"{first.where} [{first.key}]: {listed}", err=True)
        click.echo(f"To see what changed since modelgen wrote the file: modelgen audit {workbook}", err=True)
        for mismatch in report.mismatches[:show]:
            click.echo(f"  {mismatch}", err=True)
        if len(report.mismatches) > show:
            click.echo(f"  ... and {len(report.mismatches) - show} more (--show N)", err=True)
    if failed:
        sys.exit(1)


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--template", "template_path", metavar="TEMPLATE",
              help="The template to compare the inputs with (default: the one named on the Cover).")
@click.option("--show", default=50, show_default=True, help="How many findings to list.")
@friendly_errors
def audit(workbook, template_path, show):
    """Report what changed in WORKBOOK since modelgen wrote it.

    Regenerates the workbook modelgen would write for WORKBOOK's own inputs and compares them
    formula by formula, position-independently (references as row key and R1C1 column):
    hard-coded cells, formulas that differ from their row's shape, rows and sheets added or
    deleted, defined names changed, and inputs that differ from the template's scenario values.
    Exits 0 when clean, 1 when anything is found, 2 when the file is not a modelgen workbook.

    \b
    Example:
      modelgen audit returned-by-finance.xlsx
    """
    from .audit import audit_workbook

    report = audit_workbook(workbook, template_path)
    for note in report.notes:
        click.echo(f"note: {note}")
    if report.clean:
        click.echo(f"{report.path}: clean ({report.cells_compared:,} formula cells compared with modelgen's)")
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts().items()))
    click.echo(f"{report.path}: {len(report.findings)} finding(s): {counts}")
    for finding in report.findings[:show]:
        click.echo(f"  {finding}")
    if len(report.findings) > show:
        click.echo(f"  ... and {len(report.findings) - show} more (--show N)")
    sys.exit(1)


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@friendly_errors
def diff(old, new, as_json):
    """Inputs that changed between OLD and NEW, and what each headline figure did.

    \b
    Example:
      modelgen diff outputs/gpu-abs.xlsx outputs/gpu-abs-crash.xlsx
    """
    from .diff import diff_workbooks

    result = diff_workbooks(old, new)
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    click.echo(f"inputs changed: {len(result['inputs'])}")
    for item in result["inputs"]:
        click.echo(f"  {item['path']}: {item['old']!r} -> {item['new']!r}")
    changed = [h for h in result["headlines"] if h["changed"]]
    click.echo(f"headline figures changed: {len(changed)} of {len(result['headlines'])}")
    for h in changed:
        change = f" ({h['change']:+,.6g})" if h["change"] is not None else ""
        click.echo(f"  {h['figure']}: {_fmt(h['old'])} -> {_fmt(h['new'])}{change}")


if __name__ == "__main__":  # pragma: no cover
    main()
