"""A case built as a normal workbook and recalculated: the proof behind an analysis figure.

:func:`build_case` writes exactly what the case's ``modelgen build ... --set ...`` command
writes; :func:`recalculated_figures` recalculates every formula with IronCalc (no cached value
is read) and picks each class's headline cells by their row keys, which name the same figures
as the summary JSON. :func:`compare` sets them against the reference's numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..build import build_workbook
from ..errors import ModelgenError
from ..template import load_template
from .engine import Base, Overrides

KEY_COLUMN, VALUE_COLUMN = 3, 4        # 1-based: C holds the row key, D its single value
REL_TOL, ABS_TOL = 1e-9, 1e-6          # as modelgen verify
# summary field of a class -> the workbook row key (class j = 1..J)
CLASS_KEYS = {"invested": "invested_{j}", "loss": "loss_{j}", "loss_pct": "loss_pct_{j}", "irr": "irr_{j}",
              "moic": "moic_{j}", "wal_years": "wal_years_{j}"}
DEAL_KEYS = {"default_month": "default_month", "sale_month": "sale_month"}


def build_case(base: Base, overrides: Overrides, path: Path) -> Path:
    """Write the case's workbook (the same file its ``modelgen build`` command writes)."""
    template = load_template(base.template_arg, scenario=base.scenario, sets=base.set_options(overrides))
    build_workbook(template, path)
    return path


def recalculated_figures(path: Path, classes: int) -> dict[str, Any]:
    """Recalculate a workbook with IronCalc and read the headline cells by row key.

    Returns {"default_month": .., "sale_month": .., "tranches": [{"loss": .., ...}, ...]}."""
    try:
        import ironcalc
    except ImportError:  # pragma: no cover - a declared dependency
        raise ModelgenError("the IronCalc engine is not installed (pip install ironcalc)") from None
    try:
        model = ironcalc.load_from_xlsx(str(path), "en", "UTC")
        model.evaluate()
    except Exception as exc:  # IronCalc raises its own error types
        raise ModelgenError(f"{path}: IronCalc could not recalculate the workbook ({exc})") from None
    wanted = set(DEAL_KEYS.values()) | {k.format(j=j) for k in CLASS_KEYS.values() for j in range(1, classes + 1)}
    found: dict[str, Any] = {}
    for index, _sheet in enumerate(model.get_worksheets_properties()):
        _min_row, max_row, _min_col, max_col = model.get_sheet_dimensions(index)
        if max_col < VALUE_COLUMN:
            continue
        for row in range(1, max_row + 1):
            key = model.get_cell_value(index, row, KEY_COLUMN)
            if isinstance(key, str) and key in wanted and key not in found:
                found[key] = model.get_cell_value(index, row, VALUE_COLUMN)
    missing = sorted(wanted - set(found))
    if missing:
        raise ModelgenError(f"{path}: no row keyed {', '.join(missing[:5])} (not a modelgen securitization workbook?)")
    out: dict[str, Any] = {name: found[key] for name, key in DEAL_KEYS.items()}
    out["tranches"] = [{name: found[key.format(j=j)] for name, key in CLASS_KEYS.items()} for j in range(1, classes + 1)]
    return out


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    return None      # "n/a", "never": the summary's null


def agree(expected: Any, actual: Any) -> bool:
    """Numbers within relative 1e-9 or absolute 1e-6; null against a text such as "n/a"."""
    e, a = _number(expected), _number(actual)
    if e is None or a is None:
        return e is None and a is None
    if not (math.isfinite(e) and math.isfinite(a)):
        return e == a
    return abs(e - a) <= ABS_TOL or abs(e - a) <= REL_TOL * max(abs(e), abs(a))


@dataclass
class Difference:
    field: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.field}: workbook {self.actual!r}, reference {self.expected!r}"


def compare(summary: dict, figures: dict) -> list[Difference]:
    """Every headline figure of the recalculated workbook against the reference summary."""
    diffs = []
    for name in DEAL_KEYS:
        expected = summary.get(name)
        actual = figures[name]
        if name == "default_month" and actual == 0:
            actual = None
        if not agree(expected, actual):
            diffs.append(Difference(name, expected, actual))
    for j, (ref, wb) in enumerate(zip(summary["tranches"], figures["tranches"])):
        for name in CLASS_KEYS:
            if name in ref and not agree(ref[name], wb[name]):
                diffs.append(Difference(f"tranches.{j}.{name}", ref[name], wb[name]))
    return diffs
