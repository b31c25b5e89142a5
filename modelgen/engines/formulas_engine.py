"""The ``formulas`` package (pure Python) as an engine, with each formula shape compiled once.

A modelgen workbook repeats one formula across the months of a row, so its ~8,000 formula cells
have only a few hundred distinct shapes in R1C1 terms (references relative to the cell). The
``formulas`` package parses and compiles every cell on its own, which is most of its run time.
:class:`SharedShapeModel` compiles the first cell of each shape (the prototype) the ordinary way
and binds every other cell of that shape to the prototype's compiled function: the cell's own
references are its inputs, and their values are handed to the function in the prototype's
geometry. Anything that could depend on the cell's position (ROW, COLUMN, OFFSET, INDIRECT, CELL,
implicit intersection) or that the binding cannot map one to one is compiled the ordinary way.
"""
from __future__ import annotations

import collections
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Optional

from .base import CellError, CellRef, Engine, EngineFailed

# A1 references outside strings: an optional sheet, a cell, an optional second cell of a range.
REF = re.compile(
    r"(?<![A-Za-z0-9_.\"'!$:])(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!)?"
    r"(?P<c1>\$?[A-Z]{1,3})(?P<r1>\$?\d+)(?::(?P<c2>\$?[A-Z]{1,3})(?P<r2>\$?\d+))?(?![A-Za-z0-9_(!:])")
STRING = re.compile(r'"(?:[^"]|"")*"')
POSITIONAL = re.compile(r"\b(?:ROW|ROWS|COLUMN|COLUMNS|OFFSET|INDIRECT|CELL|ADDRESS)\s*\(", re.I)
COORD = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _col_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def shape_of(formula: str, row: int, col: int) -> tuple[str, list[tuple[Optional[str], str]]]:
    """(the formula in R1C1 terms relative to (row, col), [(sheet or None, A1 reference), ...])."""
    refs: list[tuple[Optional[str], str]] = []
    strings: list[str] = []

    def keep(match: re.Match) -> str:
        strings.append(match.group(0))
        return f"\x00{len(strings) - 1}\x00"

    body = STRING.sub(keep, formula)

    def endpoint(c: str, r: str) -> str:
        rr = f"R{r[1:]}" if r.startswith("$") else f"R[{int(r) - row}]"
        cc = f"C{_col_number(c[1:])}" if c.startswith("$") else f"C[{_col_number(c) - col}]"
        return rr + cc

    def ref(match: re.Match) -> str:
        sheet = match.group("sheet")
        a1 = (match.group("c1") + match.group("r1")).replace("$", "")
        out = endpoint(match.group("c1"), match.group("r1"))
        if match.group("c2"):
            a1 += ":" + (match.group("c2") + match.group("r2")).replace("$", "")
            out += ":" + endpoint(match.group("c2"), match.group("r2"))
        refs.append((sheet, a1))
        return (f"{sheet}!" if sheet else "") + out

    shape = REF.sub(ref, body)
    return re.sub("\x00(\\d+)\x00", lambda m: strings[int(m.group(1))], shape), refs


class _Steps:
    """A prototype's compiled DispatchPipe run as a plain list of steps (its functions in order).

    The pipe of a cell formula is a chain of single-output functions and data nodes, the output
    passed through a filter; schedula's bookkeeping around each step is most of the evaluation
    time. The steps call the very same functions and filters in the pipe's own order. Anything
    else (or any exception) is left to the pipe itself, so the results are the pipe's."""

    def __init__(self, pipe) -> None:
        self.pipe = pipe
        self.inputs = list(pipe.inputs)
        self.output = pipe.outputs[0]
        self.defaults = {k: v["value"] for k, v in pipe.dsp.default_values.items()}
        self.steps: list[tuple] = []
        for x, _, sub_dispatchers in pipe.pipe:
            node_id, sol = x[-1]
            node = sol.nodes[node_id]
            if sub_dispatchers or node["type"] not in ("function", "data"):
                raise ValueError("not a plain chain")
            if node["type"] == "function":
                if len(node["outputs"]) != 1 or set(node) - {"type", "inputs", "outputs", "function", "wait_inputs",
                                                              "index", "solve_cycle", "extra_inputs"}:
                    raise ValueError("not a plain function node")
                self.steps.append((node["function"], tuple(node["inputs"]), node["outputs"][0]))
            elif node.get("filters"):
                if set(node) - {"type", "wait_inputs", "index", "filters"}:
                    raise ValueError("not a plain data node")
                self.steps.append((None, tuple(node["filters"]), node_id))

    def __call__(self, *args: Any) -> Any:
        values = dict(self.defaults)
        values.update(zip(self.inputs, args))
        try:
            for function, inputs, out in self.steps:
                if function is None:
                    value = values[out]
                    for f in inputs:
                        value = f(value)
                    values[out] = value
                else:
                    values[out] = function(*[values[i] for i in inputs])
            return values[self.output]
        except Exception:  # reproduce exactly what the pipe does with it
            return self.pipe(*args)


