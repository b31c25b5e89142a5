"""The deal description: one validated object that every engine reads.

A :class:`Deal` is one fully resolved scenario of a template (the format: docs/template-format.md). The
reference model and the workbook writer both read it; neither reads the other. Every field is
validated here, so that a bad input fails with its dotted path and a reason, not deep inside
an engine.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Optional, Union, cast

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator, model_validator

from .analysis.mcconfig import MonteCarlo

# Fractions are decimals (0.15 = 15%). A decline of exactly 1 would put 0^0 in Excel (#NUM!).
Fraction = Annotated[float, Field(ge=0, le=1)]
Decline = Annotated[float, Field(ge=0, lt=1)]
NonNeg = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Month = Annotated[int, Field(ge=0, le=1200)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Assets(_Section):
    gpu_model: StrictStr
    gpu_count: Annotated[int, Field(ge=1)]
    gpu_unit_price: Positive
    ancillary_capex_pct: NonNeg
    useful_life_months: Annotated[int, Field(ge=1, le=1200)]
    value_decline: Decline
    scrap_value_pct: Fraction = 0
    # None switches the income cap off: collateral = market value alone.
    buyer_discount_annual: Optional[Annotated[float, Field(gt=-1, le=10)]] = None

    @field_validator("scrap_value_pct")
    @classmethod
    def _scrap_not_vanishing(cls, value: float) -> float:
        # A fleet worth 1e-300 of its cost makes every ratio over the collateral overflow (#NUM! in Excel).
        if 0 < value < 1e-6:
            raise ValueError("must be 0 or at least 0.000001")
        return value


class Revenue(_Section):
    rent0: Positive
    rent_decline: Decline
    util_start: Fraction
    util_target: Fraction
    util_ramp_months: Month
    hours_per_month: Annotated[float, Field(gt=0, le=744)] = 730
    # One rent per month 1..T replacing the curve (shock included); length checked on the Deal.
    rent_path: Optional[Annotated[list[Positive], Field(min_length=1, max_length=600)]] = None


class Shock(_Section):
    month: Month = 0
    rent_drop: Fraction = 0
    value_drop: Fraction = 0


class Opex(_Section):
    kw_per_gpu: NonNeg
    pue: Annotated[float, Field(ge=1)]
    power_price: NonNeg
    colo_per_kw_month: NonNeg
    maintenance_pct_annual: NonNeg
    fixed_opex_month: NonNeg = 0
    idle_power_share: Fraction = 1


class Fees(_Section):
    issuance_fee_pct: Annotated[float, Field(ge=0, lt=1)]
    mgmt_fee_annual: Annotated[float, Field(ge=0, lt=1)]
    trustee_fee_month: NonNeg = 0


class Tranche(_Section):
    name: StrictStr
    share: Annotated[float, Field(gt=0, le=1)]
    coupon: Fraction


class Triggers(_Section):
    """DSCR and loan-to-value tests that switch the deal to a full cash sweep (0 switches a test off)."""

    dscr_min: NonNeg = 1.0
    dscr_months: Annotated[int, Field(ge=0, le=1200)] = 2
    ltv_max: NonNeg = 0


AMORTIZATION_MODES = ("bullet", "straight_line", "ltv", "sweep")
ALLOCATION_MODES = ("sequential", "pro_rata")


class Structure(_Section):
    amortization: Literal["bullet", "straight_line", "ltv", "sweep"]
    principal_allocation: Literal["sequential", "pro_rata"] = "sequential"
    interest_holiday_months: Month = 0
    platform_retention: Fraction = 0
    triggers: Triggers = Triggers()
    reserve_months: Annotated[float, Field(ge=0, le=24)]
    junior_excess_share: Fraction
    tranches: Annotated[list[Tranche], Field(min_length=1, max_length=10)]

    @field_validator("tranches")
    @classmethod
    def _shares_sum_to_one(cls, tranches: list[Tranche]) -> list[Tranche]:
        total = sum(t.share for t in tranches)
        if abs(total - 1) > 1e-9:
            raise ValueError(f"tranche shares sum to {total:.6g}; they must sum to 1")
        names = [t.name for t in tranches]
        if len(set(names)) != len(names):
            raise ValueError("tranche names must be unique")
        return tranches


class Default(_Section):
    shortfall_months: Annotated[int, Field(ge=1, le=1200)]
    forced_month: Month = 0
    liquidation_lag_months: Month = 0
    fire_sale_discount: Fraction = 0
    liquidation_cost_pct: Fraction = 0


class Unlock(_Section):
    """Tokens other than node rewards that enter circulation at the end of a month (team, investors)."""

    month: Annotated[int, Field(ge=1, le=1200)]
    tokens: NonNeg


class TokenShock(_Section):
    """A one-off fall of the token price from a month on (0 = no shock)."""

    month: Month = 0
    drop: Fraction = 0


class ExitMarket(_Section):
    """The market the node tokens are sold into: square-root impact on its daily volume (0 = off)."""

    daily_volume_usd: NonNeg = 0
    impact_coeff: Annotated[float, Field(ge=0, le=100)] = 0


def _move_legacy_shock(data):
    """Version-1 node templates wrote the token shock as token_shock_month / token_shock_drop."""
    if not isinstance(data, dict) or not ({"token_shock_month", "token_shock_drop"} & set(data)):
        return data
    data = dict(data)
    if "shock" in data:
        raise ValueError("give the token shock either as shock: {month, drop} or as token_shock_month / "
                         "token_shock_drop (version 1), not both")
    data["shock"] = {"month": data.pop("token_shock_month", 0), "drop": data.pop("token_shock_drop", 0)}
    return data


class Secondary(_Section):
    """The tranche tokens' secondary market: yield spread over the coupon and the bid haircuts."""

    spread: Annotated[float, Field(ge=-1, le=10)] = 0.03
    normal_haircut: Fraction = 0.02
    crunch_haircut: Fraction = 0.5


