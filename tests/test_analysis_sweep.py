"""Verifying a library of workbooks: files and globs, across a dask LocalCluster, results in order."""
from __future__ import annotations

import openpyxl
import pytest

from modelgen.analysis.sweep import expand, report_lines, verify_many
from modelgen.build import build_workbook
from modelgen.errors import ModelgenError
from modelgen.template import load_template


def test_globs_expand_in_order_without_repeats(tmp_path):
    for name in ("b.xlsx", "a.xlsx", "c.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.xlsx").write_text("x")
    files = expand([str(tmp_path / "*.xlsx"), str(tmp_path / "a.xlsx"), str(tmp_path / "**" / "*.xlsx")])
    assert [f.name for f in files] == ["a.xlsx", "b.xlsx", "d.xlsx"]
    with pytest.raises(ModelgenError, match="no file matches"):
        expand([str(tmp_path / "*.xlsm")])
    with pytest.raises(ModelgenError, match="no such file"):
        expand([str(tmp_path / "missing.xlsx")])


@pytest.mark.slow
def test_verify_many_across_a_local_cluster(small_template_path, tmp_path):
    good = tmp_path / "1-good.xlsx"
    build_workbook(load_template(small_template_path), good)
    tampered = tmp_path / "2-tampered.xlsx"
    build_workbook(load_template(small_template_path), tampered)
    wb = openpyxl.load_workbook(tampered)
    ws = wb["Waterfall"]
    row = next(r[0].row for r in ws.iter_rows(min_col=3, max_col=3) if r[0].value == "revenue")
    ws.cell(row=row, column=7).value = 123.0          # month 2's revenue typed over its formula
    wb.save(tampered)
    junk = tmp_path / "3-junk.xlsx"
    junk.write_text("not a workbook")
    results = verify_many([str(tmp_path / "*.xlsx")], workers=2)
    assert [r.path for r in results] == [str(good), str(tampered), str(junk)]
    assert results[0].ok and results[0].formula_cells > 0 and results[0].line().startswith("OK")
    assert not results[1].ok and results[1].mismatches >= 1 and results[1].line().startswith("FAILED")
    assert not results[2].ok and results[2].error and results[2].line().startswith("ERROR")
    lines, code = report_lines(results)
    assert code == 1 and lines[-1] == "1 of 3 checks OK over 3 workbook(s); 2 FAILED"
