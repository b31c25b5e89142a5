"""The reference model as a library: one deal (``run``) or a batch of deals (``run_batch``).

``run(deal)`` is the S = 1 case of the batch engine, plus the DePIN parts and the Dashboard's
figures; its values are flat (key -> series or single value). ``run_batch(deals)`` computes many
securitization deals at once (the same code, arrays over deals) and ``summary_batch`` turns a
batch into one summary (as ``summary --json`` prints it) per deal.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..columns import Columns
from ..config import Deal
from ..glossary import SETTINGS
from .abs_model import run_abs_batch
from .dashboard import dashboard_values
from .deals import DealArrays
from .depin_model import TIER_FIELDS, run_byod, run_node
from .values import BatchValues, SheetValues

DEFAULT_SETTINGS = {key: spec[3] for key, spec in SETTINGS.items()}


@dataclass
class ModelResult:
    """Every value (keyed like the workbook rows, flat) for one resolved deal."""

    deal: Deal
    values: SheetValues
    scenario: str = "base"
    settings: dict = field(default_factory=lambda: dict(DEFAULT_SETTINGS))

    @property
    def sheets(self) -> SheetValues:
        """The flat values (the name the workbook writer and verify pass on to layout.reference_value)."""
        return self.values

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return to_frames(self.values)


def run(deal: Deal, columns: Columns | None = None, settings: dict | None = None, scenario: str = "base") -> ModelResult:
    """Compute the reference model for a deal (default columns: its own term and horizons)."""
    columns = columns or Columns.of(deal)
    settings = {**DEFAULT_SETTINGS, **(settings or {})}
    tolerance, days = settings["check_tolerance"], settings["days_per_month"]
    if deal.has_securitization:
        values = run_abs_batch(DealArrays.of([deal], columns.horizon), tolerance, settings["irr_floor_annual"]).deal(0)
    else:
        values = SheetValues()
        values.scalars["master_check"] = 0
    extra = 0
    if deal.node_sale is not None:
        for part in run_node(deal.node_sale, columns.node or deal.node_sale.horizon_months, days,
                             settings["irr_floor_annual"]).values():
            values.update(part)
        last = dict(zip(TIER_FIELDS, values.scalars[f"tier_{deal.node_sale.tier_count}"], strict=True))
        values.scalars["check_tier_sizes"] = 1 if abs(last["cum_size"] - deal.node_sale.licences) > tolerance else 0
        extra += values.scalars["check_tier_sizes"]
    if deal.byod is not None:
        for part in run_byod(deal.byod, columns.byod or deal.byod.horizon_months, days, settings["irr_floor_annual"]).values():
            values.update(part)
        values.scalars["check_byod_cumulative"] = byod_cumulative_check(deal.byod, values, tolerance)
        extra += values.scalars["check_byod_cumulative"]
    values.scalars["master_check"] = values.scalars["master_check"] + extra
    values.update(dashboard_values(deal, values, columns.years))
    return ModelResult(deal, values, scenario, settings)


def byod_cumulative_check(byod, values: SheetValues, tolerance: float) -> int:
    """1 where cumulative cash at the horizon differs from its start plus every month's net cash
    by more than the tolerance (the BYOD corkscrew; fails where a month's cell is overwritten)."""
    cum, net = values.periods["byod_cum_cash"], values.periods["byod_net_cash"]
    total = sum(x for x in net[1:] if x is not None)
    return 1 if abs(cum[byod.horizon_months] - cum[0] - total) > tolerance else 0


def run_batch(deals: list[Deal], horizon: int | None = None, check_tolerance: float = DEFAULT_SETTINGS["check_tolerance"]) -> BatchValues:
    """The securitization of many deals at once (same number of classes; everything else may differ;
    every deal must have the securitization part).

    Periods run 0..H with H the longest term (or ``horizon``). Deal s of the batch has exactly the
    values ``run(deals[s], Columns(H))`` gives for its securitization rows."""
    return run_abs_batch(DealArrays.of(list(deals), horizon), check_tolerance)


SUMMARY_CHUNK = 1000  # deals computed at once when only their summaries are kept (bounds the memory)


def summary_batch(deals: list[Deal], batch: BatchValues | None = None, scenario: str = "base") -> list[dict]:
    """One summary (its securitization part) per deal of a batch: of ``batch`` where given,
    else computed here in chunks of SUMMARY_CHUNK deals over the batch's common horizon."""
    from ..summary import securitization_summary

    deals = list(deals)
    if batch is not None:
        return [securitization_summary(deal, _BatchDeal(batch, s), scenario) for s, deal in enumerate(deals)]
    horizon = max(d.securitization.term_months for d in deals)
    out: list[dict] = []
    for start in range(0, len(deals), SUMMARY_CHUNK):
        chunk = deals[start:start + SUMMARY_CHUNK]
        values = run_batch(chunk, horizon)
        out += [securitization_summary(deal, _BatchDeal(values, s), scenario) for s, deal in enumerate(chunk)]
    return out


class _BatchDeal:
    """Read one deal's single values and year rows out of a batch, without converting its period rows."""

    def __init__(self, batch: BatchValues, s: int):
        self.batch, self.s = batch, s

    def scalar(self, key: str):
        if key in self.batch.tables:
            return [c[self.s] for c in self.batch.plain_table(key)]
        return self.batch.plain_scalar(key)[self.s]

    def years(self, key: str) -> list:
        return self.batch.years[key][:, self.s].tolist()


def to_frames(values: SheetValues) -> dict[str, pd.DataFrame]:
    """Frames of the flat values: ``periods`` (a column per period row, indexed by month t) and
    ``years`` (a column per year row)."""
    frames: dict[str, pd.DataFrame] = {}
    by_length: dict[int, dict] = {}
    for key, series in values.periods.items():
        by_length.setdefault(len(series), {})[key] = series
    for length, rows in sorted(by_length.items()):
        frame = pd.DataFrame(rows)
        frame.index.name = "t"
        frames["periods" if length == max(by_length) else f"periods_{length - 1}"] = frame
    if values.years:
        frames["years"] = pd.DataFrame({k: v for k, v in values.years.items()}).set_index("year_number", drop=False)
    return frames