class NodeSale(_Section):
    """Aethir-style node licences sold in rising price tiers."""

    licences: Annotated[int, Field(ge=1)]
    tiers: Union[Annotated[int, Field(ge=1, le=500)], Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=500)]]
    tier1_price: Positive
    last_tier_price: Positive
    tier_prices: Optional[Annotated[list[Positive], Field(min_length=1, max_length=500)]] = None
    sold_share: Annotated[float, Field(gt=0, le=1)]
    active_share: Annotated[float, Field(gt=0, le=1)]
    token_supply: Positive
    circulating0: Optional[Positive] = None   # None: the token supply (filled in by the validator)
    # [] and None both mean no unlocks; stored as None so that the Inputs sheet has no empty row.
    unlocks: Optional[Annotated[list[Unlock], Field(max_length=120)]] = None
    node_pool_share: Annotated[float, Field(gt=0, le=1)]
    emission_months: Annotated[int, Field(ge=1, le=1200)]
    emission_decay_monthly: Decline = 0
    token_price0: Positive
    token_drift_annual: Annotated[float, Field(gt=-1, le=100)] = 0
    dilution_elasticity: Annotated[float, Field(ge=0, le=10)] = 0
    shock: TokenShock = TokenShock()
    node_opex_month: NonNeg = 0
    rational_shutdown: bool = True
    vesting_months: Month = 0
    instant_claim_penalty: Fraction = 0
    hedge_funding_annual: Annotated[float, Field(ge=-1, le=10)] = 0
    market: ExitMarket = ExitMarket()
    horizon_months: Annotated[int, Field(ge=1, le=600)]

    @property
    def tier_count(self) -> int:
        return self.tiers if isinstance(self.tiers, int) else len(self.tiers)

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data):
        data = _move_legacy_shock(data)
        if isinstance(data, dict) and data.get("circulating0") is None and "token_supply" in data:
            data = {**data, "circulating0": data["token_supply"]}
        if isinstance(data, dict) and data.get("unlocks") == []:
            data = {**data, "unlocks": None}
        return data

    @property
    def unlock_list(self) -> list[Unlock]:
        return list(self.unlocks or [])

    @model_validator(mode="after")
    def _consistent(self) -> "NodeSale":
        if self.last_tier_price < self.tier1_price:
            raise ValueError(f"last_tier_price ({self.last_tier_price:g}) is below tier1_price ({self.tier1_price:g})")
        if isinstance(self.tiers, list) and sum(self.tiers) != self.licences:
            raise ValueError(f"tier sizes sum to {sum(self.tiers)}, not licences ({self.licences})")
        if self.tier_prices is not None and len(self.tier_prices) != self.tier_count:
            raise ValueError(f"tier_prices has {len(self.tier_prices)} prices for {self.tier_count} tiers")
        if self.vesting_months >= self.horizon_months:
            raise ValueError(f"vesting_months ({self.vesting_months}) must be shorter than horizon_months ({self.horizon_months})")
        for i, unlock in enumerate(self.unlock_list):
            if unlock.month > self.horizon_months:
                raise ValueError(f"unlocks.{i}.month ({unlock.month}) is outside the horizon (months 1 to {self.horizon_months})")
        if self.market.impact_coeff > 0 and self.market.daily_volume_usd <= 0:
            raise ValueError("market.daily_volume_usd must be above 0 when market.impact_coeff is above 0 "
                             "(the impact is measured against the daily volume)")
        return self


