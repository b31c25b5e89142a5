"""Proof by recalculation: every bundled template, every scenario.

Each template's workbook is built once and compiled once with the ``formulas`` package; each
scenario is then recalculated by switching the workbook's own scenario selector (as an analyst
would in Excel) and every formula cell is compared with the reference model computed for that
scenario (relative 1e-9 or absolute 1e-6). No cached value is read.
"""
from __future__ import annotations

import pytest

from modelgen.build import build_workbook
from modelgen.template import bundled_templates, load_template
from modelgen.verify import load_model, verify_workbook

CASES = [(name, scenario) for name in bundled_templates() for scenario in load_template(name).scenario_names]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """{template name: (path, compiled formulas model)}, built lazily and kept for the module."""
    cache: dict[str, tuple] = {}

    def get(name: str):
        if name not in cache:
            path = tmp_path_factory.mktemp("recalc") / f"{name}.xlsx"
            build_workbook(load_template(name), path)
            cache[name] = (path, load_model(path))
        return cache[name]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("name, scenario", CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_workbook_matches_reference(compiled, name, scenario):
    path, model = compiled(name)
    report = verify_workbook(path, model=model, scenario=scenario)
    assert report.scenario == scenario
    assert report.formula_cells > 1000
    assert sum(r.cells for r in report.sheets.values()) == report.formula_cells, "some formula cells were not compared"
    assert report.ok, "\n".join(str(m) for m in report.mismatches[:20])
    # every calculation sheet took part in the comparison
    assert {"Timeline", "Depreciation", "Waterfall", "Tranches", "Returns", "Participants", "Checks"} <= set(report.sheets)
