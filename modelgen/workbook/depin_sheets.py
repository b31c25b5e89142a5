"""The DePIN sheets: Node ROI and Node tiers (:mod:`.node_sheets`) and BYOD ROI (:mod:`.byod_sheet`),
as docs/model.md describes them."""
from __future__ import annotations

from .byod_sheet import byod_sheet
from .node_sheets import node_roi_sheet, node_tiers_sheet

__all__ = ["byod_sheet", "node_roi_sheet", "node_tiers_sheet"]
