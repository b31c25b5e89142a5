"""A second, independent spreadsheet engine: LibreOffice headless.

LibreOffice does not recalculate an xlsx file on load by default: it shows the cached values.
A throwaway user profile sets ``/org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode`` to 0
(always recalculate), so ``soffice --convert-to xlsx`` writes values it computed itself. Those are
read back with openpyxl (``data_only=True``) and compared with the reference like the values of
the ``formulas`` package.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .errors import ModelgenError

RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <item oor:path="/org.openoffice.Office.Calc/Formula/Load">
    <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
  </item>
  <item oor:path="/org.openoffice.Office.Calc/Formula/Load">
    <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
  </item>
</oor:items>
"""


class EngineUnavailable(ModelgenError):
    """The engine is not installed on this machine."""


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate_libreoffice(path: Path, timeout: float = 600) -> dict[tuple[str, str], Any]:
    """Every cell value after a full recalculation by LibreOffice: {(SHEET upper-cased, 'A1'): value}."""
    soffice = find_soffice()
    if soffice is None:
        raise EngineUnavailable("--engine libreoffice: LibreOffice (soffice) is not installed; "
                                "install it with: apt-get install libreoffice-calc-nogui")
    import openpyxl

    with tempfile.TemporaryDirectory(prefix="modelgen-lo-") as tmp:
        tmp_path = Path(tmp)
        profile = tmp_path / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE, encoding="utf-8")
        source = tmp_path / "in" / "workbook.xlsx"
        source.parent.mkdir()
        shutil.copyfile(path, source)
        outdir = tmp_path / "out"
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--nolockcheck", "--convert-to", "xlsx", "--outdir", str(outdir), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ModelgenError(f"--engine libreoffice: LibreOffice did not finish within {timeout:.0f} s") from None
        result = outdir / source.name
        if not result.is_file():
            detail = " ".join((done.stderr or done.stdout or "").split())[:300]
            raise ModelgenError(f"--engine libreoffice: LibreOffice wrote no file (exit {done.returncode}): {detail}")
        wb = openpyxl.load_workbook(result, data_only=True)
        values: dict[tuple[str, str], Any] = {}
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        values[(ws.title.upper(), cell.coordinate)] = cell.value
        return values
