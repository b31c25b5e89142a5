"""LibreOffice headless as an engine (a throwaway profile forces a full recalculation on load)."""
from __future__ import annotations

from pathlib import Path

from .. import libreoffice
from .file_engine import FileEngine


class LibreOfficeEngine(FileEngine):
    name = "libreoffice"
    program = "LibreOffice (soffice)"
    install_hint = "apt-get install libreoffice-calc-nogui"
    timeout = 300.0

    @classmethod
    def available(cls) -> bool:
        return libreoffice.find_soffice() is not None

    def recalculate(self, source: Path, outdir: Path) -> Path:
        return libreoffice.convert([source], outdir, timeout=self.timeout)[0]
