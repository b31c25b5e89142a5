"""The independent Python reference model, vectorised over deals (one deal is a batch of one)."""
from .abs_model import run_abs, run_abs_batch  # noqa: F401
from .frames import Columns, ModelResult, run, run_batch, summary_batch, to_frames  # noqa: F401
from .values import BatchValues, SheetValues  # noqa: F401
