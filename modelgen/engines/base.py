"""The interface every recalculation engine implements: load, set inputs, evaluate, read a cell.

A cell is named by its sheet's title (as in the workbook) and its A1 coordinate. Values come back
as plain Python: ``float`` for numbers (dates as Excel serial numbers), ``str`` for text, ``bool``
for logical values, ``None`` for an empty cell and :class:`CellError` for an Excel error value.
"""
from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Mapping, Optional

from ..errors import ModelgenError

CellRef = tuple[str, str]  # (sheet title, "A1")


class EngineUnavailable(ModelgenError):
    """The engine is not installed on this machine."""


class EngineFailed(ModelgenError):
    """The engine could not load or recalculate the workbook."""


class CellError(str):
    """An Excel error value (``#DIV/0!``, ``#REF!``, ...) as an engine computed it."""

    def __repr__(self) -> str:
        return f"CellError({str(self)!r})"


EXCEL_ERRORS = frozenset({"#VALUE!", "#REF!", "#NAME?", "#DIV/0!", "#NUM!", "#N/A", "#NULL!", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#ERROR!", "#CIRC!"})

EXCEL_EPOCH = dt.date(1899, 12, 30)


def serial(value: dt.date | dt.datetime) -> float:
    """An Excel serial number (1900 date system) for a date or date-time."""
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((value - EXCEL_EPOCH).days)


class Engine(ABC):
    """One spreadsheet engine, used as: ``load(path)``, ``set_inputs({...})``, ``evaluate()``,
    then ``value(sheet, cell)`` for each cell; ``close()`` (or a ``with`` block) frees it.

    ``set_inputs`` replaces constant cells (the Inputs sheet's scenario columns or the scenario
    selector) and stays in force for later evaluations until other values are set."""

    name: ClassVar[str]
    program: ClassVar[str]        # what has to be installed, in words
    install_hint: ClassVar[str]   # how to install it

    def __init__(self) -> None:
        self.path: Optional[Path] = None
        self.evaluated = False

    # -- availability ----------------------------------------------------------------------
    @classmethod
    @abstractmethod
    def available(cls) -> bool:
        """Whether the engine is installed here."""

    @staticmethod
    def importable(module: str) -> bool:
        """Whether a Python package can be imported (an engine that is a Python package)."""
        try:
            __import__(module)
        except ImportError:
            return False
        return True

    @classmethod
    def require(cls) -> None:
        if not cls.available():
            raise EngineUnavailable(f"--engine {cls.name}: {cls.program} is not installed; "
                                    f"install it with: {cls.install_hint}")

    # -- the interface -----------------------------------------------------------------------
    def load(self, path: Path | str) -> "Engine":
        self.require()
        self.path = Path(path)
        self.evaluated = False
        self._load(self.path)
        return self

    def set_inputs(self, changes: Mapping[CellRef, Any]) -> None:
        """Replace the constants in ``changes`` ({(sheet, "A1"): value}); numbers, text, booleans or dates."""
        if self.path is None:
            raise EngineFailed(f"--engine {self.name}: set_inputs before load")
        if changes:
            self._set_inputs({(sheet, cell.replace("$", "").upper()): _input_value(value)
                              for (sheet, cell), value in changes.items()})
            self.evaluated = False

    def evaluate(self) -> None:
        if self.path is None:
            raise EngineFailed(f"--engine {self.name}: evaluate before load")
        self._evaluate()
        self.evaluated = True

    def value(self, sheet: str, cell: str) -> Any:
        """The value of a cell after :meth:`evaluate`."""
        if not self.evaluated:
            raise EngineFailed(f"--engine {self.name}: value read before evaluate")
        return self._value(sheet, cell)

    def close(self) -> None:
        """Free what the engine holds (models, temporary files, processes)."""
        self.evaluated = False

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what each engine implements ---------------------------------------------------------
    @abstractmethod
    def _load(self, path: Path) -> None: ...

    @abstractmethod
    def _set_inputs(self, changes: dict[CellRef, Any]) -> None: ...

    @abstractmethod
    def _evaluate(self) -> None: ...

    @abstractmethod
    def _value(self, sheet: str, cell: str) -> Any: ...


def _input_value(value: Any) -> Any:
    """Inputs as an engine takes them: dates as serial numbers, numpy scalars as Python values."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return serial(value)
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        return value
    raise EngineFailed(f"an input cell cannot hold {type(value).__name__} ({value!r})")
