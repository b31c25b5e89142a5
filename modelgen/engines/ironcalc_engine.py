"""IronCalc (a spreadsheet engine in Rust, ``pip install ironcalc``) as an engine: the default.

The workbook is loaded once into an IronCalc model; inputs are typed into its cells and
``evaluate()`` recalculates every formula, so one loaded model serves many evaluations.
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterator

from .base import CellError, CellRef, Engine, EngineFailed
from .xlsx import needs_normalising, normalise

COORD = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _split(cell: str) -> tuple[int, int]:
    match = COORD.match(cell)
    if not match:
        raise EngineFailed(f"--engine ironcalc: '{cell}' is not a cell reference")
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Keep what IronCalc prints itself (a Rust panic's report, notes on unknown XML) off the
    terminal: an error is reported in one line."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = []
    try:
        for fd in (1, 2):
            saved.append((fd, os.dup(fd)))
    except OSError:
        for _, copy in saved:
            os.close(copy)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            for fd, _ in saved:
                os.dup2(devnull.fileno(), fd)
            yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)


class IronCalcEngine(Engine):
    name = "ironcalc"
    program = "IronCalc (the ironcalc Python package)"
    install_hint = "pip install ironcalc"

    def __init__(self) -> None:
        super().__init__()
        self.model: Any = None
        self.sheets: dict[str, int] = {}
        self._error_type: Any = None

    @classmethod
    def available(cls) -> bool:
        return cls.importable("ironcalc")

    def _load(self, path: Path) -> None:
        import ironcalc

        try:
            with tempfile.TemporaryDirectory(prefix="modelgen-ironcalc-") as tmp, _quiet_stderr():
                source = path
                if needs_normalising(path):  # as openpyxl or Gnumeric save files: IronCalc reads the usual forms only
                    source = Path(tmp) / "workbook.xlsx"
                    normalise(path, source)
                self.model = ironcalc.load_from_xlsx(str(source), "en", "UTC")
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # IronCalc raises WorkbookError, or a Rust panic (a BaseException)
            raise EngineFailed(f"--engine ironcalc: IronCalc cannot load {path.name} ({' '.join(str(exc).split())[:160]}); "
                               "try --engine libreoffice") from None
        self.sheets = {props["name"].upper(): i for i, props in enumerate(self.model.get_worksheets_properties())}
        self._error_type = ironcalc.CellType.ErrorValue

    def _index(self, sheet: str) -> int:
        try:
            return self.sheets[sheet.upper()]
        except KeyError:
            raise EngineFailed(f"--engine ironcalc: the workbook has no sheet '{sheet}'") from None

    def _set_inputs(self, changes: dict[CellRef, Any]) -> None:
        for (sheet, cell), value in changes.items():
            index = self._index(sheet)
            row, col = _split(cell)
            if isinstance(value, bool):
                self.model.update_cell_with_bool(index, row, col, value)
            elif isinstance(value, str):
                self.model.update_cell_with_text(index, row, col, value)
            else:
                self.model.update_cell_with_number(index, row, col, float(value))

    def _evaluate(self) -> None:
        try:
            self.model.evaluate()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a Rust panic is a BaseException
            raise EngineFailed(f"--engine ironcalc: evaluation failed: {' '.join(str(exc).split())[:200]}") from None

    def _value(self, sheet: str, cell: str) -> Any:
        index = self._index(sheet)
        row, col = _split(cell)
        value = self.model.get_cell_value(index, row, col)
        if isinstance(value, str) and value.startswith("#") and self.model.get_cell_type(index, row, col) == self._error_type:
            return CellError(value)
        return value

    def close(self) -> None:
        super().close()
        self.model = None