class Staking(_Section):
    """Staking the network's token instead of running a GPU (docs/model.md)."""

    bonded_ratio: Annotated[float, Field(gt=0, le=1)] = 0.5
    staking_reward_share: Fraction = 1.0


class Byod(_Section):
    """io.net-style bring-your-own-GPU economics."""

    gpu_cost: Positive
    resale_decline_annual: Fraction = 1
    power_w: NonNeg
    idle_power_w: Optional[NonNeg] = None   # None: power_w (filled in by the validator)
    power_price: NonNeg
    bandwidth_month: NonNeg
    hire_share: Fraction
    hire_price: NonNeg
    platform_fee: Fraction
    network_emission_month: NonNeg
    emission_decay_annual: Decline = 0
    device_reward_share: Fraction = 1
    devices0: Annotated[float, Field(ge=1)]
    device_growth_monthly: Annotated[float, Field(ge=-0.5, le=10)]
    airdrop_tokens: NonNeg = 0
    airdrop_month: Month = 0
    lock_months: Month = 0
    token_price0: NonNeg
    hours_per_month: Annotated[float, Field(gt=0, le=744)] = 730
    token_drift_annual: Annotated[float, Field(gt=-1, le=100)] = 0
    circulating0: Optional[Positive] = None  # None: no dilution effect and no staking block
    dilution_elasticity: Annotated[float, Field(ge=0, le=10)] = 0
    stake_tokens: NonNeg = 0
    staking: Staking = Staking()
    rational_shutdown: bool = True
    horizon_months: Annotated[int, Field(ge=1, le=600)]

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data):
        if isinstance(data, dict) and data.get("idle_power_w") is None and "power_w" in data:
            data = {**data, "idle_power_w": data["power_w"]}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> "Byod":
        if self.lock_months >= self.horizon_months:
            raise ValueError(f"lock_months ({self.lock_months}) must be shorter than horizon_months ({self.horizon_months})")
        if self.idle_power_w is not None and self.idle_power_w > self.power_w:
            raise ValueError(f"idle_power_w ({self.idle_power_w:g}) is above power_w ({self.power_w:g})")
        if self.airdrop_tokens > 0 and not 1 <= self.airdrop_month <= self.horizon_months:
            raise ValueError(f"airdrop_month ({self.airdrop_month}) must be a month of the horizon (1 to "
                             f"{self.horizon_months}) when airdrop_tokens is above 0")
        if self.circulating0 is None and self.dilution_elasticity > 0:
            raise ValueError("dilution_elasticity needs circulating0 (the supply the emission dilutes)")
        if self.circulating0 is not None and self.token_price0 <= 0:
            raise ValueError("token_price0 must be above 0 when circulating0 is given (the staking block buys "
                             "tokens with the GPU's cost)")
        return self


# The securitization part: term_months and the sections from assets to secondary (the last two
# and shock have defaults), all of them or none.
SECURITIZATION_KEYS = ("term_months", "assets", "revenue", "shock", "opex", "fees", "structure", "default", "secondary")
SECURITIZATION_REQUIRED = ("term_months", "assets", "revenue", "opex", "fees", "structure", "default")


