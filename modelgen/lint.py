"""Structural checks of a workbook's formulas: allowed functions, forms every engine reads alike,
no circular reference, every defined name resolves. Pure text analysis of the formulas (openpyxl),
no engine involved. :func:`precedents` (the cells each formula reads) also serves ``verify``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from openpyxl.utils import range_boundaries

from .audit import REF, STRING, _formula_text

# Excel 2010 functions that LibreOffice 7.4 has and the `formulas` package evaluates.
ALLOWED_FUNCTIONS = frozenset({
    "ABS", "AND", "COUNT", "COUNTIF", "EDATE", "IF", "IFERROR", "INDEX", "IRR", "ISNUMBER", "MATCH", "MAX", "MIN",
    "NA", "OR", "ROUNDUP", "SQRT", "SUM", "SUMIF", "SUMPRODUCT",
})
FUNCTION = re.compile(r"(?<![A-Za-z0-9_.])([A-Z][A-Z0-9.]*)\(")
NAME_TOKEN = re.compile(r"(?<![A-Za-z0-9_.!$])([A-Za-z_][A-Za-z0-9_.]*)(?![A-Za-z0-9_(!])")

Node = tuple[str, int, int]  # (sheet title, row, column), 1-based


@dataclass
class LintReport:
    functions: set = field(default_factory=set)
    disallowed: dict = field(default_factory=dict)     # function -> first cell using it
    non_portable: dict = field(default_factory=dict)   # cell -> why engines read it differently
    cycle: list = field(default_factory=list)           # cells of one circular chain, if any
    bad_names: dict = field(default_factory=dict)        # name -> reason
    formula_cells: int = 0

    @property
    def ok(self) -> bool:
        return not (self.disallowed or self.non_portable or self.cycle or self.bad_names)


def functions_in(formula: str) -> set[str]:
    return set(FUNCTION.findall(STRING.sub('""', formula)))


def _cells_of(sheet: str, ref: str) -> list[Node]:
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    return [(sheet, r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def defined_names(wb) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """({NAME upper-cased: (sheet title, A1 range)}, {name: why it does not resolve})."""
    names: dict[str, tuple[str, str]] = {}
    bad: dict[str, str] = {}
    sheets = {ws.title.upper(): ws.title for ws in wb.worksheets}
    for name, defn in wb.defined_names.items():
        text = str(defn.attr_text)
        match = REF.fullmatch(text.lstrip("="))
        if not match or not match.group("sheet"):
            bad[name] = f"does not point to a cell range ({text})"
            continue
        sheet = match.group("sheet").strip("'").replace("''", "'")
        if sheet.upper() not in sheets:
            bad[name] = f"points to a missing sheet ({text})"
            continue
        names[name.upper()] = (sheets[sheet.upper()], text.lstrip("=").split("!", 1)[1])
    return names, bad


def precedents(wb, names: Optional[dict[str, tuple[str, str]]] = None) -> dict[Node, list[Node]]:
    """{formula cell: the cells its formula reads (ranges and defined names expanded)}."""
    if names is None:
        names = defined_names(wb)[0]
    sheets = {ws.title.upper(): ws.title for ws in wb.worksheets}
    graph: dict[Node, list[Node]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                formula = _formula_text(cell.value)
                if formula is None:
                    continue
                body = STRING.sub('""', formula)
                deps: list[Node] = []
                for match in REF.finditer(body):
                    sheet = match.group("sheet")
                    sheet = sheet.strip("'").replace("''", "'") if sheet else ws.title
                    ref = match.group(0).split("!")[-1]
                    deps.extend(_cells_of(sheets.get(sheet.upper(), sheet), ref))
                for token in NAME_TOKEN.findall(body):
                    if token.upper() in names:
                        deps.extend(_cells_of(*names[token.upper()]))
                graph[(ws.title, cell.row, cell.column)] = deps
    return graph


def _arguments(text: str, start: int) -> tuple[list[str], int]:
    """The top-level arguments of the call whose '(' is at ``start`` (strings already blanked)."""
    depth = 0
    args: list[str] = []
    current: list[str] = []
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "(":
            depth += 1
            if depth == 1:
                continue
        elif ch == ")":
            depth -= 1
            if depth == 0:
                args.append("".join(current).strip())
                return args, i
        elif ch == "," and depth == 1:
            args.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    return args, len(text)


def _range_shape(arg: str, names: dict[str, tuple[str, str]]) -> Optional[tuple[int, int]]:
    """(rows, columns) of an argument that is a plain range or a defined name for one, else None."""
    ref: Optional[str] = None
    match = REF.fullmatch(arg)
    if match:
        ref = arg.split("!")[-1]
    elif arg.upper() in names:
        ref = names[arg.upper()][1]
    if ref is None:
        return None
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    return (max_row - min_row + 1, max_col - min_col + 1)


def portability_problems(formula: str, names: dict[str, tuple[str, str]]) -> list[str]:
    """Forms that spreadsheet engines read differently, with the portable spelling.

    ``INDEX(range, k)`` on a one-row range: Excel, LibreOffice and IronCalc read k as the column,
    Gnumeric as the row. On a range of several rows and columns it is ambiguous everywhere.
    Written ``INDEX(range, 1, k)`` (or ``INDEX(range, k, 1)`` down a column) every engine agrees.
    On a single cell, Gnumeric's INDEX returns #REF! whatever the indices."""
    body = STRING.sub('""', formula)
    problems = []
    for match in re.finditer(r"(?<![A-Za-z0-9_.])INDEX\(", body, re.I):
        args, _ = _arguments(body, match.end() - 1)
        shape = _range_shape(args[0], names)
        if shape == (1, 1):
            problems.append(f"INDEX({args[0]},...) on a single cell: Gnumeric returns #REF!; refer to the cell itself")
            continue
        if len(args) != 2:
            continue
        if shape is None:
            problems.append(f"INDEX({args[0]},{args[1]}) with a single index on an expression: "
                            "write the row and the column (INDEX(range,1,k) along a row)")
        elif shape[0] == 1 and shape[1] > 1:
            problems.append(f"INDEX({args[0]},{args[1]}) on a one-row range: Gnumeric reads the index as a row; "
                            f"write INDEX({args[0]},1,{args[1]})")
        elif shape[0] > 1 and shape[1] > 1:
            problems.append(f"INDEX({args[0]},{args[1]}) on a range of several rows and columns: write both indices")
    return problems


def lint_workbook(wb) -> LintReport:
    report = LintReport()
    names, report.bad_names = defined_names(wb)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                formula = _formula_text(cell.value)
                if formula is None:
                    continue
                report.formula_cells += 1
                used = functions_in(formula)
                report.functions |= used
                where = f"{ws.title}!{cell.coordinate}"
                for fn in used - ALLOWED_FUNCTIONS:
                    report.disallowed.setdefault(fn, where)
                problems = portability_problems(formula, names)
                if problems:
                    report.non_portable[where] = "; ".join(problems)
    report.cycle = _find_cycle(precedents(wb, names))
    return report


def _find_cycle(graph: dict[Node, list[Node]]) -> list[Any]:
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
