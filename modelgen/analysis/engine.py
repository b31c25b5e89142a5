"""The one door from the analysis to the reference model: many deals in, one summary per deal out.

:func:`evaluate` is the only place that runs the model. It gives the summary (as `summary --json` prints it) of
each deal (the same object as ``modelgen summary --json``), so an analysis can read any figure a
user can. :class:`Base` is what every analysis varies: a template's selected scenario with the
user's ``--set`` values; a *case* is that base with a few more input overrides, and
:meth:`Base.command` is the ``modelgen build`` command that rebuilds a case as a live workbook.
"""
from __future__ import annotations

import copy
import shlex
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from ..config import Deal, SecuritizedDeal
from ..errors import ModelgenError, TemplateError
from ..reference.frames import Columns, run, run_batch, summary_batch
from ..summary import build_summary
from ..template import Template, load_template, validate_deal

Overrides = Mapping[str, Any]


def evaluate(deals: Sequence[Deal], columns: Optional[Columns] = None) -> list[dict]:
    """The summary (as `summary --json` prints it) of every deal, from the reference model, in order.

    Securitization-only deals go through the reference's many-scenario API in one batch (arrays
    over the deals); a deal with a node sale or a BYOD part is run on its own, as
    ``modelgen summary`` runs it, so its DePIN figures are there too."""
    deals = list(deals)
    if not deals:
        return []
    if any(d.node_sale is not None or d.byod is not None for d in deals):
        return [build_summary(run(deal, columns)) for deal in deals]
    return summary_batch(deals, run_batch(deals, columns.horizon if columns else None))


def yaml_scalar(value: Any) -> str:
    """A value as YAML text that reads back to exactly the same value (floats by repr)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        if "e" in text and "." not in text.split("e")[0]:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"   # YAML 1.1 reads 1e-05 as text, 1.0e-05 as a number
        return text
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    return str(value)


def with_overrides(tree: dict, overrides: Overrides) -> dict:
    """A copy of a nested input tree with values set by dotted path (only the touched branches copied)."""
    root = dict(tree)
    for path, value in overrides.items():
        parts = path.split(".")
        node: Any = root
        for part in parts[:-1]:
            key: Any = int(part) if isinstance(node, list) else part
            child = node[key]
            child = list(child) if isinstance(child, list) else dict(child)
            node[key] = child
            node = child
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return root


def deal_from_tree(tree: dict, overrides: Overrides, where: str = "") -> Deal:
    """Validate a tree with overrides into a deal; a refused value is a one-line error."""
    try:
        return validate_deal(with_overrides(tree, overrides))
    except TemplateError as exc:
        setting = ", ".join(f"{p}={_short(v)}" for p, v in overrides.items())
        raise ModelgenError(f"{where + ': ' if where else ''}{setting}: {exc}") from None


def _short(value: Any) -> str:
    text = yaml_scalar(value)
    return text if len(text) <= 40 else text[:37] + "..."


def evaluate_trees(tree: dict, cases: Sequence[Overrides], columns: Optional[Columns] = None) -> list[dict]:
    """Summaries of many cases of one base tree (a picklable unit of work for a dask worker)."""
    return evaluate([deal_from_tree(tree, case) for case in cases], columns)


@dataclass
class Base:
    """A template's selected scenario plus ``--set`` values: what an analysis varies.

    ``securitization_only`` drops the node-sale and BYOD parts (they do not move a class's loss,
    and leaving them out makes each evaluation several times cheaper)."""

    template: Template
    template_arg: str
    scenario: Optional[str] = None
    sets: tuple[str, ...] = ()
    securitization_only: bool = True
    tree: dict = field(init=False)
    deal: SecuritizedDeal = field(init=False)

    def __post_init__(self) -> None:
        tree = copy.deepcopy(self.template.tree())
        if "structure" not in tree:
            raise ModelgenError(f"{self.template_arg}: the template has no securitization part to analyse "
                                "(breakeven, sensitivity and Monte Carlo stress the classes of notes)")
        if self.securitization_only:
            tree.pop("node_sale", None)
            tree.pop("byod", None)
        self.tree = tree
        self.deal = validate_deal(tree).securitization

    @classmethod
    def load(cls, template: Optional[str], scenario: Optional[str] = None, sets: Iterable[str] = (),
             securitization_only: bool = True) -> "Base":
        tpl = load_template(template, scenario=scenario, sets=tuple(sets))
        return cls(tpl, template or "gpu-abs", scenario, tuple(sets), securitization_only)

    @property
    def term(self) -> int:
        return self.deal.term_months

    def case(self, overrides: Overrides, where: str = "") -> Deal:
        return deal_from_tree(self.tree, overrides, where)

    def evaluate(self, cases: Sequence[Overrides]) -> list[dict]:
        return evaluate_trees(self.tree, cases)

    def command(self, overrides: Optional[Overrides] = None, output: Optional[str] = None) -> str:
        """The exact ``modelgen build`` command that writes this case as a live-formula workbook."""
        words = ["modelgen", "build", self.template_arg]
        if self.scenario:
            words += ["--scenario", self.scenario]
        for option in self.sets:
            words += ["--set", option]
        for path, value in (overrides or {}).items():
            words += ["--set", f"{path}={yaml_scalar(value)}"]
        if output:
            words += ["-o", output]
        return " ".join(shlex.quote(w) for w in words)

    def set_options(self, overrides: Optional[Overrides] = None) -> list[str]:
        """The ``--set`` options of a case (the user's, then the overrides), for load_template."""
        return list(self.sets) + [f"{path}={yaml_scalar(value)}" for path, value in (overrides or {}).items()]
