"""Version-2 inputs: defaults that keep a version-1 template loading, and one clear line naming the
field for every bad value (exit code 2, no file written)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import SMALL_DEAL
from modelgen.cli import main
from modelgen.errors import TemplateError
from modelgen.template import load_template


def test_version_1_template_loads_with_version_2_defaults():
    deal = load_template(str(SMALL_DEAL)).deal()
    assert deal.assets.scrap_value_pct == 0 and deal.assets.buyer_discount_annual is None
    assert deal.revenue.rent_path is None and deal.opex.idle_power_share == 1
    s = deal.structure
    assert (s.principal_allocation, s.interest_holiday_months, s.platform_retention) == ("sequential", 0, 0)
    assert (s.triggers.dscr_min, s.triggers.dscr_months, s.triggers.ltv_max) == (1.0, 2, 0)
    assert (deal.secondary.spread, deal.secondary.normal_haircut, deal.secondary.crunch_haircut) == (0.03, 0.02, 0.5)


def test_null_default_inputs_can_be_set():
    deal = load_template(str(SMALL_DEAL), sets=["assets.buyer_discount_annual=0.12",
                                                 "revenue.rent_path=[2, 2, 1.9, 1.8, 1.7, 1.6]"]).deal()
    assert deal.assets.buyer_discount_annual == 0.12
    assert deal.revenue.rent_path == [2, 2, 1.9, 1.8, 1.7, 1.6]


@pytest.mark.parametrize("path, value, message", [
    ("structure.principal_allocation", "waterfall", "structure.principal_allocation"),
    ("structure.amortization", "mortgage", "structure.amortization"),
    ("structure.triggers.dscr_min", -0.5, "structure.triggers.dscr_min"),
    ("structure.triggers.ltv_max", -1, "structure.triggers.ltv_max"),
    ("structure.triggers.dscr_months", -2, "structure.triggers.dscr_months"),
    ("revenue.rent_path", "[2.0, 1.9]", "revenue.rent_path: has 2 rents; it needs one per month of term_months \\(6\\)"),
    ("revenue.rent_path", "[2, 2, 0, 1.8, 1.7, 1.6]", "revenue.rent_path.2"),
    ("structure.platform_retention", 1.5, "structure.platform_retention"),
    ("structure.platform_retention", -0.1, "structure.platform_retention"),
    ("structure.interest_holiday_months", 6, "structure.interest_holiday_months: 6 must be shorter than term_months"),
    ("assets.buyer_discount_annual", -1, "assets.buyer_discount_annual"),
    ("assets.scrap_value_pct", 2, "assets.scrap_value_pct"),
    ("assets.scrap_value_pct", "1.0e-300", "assets.scrap_value_pct: must be 0 or at least 0.000001"),
    ("opex.idle_power_share", 1.2, "opex.idle_power_share"),
    ("secondary.crunch_haircut", 1.5, "secondary.crunch_haircut"),
])
def test_bad_version_2_input_names_the_field(path, value, message):
    with pytest.raises(TemplateError, match=message) as info:
        load_template(str(SMALL_DEAL), sets=[f"{path}={value}"])
    assert "\n" not in str(info.value)


def test_bad_input_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(main, ["build", str(SMALL_DEAL), "-o", str(out), "--set", "structure.interest_holiday_months=9"])
    assert result.exit_code == 2
    assert "structure.interest_holiday_months" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()
