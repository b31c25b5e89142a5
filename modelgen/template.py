"""Deal templates: YAML files with a base deal and named scenarios (the format: docs/template-format.md).

A :class:`Template` holds the base inputs (a nested dict), the scenario overrides (dotted path ->
value) and the selected scenario. :meth:`Template.deal` resolves one scenario into a validated
:class:`~modelgen.config.Deal`. Every error names the field (as a dotted path) and the reason.
"""
from __future__ import annotations

import copy
import hashlib
import os
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from .config import SECURITIZATION_KEYS, Deal
from .errors import TemplateError

DEFAULT_TEMPLATE = "gpu-abs"
TOP_LEVEL_META = ("scenario", "scenarios")


# --- dotted paths -------------------------------------------------------------------------

def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists -> {dotted.path: leaf}; list items by index (tranches.0.share)."""
    out: dict[str, Any] = {}
    if isinstance(tree, dict):
        items: Iterable = tree.items()
    elif isinstance(tree, list):
        items = enumerate(tree)
    else:
        return {prefix: tree}
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, (dict, list)) and value:
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`flatten`: path segments that are all digits become list indices."""
    root: dict[str, Any] = {}
    for path, value in flat.items():
        parts = path.split(".")
        node: Any = root
        for part, nxt in zip(parts, parts[1:]):
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if node[index] is None:
                    node[index] = [] if nxt.isdigit() else {}
                node = node[index]
            else:
                node = node.setdefault(part, [] if nxt.isdigit() else {})
        last = parts[-1]
        if isinstance(node, list):
            index = int(last)
            while len(node) <= index:
                node.append(None)
            node[index] = value
        else:
            node[last] = value
    return root


def _null_defaults(model=Deal, prefix: str = "") -> set[str]:
    """Dotted paths of optional inputs whose default is null (left out of a template's base).
    The securitization's sections are optional only as a whole part: a scenario or --set cannot
    add them, but reaches the optional inputs inside them."""
    out: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if model is Deal and name in SECURITIZATION_KEYS:
            annotation = _section_model(annotation)
        elif info.default is None and not info.is_required():
            out.add(path)
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            out |= _null_defaults(annotation, path + ".")
    return out


def _section_model(annotation):
    """The model class inside Optional[Model] (or the annotation itself)."""
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) and hasattr(arg, "model_fields"):
            return arg
    return annotation


NULL_DEFAULTS = _null_defaults()


def set_path(tree: dict[str, Any], path: str, value: Any, where: str) -> None:
    """Set ``tree[path] = value`` for an existing dotted path (or an input whose default is null);
    an unknown path is an error."""
    parts = path.split(".")
    node: Any = tree
    for depth, part in enumerate(parts):
        here = ".".join(parts[: depth + 1])
        if isinstance(node, dict):
            if part not in node and depth == len(parts) - 1 and here in NULL_DEFAULTS:
                node[part] = value
                return
            if part not in node:
                raise TemplateError(f"{where}: unknown input path '{path}' (no '{here}' in the template)")
            key: Any = part
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise TemplateError(f"{where}: unknown input path '{path}' ('{here}' is not an index of a list of {len(node)})")
            key = int(part)
        else:
            raise TemplateError(f"{where}: unknown input path '{path}' ('{'.'.join(parts[:depth])}' is a value, not a section)")
        if depth == len(parts) - 1:
            node[key] = value
        else:
            node = node[key]


def parse_set(option: str) -> tuple[str, Any]:
    """``dotted.path=value`` -> (path, value parsed as YAML)."""
    path, sep, text = option.partition("=")
    path = path.strip()
    if not sep or not path:
        raise TemplateError(f"--set '{option}': expected dotted.path=value")
    try:
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as exc:
        raise TemplateError(f"--set {path}: the value is not valid YAML ({_first_line(exc)})") from None
    if value is None:
        raise TemplateError(f"--set {path}: a value is required")
    return path, value


# --- validation ---------------------------------------------------------------------------

