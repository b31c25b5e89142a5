"""The Dashboard sheet: the headline figures of every section, as links, and native charts.

Every number here is a formula that fetches a cell of a calculation sheet (green: a link); the
charts read the calculation sheets' rows directly, except where a value must be plotted as a gap
(a payback that never happens): those series read a chart-data block at the foot of the sheet
that turns "never" into #N/A, which a chart leaves out instead of drawing as zero.

Print: the headline tables on the first page(s), then the charts two bands (four charts) to a
page, with a page break before each page of charts so that no chart is cut, then the chart data.
"""
from __future__ import annotations

import math
import types
from typing import TYPE_CHECKING

from ..config import Deal, SecuritizedDeal
from ..chart_data import PAYBACK_SERIES, payback_chart_columns
from ..waterfall import PARTICIPANTS
from .layout import FIRST_PERIOD_COL, KEY_COL, LABEL_COL, UNIT_COL, VALUE_COL, Plan, reference_value
from .styles import Styles

if TYPE_CHECKING:  # the reference's value store, only as a type
    from ..reference.values import SheetValues

DASHBOARD_SHEET = "Dashboard"
CHART_WIDTH, CHART_HEIGHT = 620, 300   # pixels
CHART_BAND = 16                        # rows (20 px each) per band of two charts: 320 px
BANDS_PER_PAGE = 2
TRANCHE_COLUMNS = [("Invested", "USD", "[{inv}]"), ("IRR", "%", "[irr_{j}]"), ("MOIC", "x", "[moic_{j}]"),
                   ("Loss", "%", "[loss_pct_{j}]"),
                   ("Paid by the GPU sale per 100", "per 100", "[recovery_per_100_{j}]"),
                   ("Payback month", "month", "[payback_month_{j}]"), ("WAL (years)", "years", "[wal_years_{j}]"),
                   ("Min interest cover", "x", "[min_interest_cover_{j}]")]


def dashboard_rows(deal: Deal, years: int) -> list[tuple]:
    """(block title, column headers, [(key, label, unit per column, cell templates)]) for each block.

    Cell templates start at column D (None leaves a cell empty)."""
    blocks = _securitization_rows(deal.securitization, years) if deal.has_securitization else []
    if deal.node_sale is not None:
        n = deal.node_sale.tier_count
        blocks.append(("Node sale", ["Tier-1 payback (days, earned)", f"Tier-{n} payback (days, earned)",
                                     "Tier-1 ROI (sell at vesting)", "Proceeds to the house", "Proceeds / value emitted"],
                       [("dash_node", "Node licences", ["days", "days", "%", "USD", "x"],
                         ["=[tier_1@c13]", f"=[tier_{n}@c13]", "=[tier_1@c18]", "=[node_sale_proceeds]",
                          "=[house_proceeds_to_emission]"])]))
    if deal.byod is not None:
        blocks.append(("Bring your own GPU", ["Payback month", "ROI at the horizon", "Share of income from usage"],
                       [("dash_byod", "GPU owner", ["month", "%", "%"],
                         ["=[byod_payback_month]", "=[byod_roi]", "=[usage_share_of_income]"])]))
    return blocks


def _securitization_rows(deal: SecuritizedDeal, years: int) -> list[tuple]:
    """The securitization's blocks: tranches, the deal, who gets what, the payback picture."""
    J = deal.tranche_count
    names = [t.name for t in deal.structure.tranches]
    blocks: list[tuple] = []
    rows = []
    for j, name in list(zip(range(1, J + 1), names)) + [("all", "All token holders")]:
        inv = "raise_amount" if j == "all" else f"invested_{j}"
        rows.append((f"dash_tranche_{j}", name, [u for _, u, _ in TRANCHE_COLUMNS],
                     ["=" + t.format(inv=inv, j=j) for _, _, t in TRANCHE_COLUMNS]))
    blocks.append(("Token holders by tranche", [c for c, _, _ in TRANCHE_COLUMNS], rows))
    blocks.append(("The deal", ["Capex", "Raise", "Issuance fee", "Default month (0 = none)", "Sale month"],
                   [("dash_deal", "Sources, uses and the sale", ["USD", "USD", "USD", "month", "month"],
                     ["=[capex]", "=[raise_amount]", "=[issuance_fee]", "=[default_month]", "=[sale_month]"])]))
    parties = [("token_holders", "Token holders (all tranches)")] + [(k, label) for k, label, _ in PARTICIPANTS]
    blocks.append(("Who gets what (whole-life net cash)", ["Net cash"],
                   [(f"dash_party_{k}", label, ["USD"], [f"=[{k}@net]"]) for k, label in parties]))
    year_rows: list[tuple] = []
    for j, name in zip(range(1, J + 1), names):
        year_rows.append((f"dash_cum_{j}", f"{name}: cumulative distributions", ["USD"] * (years + 1),
                          [None] + [f"=INDEX([cum_distributions_{j}@all0],1,MIN(12*[year_number],term_months)+1)"] * years))
        year_rows.append((f"dash_invested_{j}", f"{name}: invested", ["USD"] * (years + 1),
                          [None] + [f"=[invested_{j}]"] * years))
    blocks.append(("The payback picture: cumulative distributions at each year end against money invested",
                   [""] + [f"Year {y}" for y in range(1, years + 1)], year_rows))
    return blocks


