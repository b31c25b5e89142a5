"""``modelgen diff``: the inputs that changed between two workbooks and what each headline did.

Both workbooks' own Inputs are read back (constants only); the headline figures come from the
reference model of each one's active scenario (the object ``modelgen summary --json`` prints).
Each input and figure carries the workbook's label and unit, so the console can show it in the
workbook's own number format (:func:`format_lines`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .build import reference_for
from .figures import describe_figure, fmt, fmt_change
from .glossary import describe_input
from .readback import open_workbook, read_inputs
from .summary import build_summary
from .template import flatten


def _leaves(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Numeric and text leaves of a summary, by dotted path (lists by index)."""
    return {k: v for k, v in flatten(tree, prefix).items() if not isinstance(v, (dict, list))}


def _changed(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(a - b) > 1e-12 * max(1.0, abs(a), abs(b))
    return a != b


def diff_workbooks(old: Path | str, new: Path | str) -> dict[str, Any]:
    sides = []
    for side in (Path(old), Path(new)):
        read = read_inputs(open_workbook(side), side)
        tpl = read.template
        active = flatten(tpl.tree(tpl.selected))
        active["scenario"] = tpl.selected
        summary = build_summary(reference_for(tpl, read.settings))
        sides.append((active, summary))
    (old_inputs, old_summary), (new_inputs, new_summary) = sides
    inputs: list[dict[str, Any]] = []
    for path in list(old_inputs) + [p for p in new_inputs if p not in old_inputs]:
        a, b = old_inputs.get(path), new_inputs.get(path)
        if _changed(a, b):
            label, unit, _ = describe_input(path) if path != "scenario" else ("Active scenario", "text", "")
            inputs.append({"path": path, "label": label, "unit": unit, "old": _json(a), "new": _json(b)})
    headlines = []
    old_leaves, new_leaves = _leaves(old_summary), _leaves(new_summary)
    for figure in list(old_leaves) + [f for f in new_leaves if f not in old_leaves]:
        if figure in ("name", "scenario"):  # inputs, listed above
            continue
        a, b = old_leaves.get(figure), new_leaves.get(figure)
        numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
        label, unit, none = describe_figure(figure, new_summary if figure in new_leaves else old_summary,
                                            old_summary if figure in new_leaves else new_summary)
        headlines.append({"figure": figure, "label": label, "unit": unit, "none": none, "old": a, "new": b,
                          "change": (b - a) if numeric and a is not None and b is not None else None, "changed": _changed(a, b)})
    return {"old": str(old), "new": str(new), "inputs": inputs, "headlines": headlines}


def format_lines(result: dict[str, Any]) -> list[str]:
    """The diff as the console prints it: workbook labels and number formats, 'n/a' for a
    missing figure ('never' for a payback that does not happen)."""
    lines = [f"inputs changed: {len(result['inputs'])}"]
    for item in result["inputs"]:
        unit = item["unit"] or "General"
        lines.append(f"  {item['label']} [{item['path']}]: {fmt(item['old'], unit)} -> {fmt(item['new'], unit)}")
    changed = [h for h in result["headlines"] if h["changed"]]
    lines.append(f"headline figures changed: {len(changed)} of {len(result['headlines'])}")
    for h in changed:
        change = fmt_change(h["old"], h["new"], h["unit"])
        lines.append(f"  {h['label']}: {fmt(h['old'], h['unit'], h['none'])} -> {fmt(h['new'], h['unit'], h['none'])}"
                     + (f" ({change})" if change else ""))
    return lines


def _json(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
