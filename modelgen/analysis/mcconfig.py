"""The template's ``montecarlo:`` block: how rent paths are drawn (one validated object).

It lives beside the deal (``Deal.montecarlo``) but is not a model input: the workbook of a
path never reads it, so it is left out of the template's input tree and off the Inputs sheet.
"""
from __future__ import annotations

from typing import Annotated, Optional

from pydantic import BaseModel, ConfigDict, Field

Fraction = Annotated[float, Field(ge=0, le=1)]
Hazard = Annotated[float, Field(ge=0, le=100)]


class MonteCarlo(BaseModel):
    """Rent paths: drift from ``revenue.rent_decline``, volatility, a next-generation jump, defaults.

    rent_t = rent0 * (1 - rent_decline)^((t-1)/12) * exp(vol * W_t - vol^2 (t-1) / 24) * (1 - jump_rent_drop)^[t >= jump month]
    with W_t a Brownian motion in years sampled monthly (W_1 = 0), so the expected rent follows
    the template's curve. The jump month and the sponsor's default month are the first arrivals
    of Poisson processes with the hazards per year below (month = ceil(12 * time in years)).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    paths: Annotated[int, Field(ge=2, le=10_000_000)] = 1000
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    rent_volatility: Annotated[float, Field(ge=0, le=5)] = 0.0
    jump_hazard: Hazard = 0.0
    jump_rent_drop: Optional[Annotated[float, Field(ge=0, lt=1)]] = None  # default: shock.rent_drop (a rent stays above 0)
    jump_value_drop: Optional[Fraction] = None    # default: the template's shock.value_drop
    value_elasticity: Annotated[float, Field(ge=0, le=10)] = 1.0
    default_hazard: Hazard = 0.0
