"""Structuring analysis over the reference model: breakeven, sensitivity and Monte Carlo.

Every figure here comes from the one reference implementation (:mod:`modelgen.analysis.engine`
is the only door to it); nothing in this package computes a cash flow of its own. Modules:

- ``inputs``: stress inputs and summary metrics by dotted path
- ``engine``: many deals in, one summary (the `summary --json` object) per deal out
- ``breakeven``: the smallest stress at which each class loses (a bracketing root finder)
- ``sensitivity``: any summary figure over a grid of one or two inputs
- ``mcconfig`` / ``montecarlo``: the template's ``montecarlo:`` block, seeded paths, statistics
- ``distribute``: a plain loop, a dask LocalCluster, or a running dask cluster
- ``recalc``: workbooks built at a case and recalculated (the proofs)
- ``outputs``, ``report_book``, ``plots``: JSON, CSV/Parquet, the analysis workbook, PNG plots
- ``sweep``: verify many workbooks, optionally across a cluster
- ``commands``: the thin Click commands ``breakeven``, ``sensitivity`` and ``montecarlo``
"""
