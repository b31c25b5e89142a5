"""Proofs on workbooks: a breakeven's two sides, and a Monte Carlo path, built and recalculated.

A breakeven is proven by building the workbook just on the no-loss side and just on the losing
side of it (the exact ``modelgen build`` commands of those cases) and recalculating both with
IronCalc: the class's loss cell must show no loss in the first and a loss in the second, and
every headline figure must equal the reference's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .breakeven import LOSS_THRESHOLD, BreakevenResult
from .engine import Base
from .recalc import Difference, build_case, compare, recalculated_figures

ENGINE = "IronCalc"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "case"


@dataclass
class Proof:
    cls: str
    index: int
    side: str                  # "no loss" or "loss"
    value: float
    workbook: Path
    command: str
    loss: float                # the recalculated workbook's loss cell
    invested: float
    differences: list[Difference] = field(default_factory=list)
    verify_mismatches: int = 0        # modelgen verify on the whole workbook: cells that differ from the reference

    @property
    def loses(self) -> bool:
        return self.loss > LOSS_THRESHOLD * self.invested

    @property
    def ok(self) -> bool:
        return self.loses == (self.side == "loss") and not self.differences and not self.verify_mismatches

    def to_dict(self) -> dict:
        return {"class": self.cls, "side": self.side, "value": self.value, "workbook": str(self.workbook),
                "command": self.command, "workbook_loss": self.loss, "workbook_invested": self.invested,
                "loses": self.loses, "agrees_with_reference": not self.differences,
                "differences": [str(d) for d in self.differences],
                "verify_mismatches": self.verify_mismatches, "ok": self.ok}


def prove_breakevens(base: Base, result: BreakevenResult, out_dir: Path,
                     progress: Optional[Callable[[int], None]] = None) -> list[Proof]:
    """Build and recalculate the two sides of every class's breakeven (see the module doc)."""
    proofs = []
    out_dir.mkdir(parents=True, exist_ok=True)
    stress = result.stress
    stem = _slug(Path(base.template_arg).stem)
    J = base.deal.tranche_count
    for c in result.classes:
        for x in c.crossings:
            for side, value in (("no loss", x.below), ("loss", x.above)):
                value = stress.value(value)
                case = {stress.path: value}
                suffix = f"-{x.direction}" if len(c.crossings) > 1 else ""
                path = out_dir / f"{stem}-{_slug(stress.path)}-{_slug(c.name)}{suffix}-{side.replace(' ', '-')}.xlsx"
                build_case(base, case, path)
                figures = recalculated_figures(path, J)
                reference = base.evaluate([case])[0]
                wb = figures["tranches"][c.index]
                proofs.append(Proof(c.name, c.index, side, value, path, base.command(case, str(path)),
                                    float(wb["loss"]), float(wb["invested"]), compare(reference, figures),
                                    verify_mismatches(path)))
                if progress:
                    progress(1)
    return proofs


def verify_mismatches(path: Path) -> int:
    """``modelgen verify`` on the whole workbook (its default engine): how many cells differ."""
    from ..verify import verify_workbook

    return len(verify_workbook(path).mismatches)


def prove_path(base: Base, overrides: dict, expected: dict, path: Path) -> tuple[dict, list[Difference], int]:
    """Build one Monte Carlo path's workbook, recalculate it, compare with the path's numbers, and
    verify every formula cell against the reference."""
    build_case(base, overrides, path)
    figures = recalculated_figures(path, base.deal.tranche_count)
    return figures, compare(expected, figures), verify_mismatches(path)
