"""Read every cell's value from an .xlsx file, and replace constants in one, straight from the XML.

The file-based engines (Gnumeric, LibreOffice) write their recalculated workbook as .xlsx. Only
the workbook, its relationships, the shared strings and the worksheets are read: nothing else in
the package (Gnumeric writes notes that openpyxl cannot read) matters for values.
"""
from __future__ import annotations

import posixpath
import re
import shutil
import zipfile
from pathlib import Path
from typing import IO, Any, Iterator, Mapping
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from .base import CellError, CellRef, EngineFailed

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """{sheet title: part name inside the archive}, in workbook order."""
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{PKG_REL}Relationship")}
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(f"{REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        parts[sheet.get("name", "")] = part
    return parts


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    root = ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root.iter(f"{MAIN}si")]


def _cells(data: bytes) -> Iterator[tuple[str, str | None, str | None, str | None]]:
    """(A1, type attribute, <v> text, inline string text) for each cell of a worksheet part."""
    root = ElementTree.fromstring(data)
    for c in root.iter(f"{MAIN}c"):
        v = c.find(f"{MAIN}v")
        inline = c.find(f"{MAIN}is")
        text = "".join(t.text or "" for t in inline.iter(f"{MAIN}t")) if inline is not None else None
        yield c.get("r", ""), c.get("t"), (v.text if v is not None else None), text


def read_values(path: Path) -> dict[CellRef, Any]:
    """Every non-empty cell value of an .xlsx file: {(sheet title, "A1"): value}."""
    try:
        with zipfile.ZipFile(path) as zf:
            strings = _shared_strings(zf)
            values: dict[CellRef, Any] = {}
            for title, part in sheet_parts(zf).items():
                for ref, kind, v, inline in _cells(zf.read(part)):
                    value = _typed(kind, v, inline, strings)
                    if value is not None:
                        values[(title, ref)] = value
            return values
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, IndexError) as exc:
        raise EngineFailed(f"cannot read the recalculated workbook {path.name}: {type(exc).__name__}: {exc}") from None


def _typed(kind: str | None, v: str | None, inline: str | None, strings: list[str]) -> Any:
    if kind == "inlineStr":
        return inline
    if kind == "str":
        return v or ""
    if v is None:
        return None
    if kind == "s":
        return strings[int(v)]
    if kind == "b":
        return v.strip() in ("1", "true", "TRUE")
    if kind == "e":
        return CellError(v)
    return float(v)


def _cell_xml(ref: str, style: str | None, value: Any) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, str):
        return f'<c r="{ref}"{s} t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"{s}><v>{float(value)!r}</v></c>'


def write_cells(src: Path, dst: Path, changes: Mapping[CellRef, Any]) -> None:
    """Copy ``src`` to ``dst`` with the constant cells in ``changes`` replaced (style kept).

    Each cell must already exist in the file (inputs always hold a value)."""
    by_sheet: dict[str, dict[str, Any]] = {}
    for (sheet, ref), value in changes.items():
        by_sheet.setdefault(sheet, {})[ref] = value
    with zipfile.ZipFile(src) as zin:
        parts = sheet_parts(zin)
        edited: dict[str, bytes] = {}
        for sheet, cells in by_sheet.items():
            if sheet not in parts:
                raise EngineFailed(f"cannot set an input on sheet '{sheet}': the workbook has no such sheet")
            text = zin.read(parts[sheet]).decode("utf-8")
            for ref, value in cells.items():
                pattern = re.compile(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', re.S)
                match = pattern.search(text)
                if match is None:
                    raise EngineFailed(f"cannot set {sheet}!{ref}: the cell is empty in the workbook")
                style = re.search(r'\bs="(\d+)"', match.group("attrs"))
                text = text[:match.start()] + _cell_xml(ref, style.group(1) if style else None, value) + text[match.end():]
            edited[parts[sheet]] = text.encode("utf-8")
        tmp = dst.with_suffix(".part")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = edited.get(info.filename)
                if data is None:
                    data = zin.read(info.filename)
                zout.writestr(info, data)
    shutil.move(str(tmp), dst)


ABSOLUTE_TARGET = re.compile(rb'Target="/([^"]*)"')
EMPTY_AUTHORS = b"<authors/>"


def _is_note_part(name: str) -> bool:
    return name.startswith("xl/comments") and name.endswith(".xml")


def needs_normalising(path: Path) -> bool:
    """Whether the package uses forms some readers do not follow: relationships with absolute
    targets (openpyxl writes them) or notes with an empty author list (Gnumeric writes them)."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith(".rels") and ABSOLUTE_TARGET.search(zf.read(name)):
                return True
            if _is_note_part(name) and EMPTY_AUTHORS in zf.read(name):
                return True
    return False


def normalise(src: Path, dst: Path | IO[bytes]) -> None:
    """Copy ``src`` to ``dst`` (a path or a binary file object) with relationship targets made relative to their part and an
    (empty) author in every empty author list. Both forms are valid; IronCalc 0.9 and openpyxl
    read only the second."""

    def rewrite(name: str, data: bytes) -> bytes:
        if name.endswith(".rels"):
            base = posixpath.dirname(posixpath.dirname(name)) or "."
            return ABSOLUTE_TARGET.sub(lambda m: b'Target="' + posixpath.relpath(m.group(1).decode(), base).encode() + b'"', data)
        if _is_note_part(name):
            return data.replace(EMPTY_AUTHORS, b"<authors><author></author></authors>")
        return data

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, rewrite(info.filename, zin.read(info.filename)))
