"""The template format as a JSON Schema, generated from the validated deal at run time.

``modelgen schema`` prints it; the bundled templates name the copy beside them
(``templates/template.schema.json``, written by ``tools/gen_docs.py``) in a
``# yaml-language-server: $schema=...`` first line, so that editors complete and check keys.
Titles and descriptions come from the glossary that also labels the Inputs sheet.
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any

from .config import SECURITIZATION_KEYS, SECURITIZATION_REQUIRED, Deal
from .glossary import INPUTS, SECTIONS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SPEC_POINTER = re.compile(r"\s*\(MODEL\.md[^)]*\)")


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Follow a ``$ref`` (and an Optional's ``anyOf [ref, null]``) to the object schema it names."""
    if "$ref" in node:
        return defs[node["$ref"].rsplit("/", 1)[-1]]
    for option in node.get("anyOf", []):
        if "$ref" in option:
            return defs[option["$ref"].rsplit("/", 1)[-1]]
    return node


def _child(node: dict[str, Any], part: str, defs: dict[str, Any]) -> dict[str, Any] | None:
    node = _resolve(node, defs)
    if part == "*":
        for option in [node] + node.get("anyOf", []):
            if option.get("type") == "array":
                return _resolve(option["items"], defs) if "$ref" in option["items"] else option["items"]
        return None
    props = node.get("properties", {})
    return props.get(part)


def _describe(node: dict[str, Any], label: str, unit: str, note: str) -> None:
    node["title"] = label
    unit_text = f" Unit: {unit}." if unit and unit not in ("text", "mode", "date") else ""
    node["description"] = f"{note}{unit_text}".strip()
    if unit.startswith("%"):
        node["description"] += " A fraction: 0.15 is 15%."


def template_schema() -> dict[str, Any]:
    """The JSON Schema of a template file: a deal, plus the scenario selector and the scenarios."""
    schema = copy.deepcopy(Deal.model_json_schema())
    defs = schema.get("$defs", {})
    for path, (label, unit, note) in INPUTS.items():
        node: dict[str, Any] | None = schema
        for part in path.split("."):
            node = _child(node, part, defs) if node is not None else None
        if node is not None:
            _describe(node, label, unit, note)
    for section, title in SECTIONS.items():
        if section and section in schema.get("properties", {}):
            target = _resolve(schema["properties"][section], defs)
            target["title"] = title
    for definition in defs.values():  # class docstrings may point to the developers' notes
        if "description" in definition:
            definition["description"] = SPEC_POINTER.sub("", definition["description"])
    props = schema["properties"]
    props["scenario"] = {"type": "string", "title": "Selected scenario",
                         "description": "The scenario selected when the workbook opens (default: base).",
                         "default": "base"}
    props["scenarios"] = {
        "type": "object", "title": "Scenarios", "minProperties": 1,
        "description": "Named scenarios, each a mapping of dotted input paths to the values that replace the "
                       "base inputs, e.g. crash: {shock.month: 18, default.forced_month: 24}. "
                       "Default: a single scenario, base, with no overrides.",
        "additionalProperties": {
            "type": ["object", "null"],
            "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|[0-9]+))*$"},
        },
    }
    # The parts: the securitization comes whole (any of its keys needs the required ones), and a
    # template has at least one part.
    for key in SECURITIZATION_KEYS:  # optional as a part, but never null
        prop = schema["properties"][key]
        options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
        if len(options) == 1:
            prop.update(options[0])
        prop.pop("default", None)
    schema["dependentRequired"] = {key: [k for k in SECURITIZATION_REQUIRED if k != key] for key in SECURITIZATION_KEYS}
    schema["anyOf"] = [{"required": ["structure"]}, {"required": ["node_sale"]}, {"required": ["byod"]}]
    ordered = {"$schema": SCHEMA_DIALECT, "title": "modelgen deal template",
               "description": "A deal template for modelgen: the inputs of one deal and its named scenarios. "
                              "A template holds any of three parts, at least one: the securitization "
                              "(term_months and the sections assets to secondary, all of the required ones), "
                              "node_sale and byod. Fractions are decimals (0.15 = 15%). Unknown keys are errors."}
    ordered.update({k: v for k, v in schema.items() if k not in ("title", "description")})
    return ordered


def schema_text() -> str:
    """The schema as the text ``modelgen schema`` prints and the bundled copy holds."""
    return json.dumps(template_schema(), indent=2, ensure_ascii=False) + "\n"
