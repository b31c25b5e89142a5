"""The analysis workbook: reference outputs a user can pass on, each row with its rebuild command.

Values here are numbers from the reference model, not live formulas, and the cover says so.
Every case row carries the exact ``modelgen build ... --set ...`` command that writes that case
as a live-formula workbook, so any number can be followed back (build it, ``modelgen verify``
it). Native charts: breakeven bars per class, a sensitivity heat map (a colour-scaled table), and
the loss distribution per class.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import numpy as np

from .. import __version__
from .breakeven import LOSS_THRESHOLD, BreakevenResult, Crossing
from .engine import Base
from .montecarlo import MonteCarloResult
from .outputs import atomic_write, metric_kind, worse_when_higher
from .sensitivity import SensitivityResult

MAX_PATH_ROWS = 10_000
LOSS_BINS = [0.0] + [k / 10 for k in range(1, 11)]   # no loss, (0, 10%], ..., (90%, 100%]
COVER_TEXT = ("Every value in this workbook is a reference output: computed by modelgen's Python reference model, "
              "not a live Excel formula. Each row carries the modelgen build command that writes that case as a "
              "live-formula workbook; build it and run modelgen verify on it to follow any number back.")


def loss_histogram(loss_pct: np.ndarray, loss: np.ndarray, invested: np.ndarray) -> list[float]:
    """Share of paths per loss bucket: no loss, then (0, 10%], (10%, 20%], ... (90%, 100%]."""
    no_loss = loss <= LOSS_THRESHOLD * invested
    shares = [float(np.mean(no_loss))]
    for lo, hi in zip(LOSS_BINS[:-1], LOSS_BINS[1:]):
        inside = ~no_loss & (loss_pct > lo if lo > 0 else True) & (loss_pct <= hi)
        shares.append(float(np.mean(inside)))
    return shares


def bin_labels() -> list[str]:
    return ["no loss"] + [f"{round(lo * 100)}-{round(hi * 100)}%" for lo, hi in zip(LOSS_BINS[:-1], LOSS_BINS[1:])]


class AnalysisBook:
    def __init__(self, base: Base, kind: str, invocation: str):
        self.base, self.kind, self.invocation = base, kind, invocation
        self._sheets: list = []      # callables (wb, formats) that add a sheet

    # -- public: one call per analysis ------------------------------------------------------
    def add_breakeven(self, results: list[BreakevenResult]) -> None:
        self._sheets.append(lambda wb, f: self._breakeven(wb, f, results))

    def add_sensitivity(self, result: SensitivityResult) -> None:
        self._sheets.append(lambda wb, f: self._sensitivity(wb, f, result))

    def add_montecarlo(self, result: MonteCarloResult) -> None:
        self._sheets.append(lambda wb, f: self._montecarlo(wb, f, result))

    def save(self, path: Path) -> Path:
        return atomic_write(path, self._write)

    # -- writing -----------------------------------------------------------------------------
    def _write(self, tmp: Path) -> None:
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(tmp))
        wb.set_properties({"title": f"modelgen {self.kind} analysis", "comments": COVER_TEXT})
        f = {
            "title": wb.add_format({"bold": True, "font_size": 16}),
            "bold": wb.add_format({"bold": True}),
            "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
            "head": wb.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom"}),
            "pct": wb.add_format({"num_format": "0.00%"}),
            "money": wb.add_format({"num_format": "#,##0"}),
            "num": wb.add_format({"num_format": "0.000000"}),
            "int": wb.add_format({"num_format": "0"}),
            "cmd": wb.add_format({"font_name": "Consolas", "font_size": 9}),
            "note": wb.add_format({"italic": True, "font_color": "#555555"}),
        }
        self._cover(wb, f)
        for add in self._sheets:
            add(wb, f)
        for ws in wb.worksheets():
            ws.set_landscape()
            ws.set_paper(9)                  # A4
            ws.fit_to_pages(1, 0)            # one page wide
            ws.set_footer("&L&A&RPage &P of &N")
        wb.close()

    def _cover(self, wb, f) -> None:
        ws = wb.add_worksheet("Cover")
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 110)
        ws.write(0, 0, f"modelgen {self.kind} analysis", f["title"])
        ws.merge_range(2, 0, 2, 1, COVER_TEXT, f["wrap"])
        ws.set_row(2, 48)
        tpl = self.base.template
        rows = [("Values", "reference outputs (Python reference model), not live formulas"),
                ("Template", f"{self.base.template_arg} ({tpl.source})"),
                ("Deal", self.base.deal.name),
                ("Scenario", tpl.selected),
                ("--set", " ".join(self.base.sets) or "(none)"),
                ("Produced by", self.invocation),
                ("Base case build", self.base.command()),
                ("modelgen", __version__)]
        for i, (label, text) in enumerate(rows, start=4):
            ws.write(i, 0, label, f["bold"])
            ws.write_string(i, 1, text, f["cmd"] if "build" in label or label == "Produced by" else None)
        ws.activate()

    def _header(self, ws, f, row: int, names: list[str], widths: Optional[list[int]] = None) -> None:
        for c, name in enumerate(names):
            ws.write_string(row, c, name, f["head"])
            if widths:
                ws.set_column(c, c, widths[c])

    def _breakeven(self, wb, f, results: list[BreakevenResult]) -> None:
        ws = wb.add_worksheet("Breakeven")
        ws.write(0, 0, "Breakeven: where each class loses its first dollar", f["title"])
        ws.write(1, 0, f"A class loses when its loss exceeds {LOSS_THRESHOLD:g} of what it invested. "
                       "Reference outputs; each row's commands rebuild the cases just on either side.", f["note"])
        names = ["Stress input", "Class", "Result", "Direction", "Breakeven", "No loss at", "Tolerance",
                 "Range low", "Range high", "Note", "Build (no loss)", "Build (loss)"]
        self._header(ws, f, 3, names, [26, 14, 40, 10, 14, 14, 12, 11, 11, 30, 80, 80])
        r = 4
        chart_rows = []
        for res in results:
            first = r
            for c in res.classes:
                crossings: list[Optional[Crossing]] = list(c.crossings) or [None]
                for x in crossings:
                    ws.write_string(r, 0, res.stress.path)
                    ws.write_string(r, 1, c.name)
                    ws.write_string(r, 2, c.describe(res.stress.path))
                    if x is not None:
                        ws.write_string(r, 3, x.direction)
                        ws.write_number(r, 4, res.stress.value(x.value), f["num"])
                        ws.write_number(r, 5, res.stress.value(x.safe), f["num"])
                        v = res.stress.value
                        ws.write_string(r, 10, self.base.command({res.stress.path: v(x.below)}), f["cmd"])
                        ws.write_string(r, 11, self.base.command({res.stress.path: v(x.above)}), f["cmd"])
                    ws.write_number(r, 6, res.tolerance, f["num"])
                    ws.write_number(r, 7, res.lo, f["num"])
                    ws.write_number(r, 8, res.hi, f["num"])
                    ws.write_string(r, 9, c.note)
                    r += 1
            chart_rows.append((res, first, r - 1))
            r += 1
        ws.freeze_panes(4, 2)
        at = r + 1
        for res, first, last in chart_rows:
            chart = wb.add_chart({"type": "bar"})
            chart.add_series({"name": f"Breakeven {res.stress.path}",
                              "categories": ["Breakeven", first, 1, last, 1],
                              "values": ["Breakeven", first, 4, last, 4],
                              "data_labels": {"value": True, "num_format": "0.0000"}})
            chart.set_title({"name": f"Breakeven per class: {res.stress.path}"})
            chart.set_x_axis({"name": res.stress.path, "min": res.lo, "max": res.hi})
            chart.set_y_axis({"reverse": True})
            chart.set_legend({"none": True})
            chart.set_size({"width": 640, "height": 300})
            ws.insert_chart(at, 2, chart)
            at += 16

    def _sensitivity(self, wb, f, result: SensitivityResult) -> None:
        ws = wb.add_worksheet("Sensitivity")
        paths = [v.path for v in result.varies]
        ws.write(0, 0, "Sensitivity: " + " x ".join(paths), f["title"])
        ws.write(1, 0, "Reference outputs; each grid point's command rebuilds it as a live-formula workbook.", f["note"])
        names = paths + result.metrics + ["Build command"]
        self._header(ws, f, 3, names, [20] * (len(paths) + len(result.metrics)) + [110])
        rows = result.rows()
        for i, row in enumerate(rows, start=4):
            for c, p in enumerate(paths):
                ws.write_number(i, c, row[p])
            for c, m in enumerate(result.metrics, start=len(paths)):
                if row[m] is None:
                    ws.write_string(i, c, "n/a")
                else:
                    ws.write_number(i, c, row[m], f[metric_kind(m)])
            ws.write_string(i, len(names) - 1, row["command"], f["cmd"])
        ws.freeze_panes(4, len(paths))
        last = 3 + len(rows)
        if len(result.varies) == 1:
            at = 1
            for k, m in enumerate(result.metrics):
                chart = wb.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
                chart.add_series({"name": m, "categories": ["Sensitivity", 4, 0, last, 0],
                                  "values": ["Sensitivity", 4, 1 + k, last, 1 + k]})
                chart.set_title({"name": f"{m} against {paths[0]}"})
                chart.set_x_axis({"name": paths[0]})
                chart.set_y_axis({"name": m})
                chart.set_legend({"none": True})
                ws.insert_chart(at, len(names) + 1, chart)
                at += 16
            return
        # two-way: one heat map (a colour-scaled table) per metric
        hm = wb.add_worksheet("Heat map")
        v1, v2 = result.varies
        r = 0
        for m in result.metrics:
            hm.write(r, 0, f"{m}: rows {v1.path}, columns {v2.path} (reference outputs)", f["bold"])
            hm.write_string(r + 1, 0, f"{v1.path} \\ {v2.path}", f["head"])
            for c, x in enumerate(v2.values, start=1):
                hm.write_number(r + 1, c, x, f["head"])
            grid = result.values[m]
            for i, y in enumerate(v1.values):
                hm.write_number(r + 2 + i, 0, y, f["bold"])
                for c in range(len(v2.values)):
                    value = grid[i, c]
                    if np.isnan(value):
                        hm.write_string(r + 2 + i, 1 + c, "n/a")
                    else:
                        hm.write_number(r + 2 + i, 1 + c, float(value), f[metric_kind(m)])
            good, bad = "#63BE7B", "#F8696B"
            low, high = (good, bad) if worse_when_higher(m) else (bad, good)
            hm.conditional_format(r + 2, 1, r + 1 + len(v1.values), len(v2.values),
                                  {"type": "3_color_scale", "min_color": low, "mid_color": "#FFEB84", "max_color": high})
            r += len(v1.values) + 4
        hm.set_column(0, 0, 30)
        hm.set_column(1, len(v2.values), 11)

    def _montecarlo(self, wb, f, result: MonteCarloResult) -> None:
        ws = wb.add_worksheet("Monte Carlo")
        mc = result.mc
        ws.write(0, 0, f"Monte Carlo: {result.paths:,} paths, seed {result.seed}", f["title"])
        params = ", ".join(f"{k} {v}" for k, v in mc.model_dump().items() if k not in ("paths", "seed"))
        ws.write(1, 0, f"Parameters: {params}. Reference outputs.", f["note"])
        names = ["Class", "Coupon", "Spread over senior", "P(loss)", "Expected loss", "Expected loss (USD)",
                 "EL per year of WAL", "Spread covers EL", "Loss P50", "Loss P90", "Loss P95", "Loss P99",
                 "IRR P5", "IRR P50", "IRR P95", "Paths without IRR", "Mean WAL (years)"]
        self._header(ws, f, 3, names, [24] + [11] * (len(names) - 1))
        for i, s in enumerate(result.stats, start=4):
            lq, iq = s["loss_pct_quantiles"], s["irr_quantiles"]
            values = [s["coupon"], s["spread_over_senior"], s["probability_of_loss"], s["expected_loss_pct"],
                      s["expected_loss"], s["expected_loss_per_year"], s["spread_covers_expected_loss"],
                      lq["p50"], lq["p90"], lq["p95"], lq["p99"], iq["p5"], iq["p50"], iq["p95"],
                      s["paths_without_irr"], s["mean_wal_years"]]
            kinds = ["pct", "pct", "pct", "pct", "money", "pct", None, "pct", "pct", "pct", "pct", "pct", "pct", "pct",
                     "int", "num"]
            ws.write_string(i, 0, s["class"])
            for c, (value, kind) in enumerate(zip(values, kinds), start=1):
                _write(ws, i, c, value, f[kind] if kind else None)
        r = 5 + len(result.stats)
        ws.write(r, 0, "Deal", f["bold"])
        for k, (label, value) in enumerate(result.deal_stats.items()):
            ws.write_string(r + 1 + k, 0, label)
            _write(ws, r + 1 + k, 1, value, None)
        # the loss distribution per class
        r += 3 + len(result.deal_stats)
        ws.write(r, 0, "Loss distribution: share of paths per loss bucket (loss as % of invested)", f["bold"])
        labels = bin_labels()
        ws.write_string(r + 1, 0, "Loss", f["head"])
        for c, s in enumerate(result.stats, start=1):
            ws.write_string(r + 1, c, s["class"], f["head"])
        d = result.data
        hist = [loss_histogram(d["loss_pct"][:, j], d["loss"][:, j], d["invested"][:, j]) for j in range(len(result.stats))]
        for i, label in enumerate(labels):
            ws.write_string(r + 2 + i, 0, label)
            for j in range(len(result.stats)):
                ws.write_number(r + 2 + i, 1 + j, hist[j][i], f["pct"])
        chart = wb.add_chart({"type": "column"})
        for j, s in enumerate(result.stats):
            chart.add_series({"name": s["class"], "categories": ["Monte Carlo", r + 2, 0, r + 1 + len(labels), 0],
                              "values": ["Monte Carlo", r + 2, 1 + j, r + 1 + len(labels), 1 + j]})
        chart.set_title({"name": "Loss distribution per class"})
        chart.set_x_axis({"name": "Loss (% of invested)"})
        chart.set_y_axis({"name": "Share of paths", "num_format": "0%"})
        chart.set_size({"width": 720, "height": 340})
        ws.insert_chart(r, len(result.stats) + 3, chart)
        ws.freeze_panes(4, 1)
        self._paths(wb, f, result)

    def _paths(self, wb, f, result: MonteCarloResult) -> None:
        ws = wb.add_worksheet("Paths")
        d = result.data
        J = len(result.stats)
        shown = min(result.paths, MAX_PATH_ROWS)
        note = (f"Every path ({result.paths:,})" if shown == result.paths else
                f"The first {shown:,} of {result.paths:,} paths (the CSV / Parquet output has every path)")
        ws.write(0, 0, f"{note}: reference outputs; each row's command rebuilds that path as a live-formula workbook.",
                 f["note"])
        names = ["Path", "Jump month", "Default month (forced)", "Value decline"]
        for s in result.stats:
            names += [f"{s['class']} loss %", f"{s['class']} IRR"]
        names += ["Build command"]
        self._header(ws, f, 2, names, [7, 8, 10, 10] + [11] * (2 * J) + [120])
        for i in range(shown):
            r = 3 + i
            ws.write_number(r, 0, int(d["path"][i]))
            ws.write_number(r, 1, int(d["jump_month"][i]))
            ws.write_number(r, 2, int(d["forced_default_month"][i]))
            ws.write_number(r, 3, float(d["value_decline"][i]), f["pct"])
            for j in range(J):
                _write(ws, r, 4 + 2 * j, float(d["loss_pct"][i, j]), f["pct"])
                _write(ws, r, 5 + 2 * j, float(d["irr"][i, j]), f["pct"])
            ws.write_string(r, len(names) - 1, result.base.command(result.overrides(i)), f["cmd"])
        ws.freeze_panes(3, 1)


def _write(ws, r: int, c: int, value: Any, fmt) -> None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        ws.write_string(r, c, "n/a")
    elif isinstance(value, bool):
        ws.write_string(r, c, "yes" if value else "no")
    elif isinstance(value, (int, float, np.integer, np.floating)):
        ws.write_number(r, c, float(value), fmt)
    else:
        ws.write_string(r, c, str(value))