def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _format_validation_error(exc: ValidationError, where: str) -> str:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "constrained-"))))
        kind = err["type"]
        if kind == "extra_forbidden":
            msg = "unknown key"
        elif kind == "missing":
            msg = "required key is missing"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            if "input" in err and kind not in ("model_type",) and not isinstance(err["input"], (dict, list)):
                msg += f" (got {err['input']!r})"
        problems.append(f"{loc}: {msg}" if loc else msg)
    # Union types report every branch; keep the message to the first distinct problems.
    seen: list[str] = []
    for p in problems:
        if p not in seen:
            seen.append(p)
    head = f"{where}: " if where else ""
    return head + "; ".join(seen[:3]) + (f"; and {len(seen) - 3} more" if len(seen) > 3 else "")


def validate_deal(tree: dict[str, Any], where: str = "") -> Deal:
    try:
        return Deal.model_validate(tree)
    except ValidationError as exc:
        raise TemplateError(_format_validation_error(exc, where)) from None


# --- the template -------------------------------------------------------------------------

@dataclass
class Template:
    """A base deal, its scenarios and the selected one; ``sets`` apply on top of every scenario."""

    base: dict[str, Any]
    scenarios: dict[str, dict[str, Any]]
    selected: str
    source: str = "<memory>"
    sets: list[tuple[str, Any]] = field(default_factory=list)
    text: str = ""

    @property
    def scenario_names(self) -> list[str]:
        return list(self.scenarios)

    def tree(self, scenario: str | None = None) -> dict[str, Any]:
        """The nested inputs of one scenario: base, then its overrides, then the --set values."""
        name = self.selected if scenario is None else scenario
        if name not in self.scenarios:
            raise TemplateError(f"scenario: unknown scenario '{name}' (the template has {', '.join(self.scenarios)})")
        tree = copy.deepcopy(self.base)
        for path, value in self.scenarios[name].items():
            set_path(tree, path, value, f"scenarios.{name}")
        for path, value in self.sets:
            set_path(tree, path, value, f"--set {path}")
        return tree

    def deal(self, scenario: str | None = None) -> Deal:
        name = self.selected if scenario is None else scenario
        where = "" if (name == self.selected and not self.scenarios[name]) else f"scenario '{name}'"
        return validate_deal(self.tree(name), where)

    def deals(self) -> dict[str, Deal]:
        return {name: self.deal(name) for name in self.scenarios}

    def with_changes(self, scenario: str | None = None, sets: Iterable[str] = ()) -> "Template":
        """A copy with another selected scenario and extra ``--set path=value`` options, validated."""
        new = Template(copy.deepcopy(self.base), copy.deepcopy(self.scenarios), self.selected, self.source, list(self.sets), self.text)
        for option in sets:
            path, value = parse_set(option)
            if path == "scenario":
                scenario = str(value)
                continue
            new.sets.append((path, value))
        if scenario is not None:
            if scenario not in new.scenarios:
                raise TemplateError(f"--scenario: unknown scenario '{scenario}' (the template has {', '.join(new.scenarios)})")
            new.selected = scenario
        new.validate()
        return new

    def validate(self) -> None:
        """Every scenario must resolve to a valid deal with the same tranche structure."""
        deals = self.deals()
        shapes = {(d.parts, d.tranche_count, d.node_sale.tier_count if d.node_sale else None,
                   d.node_sale is not None and d.node_sale.tier_prices is not None,
                   d.node_sale is not None and isinstance(d.node_sale.tiers, list)) for d in deals.values()}
        if len(shapes) > 1:
            raise TemplateError("scenarios: every scenario must have the same parts, tranches and node tiers "
                                "(a scenario may change values, not the workbook's shape)")

    @property
    def digest(self) -> str:
        """A short hash of the template text and the --set values (recorded in the workbook)."""
        h = hashlib.sha256(self.text.encode())
        h.update(repr(self.sets).encode())
        return h.hexdigest()[:16]


