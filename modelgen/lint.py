"""Structural checks of a workbook's formulas: allowed functions, no circular reference, every
defined name resolves. Pure text analysis of the formulas (openpyxl), no engine involved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl.utils import range_boundaries

from .audit import REF, STRING, _formula_text

# Excel 2010 functions that LibreOffice 7.4 has and the `formulas` package evaluates.
ALLOWED_FUNCTIONS = frozenset({
    "ABS", "AND", "COUNT", "COUNTIF", "EDATE", "IF", "IFERROR", "INDEX", "IRR", "ISNUMBER", "MATCH", "MAX", "MIN",
    "NA", "OR", "ROUNDUP", "SQRT", "SUM", "SUMIF", "SUMPRODUCT",
})
FUNCTION = re.compile(r"(?<![A-Za-z0-9_.])([A-Z][A-Z0-9.]*)\(")


@dataclass
class LintReport:
    functions: set = field(default_factory=set)
    disallowed: dict = field(default_factory=dict)     # function -> first cell using it
    cycle: list = field(default_factory=list)           # cells of one circular chain, if any
    bad_names: dict = field(default_factory=dict)        # name -> reason
    formula_cells: int = 0

    @property
    def ok(self) -> bool:
        return not (self.disallowed or self.cycle or self.bad_names)


def functions_in(formula: str) -> set[str]:
    return set(FUNCTION.findall(STRING.sub('""', formula)))


def _cells_of(sheet: str, ref: str) -> list[tuple[str, int, int]]:
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    return [(sheet, r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def lint_workbook(wb) -> LintReport:
    report = LintReport()
    names: dict[str, tuple[str, str]] = {}
    sheets = {ws.title.upper(): ws.title for ws in wb.worksheets}
    for name, defn in wb.defined_names.items():
        text = str(defn.attr_text)
        match = REF.fullmatch(text.lstrip("="))
        if not match or not match.group("sheet"):
            report.bad_names[name] = f"does not point to a cell range ({text})"
            continue
        sheet = match.group("sheet").strip("'").replace("''", "'")
        if sheet.upper() not in sheets:
            report.bad_names[name] = f"points to a missing sheet ({text})"
            continue
        names[name.upper()] = (sheets[sheet.upper()], text.lstrip("=").split("!", 1)[1])
    graph: dict[tuple, list[tuple]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                formula = _formula_text(cell.value)
                if formula is None:
                    continue
                report.formula_cells += 1
                here = (ws.title, cell.row, cell.column)
                used = functions_in(formula)
                report.functions |= used
                for fn in used - ALLOWED_FUNCTIONS:
                    report.disallowed.setdefault(fn, f"{ws.title}!{cell.coordinate}")
                body = STRING.sub('""', formula)
                deps: list[tuple] = []
                for match in REF.finditer(body):
                    sheet = match.group("sheet")
                    sheet = sheet.strip("'").replace("''", "'") if sheet else ws.title
                    ref = match.group(0).split("!")[-1]
                    deps.extend(_cells_of(sheets.get(sheet.upper(), sheet), ref))
                for token in re.findall(r"(?<![A-Za-z0-9_.!$])([A-Za-z_][A-Za-z0-9_.]*)(?![A-Za-z0-9_(!])", body):
                    if token.upper() in names:
                        deps.extend(_cells_of(*names[token.upper()]))
                graph[here] = deps
    report.cycle = _find_cycle(graph)
    return report


def _find_cycle(graph: dict[tuple, list[tuple]]) -> list:
    """One circular chain of cells (iterative depth-first search), or []."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {node: WHITE for node in graph}
    for start in graph:
        if colour[start] != WHITE:
            continue
        stack = [(start, iter(graph[start]))]
        colour[start] = GREY
        path = [start]
        while stack:
            node, children = stack[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if colour[child] == GREY:
                    return path[path.index(child):] + [child]
                if colour[child] == WHITE:
                    colour[child] = GREY
                    stack.append((child, iter(graph[child])))
                    path.append(child)
                    advanced = True
                    break
            if not advanced:
                colour[node] = BLACK
                stack.pop()
                path.pop()
    return []