def _steps(pipe) -> Any:
    try:
        return _Steps(pipe)
    except (ValueError, KeyError, AttributeError, TypeError):
        return pipe


class _Bound:
    """A cell bound to its shape's prototype: its inputs relabelled to the prototype's geometry."""

    def __init__(self, proto, run, templates: dict, plan: list[tuple[list, Optional[dict]]], name: str):
        self.pipe = run                                  # the prototype's compiled function (as steps)
        self.templates = templates                       # {input key: Ranges in the prototype's geometry}
        self.plan = plan                                 # per argument: (input keys, prototype range or None)
        self.__name__ = name

    def __call__(self, *args: Any) -> Any:
        import schedula as sh
        from formulas.ranges import Ranges
        from formulas.tokens.operand import Error

        inputs = {k: (Ranges(r.ranges) if hasattr(r, "ranges") else r) for k, r in self.templates.items()}
        for (keys, proto_range), value in zip(self.plan, args):
            for k in keys:
                if not hasattr(value, "values"):
                    inputs[k] = value
                elif proto_range is None:
                    inputs[k].values.update(value.values)
                else:
                    inputs[k].values[proto_range["name"]] = (proto_range, value.value)
        try:
            return self.pipe(*inputs.values())
        except sh.DispatcherError as ex:
            if isinstance(ex.ex, NotImplementedError):
                return Error.errors["#NAME?"]
            raise


def _shared_model_class():
    """The ExcelModel subclass (built on first use: importing ``formulas`` takes a second)."""
    import schedula as sh
    from formulas.cell import CELL, Cell
    from formulas.excel import ExcelModel
    from formulas.ranges import Ranges

    class SharedShapeModel(ExcelModel):
        def __init__(self) -> None:
            super().__init__()
            self.prototypes: dict[tuple, Any] = {}
            self.stats: collections.Counter[str] = collections.Counter()

        def _compile_cell(self, crd, val, context, check_formula, references):
            match = COORD.match(crd) if isinstance(crd, str) else None
            if not (check_formula and match and isinstance(val, str) and val.startswith("=")
                    and not POSITIONAL.search(val)):
                return ExcelModel._compile_cell(crd, val, context, check_formula, references)
            row, col = int(match.group(2)), _col_number(match.group(1))
            shape, refs = shape_of(val, row, col)
            key = (context.get("excel"), context.get("sheet"), shape)
            names = [self._node_name(context, sheet, a1) for sheet, a1 in refs]
            proto = self.prototypes.get(key)
            if proto is None:
                cell = ExcelModel._compile_cell(crd, val, context, check_formula, references)
                if self._shareable(cell, names, references):
                    pipe = cell.func.func
                    self.prototypes[key] = (cell, names, _steps(pipe), pipe.inputs)
                    cell.func.func = self.prototypes[key][2]  # the prototype itself runs as steps too
                else:
                    self.prototypes[key] = (None, None, None, None)
                self.stats["compiled"] += 1
                return cell
            proto_cell, proto_names, run, templates = proto
            mapping = self._mapping(proto_names, names) if proto_cell is not None else None
            if mapping is None:
                self.stats["compiled"] += 1
                return ExcelModel._compile_cell(crd, val, context, check_formula, references)
            self.stats["bound"] += 1
            return self._bind(proto_cell, run, templates, crd, context, mapping)

        @staticmethod
        def _node_name(context, sheet: Optional[str], a1: str) -> str:
            if sheet is None:
                sheet_name = context["sheet"]
            else:
                sheet_name = (sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet).upper()
            return f"'[{context['filename']}]{sheet_name}'!{a1}"

        def _shareable(self, cell, names: list[str], references) -> bool:
            """Whether other cells of this shape can reuse the cell's compiled function."""
            func = getattr(cell, "func", None)
            if func is None or cell.inputs is None or not hasattr(func, "func"):
                return False
            pipe = func.func
            if not isinstance(getattr(pipe, "inputs", None), dict) or CELL in pipe.dsp.data_nodes:
                return False
            graph_inputs = set(cell.inputs)
            own = set(names)
            for name in graph_inputs:
                if name in own:
                    continue
                if name in references or name is sh.SELF or not isinstance(name, str):
                    continue  # defined names and the dispatcher itself do not depend on the position
                return False
            return own <= graph_inputs

        @staticmethod
        def _mapping(proto_names: list[str], names: list[str]) -> Optional[dict[str, str]]:
            if len(proto_names) != len(names):
                return None
            mapping: dict[str, str] = {}
            for p, n in zip(proto_names, names):
                if mapping.setdefault(p, n) != n:
                    return None
            return mapping

        @staticmethod
        def _bind(proto, run, templates: dict, crd: str, context, mapping: dict[str, str]):
            cell = Cell.__new__(Cell)
            cell.replace_missing_ref = True
            cell.range = Ranges().push(crd, context=context)
            cell.output = cell.range.ranges[0]["name"]
            cell.builder, cell.value = None, sh.EMPTY
            inputs: collections.OrderedDict = collections.OrderedDict()
            plan = []
            for graph_name, keys in proto.inputs.items():
                target = mapping.get(graph_name, graph_name) if isinstance(graph_name, str) else graph_name
                inputs[target] = keys
                moved = target != graph_name
                plan.append((keys, Ranges.get_range(graph_name) if moved else None))
            cell.inputs = inputs
            cell.func = _Bound(proto, run, templates, plan, f"={cell.output}")
            return cell

    return SharedShapeModel