def chart_data_rows(deal: Deal) -> list[tuple]:
    """The chart-data block: per node tier, each strategy's payback in days, #N/A for "never"."""
    if deal.node_sale is None:
        return []
    rows = []
    columns = payback_chart_columns()
    for k in range(1, deal.node_sale.tier_count + 1):
        cells = [f"=IF(ISNUMBER([tier_{k}@c{c}]),[tier_{k}@c{c}],NA())" for _, c in columns]
        rows.append((f"chart_payback_tier_{k}", f"Tier {k}", ["days"] * len(cells), cells))
    return rows


CLASS_COLOURS = ("#1F4E79", "#C00000", "#548235", "#BF8F00", "#7030A0")  # one per class: exit solid, promised dashed


def chart_count(deal: Deal) -> int:
    return 6 * deal.has_securitization + (deal.node_sale is not None) + (deal.byod is not None)


def _block_rows(plan: Plan, deal: Deal) -> int:
    """Rows the headline blocks take (heading, rows, one blank row each)."""
    return sum(len(rows) + 2 for _, _, rows in dashboard_rows(deal, plan.years))


def chart_first_row(plan: Plan, deal: Deal) -> int:
    return 4 + _block_rows(plan, deal) + 1


def chart_data_first_row(plan: Plan, deal: Deal) -> int:
    """The chart data's heading row: on a page of its own after the last band of charts."""
    return chart_first_row(plan, deal) + math.ceil(chart_count(deal) / 2) * CHART_BAND + 1


def _write_rows(ws, styles: Styles, plan: Plan, sheets: SheetValues, write_formula, r: int, title: str, headers, rows) -> int:
    ws.write_string(r, LABEL_COL, title, styles.section)
    ws.set_row(r, 30)
    for i, header in enumerate(headers):
        if header:
            ws.write_string(r, VALUE_COL + i, header, styles.get(bold=True, font_color="#FFFFFF", bg_color="#1F3864",
                                                                align="center", valign="vcenter", text_wrap=True))
    r += 1
    for key, label, units, cells in rows:
        ws.write_string(r, LABEL_COL, label)
        ws.write_string(r, UNIT_COL, units[-1] if len(set(units) - {None}) == 1 else "see header", styles.unit)
        ws.write_string(r, KEY_COL, key, styles.key)
        for i, template in enumerate(cells):
            if template:
                col = VALUE_COL + i
                write_formula(ws, r, col, plan.render(template, DASHBOARD_SHEET, col), styles.value(units[i]),
                              reference_value(sheets, DASHBOARD_SHEET, key, col)[1])
        r += 1
    return r + 1


def write_dashboard(wb, ws, styles: Styles, plan: Plan, deal: Deal, sheets: SheetValues, write_formula, write_header) -> None:
    write_header(ws, styles, "Dashboard", "Headline figures of every section (links to the calculation sheets) "
                 "and charts. Follow any number to its sheet.", "=master_check")
    ws.repeat_rows(0, 2)  # the dashboard's row 5 is a block heading, not a column header
    ws.set_paper(9)  # A4 landscape, one page wide: the charts are placed so that no page break cuts one
    ws.fit_to_pages(1, 0)
    r = 4
    for title, headers, rows in dashboard_rows(deal, plan.years):
        r = _write_rows(ws, styles, plan, sheets, write_formula, r, title, headers, rows)
    ws.set_column(LABEL_COL, LABEL_COL, 40)
    ws.set_column(UNIT_COL, UNIT_COL, 8)
    ws.set_column(KEY_COL, KEY_COL, 18)
    ws.set_column(VALUE_COL, VALUE_COL + 8, 16)
    first = chart_first_row(plan, deal)
    assert r + 1 == first, (r, first)
    charts = _charts(wb, ws, plan, deal)
    breaks = []
    for i, chart in enumerate(charts):
        band = i // 2
        if band % BANDS_PER_PAGE == 0:
            breaks.append(first + band * CHART_BAND)
        ws.insert_chart(first + band * CHART_BAND, LABEL_COL if i % 2 == 0 else VALUE_COL + 1, chart,
                        {"object_position": 3})  # fixed size, not stretched by row heights
    data_rows = chart_data_rows(deal)
    if data_rows:
        r = chart_data_first_row(plan, deal)
        breaks.append(r)
        _write_rows(ws, styles, plan, sheets, write_formula, r,
                    "Chart data: node payback by tier (#N/A where a tier never pays back, so the chart leaves a gap)",
                    list(PAYBACK_SERIES[b] for b, _ in payback_chart_columns()), data_rows)
    ws.set_h_pagebreaks(breaks)


