"""Breakeven: the root finder's brackets checked against the reference reached another way.

Each breakeven is re-evaluated through the path ``modelgen summary --set`` takes (load_template
with a --set, the reference for the template, the summary), not through the analysis engine:
the class must lose at the breakeven and not at the other end of a bracket no wider than the
printed tolerance.
"""
from __future__ import annotations

import pytest

from modelgen.analysis.breakeven import LOSS_THRESHOLD, find_breakevens
from modelgen.analysis.engine import Base, yaml_scalar
from modelgen.analysis.prove import Proof, prove_breakevens
from modelgen.analysis.recalc import compare
from modelgen.build import reference_for
from modelgen.errors import ModelgenError
from modelgen.summary import build_summary
from modelgen.template import load_template

# (stress path, extra --set options): the six stresses the docs name
STRESSES = [
    ("revenue.rent_decline", ()),
    ("opex.power_price", ()),
    ("revenue.util_target", ()),
    ("default.forced_month", ()),
    ("shock.rent_drop", ("shock.month=18",)),
    ("shock.value_drop", ("shock.month=12", "default.forced_month=36")),
]


def summary_at(sets: tuple[str, ...], path: str, value) -> dict:
    tpl = load_template("gpu-abs", sets=list(sets) + [f"{path}={yaml_scalar(value)}"])
    return build_summary(reference_for(tpl))


def loses(summary: dict, j: int) -> bool:
    t = summary["tranches"][j]
    return t["loss"] > LOSS_THRESHOLD * t["invested"]


@pytest.mark.parametrize("path,sets", STRESSES, ids=[s[0] for s in STRESSES])
def test_breakeven_brackets_hold_on_the_reference(path, sets):
    base = Base.load("gpu-abs", sets=sets)
    result = find_breakevens(base, path)
    assert any(c.crossings for c in result.classes)      # the stress bites on some class in its default range
    for c in result.classes:
        for x in c.crossings:
            assert abs(x.value - x.safe) <= result.tolerance
            assert loses(summary_at(sets, path, result.stress.value(x.value)), c.index)
            assert not loses(summary_at(sets, path, result.stress.value(x.safe)), c.index)
            # the direction says which side loses
            assert (x.value > x.safe) == (x.direction == "up")
        if not c.crossings:
            ends = [summary_at(sets, path, result.stress.value(v)) for v in (result.lo, result.hi)]
            assert all(loses(s, c.index) for s in ends) == (c.status == "loses everywhere")
            assert (not any(loses(s, c.index) for s in ends)) == (c.status == "no loss in range")


def test_integer_input_is_searched_over_whole_months():
    base = Base.load("gpu-abs")
    result = find_breakevens(base, "default.forced_month")
    assert result.stress.integer and (result.lo, result.hi) == (1, base.term) and result.tolerance == 1
    crossings = [x for c in result.classes for x in c.crossings]
    assert crossings
    for x in crossings:      # an earlier default hurts: the class loses at and below the breakeven month
        assert x.direction == "down" and x.safe == x.value + 1 and float(x.value).is_integer()


def test_loses_everywhere_and_user_range():
    result = find_breakevens(Base.load("gpu-abs"), "revenue.rent_decline", (0.5, 0.6))
    assert (result.lo, result.hi) == (0.5, 0.6)
    assert [c.status for c in result.classes] == ["loses everywhere"] * 3


@pytest.mark.parametrize("path,rng,message", [
    ("structure.amortization", None, "not a numeric input"),
    ("name", None, "not a numeric input"),
    ("revenue", None, "not a numeric input (it is a section)"),
    ("revenue.nope", None, "unknown input path"),
    ("revenue.rent_decline", (0.3, 0.3), "LO (0.3) must be below HI (0.3)"),
    ("revenue.rent_decline", (0.4, 0.1), "must be below HI"),
    ("revenue.util_target", (0.5, 1.5), "less than or equal to 1"),
])
def test_bad_stress_is_one_clear_error(path, rng, message):
    with pytest.raises(ModelgenError, match=message.replace("(", r"\(").replace(")", r"\)")):
        find_breakevens(Base.load("gpu-abs"), path, rng)


def test_prove_builds_both_sides_and_recalculates(tmp_path):
    base = Base.load("gpu-abs")
    result = find_breakevens(base, "default.forced_month")
    proofs = prove_breakevens(base, result, tmp_path)
    assert len(proofs) == 2 * sum(len(c.crossings) for c in result.classes) > 0   # two sides per breakeven
    for p in proofs:
        assert p.workbook.is_file()
        assert p.ok, p.to_dict()
        assert p.loses == (p.side == "loss")
    # a proof can fail: a loss on the no-loss side, or a workbook that differs from the reference
    p = proofs[0]
    assert not Proof(p.cls, p.index, "no loss", p.value, p.workbook, p.command, 1e3 * p.invested, p.invested).ok
    reference = base.evaluate([{"default.forced_month": int(p.value)}])[0]
    figures = {"default_month": reference["default_month"], "sale_month": reference["sale_month"],
               "tranches": [dict(t) for t in reference["tranches"]]}
    assert compare(reference, figures) == []
    figures["tranches"][1]["loss"] += 1.0
    assert [d.field for d in compare(reference, figures)] == ["tranches.1.loss"]
