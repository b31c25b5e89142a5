"""Gnumeric as an engine: ``ssconvert --recalc IN.xlsx OUT.xlsx`` recalculates every cell.

Gnumeric's xlsx writer emits notes without an author list, which openpyxl cannot read; its output
is read straight from the worksheet XML instead (modelgen.engines.xlsx), which ignores notes.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from . import process
from .base import EngineFailed
from .file_engine import FileEngine


def find_ssconvert() -> str | None:
    return shutil.which("ssconvert")


class GnumericEngine(FileEngine):
    name = "gnumeric"
    program = "Gnumeric (ssconvert)"
    install_hint = "apt-get install gnumeric"
    timeout = 120.0

    @classmethod
    def available(cls) -> bool:
        return find_ssconvert() is not None

    def recalculate(self, source: Path, outdir: Path) -> Path:
        ssconvert = find_ssconvert()
        if ssconvert is None:
            self.require()
        assert ssconvert is not None
        result = outdir / "workbook.xlsx"
        done = process.run(self.name, [ssconvert, "--recalc", "--export-type=Gnumeric_Excel:xlsx2",
                                       str(source), str(result)], self.timeout)
        if not result.is_file():
            detail = " ".join((done.stderr or done.stdout or "").split())[:300]
            raise EngineFailed(f"--engine gnumeric: ssconvert wrote no file (exit {done.returncode}): {detail}")
        return result