def _series_range(plan: Plan, key: str, first_t: int = 1) -> list:
    place = plan.places[key]
    return [place.sheet, place.row, FIRST_PERIOD_COL + first_t, place.row, place.last_col]


def _write_smooth_explicitly(self, smooth) -> None:
    """xlsxwriter leaves <c:smooth> out unless smoothing is on, and LibreOffice then draws the
    line smoothed (overshooting before a drop, dipping below zero after it): write val=0."""
    self._xml_empty_tag("c:smooth", [("val", "1" if smooth else "0")])


def _add_chart(wb, options: dict):
    chart = wb.add_chart(options)
    if options["type"] in ("line", "scatter"):
        chart._write_c_smooth = types.MethodType(_write_smooth_explicitly, chart)
    chart.show_blanks_as("gap")       # an empty cell is a gap, not a zero
    chart.show_na_as_empty_cell()     # and so is #N/A (Excel would otherwise join the line across it)
    return chart


def _line(wb, title: str, y_title: str, x_title: str = "Month", kind: str = "line", subtype: str | None = None):
    chart = _add_chart(wb, {"type": kind, **({"subtype": subtype} if subtype else {})})
    chart.set_title({"name": title, "name_font": {"size": 11}})
    y_axis = {"name": y_title, "num_font": {"size": 8}}
    if y_title.startswith("USD") and "hour" not in y_title:
        y_axis["num_format"] = '#,##0,,"m"' if y_title == "USD" else "#,##0"
        if y_title == "USD":
            y_axis["name"] = "USD millions"
    chart.set_y_axis(y_axis)
    chart.set_x_axis({"name": x_title, "num_font": {"size": 8}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
    return chart


def _charts(wb, ws, plan: Plan, deal: Deal) -> list:
    """The charts of each part the deal has."""
    charts = _securitization_charts(wb, plan, deal.securitization) if deal.has_securitization else []
    dash_row = {key: row for key, row in _dashboard_places(plan, deal)}
    if deal.node_sale is not None:
        n = deal.node_sale.tier_count
        first, last = plan.places["tier_1"].row, plan.places[f"tier_{n}"].row
        data_first = dash_row["chart_payback_tier_1"]
        c = _line(wb, "Node payback by tier and strategy (a gap: never pays back)", "Days", x_title="Tier")
        for i, (basis, _) in enumerate(payback_chart_columns()):
            c.add_series({"name": PAYBACK_SERIES[basis], "categories": ["Node tiers", first, VALUE_COL, last, VALUE_COL],
                          "values": [DASHBOARD_SHEET, data_first, VALUE_COL + i, data_first + n - 1, VALUE_COL + i],
                          "marker": {"type": "circle", "size": 3}, "smooth": False})
        # LibreOffice draws #N/A as zero unless the chart's data holds an empty cell somewhere: a
        # series over the empty column beside the chart data, with no line and no legend entry.
        spare = VALUE_COL + len(payback_chart_columns())
        c.add_series({"name": "(empty)", "values": [DASHBOARD_SHEET, data_first, spare, data_first + n - 1, spare],
                      "line": {"none": True}, "marker": {"type": "none"}})
        c.set_legend({"position": "bottom", "delete_series": [len(payback_chart_columns())]})
        charts.append(c)
    if deal.byod is not None:
        c = _line(wb, "Bring your own GPU: income by source", "USD per month", kind="column", subtype="stacked")
        byod_months = _series_range(plan, "byod_month")
        for key, label in (("hire_income", "Hire (real usage)"), ("block_reward_income", "Block rewards"),
                           ("airdrop_income", "Airdrop")):
            c.add_series({"name": label, "categories": byod_months, "values": _series_range(plan, key)})
        charts.append(c)
    assert len(charts) == chart_count(deal)
    return charts


def _securitization_charts(wb, plan: Plan, deal: SecuritizedDeal) -> list:
    """Rent and cost, market and book value, tranche balances, cumulative distributions, who gets what."""
    J = deal.tranche_count
    names = [t.name for t in deal.structure.tranches]
    months = _series_range(plan, "period")
    charts = []
    c = _line(wb, "Rent and operating cost per GPU-hour", "USD per GPU-hour")
    c.add_series({"name": "Rent", "categories": months, "values": _series_range(plan, "rent_per_gpu_hour"), "smooth": False})
    c.add_series({"name": "Operating cost", "categories": months, "values": _series_range(plan, "opex_per_gpu_hour"),
                  "smooth": False})
    charts.append(c)
    c = _line(wb, "Market value against book value of the fleet", "USD")
    close = _series_range(plan, "period", 0)
    c.add_series({"name": "Market (resale) value", "categories": close, "values": _series_range(plan, "market_value", 0),
                  "smooth": False})
    c.add_series({"name": "Book value", "categories": close, "values": _series_range(plan, "book_value", 0), "smooth": False})
    charts.append(c)
    c = _line(wb, "Tranche balances (waterfall)", "USD", kind="area", subtype="stacked")
    for j, name in zip(range(1, J + 1), names):
        c.add_series({"name": name, "categories": close, "values": _series_range(plan, f"balance_close_{j}", 0)})
    charts.append(c)
    c = _line(wb, "Selling the token: exit value against the value promised", "Per 100 invested")
    for j, name in zip(range(1, J + 1), names):
        colour = CLASS_COLOURS[(j - 1) % len(CLASS_COLOURS)]
        c.add_series({"name": f"{name}: exit value", "categories": close, "line": {"color": colour},
                      "values": _series_range(plan, f"exit_per_100_{j}", 0), "smooth": False})
        c.add_series({"name": f"{name}: promised (par claim)", "categories": close,
                      "values": _series_range(plan, f"promised_per_100_{j}", 0),
                      "line": {"color": colour, "dash_type": "dash"}, "smooth": False})
    charts.append(c)
    c = _line(wb, "Cumulative distributions against money invested", "USD", x_title="Deal year", kind="column")
    line = _add_chart(wb, {"type": "line"})
    dash_row = {key: row for key, row in _dashboard_places(plan, deal)}
    years = [DASHBOARD_SHEET, dash_row["years"], FIRST_PERIOD_COL, dash_row["years"], FIRST_PERIOD_COL + plan.years - 1]
    for j, name in zip(range(1, J + 1), names):
        row = dash_row[f"dash_cum_{j}"]
        c.add_series({"name": f"{name}: received", "categories": years,
                      "values": [DASHBOARD_SHEET, row, FIRST_PERIOD_COL, row, FIRST_PERIOD_COL + plan.years - 1]})
        row = dash_row[f"dash_invested_{j}"]
        line.add_series({"name": f"{name}: invested", "categories": years,
                         "values": [DASHBOARD_SHEET, row, FIRST_PERIOD_COL, row, FIRST_PERIOD_COL + plan.years - 1],
                         "line": {"dash_type": "dash"}, "smooth": False})
    c.combine(line)
    charts.append(c)
    c = _line(wb, "Who gets what: whole-life net cash", "USD", x_title="", kind="bar")
    first, last = plan.places["token_holders"].row, plan.places["liquidation_agent"].row
    c.add_series({"name": "Net cash", "categories": ["Participants", first, LABEL_COL, last, LABEL_COL],
                  "values": ["Participants", first, VALUE_COL + 2, last, VALUE_COL + 2], "invert_if_negative": False})
    c.set_legend({"none": True})
    # In a bar chart the categories run up the y axis and the values along the x axis.
    c.set_y_axis({"label_position": "low", "num_font": {"size": 8}})
    c.set_x_axis({"name": "USD millions", "num_format": '#,##0,,"m"', "num_font": {"size": 8}})
    charts.append(c)
    return charts


def _dashboard_places(plan: Plan, deal: Deal):
    """Rows (0-based) of the Dashboard's keyed rows, in the order write_dashboard writes them."""
    r = 4
    for title, _headers, rows in dashboard_rows(deal, plan.years):
        if title.startswith("The payback picture"):
            yield "years", r
        r += 1
        for key, *_ in rows:
            yield key, r
            r += 1
        r += 1
    r = chart_data_first_row(plan, deal) + 1
    for key, *_ in chart_data_rows(deal):
        yield key, r
        r += 1
