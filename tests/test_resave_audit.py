"""An audit that survives a re-save: every bundled template, re-saved by LibreOffice and by
openpyxl, audits clean; the normal form still lets a real change through."""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest

from conftest import find_row
from modelgen.audit import Canon, audit_workbook, normal_form
from modelgen.build import build_workbook
from modelgen.libreoffice import find_soffice
from modelgen.template import bundled_templates, load_template

needs_libreoffice = pytest.mark.skipif(find_soffice() is None and not os.environ.get("CI"),
                                       reason="LibreOffice (soffice) is not installed")


@pytest.mark.parametrize("written, resaved", [
    ("=MATCH(TRUE,A1:A3>0,0)", "=MATCH(TRUE(),A1:A3>0,0)"),
    ("=IF(A1,FALSE,1)", "=IF(A1, FALSE(), 1)"),
    ("=A1*0.5+1/12", "=A1*.5+1/12"),
    ("=A1*1000000", "=A1*1E+6"),
    ("=STDEV(A1:A3)", "=_xlfn.STDEV(A1:A3)"),
    ("='Node ROI'!A1+1", "='Node ROI'!A1 + 1"),
])
def test_equivalent_spellings_have_one_normal_form(written, resaved):
    assert normal_form(written) == normal_form(resaved)


@pytest.mark.parametrize("one, other", [
    ("=MATCH(TRUE,A1:A3>0,0)", "=MATCH(FALSE,A1:A3>0,0)"),
    ("=A1*0.5", "=A1*0.05"),
    ("=A1+tranche1_coupon", "=A1+tranche2_coupon"),
    ("='Node ROI'!A1", "='Node tiers'!A1"),
    ('=IF(A1,"TRUE()",1)', '=IF(A1,"TRUE",1)'),
])
def test_different_formulas_stay_different(one, other):
    wb = openpyxl.Workbook()
    canon = Canon(wb)
    assert canon.formula(one, "Sheet", 5) != canon.formula(other, "Sheet", 5)


def _libreoffice_resave(path: Path, out_dir: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([find_soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), str(path)],
                       check=True, capture_output=True, timeout=600)
    return out_dir / path.name


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resave")
    return {name: build_workbook(load_template(name), folder / f"{name}.xlsx").path for name in bundled_templates()}


@pytest.mark.parametrize("name", list(bundled_templates()))
def test_openpyxl_resave_audits_clean(built, tmp_path, name):
    out = tmp_path / f"{name}.xlsx"
    openpyxl.load_workbook(built[name]).save(out)
    report = audit_workbook(out)
    assert report.clean, [str(f) for f in report.findings[:5]]
    assert report.cells_compared > 400  # the smallest template (ionet-byod, BYOD only) has about 500


@needs_libreoffice
@pytest.mark.parametrize("name", list(bundled_templates()))
def test_libreoffice_resave_audits_clean(built, tmp_path, name):
    resaved = _libreoffice_resave(built[name], tmp_path)
    text = "".join(str(getattr(c.value, "text", c.value)) for ws in openpyxl.load_workbook(resaved).worksheets
                   for row in ws.iter_rows() for c in row if c.data_type == "f")
    report = audit_workbook(resaved)
    assert report.clean, [str(f) for f in report.findings[:5]]
    assert report.cells_compared > 400  # the smallest template (ionet-byod, BYOD only) has about 500
    if name == "gpu-abs":
        assert "TRUE()" in text  # the re-save did rewrite formulas: the test compares two spellings


@needs_libreoffice
def test_libreoffice_resave_still_shows_a_real_edit(built, tmp_path):
    resaved = _libreoffice_resave(built["gpu-abs"], tmp_path)
    wb = openpyxl.load_workbook(resaved)
    ws = wb["Waterfall"]
    ws.cell(find_row(ws, "revenue"), 8).value = 1.0
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    report = audit_workbook(edited)
    assert [f.kind for f in report.findings] == ["hard-coded"]
