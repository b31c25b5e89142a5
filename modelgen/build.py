"""The library API behind ``modelgen build`` and ``summary``: template in, workbook or figures out."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelgenError
from .reference.frames import DEFAULT_SETTINGS, Columns, ModelResult, run
from .template import Template
from .workbook.writer import write_workbook

OUTPUT_DIR = Path("outputs")


def columns_of(template: Template) -> Columns:
    """Period columns in the workbook: the longest term (and horizons) over all scenarios; a term
    of 0 where the template has no securitization."""
    deals = list(template.deals().values())
    node = [d.node_sale.horizon_months for d in deals if d.node_sale]
    byod = [d.byod.horizon_months for d in deals if d.byod]
    terms = [d.term_months for d in deals if d.term_months]
    return Columns(max(terms) if terms else 0, max(node) if node else None, max(byod) if byod else None)


def reference_for(template: Template, settings: dict | None = None) -> ModelResult:
    """The reference model of the template's selected scenario, over the workbook's columns."""
    return run(template.deal(), columns_of(template), settings, scenario=template.selected)


def default_output(template: Template) -> Path:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(template.source).stem).strip("-") or "model"
    suffix = "" if template.selected == template.scenario_names[0] else f"-{template.selected}"
    return OUTPUT_DIR / f"{stem}{suffix}.xlsx"


@dataclass
class BuildResult:
    path: Path
    formula_cells: int
    model: ModelResult


def check_output(template: Template, output: Path | str | None) -> Path:
    """The path the workbook will be written to, checked before any work is done.

    Without ``output`` the default folder ``outputs/`` is created when missing. A path the user
    gives must end in .xlsx and sit in a folder that exists: a typo in a folder name is an error,
    not a reason to create a tree of folders."""
    if output is None:
        path = default_output(template)
        if path.parent.exists() and not path.parent.is_dir():
            raise ModelgenError(f"--output: the default folder '{path.parent}' is a file; remove it or give -o PATH")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ModelgenError(f"--output: cannot create the default folder '{path.parent}': "
                                f"{exc.strerror or exc}") from None
        return path
    if not str(output).strip():
        raise ModelgenError("--output: the path is empty; give a file name ending in .xlsx")
    path = Path(output)
    if str(output).endswith(("/", "\\")) or path.is_dir():
        raise ModelgenError(f"--output: '{output}' is a folder; give a file name ending in .xlsx")
    if path.suffix.lower() != ".xlsx":
        raise ModelgenError(f"--output: '{output}' must end in .xlsx")
    parent = path.parent
    for folder in [parent, *parent.parents]:
        if folder.exists() and not folder.is_dir():
            raise ModelgenError(f"--output: '{folder}' is a file, not a folder")
    if not parent.exists():
        raise ModelgenError(f"--output: the folder '{parent}' does not exist (create it first)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ModelgenError(f"--output: no permission to write in the folder '{parent}'")
    if path.exists() and not os.access(path, os.W_OK):
        raise ModelgenError(f"--output: '{path}' exists and is read-only")
    return path


def build_workbook(template: Template, output: Path | str | None = None) -> BuildResult:
    """Compute the reference for the selected scenario (for cached values) and write the workbook."""
    path = check_output(template, output)
    model = reference_for(template, DEFAULT_SETTINGS)
    cells = write_workbook(path, template, model.sheets, columns_of(template), DEFAULT_SETTINGS)
    return BuildResult(path, cells, model)
