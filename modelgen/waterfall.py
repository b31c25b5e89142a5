"""The priority of payments, declared once (docs/model.md section 3).

An ordered list of named steps. The reference model implements each step *kind* once, as a
small function named after it (``modelgen.reference``); the workbook writer implements each
kind once, as the rows it emits (``modelgen.workbook``). Neither imports the other: both read
this list, so the YAML-level description, the block of Excel rows and the reference function
line up one to one, and ``modelgen verify`` tests that the two transcriptions agree.

Adding a senior fee line is one entry here (kind ``fee``), one config field and one glossary
entry: both engines already know how to pay a fee step.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# Step kinds and what each pays (A = cash available, after the reserve release):
#   opex       operating costs accrued this month + arrears; the reserve covers a shortfall
#   fee        a senior fee accrued this month + arrears; the reserve covers a shortfall
#   interest   class j interest accrued + arrears (reserve covers class 1 only); holiday: capitalise
#   principal  class j principal due (its share of the aggregate target, or its whole balance in sweep)
#   reserve    top-up of the liquidity reserve to its target
#   residual   what is left: junior_excess_share to the most junior class, the rest to the sponsor
KINDS = ("opex", "fee", "interest", "principal", "reserve", "residual")


@dataclass(frozen=True)
class Step:
    """One step of the priority of payments.

    ``name`` is the row-key stem the step's rows share (``opex``, ``mgmt_fee``, ``interest_2``);
    ``cls`` is the class number (1 = most senior) for interest and principal steps.
    """

    kind: str
    name: str
    label: str
    cls: Optional[int] = None
    reserve_covers: bool = False
    rate: Optional[str] = None    # fee steps: the input (dotted path) that sizes the fee
    basis: Optional[str] = None   # fee steps: "balance_annual" (rate / 12 * notes outstanding) or "fixed_month"

    @property
    def class_number(self) -> int:
        """The class an interest or principal step pays (1 = most senior)."""
        if self.cls is None:
            raise ValueError(f"step {self.name} pays no class")
        return self.cls

    @property
    def cash_after_key(self) -> str:
        """Row key of the cash left after this step."""
        return f"cash_after_{self.name}"


def fee_steps() -> list[Step]:
    """Senior fees, paid after operating costs and before any class, in this order."""
    return [Step("fee", "mgmt_fee", "Platform management fee", reserve_covers=True,
                 rate="fees.mgmt_fee_annual", basis="balance_annual"),
            Step("fee", "trustee_fee", "Trustee fee", reserve_covers=True, rate="fees.trustee_fee_month", basis="fixed_month")]


def priority_of_payments(tranche_names: list[str]) -> list[Step]:
    """The version-2 order: opex, fees, class 1 interest, class 1 principal, reserve top-up, then
    for each junior class its interest and its principal, then the residual."""
    steps = [Step("opex", "opex", "Operating costs", reserve_covers=True)]
    steps += fee_steps()
    for j, name in enumerate(tranche_names, start=1):
        steps.append(Step("interest", f"interest_{j}", f"{name}: interest", cls=j, reserve_covers=(j == 1)))
        steps.append(Step("principal", f"principal_{j}", f"{name}: principal", cls=j))
        if j == 1:
            steps.append(Step("reserve", "reserve_topup", "Reserve top-up to its target"))
    steps.append(Step("residual", "residual", "Residual: excess yield and sponsor"))
    return steps


# Participants of the whole-life cash table (section 6): key, label, the risk each bears.
PARTICIPANTS = [
    ("sponsor", "Sponsor (AI company)", "Last in line: gets only what is left after costs, fees and investors; loses the business on default"),
    ("platform", "Platform (arranger / RWA protocol)", "Almost none: fees are taken at issuance and ahead of investors; its retained slice is junior"),
    ("hardware_vendors", "Hardware vendors", "None: paid in full in cash at closing"),
    ("power_and_colocation", "Power and colocation providers", "Low: paid first in the waterfall and first from the sale"),
    ("customers", "Rental customers", "Price risk only: they pay rent for compute they use"),
    ("secondary_buyers", "Secondary-market buyers of the GPUs", "Buy used GPUs at auction; bear the residual value from there"),
    ("liquidation_agent", "Liquidation agent", "None: paid from sale proceeds before investors"),
]
