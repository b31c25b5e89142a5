"""Excel data validation for inputs, taken from the pydantic constraints of the deal model, so
the workbook and the template validator accept the same ranges."""
from __future__ import annotations

import datetime as dt
import typing
from typing import Any, Optional

import annotated_types as at
from pydantic import BaseModel

from ..config import Deal


def _inner(annotation: Any) -> Any:
    """Strip Optional[...] and list[...] down to the element type."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Union:
        non_none = [a for a in args if a is not type(None)]
        return _inner(non_none[0]) if len(non_none) == 1 else annotation
    if origin is list and args:
        return _inner(args[0])
    return annotation


def field_for(path: str):
    """The pydantic FieldInfo of a template path (list indices skipped), or None."""
    cls: Any = Deal
    info = None
    for part in path.split("."):
        if part.isdigit():
            continue
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or part not in cls.model_fields:
            return None
        info = cls.model_fields[part]
        cls = _inner(info.annotation)
    return info


def validation_for(path: str, label: str, unit: str, note: str) -> Optional[dict]:
    """xlsxwriter data_validation options for an input, or None where Excel cannot express it."""
    info = field_for(path)
    if info is None:
        return None
    annotation = _inner(info.annotation)
    message = {"input_title": label[:32], "input_message": f"{note} Unit: {unit}."[:255],
               "error_title": "Out of range", "show_input": True}
    choices = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else None
    if choices:
        return {"validate": "list", "source": list(choices), **message,
                "error_message": f"{label} must be one of {', '.join(choices)}."}
    if annotation is dt.date:
        return {"validate": "date", "criteria": ">", "value": dt.date(1990, 1, 1), **message,
                "error_message": f"{label} must be a date."}
    if annotation not in (int, float):
        return None
    low = high = None
    for constraint in info.metadata:
        if isinstance(constraint, (at.Ge, at.Gt)):
            low = constraint.ge if isinstance(constraint, at.Ge) else constraint.gt
        if isinstance(constraint, (at.Le, at.Lt)):
            high = constraint.le if isinstance(constraint, at.Le) else constraint.lt
    kind = "integer" if annotation is int else "decimal"
    if low is not None and high is not None:
        rule = {"criteria": "between", "minimum": low, "maximum": high}
        words = f"between {low:g} and {high:g}"
    elif low is not None:
        rule = {"criteria": ">=", "value": low}
        words = f"at least {low:g}"
    elif high is not None:
        rule = {"criteria": "<=", "value": high}
        words = f"at most {high:g}"
    else:
        rule = {"criteria": "between", "minimum": -1e300, "maximum": 1e300}
        words = "a number"
    kind_words = "a whole number" if kind == "integer" else "a number"
    return {"validate": kind, **rule, **message,
            "error_message": f"{label} must be {kind_words} {words} ({unit})."[:255]}
