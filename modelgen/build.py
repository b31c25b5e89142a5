"""The library API behind ``modelgen build`` and ``summary``: template in, workbook or figures out."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelgenError
from .reference.frames import DEFAULT_SETTINGS, Columns, ModelResult, run
from .template import Template
from .workbook.writer import write_workbook

OUTPUT_DIR = Path("outputs")


def columns_of(template: Template) -> Columns:
    """Period columns in the workbook: the longest term (and horizons) over all scenarios."""
    deals = list(template.deals().values())
    node = [d.node_sale.horizon_months for d in deals if d.node_sale]
    byod = [d.byod.horizon_months for d in deals if d.byod]
    return Columns(max(d.term_months for d in deals), max(node) if node else None, max(byod) if byod else None)


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


def build_workbook(template: Template, output: Path | str | None = None) -> BuildResult:
    """Compute the reference for the selected scenario (for cached values) and write the workbook."""
    path = Path(output) if output is not None else default_output(template)
    if path.suffix.lower() != ".xlsx":
        raise ModelgenError(f"--output: '{path}' must end in .xlsx")
    model = reference_for(template, DEFAULT_SETTINGS)
    cells = write_workbook(path, template, model.sheets, columns_of(template), DEFAULT_SETTINGS)
    return BuildResult(path, cells, model)
