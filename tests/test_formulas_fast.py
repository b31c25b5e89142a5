"""The fast ``formulas`` path (one compilation per formula shape) computes exactly what the plain
``formulas`` path (every cell compiled on its own) computes, on every bundled template."""
from __future__ import annotations

import math

import pytest

from modelgen.engines import CellError
from modelgen.engines.formulas_engine import FormulasEngine, shape_of
from modelgen.template import bundled_templates, load_template
from modelgen.verify import CellIndex
from modelgen.workbook.inputs_sheet import INPUTS_SHEET, SELECTOR_ROW


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, CellError) or isinstance(b, CellError):
        return str(a) == str(b)
    return a == b and type(a) is type(b)


def test_shape_is_relative_to_the_cell():
    g9, refs_g = shape_of('=F9+Timeline!$D$3*SUM($F$8:$AZ$8)+"G9"', 9, 7)
    h9, refs_h = shape_of('=G9+Timeline!$D$3*SUM($F$8:$AZ$8)+"G9"', 9, 8)
    assert g9 == h9 == '=R[0]C[-1]+Timeline!R3C4*SUM(R8C6:R8C52)+"G9"'
    assert refs_g[0] == (None, "F9") and refs_h[0] == (None, "G9") and refs_g[1] == ("Timeline", "D3")
    assert shape_of("=F9", 9, 7)[0] != shape_of("=F10", 9, 7)[0]


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xdist_group(n)) for n in bundled_templates()])
def test_fast_path_gives_the_plain_path_values(loaded_engine, prepared, name):
    fast = loaded_engine("formulas", name)
    saved = prepared(name, load_template(name).selected)  # the scenario saved in the file
    fast.set_inputs({(INPUTS_SHEET, f"D{SELECTOR_ROW + 1}"): saved.template.selected})  # a shared engine may hold another
    fast.evaluate()
    assert fast.model.stats["bound"] > 5 * fast.model.stats["compiled"], fast.model.stats  # the fast path was taken
    with FormulasEngine(shared=False).load(saved.path) as plain:
        plain.evaluate()
        index = CellIndex(saved.wb)
        differ = [(t.sheet, t.cell, fast.value(t.sheet, t.cell), plain.value(t.sheet, t.cell))
                  for t in index.targets if t.formula and not same(fast.value(t.sheet, t.cell), plain.value(t.sheet, t.cell))]
        assert not differ, differ[:10]
        assert set(fast.values) == set(plain.values), "the two paths computed different sets of cells"
