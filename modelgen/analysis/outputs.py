"""What an analysis hands over: terminal tables (rich), JSON, CSV / Parquet, written atomically.

Every output path is checked before the run starts (a bad suffix fails at once), and every file
is written to a temporary name beside its target and renamed into place, so a failure never
leaves a partial file behind.
"""
from __future__ import annotations

import importlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from ..errors import ModelgenError

SUFFIXES = {"csv": (".csv",), "parquet": (".parquet", ".pq"), "xlsx": (".xlsx",), "plot": (".png",)}


@dataclass
class Outputs:
    """The files a command was asked to write (None where not asked)."""

    csv: Optional[Path] = None
    parquet: Optional[Path] = None
    xlsx: Optional[Path] = None
    plot: Optional[Path] = None

    def check(self) -> "Outputs":
        for kind, suffixes in SUFFIXES.items():
            path = getattr(self, kind)
            if path is None:
                continue
            if path.suffix.lower() not in suffixes:
                raise ModelgenError(f"--{kind}: '{path}' must end in {' or '.join(suffixes)}")
            if path.exists() and path.is_dir():
                raise ModelgenError(f"--{kind}: '{path}' is a directory")
            if not path.parent.is_dir():
                raise ModelgenError(f"--{kind}: the folder '{path.parent}' does not exist (create it first)")
        if self.parquet is not None:
            try:
                importlib.import_module("pyarrow")  # only whether it loads: pandas writes the file
            except ImportError:
                raise ModelgenError("--parquet: needs the pyarrow package (pip install pyarrow)") from None
        return self

    def written(self) -> list[Path]:
        return [p for p in (self.csv, self.parquet, self.xlsx, self.plot) if p is not None]


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """``write(tmp)`` then rename tmp to ``path``; the temporary file is removed on failure."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_frame(rows: list[dict], outputs: Outputs) -> None:
    """Records to CSV and/or Parquet (one row per case or path)."""
    if outputs.csv is None and outputs.parquet is None:
        return
    import pandas as pd

    frame = pd.DataFrame(rows)
    if outputs.csv is not None:
        atomic_write(outputs.csv, lambda tmp: frame.to_csv(tmp, index=False))
    if outputs.parquet is not None:
        atomic_write(outputs.parquet, lambda tmp: frame.to_parquet(tmp, index=False))


def jsonable(value: Any) -> Any:
    """NaN and infinities as null, numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(data: Any) -> str:
    return json.dumps(jsonable(data), indent=2)


# --- terminal tables ------------------------------------------------------------------------

def fmt(value: Any, kind: str = "num") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if kind == "pct":
        return f"{value * 100:.2f}%"
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "exact":
        return f"{value:.10g}"
    return f"{value:.6g}"


def metric_kind(metric: str) -> str:
    leaf = metric.rsplit(".", 1)[-1]
    if leaf in ("loss_pct", "irr", "irr_nominal", "roi", "usage_share_of_income", "staking_real_yield") or leaf.endswith("_pct"):
        return "pct"
    if leaf in ("loss", "invested", "interest_paid", "principal_paid", "recovery", "excess_paid", "capex", "raise"):
        return "money"
    return "num"


WORSE_WHEN_HIGHER = {"loss", "loss_pct", "max_ltv", "payback_month", "opex", "issuance_fee"}


def worse_when_higher(metric: str) -> bool:
    """Colour scales: red for a high loss, but red for a low IRR, MOIC, DSCR or cover."""
    return metric.rsplit(".", 1)[-1] in WORSE_WHEN_HIGHER


def print_table(title: str, columns: list[str], rows: list[list[str]], left: int = 1) -> None:
    """A rich table on stdout; the first ``left`` columns are text (left-aligned), the rest numbers."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    for i, name in enumerate(columns):
        table.add_column(name, justify="left" if i < left else "right", overflow="fold")
    for row in rows:
        table.add_row(*row)
    console = Console()
    # a terminal wraps to its width; piped output keeps each row on one line
    Console(width=console.width if console.is_terminal else 240).print(table)
