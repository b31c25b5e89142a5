#!/usr/bin/env python
"""Render a workbook as a person would see it: LibreOffice headless -> PDF -> PNG pages.

    python tools/render.py WORKBOOK.xlsx OUTDIR [--sheets Cover,Dashboard] [--dpi 60]

LibreOffice recalculates on load (the same throwaway profile as `verify --engine libreoffice`)
and prints each sheet with the workbook's own print set-up; pdftoppm (Debian's poppler-utils)
turns the PDF into one PNG per page.
"""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from modelgen.libreoffice import RECALC_PROFILE, find_soffice  # noqa: E402


def hide_sheets(workbook: Path, out: Path, keep: list[str]) -> None:
    """A copy of ``workbook`` with every sheet but ``keep`` hidden, edited in the archive itself:
    a re-save by a library would rewrite the charts and drop what it does not know."""
    with zipfile.ZipFile(workbook) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                names = re.findall(r'<sheet name="([^"]*)"', text)
                missing = [name for name in keep if name not in [html.unescape(n) for n in names]]
                if missing:
                    sys.exit(f"render: no sheet named {', '.join(missing)} in {workbook}")

                def hide(match: re.Match) -> str:
                    tag = match.group(0)
                    if html.unescape(match.group(1)) in keep or "state=" in tag:
                        return tag
                    return tag.replace("<sheet ", '<sheet state="hidden" ', 1)

                text = re.sub(r'<sheet name="([^"]*)"[^>]*/>', hide, text)
                first = next(i for i, n in enumerate(names) if html.unescape(n) in keep)
                text = re.sub(r'activeTab="\d+"', f'activeTab="{first}"', text)
                if "activeTab=" not in text:
                    text = text.replace("<workbookView ", f'<workbookView activeTab="{first}" ', 1)
                data = text.encode("utf-8")
            dst.writestr(item, data)


def render(workbook: Path, outdir: Path, sheets: list[str] | None = None, dpi: int = 60) -> list[Path]:
    soffice, pdftoppm = find_soffice(), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        sys.exit("render: needs LibreOffice (libreoffice-calc-nogui) and pdftoppm (poppler-utils)")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        source = workbook
        if sheets:
            source = tmp_path / workbook.name
            hide_sheets(workbook, source, sheets)
        profile = tmp_path / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE)
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=600)
        pdf = tmp_path / (workbook.stem + ".pdf")
        subprocess.run([pdftoppm, "-png", "-r", str(dpi), str(pdf), str(outdir / workbook.stem)], check=True)
    return sorted(outdir.glob(f"{workbook.stem}*.png"))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sheets = None
    dpi = 60
    for i, arg in enumerate(sys.argv):
        if arg == "--sheets":
            sheets = sys.argv[i + 1].split(",")
            args.remove(sys.argv[i + 1])
        if arg == "--dpi":
            dpi = int(sys.argv[i + 1])
            args.remove(sys.argv[i + 1])
    if len(args) != 2:
        sys.exit(__doc__)
    for page in render(Path(args[0]), Path(args[1]), sheets, dpi):
        print(page)


if __name__ == "__main__":
    main()