def load_formulas_model(path: Path, shared: bool = True):
    """A compiled ``formulas`` model of the workbook (``shared``: one compilation per formula shape)."""
    os.environ.setdefault("TQDM_DISABLE", "1")  # formulas' own progress bars
    import formulas

    cls = _shared_model_class() if shared else formulas.ExcelModel
    try:
        return cls().loads(str(path)).finish()
    except Exception as exc:  # the package raises many kinds on a workbook it cannot compile
        raise EngineFailed(f"--engine formulas: cannot compile {path.name}: {type(exc).__name__}: "
                           f"{' '.join(str(exc).split())[:200]}") from None


CELL_NAME = re.compile(r"^'?\[(?P<file>[^\]]+)\](?P<sheet>.+?)'?!(?P<cell>[A-Z]+[0-9]+)$")


class FormulasEngine(Engine):
    """The ``formulas`` package: compiles the workbook into a Python graph and evaluates it."""

    name = "formulas"
    program = "the formulas package"
    install_hint = "pip install formulas"

    def __init__(self, shared: bool = True) -> None:
        super().__init__()
        self.shared = shared
        self.model: Any = None
        self.keys: dict[tuple[str, str], str] = {}     # (SHEET, A1) -> the model's node key
        self.changes: dict[str, Any] = {}
        self.values: dict[tuple[str, str], Any] = {}

    @classmethod
    def available(cls) -> bool:
        return cls.importable("formulas")

    def _load(self, path: Path) -> None:
        from .xlsx import needs_normalising, normalise

        if needs_normalising(path):  # notes without authors (Gnumeric): openpyxl, inside formulas, cannot read them
            with tempfile.TemporaryDirectory(prefix="modelgen-formulas-") as tmp:
                source = Path(tmp) / path.name
                normalise(path, source)
                self.model = load_formulas_model(source, self.shared)
        else:
            self.model = load_formulas_model(path, self.shared)
        self.keys = {}
        for key in self.model.dsp.data_nodes:
            match = CELL_NAME.match(key) if isinstance(key, str) else None
            if match:
                self.keys[(match.group("sheet").upper(), match.group("cell"))] = key
        self.changes = {}

    def _set_inputs(self, changes: dict[CellRef, Any]) -> None:
        for (sheet, cell), value in changes.items():
            key = self.keys.get((sheet.upper(), cell))
            if key is None:
                raise EngineFailed(f"--engine formulas: no cell {sheet}!{cell} in the compiled workbook")
            self.changes[key] = value

    def _evaluate(self) -> None:
        solution = self.model.calculate(inputs=dict(self.changes))
        values: dict[tuple[str, str], Any] = {}
        for key, ranges in solution.items():
            match = CELL_NAME.match(key) if isinstance(key, str) else None
            if match:
                values[(match.group("sheet").upper(), match.group("cell"))] = ranges
        self.values = values

    def _value(self, sheet: str, cell: str) -> Any:
        ranges = self.values.get((sheet.upper(), cell))
        if ranges is None:
            return None
        value = getattr(ranges, "value", ranges)
        try:
            value = value[0][0]
        except (TypeError, IndexError, KeyError):
            pass
        return plain(value)

    def close(self) -> None:
        super().close()
        self.model = None
        self.values = {}


def plain(value: Any) -> Any:
    """A value of the formulas package as a plain Python value (errors as CellError)."""
    import schedula as sh

    if value is sh.EMPTY or value is None:
        return None
    if type(value).__name__ in ("XlError", "XlCircular"):
        return CellError(str(value))
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (AttributeError, ValueError):
            pass
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    return value
