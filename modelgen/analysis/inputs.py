"""Inputs and outputs by dotted path: the stress (or varied) input, and the summary figure read.

An input path names a template input (``revenue.rent_decline``, ``structure.tranches.0.coupon``);
its type and bounds come from the validated deal's own field constraints, so an analysis asks
for nothing the template validator would refuse. A metric path names a figure of the summary
JSON (``tranches.0.loss_pct``; a class may also be named: ``tranches.Junior.irr``).
"""
from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from typing import Any, Optional

from pydantic import BaseModel

from ..config import Deal
from ..errors import ModelgenError
from ..template import Template, flatten

MONTH_FIELDS = ("month", "forced_month", "airdrop_month", "shock_month", "token_shock_month")


@dataclass(frozen=True)
class InputPath:
    """A numeric template input: its path, whether it is a whole number, and its valid bounds."""

    path: str
    integer: bool
    current: Optional[float]
    lo_bound: Optional[float]   # the smallest valid value (None: unbounded)
    hi_bound: Optional[float]

    def default_range(self, term_months: int) -> tuple[float, float]:
        """The search range when the user gives none: the input's valid bounds, or a wide guess.

        Month fields (a default or shock month) search months 1..term_months; an input without
        an upper bound searches up to max(1, 4 x its current value)."""
        leaf = self.path.rsplit(".", 1)[-1]
        if self.integer and leaf in MONTH_FIELDS:
            return 1.0, float(term_months)
        lo = self.lo_bound if self.lo_bound is not None else min(0.0, self.current or 0.0)
        if self.hi_bound is not None:
            hi = self.hi_bound
            if self.integer:
                hi = min(hi, max(float(term_months), self.current or 0.0))
        else:
            hi = max(1.0, 4 * abs(self.current or 0.0))
        return float(lo), float(hi)

    def value(self, x: float) -> float | int:
        """x as this input's type (whole numbers for an integer input)."""
        return int(round(x)) if self.integer else float(x)


def _unwrap(annotation: Any) -> tuple[Any, list]:
    """Strip Optional[...] and Annotated[...]; return the bare type and the collected constraints."""
    metadata: list = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            annotation = args[0]
            for extra in args[1:]:
                metadata.extend(getattr(extra, "metadata", [extra]))
            continue
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) == 1:
                annotation = options[0]
                continue
        return annotation, metadata


def _bounds(metadata: list, integer: bool) -> tuple[Optional[float], Optional[float]]:
    lo = hi = None
    for item in metadata:
        if getattr(item, "ge", None) is not None:
            lo = float(item.ge)
        if getattr(item, "gt", None) is not None:
            lo = float(item.gt) + (1 if integer else 1e-9 * max(1.0, abs(item.gt)))
        if getattr(item, "le", None) is not None:
            hi = float(item.le)
        if getattr(item, "lt", None) is not None:
            hi = float(item.lt) - (1 if integer else 1e-9 * max(1.0, abs(item.lt)))
    return lo, hi


def _field_type(path: str, option: str) -> tuple[Any, list]:
    """The annotation of the Deal field at a dotted path (list items by index)."""
    node: Any = Deal
    metadata: list = []
    parts = path.split(".")
    for depth, part in enumerate(parts):
        here = ".".join(parts[: depth + 1])
        node, _ = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(part)
            if field is None:
                raise ModelgenError(f"{option} {path}: unknown input path (no '{here}' in a template)")
            node, metadata = field.annotation, list(field.metadata)
        elif typing.get_origin(node) is list:
            if not part.isdigit():
                raise ModelgenError(f"{option} {path}: '{here}' must be a list index")
            node, metadata = typing.get_args(node)[0], []
        else:
            raise ModelgenError(f"{option} {path}: unknown input path ('{'.'.join(parts[:depth])}' is a value, not a section)")
    bare, more = _unwrap(node)
    return bare, metadata + more


def input_path(template: Template, path: str, option: str = "--stress") -> InputPath:
    """Check that ``path`` is a numeric input of the template and describe it.

    Errors (one line, naming the option and path): an unknown path, a section, text, a flag, a
    choice, a list (such as ``revenue.rent_path``) or a date."""
    if not path or any(not part for part in path.split(".")):
        raise ModelgenError(f"{option} '{path}': expected a dotted input path such as revenue.rent_decline")
    bare, metadata = _field_type(path, option)
    if bare is bool or bare not in (int, float):
        kind = ("a section" if isinstance(bare, type) and issubclass(bare, BaseModel) else
                "a list" if typing.get_origin(bare) is list else
                "a choice of words" if typing.get_origin(bare) is typing.Literal else
                "a flag" if bare is bool else getattr(bare, "__name__", str(bare)))
        raise ModelgenError(f"{option} {path}: not a numeric input (it is {kind})")
    flat = flatten(template.tree())
    if path.split(".")[0] not in template.tree():
        raise ModelgenError(f"{option} {path}: the template has no '{path.split('.')[0]}' section")
    current = flat.get(path)
    if current is None and any(k.startswith(path + ".") for k in flat):
        raise ModelgenError(f"{option} {path}: not a numeric input (it is a section)")
    integer = bare is int
    lo, hi = _bounds(metadata, integer)
    return InputPath(path, integer, None if current is None else float(current), lo, hi)


def parse_number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ModelgenError(f"{what}: '{text}' is not a number") from None
    if not math.isfinite(value):
        raise ModelgenError(f"{what}: '{text}' is not a finite number")
    return value


# --- summary metrics ------------------------------------------------------------------------

def metric_value(summary: dict, metric: str) -> Any:
    """The figure at a dotted path of a summary; ModelgenError naming what exists where it does not."""
    node: Any = summary
    parts = metric.split(".")
    for depth, part in enumerate(parts):
        here = ".".join(parts[:depth]) or "the summary"
        if isinstance(node, dict):
            if part not in node:
                raise ModelgenError(f"--metric {metric}: no field '{part}' in {here} (it has: {', '.join(node)})")
            node = node[part]
        elif isinstance(node, list):
            index = _list_index(node, part)
            if index is None:
                names = [str(item["name"]) for item in node if isinstance(item, dict) and "name" in item]
                hint = f"0..{len(node) - 1}" + (f" or a name: {', '.join(names)}" if names else "")
                raise ModelgenError(f"--metric {metric}: '{part}' is not an item of {here} (use {hint})")
            node = node[index]
        else:
            raise ModelgenError(f"--metric {metric}: {here} is a value, not a section")
    if isinstance(node, (dict, list)):
        inner = ", ".join(node) if isinstance(node, dict) else f"items 0..{len(node) - 1}"
        raise ModelgenError(f"--metric {metric}: a section, not a figure (it has: {inner})")
    if isinstance(node, bool):
        return float(node)
    if node is not None and not isinstance(node, (int, float)):
        raise ModelgenError(f"--metric {metric}: text ({node!r}), not a figure")
    return node


def _list_index(items: list, part: str) -> Optional[int]:
    if part.isdigit():
        return int(part) if int(part) < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return i
    return None
