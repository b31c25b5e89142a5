"""Names shared by the node-sale reference model and the Node tiers sheet (neither reads the other):
the strategies, the payback bases and the columns of a tier row."""
from __future__ import annotations

STRATEGIES = ("sell", "instant", "hold", "hedge")
PAYBACK_BASES = ("earned",) + STRATEGIES
# The columns of a tier row (Node tiers sheet, D onwards), in order.
TIER_FIELDS = (["tier", "size", "cum_size", "sold", "price", "proceeds", "implied_fdv", "fdv_to_market"]
               + [f"payback_month_{b}" for b in PAYBACK_BASES] + [f"payback_days_{b}" for b in PAYBACK_BASES]
               + [f"roi_{b}" for b in STRATEGIES] + [f"irr_{b}" for b in STRATEGIES] + ["breakeven_token_price"])
