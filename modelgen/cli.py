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


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--engine", type=click.Choice(["formulas", "libreoffice", "all"]), default="formulas", show_default=True,
              help="Which spreadsheet engine recalculates the workbook (all: both, one after the other).")
@click.option("--show", default=20, show_default=True, help="How many differing cells to list.")
@friendly_errors
def verify(workbook, engine, show):
    """Recalculate WORKBOOK's formulas and compare every cell with the reference model.

    Reads the workbook's own Inputs (as an analyst may have edited them), recomputes the
    reference for the active scenario, recalculates every formula with the chosen engine (the
    `formulas` package, or LibreOffice headless forced to recalculate on load) and compares them
    cell by cell (tolerance: relative 1e-9 or absolute 1e-6). Exits 1 on any difference, on a
    formula that did not evaluate, or on an Excel error value.

    \b
    Example:
      modelgen verify outputs/gpu-abs.xlsx
      modelgen verify outputs/gpu-abs.xlsx --engine all
    """
    from .verify import ABS_TOL, REL_TOL, verify_workbook

    failed = False
    for name in (["formulas", "libreoffice"] if engine == "all" else [engine]):
        status, progress = _progress()
        if status:
            status.start()
        try:
            report = verify_workbook(workbook, progress=progress, engine=name)
        finally:
            if status:
                status.stop()
        click.echo(f"{report.path} [{name}]: scenario {report.scenario}, {report.formula_cells:,} formula cells "
                   f"(tolerance: relative {REL_TOL:g} or absolute {ABS_TOL:g})")
        click.echo(f"{'sheet':<14}{'rows':>6}{'cells':>8}{'worst abs':>12}{'worst rel':>12}  worst cell")
        for rep in report.sheets.values():
            click.echo(f"{rep.sheet:<14}{len(rep.rows):>6}{rep.cells:>8}{rep.worst_abs:>12.3g}{rep.worst_rel:>12.3g}  {rep.worst_cell}")
        if report.ok:
            click.echo(f"OK [{name}]: every formula cell agrees with the reference")
            continue
        failed = True
        click.echo(f"FAILED [{name}]: {len(report.mismatches)} cell(s) differ or did not evaluate", err=True)
        for mismatch in report.mismatches[:show]:
            click.echo(f"  {mismatch}", err=True)
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


from .analysis.commands import COMMANDS as _ANALYSIS_COMMANDS  # noqa: E402 (breakeven, sensitivity, montecarlo)

for _command in _ANALYSIS_COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
