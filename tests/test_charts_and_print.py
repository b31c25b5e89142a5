"""Charts that do not mislead and pages that can be read, checked in the file itself: gaps
(#N/A) where a payback never happens, smoothing written off, no chart across a page break,
month sheets across A3 pages with A:D repeated, and a master check that is red only when failing."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from modelgen.build import build_workbook, reference_for
from modelgen.chart_data import CHART_GAP, payback_chart_columns
from modelgen.template import load_template
from modelgen.workbook.dashboard import BANDS_PER_PAGE, CHART_BAND
from modelgen.workbook.styles import FAILING_FILL, PASSING_FONT

NS = {"xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


@pytest.fixture(scope="module")
def gpu_abs(tmp_path_factory):
    template = load_template("gpu-abs")
    path = build_workbook(template, tmp_path_factory.mktemp("charts") / "gpu-abs.xlsx").path
    return path, template


def _sheet_xml(zf: zipfile.ZipFile, wb, title: str) -> tuple[str, str]:
    index = wb.sheetnames.index(title) + 1
    name = f"xl/worksheets/sheet{index}.xml"
    rels = zf.read(f"xl/worksheets/_rels/sheet{index}.xml.rels").decode() if \
        f"xl/worksheets/_rels/sheet{index}.xml.rels" in zf.namelist() else ""
    return zf.read(name).decode(), rels


def test_never_is_a_gap_in_the_payback_chart(gpu_abs):
    path, template = gpu_abs
    reference = reference_for(template).values.scalars
    wb = openpyxl.load_workbook(path)
    ws = wb["Dashboard"]
    rows = {r[2].value: r for r in ws.iter_rows() if isinstance(r[2].value, str) and r[2].value.startswith("chart_payback_tier_")}
    assert len(rows) == template.deal().node_sale.tier_count
    never = 0
    for k in range(1, len(rows) + 1):
        cells = rows[f"chart_payback_tier_{k}"][3:8]
        for cell in cells:
            assert cell.value.startswith("=IF(ISNUMBER(") and cell.value.endswith(",NA())"), cell.value
    cached = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    for row in cached.iter_rows():
        if isinstance(row[2].value, str) and row[2].value.startswith("chart_payback_tier_"):
            tier = reference[row[2].value.removeprefix("chart_payback_")]
            for cell, (_, column) in zip(row[3:8], payback_chart_columns()):
                days = tier[column]
                if isinstance(days, (int, float)):
                    assert cell.value == pytest.approx(days)
                else:
                    assert days == "never" and cell.value == CHART_GAP
                    never += 1
    assert never > 0, "gpu-abs has tiers that never pay back when claiming at once: the gap is exercised"
    with zipfile.ZipFile(path) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    payback = next(c for c in charts if "Node payback by tier" in c)
    assert "Dashboard!$D$" in payback, "the payback chart reads the chart data, not the text 'never'"
    assert "'Node tiers'!$P$" not in payback and "'Node tiers'!$Q$" not in payback
    assert '<c16r3:dispNaAsBlank val="1"/>' in payback
    assert '<c:legendEntry><c:idx val="5"/><c:delete val="1"/></c:legendEntry>' in payback
    # the spare series must stay empty: LibreOffice leaves #N/A a gap only when the data has an empty cell
    spare = re.search(r"<c:v>\(empty\)</c:v>.*?<c:f>Dashboard!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)</c:f>", payback, re.S)
    column, first, last = spare.group(1), int(spare.group(2)), int(spare.group(3))
    assert all(ws[f"{column}{r}"].value is None for r in range(first, last + 1))


def test_line_charts_are_not_smoothed(gpu_abs):
    path, _ = gpu_abs
    with zipfile.ZipFile(path) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    lines = [c for c in charts if "<c:lineChart>" in c]
    assert len(lines) >= 3
    for chart in lines:
        line_part = chart[chart.index("<c:lineChart>"):chart.index("</c:lineChart>")]
        series = line_part.count("<c:ser>")
        assert line_part.count('<c:smooth val="0"/>') == series, "every line series says smooth off"
        assert '<c:smooth val="1"/>' not in chart


def _anchors(zf: zipfile.ZipFile, rels: str) -> list[tuple[int, int]]:
    import xml.etree.ElementTree as ET
    drawing = re.search(r'Target="../drawings/(drawing\d+\.xml)"', rels).group(1)
    root = ET.fromstring(zf.read(f"xl/drawings/{drawing}"))
    out = []
    for anchor in root:
        start = anchor.find("xdr:from/xdr:row", NS)
        end = anchor.find("xdr:to/xdr:row", NS)
        out.append((int(start.text), int(end.text)))
    return out


@pytest.mark.parametrize("name", ["gpu-abs", "gpu-token-seed", "aethir-checker-nodes"])
def test_no_chart_is_cut_by_a_page_break(tmp_path, name):
    path = build_workbook(load_template(name), tmp_path / f"{name}.xlsx").path
    wb = openpyxl.load_workbook(path)
    with zipfile.ZipFile(path) as zf:
        sheet, rels = _sheet_xml(zf, wb, "Dashboard")
        anchors = _anchors(zf, rels)
    breaks = sorted(int(b) for b in re.findall(r'<brk id="(\d+)"', sheet.split("<rowBreaks", 1)[1]))
    assert anchors
    for first, last in anchors:  # 0-based rows of the chart's top and bottom edges
        assert not [b for b in breaks if first < b <= last], (first, last, breaks)
    first_chart = min(a[0] for a in anchors)
    assert first_chart in breaks, "the charts start on a page of their own"
    for b, nxt in zip(breaks, breaks[1:] + [max(a[1] for a in anchors) + 1]):
        on_page = [a for a in anchors if b <= a[0] < nxt]
        assert all(a[1] < b + BANDS_PER_PAGE * CHART_BAND for a in on_page)


def test_month_sheets_print_across_a3_pages_a_year_a_page(gpu_abs):
    path, _ = gpu_abs
    wb = openpyxl.load_workbook(path)
    ws = wb["Waterfall"]
    assert ws.page_setup.paperSize == 8 and ws.page_setup.orientation == "landscape"
    assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
    assert 60 <= ws.page_setup.scale <= 100
    assert ws.print_title_cols == "$A:$D" and ws.print_title_rows == "$1:$5"
    breaks = [b.id for b in ws.col_breaks.brk]
    assert breaks[0] == 17 and all(b2 - b1 == 12 for b1, b2 in zip(breaks, breaks[1:]))  # Close..M12, then 12 months
    assert ws.cell(5, breaks[0] + 1).value == "M13"
    table = wb["Participants"]
    assert table.page_setup.paperSize == 8


def test_master_check_is_calm_when_it_passes_and_red_when_it_fails(gpu_abs):
    path, _ = gpu_abs
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        cell = ws["D3"]
        assert cell.data_type == "f", ws.title
        assert cell.font.color.rgb.upper().endswith(PASSING_FONT.lstrip("#").upper()), ws.title
        assert cell.font.color.rgb.upper() != "FF" + FAILING_FILL.lstrip("#").upper()
        rules = [rule for rng in ws.conditional_formatting for rule in rng.rules if "D3" in str(rng.sqref)]
        assert rules and rules[0].dxf.fill.bgColor.rgb.upper().endswith(FAILING_FILL.lstrip("#").upper()), ws.title
