"""The template's ``montecarlo:`` block: how rent paths are drawn (one validated object).

It lives beside the deal (``Deal.montecarlo``) but is not a model input: the workbook of a
path never reads it, so it is left out of the template's input tree and off the Inputs sheet.
Titles and descriptions here are what the template schema and docs/template-keys.md show.
"""
from __future__ import annotations

from typing import Annotated, Any, Optional

from pydantic import BaseModel, ConfigDict, Field


def _key(title: str, description: str, **limits) -> Any:
    return Field(title=title, description=description, **limits)


class MonteCarlo(BaseModel):
    """Rent paths for modelgen montecarlo (not a model input): volatility, a next-generation launch, a default."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Monte Carlo (modelgen montecarlo)")

    paths: Annotated[int, _key("Monte Carlo: paths", "How many paths modelgen montecarlo draws unless --paths "
                                                     "says otherwise. Unit: #.", ge=2, le=10_000_000)] = 1000
    seed: Annotated[int, _key("Monte Carlo: seed", "The seed unless --seed says otherwise; path i draws from "
                                                   "numpy's SeedSequence([seed, i]).", ge=0, le=2**63 - 1)] = 0
    rent_volatility: Annotated[float, _key(
        "Monte Carlo: rent volatility", "Yearly volatility of the rent around the template's curve (lognormal; "
        "the expected rent stays on the curve). Unit: % / yr. A fraction: 0.15 is 15%.", ge=0, le=5)] = 0.0
    jump_hazard: Annotated[float, _key(
        "Monte Carlo: next-generation hazard", "Launches of a new GPU generation per year; the first one "
        "inside the term is the path's shock month. Unit: per year.", ge=0, le=100)] = 0.0
    jump_rent_drop: Optional[Annotated[float, Field(ge=0, lt=1)]] = _key(
        "Monte Carlo: rent drop at the launch", "Fall in rent from the launch month on (none = the template's "
        "shock.rent_drop). Unit: %. A fraction: 0.15 is 15%.", default=None)
    jump_value_drop: Optional[Annotated[float, Field(ge=0, le=1)]] = _key(
        "Monte Carlo: value drop at the launch", "Fall in the market value from the launch month on (none = the "
        "template's shock.value_drop). Unit: %. A fraction: 0.15 is 15%.", default=None)
    value_elasticity: Annotated[float, _key(
        "Monte Carlo: value elasticity to rent", "The market value at the term's end moves with the rent's "
        "random part to this power (0: not at all, 1: one for one). Unit: x.", ge=0, le=10)] = 1.0
    default_hazard: Annotated[float, _key(
        "Monte Carlo: sponsor default hazard", "Sponsor defaults per year; the first one inside the term is the "
        "path's forced default month (0 = none). Unit: per year.", ge=0, le=100)] = 0.0
