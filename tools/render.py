#!/usr/bin/env python
"""Render a workbook as a person would see it: LibreOffice headless -> PDF -> PNG pages.

    python tools/render.py WORKBOOK.xlsx OUTDIR [--sheets Cover,Dashboard] [--dpi 60]
    python tools/render.py --readme     # rebuild gpu-abs and redraw docs/cover.png, docs/dashboard.png

LibreOffice recalculates on load (the same throwaway profile as `verify --engine libreoffice`)
and prints each sheet with the workbook's own print set-up; pdftoppm (Debian's poppler-utils)
turns the PDF into one PNG per page. Install the Carlito font (fonts-crosextra-carlito): it has
Calibri's metrics, so columns and page breaks fall where Excel puts them.
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


def _trim(image):
    """The page without its empty bottom margin (a little white kept)."""
    from PIL import Image, ImageChops

    background = Image.new(image.mode, image.size, "white")
    box = ImageChops.difference(image, background).getbbox()
    if not box:
        return image
    return image.crop((0, 0, image.size[0], min(image.size[1], box[3] + 20)))


def readme_images(dpi: int = 70) -> list[Path]:
    """docs/cover.png (the Cover) and docs/dashboard.png (the Dashboard's pages of figures and
    charts, one under the other) from a fresh build of the default template."""
    from PIL import Image

    from modelgen.build import build_workbook
    from modelgen.template import load_template

    template = load_template("gpu-abs")
    docs = ROOT / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        workbook = build_workbook(template, Path(tmp) / "gpu-abs.xlsx").path
        cover = render(workbook, Path(tmp) / "cover", ["Cover"], dpi)
        _trim(Image.open(cover[0]).convert("RGB")).save(docs / "cover.png", optimize=True)
        pages = render(workbook, Path(tmp) / "dashboard", ["Dashboard"], dpi)
        pages = sorted(pages, key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if template.deal().node_sale is not None:
            pages = pages[:-1]  # the last page holds the chart data, not a chart
        images = [_trim(Image.open(p).convert("RGB")) for p in pages]
        sheet = Image.new("RGB", (max(i.size[0] for i in images), sum(i.size[1] for i in images)), "white")
        y = 0
        for image in images:
            sheet.paste(image, (0, y))
            y += image.size[1]
        sheet.save(docs / "dashboard.png", optimize=True)
    return [docs / "cover.png", docs / "dashboard.png"]


def main() -> None:
    if "--readme" in sys.argv:
        for path in readme_images():
            print(path)
        return
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
