"""Spreadsheet engines that recalculate a workbook, behind one interface (:class:`Engine`).

``ironcalc`` (the default: a Rust engine, a regular dependency), ``formulas`` (pure Python),
``gnumeric`` (ssconvert) and ``libreoffice`` (soffice headless).
"""
from __future__ import annotations

from .base import CellError, CellRef, Engine, EngineFailed, EngineUnavailable
from .formulas_engine import FormulasEngine
from .gnumeric_engine import GnumericEngine
from .ironcalc_engine import IronCalcEngine
from .libreoffice_engine import LibreOfficeEngine

ENGINES: dict[str, type[Engine]] = {
    "ironcalc": IronCalcEngine,
    "formulas": FormulasEngine,
    "gnumeric": GnumericEngine,
    "libreoffice": LibreOfficeEngine,
}
DEFAULT_ENGINE = "ironcalc"

__all__ = ["CellError", "CellRef", "DEFAULT_ENGINE", "ENGINES", "Engine", "EngineFailed", "EngineUnavailable",
           "engine_class", "installed_engines", "make_engine"]


def engine_class(name: str) -> type[Engine]:
    try:
        return ENGINES[name]
    except KeyError:
        raise EngineFailed(f"--engine: unknown engine '{name}' (one of {', '.join(ENGINES)}, all)") from None


def make_engine(name: str) -> Engine:
    """A new engine of that name; EngineUnavailable (one line) where it is not installed."""
    cls = engine_class(name)
    cls.require()
    return cls()


def installed_engines() -> list[str]:
    return [name for name, cls in ENGINES.items() if cls.available()]
