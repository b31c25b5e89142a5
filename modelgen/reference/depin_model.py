"""Reference model of the DePIN side: node-sale ROI (:mod:`.node_sale`) and bring-your-own-GPU ROI
with its staking block (:mod:`.byod`), as docs/model.md describes them."""
from __future__ import annotations

from ..depin import PAYBACK_BASES, STRATEGIES, TIER_FIELDS
from .byod import run_byod
from .node_sale import payback_days, payback_month, run_node, tier_prices, tier_sizes

__all__ = ["PAYBACK_BASES", "STRATEGIES", "TIER_FIELDS", "payback_days", "payback_month", "run_byod", "run_node",
           "tier_prices", "tier_sizes"]