class Deal(_Section):
    """One resolved scenario of a template: everything an engine needs."""

    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    start_date: dt.date
    # The securitization part: all of its required sections or none of them (see _parts).
    term_months: Optional[Annotated[int, Field(ge=1, le=600)]] = None
    assets: Optional[Assets] = None
    revenue: Optional[Revenue] = None
    shock: Optional[Shock] = None          # filled with Shock() when the securitization is there
    opex: Optional[Opex] = None
    fees: Optional[Fees] = None
    structure: Optional[Structure] = None
    default: Optional[Default] = None
    secondary: Optional[Secondary] = None  # filled with Secondary() when the securitization is there
    node_sale: Optional[NodeSale] = None
    byod: Optional[Byod] = None
    montecarlo: Optional[MonteCarlo] = Field(None, exclude=True)  # analysis only: not a model input

    @model_validator(mode="before")
    @classmethod
    def _parts(cls, data):
        """A template holds any of three parts: the securitization (term_months and assets through
        secondary), node_sale and byod; the securitization comes whole or not at all."""
        if not isinstance(data, dict):
            return data
        present = [key for key in SECURITIZATION_KEYS if data.get(key) is not None]
        if present:
            missing = [key for key in SECURITIZATION_REQUIRED if data.get(key) is None]
            if missing:
                raise ValueError(f"{missing[0]}: required key is missing (a securitization part needs "
                                 f"{', '.join(SECURITIZATION_REQUIRED[:-1])} and {SECURITIZATION_REQUIRED[-1]})")
            data = dict(data)
            for key, default in (("shock", Shock()), ("secondary", Secondary())):
                if data.get(key) is None:
                    data[key] = default
        elif data.get("node_sale") is None and data.get("byod") is None:
            raise ValueError("the template has no part: give the securitization (term_months and assets through "
                             "secondary), node_sale or byod")
        return data

    @field_validator("start_date", mode="before")
    @classmethod
    def _date_only(cls, value):
        # YAML and openpyxl may hand over a datetime; a date at midnight is the same date.
        if isinstance(value, dt.datetime):
            if value.time() != dt.time(0):
                raise ValueError("must be a date without a time of day")
            return value.date()
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "Deal":
        if not self.has_securitization:
            return self
        T = self.securitization.term_months
        path = self.securitization.revenue.rent_path
        if path is not None and len(path) != T:
            raise ValueError(f"revenue.rent_path: has {len(path)} rents; it needs one per month of term_months ({T})")
        holiday = self.securitization.structure.interest_holiday_months
        if holiday >= T:
            raise ValueError(f"structure.interest_holiday_months: {holiday} must be shorter than term_months ({T})")
        denominator = raise_denominator(self)
        if denominator <= 0.05:
            raise ValueError(
                "fees.issuance_fee_pct and structure.reserve_months leave nothing to buy GPUs with "
                "(1 - fee - reserve_months * (mgmt_fee_annual + share_1 * coupon_1) / 12 = "
                f"{denominator:.4g}; it must exceed 0.05)"
            )
        return self

    @property
    def has_securitization(self) -> bool:
        """Whether the template holds the securitization part (its sections are then all set)."""
        return self.structure is not None

    @property
    def securitization(self) -> "SecuritizedDeal":
        """The deal typed as one with the securitization part (an error where it has none)."""
        if not self.has_securitization:
            raise ValueError("the template has no securitization part")
        return cast("SecuritizedDeal", self)  # the before-validator requires every section with structure

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts the template holds, of securitization, node_sale and byod."""
        return tuple(name for name, here in (("securitization", self.has_securitization),
                                             ("node_sale", self.node_sale is not None),
                                             ("byod", self.byod is not None)) if here)

    @property
    def tranche_count(self) -> int:
        return len(self.structure.tranches) if self.structure is not None else 0


class SecuritizedDeal(Deal):
    """For type checkers only: a :class:`Deal` whose securitization sections are all set.
    :attr:`Deal.securitization` returns the deal itself under this type; never instantiated."""

    term_months: Annotated[int, Field(ge=1, le=600)]
    assets: Assets
    revenue: Revenue
    shock: Shock
    opex: Opex
    fees: Fees
    structure: Structure
    default: Default
    secondary: Secondary


def raise_denominator(deal: Deal) -> float:
    """1 - issuance_fee_pct - reserve_months * (mgmt_fee_annual + share_1 * coupon_1) / 12 (section 1)."""
    deal = deal.securitization
    senior = deal.structure.tranches[0]
    return 1 - deal.fees.issuance_fee_pct - deal.structure.reserve_months * (
        deal.fees.mgmt_fee_annual + senior.share * senior.coupon) / 12


def weighted_coupon(deal: Deal) -> float:
    """Share-weighted annual coupon of all notes: sum_j share_j * coupon_j."""
    total = 0.0
    for tranche in deal.securitization.structure.tranches:
        total += tranche.share * tranche.coupon
    return total
