"""The priority of payments, one small function per step kind (docs/model.md section 3).

Each function pays one step of :func:`modelgen.waterfall.priority_of_payments` for every deal
of a batch at once: A (``m.cash``) is the cash left, an array over deals, and every value is an
array too, so no step branches on a value (``np.minimum`` / ``np.where`` instead of ``if``).
Notation: op = the fleet operates this month; prev(x) = x in the month before.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..waterfall import Step


@dataclass
class Month:
    """The month t being paid: the rows written so far, the cash left and the reserve left to draw."""

    rows: dict[str, np.ndarray]   # key -> (n, S)
    t: int
    op: np.ndarray                # operating flag (S,)
    cash: np.ndarray              # A: the cash left (S,)
    reserve_left: np.ndarray      # reserve_open - reserve_release - draws so far (S,)
    p: dict[str, np.ndarray]      # the batch's per-deal inputs
    holiday: np.ndarray           # [t <= interest_holiday_months] (S,)
    draw_keys: tuple[str, ...]    # the rows of this month's reserve draws, in payment order

    def prev(self, key: str) -> np.ndarray:
        return self.rows[key][self.t - 1]

    def get(self, key: str) -> np.ndarray:
        return self.rows[key][self.t]

    def put(self, key: str, value) -> np.ndarray:
        self.rows[key][self.t] = value
        return self.rows[key][self.t]

    def pay_cash(self, due: np.ndarray) -> np.ndarray:
        """Pay MIN(A, due) out of A."""
        paid = np.minimum(self.cash, due)
        self.cash = self.cash - paid
        return paid

    def draw_reserve(self, shortfall: np.ndarray) -> np.ndarray:
        """Draw op * MIN(reserve left, shortfall) from the reserve."""
        draw = self.op * np.minimum(self.reserve_left, shortfall)
        self.reserve_left = self.reserve_left - draw
        return draw


def _senior_claim(m: Month, name: str, accrued: np.ndarray, reserve_covers: bool) -> None:
    due = m.put(f"{name}_due", accrued + m.prev(f"{name}_unpaid"))
    paid_cash = m.put(f"{name}_paid_cash", m.pay_cash(due))
    draw = m.draw_reserve(due - paid_cash) if reserve_covers else np.zeros_like(due)
    m.put(f"{name}_reserve_draw", draw)
    m.put(f"{name}_paid", paid_cash + draw)
    m.put(f"{name}_unpaid", due - paid_cash - draw)
    m.put(f"cash_after_{name}", m.cash)


def opex(m: Month, step: Step) -> None:
    """Operating costs, step 1.

    opex_due = opex_accrued + opex_unpaid(t-1); opex_paid_cash = MIN(A, opex_due);
    opex_reserve_draw = op * MIN(reserve left, opex_due - opex_paid_cash);
    opex_paid = opex_paid_cash + opex_reserve_draw; opex_unpaid = opex_due - opex_paid_cash - opex_reserve_draw
    (an arrear that stays a claim: paid first in later months and first from the sale)."""
    _senior_claim(m, step.name, m.get("opex_accrued"), step.reserve_covers)


def fee(m: Month, step: Step) -> None:
    """A senior fee, step 2 (the same shape as operating costs).

    <fee>_due = <fee>_accrued + <fee>_unpaid(t-1); paid from A, then (reserve_covers) from the reserve;
    <fee>_unpaid = <fee>_due - <fee>_paid_cash - <fee>_reserve_draw."""
    _senior_claim(m, step.name, m.get(f"{step.name}_accrued"), step.reserve_covers)


def fee_accrual(step: Step, p: dict[str, np.ndarray], op: np.ndarray, balance_open_total: np.ndarray) -> np.ndarray:
    """<fee>_accrued = op * rate / 12 * balance_open_total (basis balance_annual) or op * rate (fixed_month)."""
    assert step.rate is not None, f"fee step {step.name} names no rate input"
    rate = p[step.rate]
    if step.basis == "balance_annual":
        return op * rate / 12 * balance_open_total
    if step.basis == "fixed_month":
        return op * rate
    raise ValueError(f"fee step {step.name}: unknown basis {step.basis!r}")


def interest(m: Month, step: Step) -> None:
    """Class j interest (step 3 for class 1, step 6 for juniors).

    interest_due_j = interest_accrued_j + interest_unpaid_j(t-1); interest_paid_cash_j = MIN(A, due);
    interest_reserve_draw_1 = op * MIN(reserve left, due - paid_cash) (class 1 only);
    interest_capitalised_j = [t <= interest_holiday_months] * op * (due - paid_cash - reserve_draw);
    interest_unpaid_j = due - paid_cash - reserve_draw - capitalised (arrears: no interest on interest)."""
    j = step.cls
    due = m.put(f"interest_due_{j}", m.get(f"interest_accrued_{j}") + m.prev(f"interest_unpaid_{j}"))
    paid_cash = m.put(f"interest_paid_cash_{j}", m.pay_cash(due))
    if step.reserve_covers:
        draw = m.put(f"interest_reserve_draw_{j}", m.draw_reserve(due - paid_cash))
    else:
        draw = np.zeros_like(due)
    m.put(f"interest_paid_{j}", paid_cash + draw)
    capitalised = m.put(f"interest_capitalised_{j}", m.holiday * m.op * (due - paid_cash - draw))
    m.put(f"interest_unpaid_{j}", due - paid_cash - draw - capitalised)
    m.put(f"cash_after_interest_{j}", m.cash)


def principal(m: Month, step: Step) -> None:
    """Class j principal (step 4 for class 1, step 6 for juniors).

    principal_paid_j = MIN(A, principal_due_j);
    balance_close_j = balance_open_j - principal_paid_j + interest_capitalised_j."""
    j = step.cls
    paid = m.put(f"principal_paid_{j}", m.pay_cash(m.get(f"principal_due_{j}")))
    m.put(f"balance_close_{j}", m.get(f"balance_open_{j}") - paid + m.get(f"interest_capitalised_{j}"))
    m.put(f"cash_after_principal_{j}", m.cash)


def reserve(m: Month, step: Step) -> None:
    """Reserve top-up, step 5 (after class 1 principal).

    reserve_draws_total = the draws of this month's earlier steps (opex, fees, class 1 interest);
    reserve_topup = op * MIN(A, MAX(0, reserve_target - (reserve_open - reserve_release - reserve_draws_total)));
    reserve_close = reserve_open - reserve_release - reserve_draws_total + reserve_topup."""
    draws = m.get(m.draw_keys[0]) if m.draw_keys else np.zeros_like(m.cash)
    for key in m.draw_keys[1:]:
        draws = draws + m.get(key)
    m.put("reserve_draws_total", draws)
    left = m.get("reserve_open") - m.get("reserve_release") - draws
    topup = m.put("reserve_topup", m.op * m.pay_cash(np.maximum(0, m.get("reserve_target") - left)))
    m.put("reserve_close", left + topup)
    m.put("cash_after_reserve_topup", m.cash)


def residual(m: Month, step: Step) -> None:
    """Residual, step 7: what is left after the last class.

    residual = A; junior_excess = residual * junior_excess_share; sponsor_residual = residual - junior_excess."""
    left = m.put("residual", m.cash)
    junior = m.put("junior_excess", left * m.p["junior_excess_share"])
    m.put("sponsor_residual", left - junior)
    m.cash = m.cash - left


STEP_FUNCTIONS = {"opex": opex, "fee": fee, "interest": interest, "principal": principal,
                  "reserve": reserve, "residual": residual}
