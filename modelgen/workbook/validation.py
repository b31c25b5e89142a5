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
    """Strip Optional[...], list[...] and Annotated[...] down to the element type."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner(args[0])
    if origin is typing.Union:
        non_none = [a for a in args if a is not type(None)]
        return _inner(non_none[0]) if len(non_none) == 1 else annotation
    if origin is list and args:
        return _inner(args[0])
    return annotation


def _nested_metadata(annotation: Any) -> list:
    """Constraints inside Optional[Annotated[...]] or list[Annotated[...]] (pydantic keeps only the outer ones)."""
    out: list = []
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        out += [m for m in args[1:] if not hasattr(m, "metadata")]
        for m in args[1:]:
            out += list(getattr(m, "metadata", []))
        out += _nested_metadata(args[0])
    elif origin is typing.Union or origin is list:
        for a in args:
            out += _nested_metadata(a)
    return out


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
    for constraint in list(info.metadata) + _nested_metadata(info.annotation):
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


def nullable_validation(rule: dict, first_cell: str, null_word: str) -> dict:
    """The rule of a nullable input as a custom formula: the number rule, or the null word."""
    cell = first_cell
    if rule.get("validate") not in ("decimal", "integer"):
        return rule
    tests = [f"ISNUMBER({cell})"]
    if rule.get("criteria") == "between":
        tests += [f"{cell}>={rule['minimum']}", f"{cell}<={rule['maximum']}"]
    elif rule.get("criteria") in (">=", "<=", ">", "<"):
        tests.append(f"{cell}{rule['criteria']}{rule['value']}")
    message = rule["error_message"].rstrip(".")
    return {**{k: v for k, v in rule.items() if k not in ("criteria", "minimum", "maximum", "value")},
            "validate": "custom", "value": f'=OR({cell}="{null_word}",AND({",".join(tests)}))',
            "error_message": f"{message}, or {null_word}."[:255]}
