"""Engines that recalculate a whole file with an external program (Gnumeric, LibreOffice).

``set_inputs`` writes the changed constants into a copy of the workbook (straight into its XML,
so nothing else in the file changes); ``evaluate`` has the program recalculate that copy and
write it as .xlsx, whose values are read back from the XML.
"""
from __future__ import annotations

import shutil
import tempfile
from abc import abstractmethod
from pathlib import Path
from typing import Any, Optional

from .base import CellRef, Engine, EngineFailed
from .xlsx import read_values, write_cells


class FileEngine(Engine):
    timeout: float = 300.0

    def __init__(self, timeout: Optional[float] = None) -> None:
        super().__init__()
        if timeout is not None:
            self.timeout = timeout
        self.tmp: Optional[tempfile.TemporaryDirectory] = None
        self.changes: dict[CellRef, Any] = {}
        self.values: dict[tuple[str, str], Any] = {}

    def _workdir(self) -> Path:
        if self.tmp is None:
            self.tmp = tempfile.TemporaryDirectory(prefix=f"modelgen-{self.name}-")
        return Path(self.tmp.name)

    def _load(self, path: Path) -> None:
        if not path.is_file():
            raise EngineFailed(f"--engine {self.name}: {path}: no such file")
        self.changes = {}
        self.values = {}

    def _set_inputs(self, changes: dict[CellRef, Any]) -> None:
        self.changes.update(changes)

    def _evaluate(self) -> None:
        assert self.path is not None
        work = self._workdir()
        source = work / "in" / "workbook.xlsx"
        source.parent.mkdir(exist_ok=True)
        if self.changes:
            write_cells(self.path, source, self.changes)
        else:
            shutil.copyfile(self.path, source)
        outdir = work / "out"
        shutil.rmtree(outdir, ignore_errors=True)
        outdir.mkdir()
        result = self.recalculate(source, outdir)
        self.values = {(sheet.upper(), cell): value for (sheet, cell), value in read_values(result).items()}

    @abstractmethod
    def recalculate(self, source: Path, outdir: Path) -> Path:
        """Have the program recalculate ``source`` and write it as .xlsx into ``outdir``; return that file."""

    def _value(self, sheet: str, cell: str) -> Any:
        value = self.values.get((sheet.upper(), cell))
        if isinstance(value, bool):
            return value
        return value

    def close(self) -> None:
        super().close()
        if self.tmp is not None:
            self.tmp.cleanup()
            self.tmp = None
