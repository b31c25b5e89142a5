"""Template loading: scenarios, --set, dotted paths, and the errors they give."""
from __future__ import annotations

import pytest

from conftest import SMALL_DEAL
from modelgen.errors import TemplateError
from modelgen.template import flatten, load_template, parse_set, unflatten


def test_flatten_roundtrip():
    tree = {"a": 1, "b": {"c": [{"d": 2}, {"d": 3}]}}
    flat = flatten(tree)
    assert flat == {"a": 1, "b.c.0.d": 2, "b.c.1.d": 3}
    assert unflatten(flat) == tree


def test_scenarios_override_and_set_wins():
    tpl = load_template(str(SMALL_DEAL))
    assert tpl.scenario_names == ["base", "stress", "sweep"]
    assert tpl.deal("stress").revenue.rent0 == 0.30
    assert tpl.deal("base").revenue.rent0 == 2.0
    changed = tpl.with_changes("stress", ["revenue.rent0=1.1", "structure.tranches.1.coupon=0.3"])
    assert changed.deal().revenue.rent0 == 1.1  # --set applies on top of the scenario
    assert changed.deal().structure.tranches[1].coupon == 0.3
    assert changed.selected == "stress"


def test_parse_set_yaml_values():
    assert parse_set("a.b=0.5") == ("a.b", 0.5)
    assert parse_set("structure.amortization=sweep") == ("structure.amortization", "sweep")
    with pytest.raises(TemplateError, match="a value is required"):
        parse_set("a.b=")


def test_bundled_templates_cite_sources():
    text = load_template("gpu-abs").text
    for marker in ("[1]", "[2]", "[5]", "CBRE", "CoreWeave"):
        assert marker in text


@pytest.mark.parametrize("path, value, message", [
    ("revenue.util_target", 1.5, "less than or equal to 1"),
    ("structure.amortization", "balloon", "structure.amortization"),
    ("default.shortfall_months", 0, "default.shortfall_months"),
    ("fees.issuance_fee_pct", 0.95, "leave nothing to buy GPUs with"),
])
def test_validation_names_the_field(path, value, message):
    with pytest.raises(TemplateError, match=message):
        load_template(str(SMALL_DEAL), sets=[f"{path}={value}"])
