"""The trustee fee: a senior fee line added as a config field, a glossary entry and one step.

With a fee, the workbook recalculates (IronCalc) to the reference with zero differences and a
master check of 0; with a fee of 0 every figure equals the model without the trustee step.
"""
from __future__ import annotations

import openpyxl
import pytest

from modelgen import waterfall
from modelgen.build import build_workbook, reference_for
from modelgen.summary import build_summary
from modelgen.template import load_template
from modelgen.verify import verify_workbook
from tests.conftest import find_row


@pytest.mark.parametrize("scenario, fee", [("base", 25_000.0), ("crash", 25_000.0), ("base", 900_000.0)])
def test_workbook_with_a_trustee_fee_recalculates_to_the_reference(tmp_path, scenario, fee):
    tpl = load_template("gpu-abs", scenario=scenario, sets=[f"fees.trustee_fee_month={fee}"])
    path = build_workbook(tpl, tmp_path / "t.xlsx").path
    report = verify_workbook(path)  # IronCalc recalculates every formula cell; compared with the reference
    assert report.ok, [str(m) for m in report.mismatches[:5]]
    assert report.values[("CHECKS", "D3")] == 0  # the master check, as the workbook computes it
    waterfall_ws = openpyxl.load_workbook(path)["Waterfall"]
    row = find_row(waterfall_ws, "trustee_fee_accrued")
    month1 = report.values[("WATERFALL", f"F{row}")]
    assert month1 == pytest.approx(fee)  # accrues the fixed amount while the fleet operates
    values = reference_for(tpl).values
    paid = sum(x for x in values.periods["trustee_fee_paid"][1:] if x)
    assert paid > 0
    if fee > 100_000:  # a fee the deal cannot carry goes unpaid and stays a claim
        assert max(values.periods["trustee_fee_unpaid"][1:]) > 0


def test_the_trustee_fee_is_in_the_raise_and_the_reserve():
    base = reference_for(load_template("gpu-abs")).values.scalars
    fee = 10_000.0
    with_fee = reference_for(load_template("gpu-abs", sets=[f"fees.trustee_fee_month={fee}"])).values.scalars
    deal = load_template("gpu-abs").deal()
    rm, senior = deal.structure.reserve_months, deal.structure.tranches[0]
    denominator = 1 - deal.fees.issuance_fee_pct - rm * (deal.fees.mgmt_fee_annual + senior.share * senior.coupon) / 12
    # raise = (capex + reserve_months x (opex_1 + trustee fee)) / denominator
    assert with_fee["raise_amount"] - base["raise_amount"] == pytest.approx(rm * fee / denominator, rel=1e-12)
    assert with_fee["platform"][0] > base["platform"][0]  # the fee is counted with the platform's cash in


def test_a_zero_trustee_fee_changes_no_figure(monkeypatch):
    tpl = load_template("gpu-abs", scenario="crash")
    with_step = {name: build_summary(reference_for(tpl.with_changes(scenario=name))) for name in tpl.scenario_names}
    management_only = [s for s in waterfall.fee_steps() if s.name != "trustee_fee"]
    assert len(management_only) == len(waterfall.fee_steps()) - 1
    monkeypatch.setattr(waterfall, "fee_steps", lambda: management_only)  # the model without the trustee step
    without = {name: build_summary(reference_for(tpl.with_changes(scenario=name))) for name in tpl.scenario_names}
    assert "trustee_fee_paid" not in reference_for(tpl).values.periods
    assert with_step == without
