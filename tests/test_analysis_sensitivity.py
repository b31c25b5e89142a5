"""Sensitivity grids: every cell equals the reference reached as ``modelgen summary --set`` reaches it,
and every output (table, JSON, CSV, Parquet, workbook, PNG) carries the same numbers."""
from __future__ import annotations

import json
import shlex
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from modelgen.analysis.engine import Base
from modelgen.analysis.inputs import metric_value
from modelgen.analysis.sensitivity import run_sensitivity
from modelgen.build import reference_for
from modelgen.cli import main
from modelgen.errors import ModelgenError
from modelgen.summary import build_summary
from modelgen.template import load_template
from click.testing import CliRunner


def summary_for(sets: list[str]) -> dict:
    return build_summary(reference_for(load_template("gpu-abs", sets=sets)))


def test_two_way_grid_equals_the_reference_cell_by_cell():
    base = Base.load("gpu-abs")
    metrics = ["tranches.0.loss_pct", "tranches.Junior.irr", "sale_month"]
    result = run_sensitivity(base, ["revenue.rent_decline=0:0.4:3", "default.forced_month=10:40:4"], metrics)
    assert result.shape == (3, 4)
    assert result.varies[1].values == [10, 20, 30, 40]
    for i, x in enumerate(result.varies[0].values):
        for k, m in enumerate(result.varies[1].values):
            ref = summary_for([f"revenue.rent_decline={x!r}", f"default.forced_month={m}"])
            for metric in metrics:
                expected = metric_value(ref, metric)
                got = result.values[metric][i, k]
                assert (np.isnan(got) and expected is None) or got == expected


def test_metric_errors_name_what_exists():
    base = Base.load("gpu-abs")
    with pytest.raises(ModelgenError, match=r"--metric tranches.0.nope: no field 'nope' in tranches.0 \(it has: name"):
        run_sensitivity(base, ["revenue.rent_decline=0:0.4:3"], ["tranches.0.nope"])
    with pytest.raises(ModelgenError, match=r"'Seniour' is not an item of tranches \(use 0..2 or a name: Senior"):
        run_sensitivity(base, ["revenue.rent_decline=0:0.4:3"], ["tranches.Seniour.irr"])
    with pytest.raises(ModelgenError, match="a section, not a figure"):
        run_sensitivity(base, ["revenue.rent_decline=0:0.4:3"], ["sources_uses"])
    with pytest.raises(ModelgenError, match="text"):
        run_sensitivity(base, ["revenue.rent_decline=0:0.4:3"], ["tranches.0.name"])


def test_every_output_carries_the_grid(tmp_path):
    out = {k: tmp_path / f"s.{k}" for k in ("csv", "parquet", "xlsx", "png")}
    args = ["sensitivity", "gpu-abs", "--vary", "revenue.rent_decline=0.1:0.3:3", "--vary", "revenue.util_target=0.7:0.9:2",
            "--metric", "tranches.0.loss_pct", "--metric", "tranches.2.irr", "--json",
            "--csv", str(out["csv"]), "--parquet", str(out["parquet"]), "--xlsx", str(out["xlsx"]), "--plot", str(out["png"])]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output + res.stderr
    data = json.loads(res.stdout)
    points = data["points"]
    assert len(points) == 6
    csv = pd.read_csv(out["csv"])
    pq = pd.read_parquet(out["parquet"])
    for frame in (csv, pq):
        assert list(frame["tranches.0.loss_pct"]) == pytest.approx([p["tranches.0.loss_pct"] for p in points], rel=1e-15)
    assert out["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    wb = openpyxl.load_workbook(out["xlsx"])
    assert wb.sheetnames == ["Cover", "Sensitivity", "Heat map"]
    assert "reference output" in " ".join(str(c.value) for row in wb["Cover"].iter_rows() for c in row if c.value)
    ws = wb["Sensitivity"]
    header = [c.value for c in ws[4]]
    assert header == ["revenue.rent_decline", "revenue.util_target", "tranches.0.loss_pct", "tranches.2.irr", "Build command"]
    for row in ws.iter_rows(min_row=5, values_only=True):
        # each row's command rebuilds its case: the --set values give the row's figures
        words = shlex.split(row[4])
        assert words[:3] == ["modelgen", "build", "gpu-abs"]
        sets = [words[i + 1] for i, w in enumerate(words) if w == "--set"]
        ref = summary_for(sets)
        # (xlsxwriter writes 16 significant digits)
        assert row[2] == pytest.approx(metric_value(ref, "tranches.0.loss_pct"), rel=1e-15, abs=1e-300)
        irr = metric_value(ref, "tranches.2.irr")   # None where the IRR is n/a (no root, or below the floor)
        assert row[3] == ("n/a" if irr is None else pytest.approx(irr, rel=1e-15))
    with zipfile.ZipFile(out["xlsx"]) as z:
        sheets = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
        assert any("colorScale" in text for text in sheets.values())       # the heat map


def test_one_way_workbook_has_a_native_chart(tmp_path):
    path = tmp_path / "one.xlsx"
    res = CliRunner().invoke(main, ["sensitivity", "--vary", "opex.power_price=0.05:0.5:4", "--metric", "tranches.1.loss",
                                    "--xlsx", str(path)])
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    assert "opex.power_price" in res.output and "tranches.1.loss" in res.output
