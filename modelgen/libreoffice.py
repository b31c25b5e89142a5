"""LibreOffice headless: convert a workbook with a full recalculation on load.

LibreOffice does not recalculate an xlsx file on load by default: it shows the cached values.
A throwaway user profile sets ``/org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode`` to 0
(always recalculate), so ``soffice --convert-to`` writes values it computed itself.

Every call has a timeout, and runs soffice in a process group of its own that is ended when the
call returns: no LibreOffice process outlives it.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Sequence

from .engines import process
from .engines.base import EngineFailed, EngineUnavailable
from .engines.xlsx import read_values

__all__ = ["RECALC_PROFILE", "EngineUnavailable", "convert", "find_soffice", "recalculate_libreoffice"]

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
INSTALL_HINT = "apt-get install libreoffice-calc-nogui"


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(sources: Sequence[Path], outdir: Path, to: str = "xlsx", timeout: float = 300.0) -> list[Path]:
    """Convert ``sources`` with one LibreOffice start (recalculating each on load) into ``outdir``.

    Returns the written files, in the order of ``sources``. Raises EngineUnavailable where soffice
    is missing and EngineFailed on a timeout or a file not written."""
    soffice = find_soffice()
    if soffice is None:
        raise EngineUnavailable(f"--engine libreoffice: LibreOffice (soffice) is not installed; install it with: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="modelgen-lo-profile-") as tmp:
        profile = Path(tmp) / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE, encoding="utf-8")
        outdir.mkdir(parents=True, exist_ok=True)
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
                   "--convert-to", to, "--outdir", str(outdir), *map(str, sources)]
        done = process.run("libreoffice", command, timeout)
    extension = to.split(":")[0]
    results = [outdir / f"{Path(s).stem}.{extension}" for s in sources]
    missing = [r.name for r in results if not r.is_file()]
    if missing:
        detail = " ".join((done.stderr or done.stdout or "").split())[:300]
        raise EngineFailed(f"--engine libreoffice: LibreOffice wrote no {', '.join(missing)} (exit {done.returncode}): {detail}")
    return results


def recalculate_libreoffice(path: Path, timeout: float = 300.0) -> dict[tuple[str, str], Any]:
    """Every cell value after a full recalculation by LibreOffice: {(SHEET upper-cased, 'A1'): value}."""
    with tempfile.TemporaryDirectory(prefix="modelgen-lo-") as tmp:
        source = Path(tmp) / "in" / "workbook.xlsx"
        source.parent.mkdir()
        shutil.copyfile(path, source)
        result = convert([source], Path(tmp) / "out", timeout=timeout)[0]
        return {(sheet.upper(), cell): value for (sheet, cell), value in read_values(result).items()}