def template_from_dict(data: Any, source: str = "<memory>", text: str = "") -> Template:
    if not isinstance(data, dict):
        raise TemplateError(f"{source}: a template is a YAML mapping of sections, not {type(data).__name__}")
    data = dict(data)
    scenarios_raw = data.pop("scenarios", None)
    selected = data.pop("scenario", "base")
    if scenarios_raw is None:
        scenarios_raw = {"base": {}}
    if not isinstance(scenarios_raw, dict) or not scenarios_raw:
        raise TemplateError("scenarios: must be a mapping of scenario name to overrides, e.g. {base: {}}")
    scenarios: dict[str, dict[str, Any]] = {}
    for name, overrides in scenarios_raw.items():
        name = str(name)
        if overrides is None:
            overrides = {}
        if not isinstance(overrides, dict):
            raise TemplateError(f"scenarios.{name}: must be a mapping of dotted.path: value")
        for path in overrides:
            if not isinstance(path, str):
                raise TemplateError(f"scenarios.{name}: override keys are dotted paths such as revenue.rent_decline")
            if path in TOP_LEVEL_META:
                raise TemplateError(f"scenarios.{name}.{path}: a scenario cannot change '{path}'")
        scenarios[name] = dict(overrides)
    if not isinstance(selected, str) or selected not in scenarios:
        raise TemplateError(f"scenario: unknown scenario {selected!r} (the template has {', '.join(scenarios)})")
    # The base must be valid on its own before scenarios are applied to it. Its inputs are the
    # validated deal with every default made explicit, so scenarios and --set can reach them
    # and the Inputs sheet shows them.
    base = validate_deal(data).model_dump(mode="python", exclude_none=True)
    template = Template(base=base, scenarios=scenarios, selected=selected, source=source, text=text)
    template.validate()
    return template


SCHEMA_FILE = "template.schema.json"
SCHEMA_LINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"


def template_dir() -> Path:
    """The folder of bundled templates: package data of ``modelgen`` (``modelgen/templates``),
    found through importlib.resources so that a wheel or a non-editable install has them too.
    In the repository ``modelgen/templates`` is a link to the top-level ``templates/`` folder."""
    return Path(str(resources.files("modelgen").joinpath("templates")))


def bundled_templates() -> dict[str, Path]:
    """{name: path} of the bundled templates, by name."""
    folder = template_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def resolve_template_path(name_or_path: str | os.PathLike | None) -> Path:
    if name_or_path is None:
        name_or_path = DEFAULT_TEMPLATE
    text = str(name_or_path)
    bundled = bundled_templates()
    if text in bundled:
        return bundled[text]
    path = Path(text)
    if path.is_file():
        return path
    if path.exists():
        raise TemplateError(f"template: '{text}' is not a file")
    hint = f" (bundled templates: {', '.join(bundled)})" if bundled else ""
    raise TemplateError(f"template: no bundled template or file named '{text}'{hint}")


def load_template(name_or_path: str | os.PathLike | None = None, scenario: str | None = None, sets: Iterable[str] = ()) -> Template:
    """Read, validate and resolve a template by bundled name or path."""
    path = resolve_template_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"template: cannot read {path}: {_first_line(exc)}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TemplateError(f"template: {path.name} is not valid YAML{yaml_error_where(exc)}") from None
    template = template_from_dict(data, source=str(path), text=text)
    sets = list(sets)
    if scenario is not None or sets:
        template = template.with_changes(scenario, sets)
    return template


def yaml_error_where(exc: Exception) -> str:
    """Where a YAML syntax error is, and what it is: " at line L, column C: problem".

    The parser notices some mistakes only on a later token (an unclosed bracket or quote, a key
    without its colon): PyYAML's problem mark is then the line after the mistake, and its
    context mark is where the broken construct starts. Name the line that holds the mistake."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if mark is None or problem is None:
        return f": {_first_line(exc)}"
    context = getattr(exc, "context", None) or ""
    context_mark = getattr(exc, "context_mark", None)
    where = mark
    detail = problem
    if context_mark is not None and context_mark.line < mark.line and not context.startswith("while parsing a block"):
        # the construct that starts at the context mark is broken: that is the line to fix
        where = context_mark
        construct = context.removeprefix("while scanning ").removeprefix("while parsing ")
        detail = f"{problem} ({construct} starts here; noticed at line {mark.line + 1}, column {mark.column + 1})"
    return f" at line {where.line + 1}, column {where.column + 1}: {detail}"


def describe(path: Path) -> str:
    """The first comment line of a template file that is not an editor directive: its one-line
    description."""
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith("# yaml-language-server:"):
                continue
            if line.startswith("#"):
                return line.lstrip("#").strip()
            if line:
                break
    except OSError:
        pass
    return ""
