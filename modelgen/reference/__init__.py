"""The independent Python reference model: plain loops over months, no spreadsheet logic."""
from .abs_model import SheetValues, run_abs, sources_uses  # noqa: F401
from .frames import Columns, ModelResult, run, to_frames  # noqa: F401
