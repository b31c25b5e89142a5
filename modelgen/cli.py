"""The ``modelgen`` command: thin Click commands over the library API.

Every user mistake is raised as a :class:`~modelgen.errors.ModelgenError` and printed as one
line with exit code 2; no traceback.
"""
from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Optional

import click

from . import __version__
from .cli_errors import UserError, friendly_errors
from .errors import ModelgenError


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


@contextlib.contextmanager
def _progress():
    """A rich spinner on a terminal while the block runs (it yields the function that names the
    step); nothing when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    with Console(stderr=True).status("working") as status:
        yield lambda text: status.update(text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="modelgen")
def main():
    """Build auditable, formula-driven Excel models of GPU-backed finance.

    \b
    Example:
      modelgen templates --scenarios      # the bundled templates and their scenarios
      modelgen build                      # the default template into outputs/
      modelgen summary gpu-abs --all-scenarios
      modelgen verify outputs/gpu-abs.xlsx

    \b
    Shell completion (bash; zsh and fish likewise, see the README):
      eval "$(_MODELGEN_COMPLETE=bash_source modelgen)"
    """


@main.command()
@click.argument("template", required=False)
@click.option("--output", "-o", metavar="PATH",
              help="Where to write the workbook: an .xlsx path in a folder that exists "
                   "(default: outputs/<template>[-<scenario>].xlsx, creating outputs/).")
@scenario_options
@friendly_errors
def build(template, output, scenario, sets):
    """Write the formula-driven workbook for TEMPLATE (a bundled name or a YAML path).

    \b
    Example:
      modelgen build gpu-abs --scenario crash -o outputs/crash.xlsx
      modelgen build my-deal.yaml --set structure.tranches.0.coupon=0.08
    """
    from .build import build_workbook, check_output
    from .figures import headline_lines
    from .summary import build_summary

    tpl = _load(template, scenario, sets)
    check_output(tpl, output)
    result = build_workbook(tpl, output)
    click.echo(f"wrote {result.path} ({result.formula_cells:,} formula cells)")
    for line in headline_lines(build_summary(result.model)):
        click.echo(line)


def _override_text(overrides: dict) -> str:
    if not overrides:
        return "the template's inputs, no overrides"
    return ", ".join(f"{path}={value}" for path, value in overrides.items())


@main.command()
@click.option("--scenarios", "show_scenarios", is_flag=True,
              help="Under each template, its scenarios and the inputs each one overrides.")
@friendly_errors
def templates(show_scenarios):
    """List the bundled templates, one line each.

    \b
    Example:
      modelgen templates
      modelgen templates --scenarios
    """
    from .template import bundled_templates, describe, load_template

    for name, path in bundled_templates().items():
        click.echo(f"{name:<24} {describe(path)}")
        if show_scenarios:
            tpl = load_template(path)
            width = max(len(n) for n in tpl.scenario_names)
            for scenario in tpl.scenario_names:
                mark = "*" if scenario == tpl.selected else " "
                click.echo(f"  {mark} {scenario:<{width}}  {_override_text(tpl.scenarios[scenario])}")
    if show_scenarios:
        click.echo("(* the scenario selected when the workbook opens; choose another with --scenario NAME)")


@main.command()
@click.argument("template", required=False)
@click.option("--json", "as_json", is_flag=True,
              help="Print the figures as one JSON object (every section the template has); "
                   "with --all-scenarios, an object keyed by scenario.")
@click.option("--all-scenarios", "all_scenarios", is_flag=True,
              help="Every scenario of the template side by side, a column each.")
@scenario_options
@friendly_errors
def summary(template, as_json, all_scenarios, scenario, sets):
    """Headline figures of TEMPLATE from the Python reference model (no workbook is written).

    \b
    Example:
      modelgen summary gpu-token-seed --json
      modelgen summary gpu-abs --scenario bear --set revenue.rent_decline=0.3
      modelgen summary gpu-abs --all-scenarios
    """
    from .build import reference_for
    from .figures import headline_lines, scenario_table
    from .summary import build_summary

    tpl = _load(template, scenario, sets)
    if all_scenarios:
        if scenario is not None:
            raise UserError("--all-scenarios shows every scenario; leave out --scenario")
        data = {name: build_summary(reference_for(tpl.with_changes(scenario=name))) for name in tpl.scenario_names}
        if as_json:
            click.echo(json.dumps(data, indent=2))
        else:
            for line in scenario_table(data):
                click.echo(line)
        return
    data = build_summary(reference_for(tpl))
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        for line in headline_lines(data):
            click.echo(line)


ENGINE_CHOICES = ["ironcalc", "formulas", "gnumeric", "libreoffice", "all"]


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to this file instead of printing it.")
@friendly_errors
def schema(output):
    """Print the JSON Schema of the template format, generated from the validated deal.

    Editors that speak the YAML language server (VS Code's YAML extension, for one) complete
    and check a template's keys when its first line names the schema:
    "# yaml-language-server: $schema=template.schema.json" (the bundled templates do).

    \b
    Example:
      modelgen schema > template.schema.json
    """
    from .schema import schema_text

    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"--output: cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"wrote {output}")


@main.command()
@click.argument("workbooks", nargs=-1, required=True, metavar="WORKBOOK|GLOB...")
@click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="ironcalc", show_default=True,
              help="Which spreadsheet engine recalculates the workbook: IronCalc (fast), the formulas package "
                   "(pure Python), Gnumeric (ssconvert), LibreOffice (soffice); all: every installed one.")
@click.option("--scenario", "-s", metavar="NAME",
              help="Recalculate with the workbook's scenario selector switched to NAME (default: as saved).")
@click.option("--show", default=20, show_default=True, help="How many differing cells to list.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Verify many workbooks across a running dask.distributed cluster (e.g. tcp://host:8786).")
@click.option("--workers", type=click.IntRange(1), metavar="N",
              help="Verify many workbooks on a local dask cluster of N workers (default: a plain loop).")
@friendly_errors
def verify(workbooks, engine, scenario, show, scheduler, workers):
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
      modelgen verify 'library/**/*.xlsx' --scheduler tcp://host:8786
    """
    from .analysis.sweep import expand, report_lines, verify_many

    files = expand(workbooks)
    if len(files) > 1 or scheduler or workers:
        if scenario:
            raise ModelgenError("--scenario: switches the scenario of one workbook at a time")
        lines, code = report_lines(verify_many([str(f) for f in files], engine, scheduler, workers), show)
        for line in lines:
            click.echo(line)
        sys.exit(code)
    workbook = files[0]
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
    with _progress() as progress:
        prepared = prepare(workbook, scenario, progress)
    failed = False
    for name in names:
        with _progress() as progress:
            report = check(prepared, name, progress)
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
    from .diff import diff_workbooks, format_lines

    result = diff_workbooks(old, new)
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    for line in format_lines(result):
        click.echo(line)


from .analysis.commands import COMMANDS as _ANALYSIS_COMMANDS  # noqa: E402 (breakeven, sensitivity, montecarlo)

for _command in _ANALYSIS_COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
