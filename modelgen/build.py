"""The library API behind ``modelgen build``: template in, workbook and headline figures out."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from .glossary import SETTINGS
from .reference.frames import ModelResult, run
from .template import Template
from .workbook.writer import write_workbook

OUTPUT_DIR = Path("outputs")
CHECK_TOLERANCE = SETTINGS["check_tolerance"][3]


def horizon_of(template: Template) -> int:
    """Period columns in the workbook: the longest term over all scenarios."""
    return max(deal.term_months for deal in template.deals().values())


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
        from .errors import ModelgenError
        raise ModelgenError(f"--output: '{path}' must end in .xlsx")
    horizon = horizon_of(template)
    model = run(template.deal(), horizon=horizon, check_tolerance=CHECK_TOLERANCE, scenario=template.selected)
    cells = write_workbook(path, template, model.sheets, horizon, CHECK_TOLERANCE)
    return BuildResult(path, cells, model)


def years_of(horizon: int) -> int:
    return max(1, math.ceil(horizon / 12))
