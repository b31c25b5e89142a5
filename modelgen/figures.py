"""Headline figures as a person reads them: the workbook's names and number formats.

The summary object (``modelgen summary --json``) is keyed for machines (``tranches.0.irr``);
the console shows the same figures as the workbook does: a tranche by its name, an IRR as a
percentage, money with thousands separators, "never" for a payback that does not happen and
"n/a" for a figure that does not exist. ``build``, ``summary`` and ``diff`` print through here.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from .workbook.styles import number_format

NA = "n/a"

# Summary fields: (label, unit, what None means). Units are the workbook's, so the number
# formats are the workbook's too.
TOP_FIELDS = {
    "default_month": ("Default month", "month", "none"),
    "sale_month": ("Sale month", "month", NA),
    "trigger_month": ("Trigger breach month", "month", "none"),
    "checks_ok": ("All checks pass", "flag", NA),
}
SOURCES_USES = {
    "capex": ("Capex", "USD"), "raise": ("Raise", "USD"), "issuance_fee": ("Issuance fee", "USD"),
    "reserve": ("Reserve funded at close", "USD"),
}
TRANCHE_FIELDS = {
    "invested": ("invested", "USD", NA),
    "interest_paid": ("coupon interest received", "USD", NA),
    "excess_paid": ("excess yield received", "USD", NA),
    "principal_paid": ("principal received in the waterfall", "USD", NA),
    "recovery": ("paid by the sale of the GPUs", "USD", NA),
    "loss": ("loss (balance written off)", "USD", NA),
    "loss_pct": ("loss", "%", NA),
    "irr": ("IRR", "%", NA),
    "irr_nominal": ("IRR (nominal, comparable with the coupon)", "%", NA),
    "moic": ("MOIC", "x", NA),
    "wal_years": ("WAL", "years", NA),
    "payback_month": ("payback month", "month", "never"),
    "min_interest_cover": ("minimum interest cover", "x", NA),
    "day_one_cover": ("day-one collateral cover", "x", NA),
    "mtl_return_by_year": ("mark-to-liquidation return", "%", NA),
    "exit_per_100_at_first_stress": ("exit value per 100 at the first stress", "per 100", "no stress"),
}
DEAL_FIELDS = {"min_dscr": ("Minimum DSCR", "x", NA), "max_ltv": ("Maximum class-1 LTV", "%", NA)}
TIER_FIELDS = {
    "tier": ("tier", "#", NA), "price": ("price", "USD", NA),
    "payback_days_earned": ("payback (days, earned basis)", "days1", "never"),
    "roi_sell_at_vesting": ("ROI selling at vesting", "%", NA),
    "implied_fdv": ("implied FDV", "USD", NA),
}
BYOD_FIELDS = {
    "payback_month": ("payback month", "month", "never"),
    "roi": ("ROI at the horizon", "%", NA),
    "usage_share_of_income": ("share of income from real usage", "%", NA),
    "staking_real_yield": ("staking real yield (month 1)", "%", NA),
}
PARTICIPANT_LABELS = {
    "token_holders": "Token holders", "sponsor": "Sponsor", "platform": "Platform",
    "hardware_vendors": "Hardware vendors", "power_and_colocation": "Power and colocation",
    "customers": "Rental customers", "secondary_buyers": "Secondary buyers of the GPUs",
    "liquidation_agent": "Liquidation agent",
}
EXTRA_FORMATS = {"days1": "#,##0.0"}


def excel_format(value: Any, code: str) -> str:
    """``value`` rendered with an Excel number format code of the kinds the workbook uses:
    ``#,##0``, ``0.0%``, ``0.00"x"``, ``#,##0;(#,##0);"-"``, ``yyyy-mm-dd``, ``@``, ``General``."""
    if value is None:
        return NA
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, str) or code == "@":
        return str(value)
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return str(value)
    if code.startswith("yyyy"):
        return str(value)
    sections = code.split(";")
    if len(sections) >= 3 and value == 0:
        return sections[2].strip('"')
    if len(sections) >= 2 and value < 0:
        return _one_section(-value, sections[1])
    if code == "General":
        return f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.6g}"
    return _one_section(value, sections[0])


def _one_section(value: float, section: str) -> str:
    literal = re.findall(r'"([^"]*)"', section)
    body = re.sub(r'"[^"]*"', "", section)
    percent = "%" in body
    if percent:
        value *= 100
    decimals = len(body.split(".", 1)[1].rstrip("%)").replace(",", "")) if "." in body else 0
    thousands = "," in body.split(".", 1)[0]
    text = f"{value:{',' if thousands else ''}.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    if percent:
        text += "%"
    if body.startswith("("):
        text = f"({text})"
    return text + "".join(literal)


def fmt(value: Any, unit: str, none: str = NA) -> str:
    """A figure in the workbook's format for ``unit``; ``none`` where the figure is missing."""
    if value is None:
        return none
    if unit == "flag" and isinstance(value, bool):
        return "yes" if value else "no"
    return excel_format(value, EXTRA_FORMATS.get(unit) or number_format(unit))


def fmt_change(old: Any, new: Any, unit: str) -> str:
    """The change from ``old`` to ``new``: percentage points for percentages; '' where either is missing."""
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (old, new)):
        return ""
    delta = new - old
    if unit.startswith("%"):
        return f"{delta * 100:+,.1f} pp"
    code = EXTRA_FORMATS.get(unit) or number_format(unit)
    if code == "General":
        return f"{delta:+,.6g}"
    text = _one_section(abs(delta), code.split(";")[0])
    return ("-" if delta < 0 else "+") + text


def _tranche_name(summary: dict, index: int) -> str:
    try:
        return summary["tranches"][index]["name"]
    except (KeyError, IndexError, TypeError):
        return f"tranche {index + 1}"


def describe_figure(path: str, summary: dict, other: dict | None = None) -> tuple[str, str, str]:
    """(label, unit, what a missing value means) of a summary leaf given by dotted path. With
    ``other`` (the other side of a diff), a label that depends on the outcome (a sale at
    maturity or a recovery after a default) is the one that fits both sides."""
    parts = path.split(".")
    head = parts[0]
    if head in TOP_FIELDS:
        return TOP_FIELDS[head]
    if head == "sources_uses" and len(parts) == 2 and parts[1] in SOURCES_USES:
        label, unit = SOURCES_USES[parts[1]]
        return label, unit, NA
    if head == "tranches" and len(parts) >= 3 and parts[1].isdigit():
        label, unit, none = TRANCHE_FIELDS.get(parts[2], (parts[2].replace("_", " "), "General", NA))
        name = _tranche_name(summary, int(parts[1]))
        defaults = {bool(summary.get("default_month"))} | ({bool(other.get("default_month"))} if other else set())
        if parts[2] == "recovery" and defaults == {False}:
            label = "paid by the sale of the GPUs at maturity"
        elif parts[2] == "recovery" and defaults == {True}:
            label = "recovery from the sale after the default"
        if len(parts) == 4 and parts[3].isdigit():
            label += f", year {int(parts[3]) + 1}"
        return f"{name}: {label}", unit, none
    if head == "deal" and len(parts) == 2:
        return DEAL_FIELDS.get(parts[1], (parts[1].replace("_", " "), "General", NA))
    if head == "participants" and len(parts) == 2:
        return f"{PARTICIPANT_LABELS.get(parts[1], parts[1])}: whole-life net cash", "USD", NA
    if head == "node_sale" and len(parts) == 4 and parts[1] == "tiers":
        label, unit, none = TIER_FIELDS.get(parts[3], (parts[3].replace("_", " "), "General", NA))
        return f"Node tier {int(parts[2]) + 1}: {label}", unit, none
    if head == "byod" and len(parts) == 2:
        label, unit, none = BYOD_FIELDS.get(parts[1], (parts[1].replace("_", " "), "General", NA))
        return f"Bring your own GPU: {label}", unit, none
    if head == "name":
        return "Deal name", "text", NA
    if head == "scenario":
        return "Scenario", "text", NA
    return path, "General", NA


# --- the console headline -------------------------------------------------------------------

def sale_label(summary: dict) -> str:
    """What the sale paid a tranche is a recovery only after a default; at maturity it is the
    planned sale of the fleet."""
    return "recovery" if summary.get("default_month") else "maturity sale"


def headline_lines(summary: dict) -> list[str]:
    """The few lines ``build`` and ``summary`` print: only the parts the template has."""
    lines = [f"{summary['name']} — scenario {summary['scenario']}"]
    if summary.get("sources_uses") is not None and summary.get("tranches"):
        su = summary["sources_uses"]
        default = summary.get("default_month")
        sale = summary.get("sale_month")
        event = (f"default in month {default}, GPUs sold in month {sale}" if default
                 else f"no default, GPUs sold at maturity in month {sale}")
        trigger = summary.get("trigger_month")
        if trigger:
            event += f"; trigger breached in month {trigger} (cash sweep from then on)"
        lines.append(f"  securitization: raise {fmt(su['raise'], 'USD')} USD for capex {fmt(su['capex'], 'USD')} USD; {event}")
        what = "recovery" if default else "sale at maturity"
        width = max(len(t["name"]) for t in summary["tranches"])
        for t in summary["tranches"]:
            per_100 = t["recovery"] / t["invested"] * 100 if t.get("invested") else None
            lines.append(f"  {t['name']:<{width}}  IRR {fmt(t.get('irr'), '%'):>7}  MOIC {fmt(t.get('moic'), 'x'):>6}  "
                         f"loss {fmt(t.get('loss_pct'), '%'):>6}  {what} {fmt(per_100, 'per 100'):>5} per 100  "
                         f"payback {fmt(t.get('payback_month'), 'month', 'never')}")
        deal = summary.get("deal") or {}
        if deal:
            lines.append(f"  minimum DSCR {fmt(deal.get('min_dscr'), 'x')}, maximum class-1 LTV {fmt(deal.get('max_ltv'), '%')}")
    node = summary.get("node_sale")
    if node and node.get("tiers"):
        tiers = node["tiers"]
        parts = [_tier_text(t) for t in ([tiers[0], tiers[-1]] if len(tiers) > 1 else tiers)]
        lines.append(f"  node sale ({len(tiers)} tiers): " + "; ".join(parts))
    byod = summary.get("byod")
    if byod:
        text = (f"  bring your own GPU: payback {_month_text(byod.get('payback_month'))}, "
                f"ROI {fmt(byod.get('roi'), '%')} at the horizon, "
                f"{fmt(byod.get('usage_share_of_income'), '%')} of income from real usage")
        if "staking_real_yield" in byod:
            text += f", staking real yield {fmt(byod.get('staking_real_yield'), '%')}"
        lines.append(text)
    if "checks_ok" in summary:
        lines.append(f"  checks: {'all pass' if summary['checks_ok'] else 'FAILING (see the Checks sheet)'}")
    return lines


def _month_text(month: Any) -> str:
    return "never" if month is None else f"in month {fmt(month, 'month')}"


def _tier_text(tier: dict) -> str:
    days = tier.get("payback_days_earned")
    payback = "never pays back" if days is None else f"pays back in {fmt(days, 'days1')} days (earned basis)"
    text = f"tier {tier['tier']} at {fmt(tier.get('price'), 'USD')} USD {payback}, ROI {fmt(tier.get('roi_sell_at_vesting'), '%')} selling at vesting"
    if tier.get("implied_fdv") is not None:
        text += f", implied FDV {fmt(tier['implied_fdv'], 'USD')} USD"
    return text


def scenario_table(summaries: dict[str, dict]) -> list[str]:
    """The headline figures of every scenario side by side: a row per figure, a column per scenario."""
    first = next(iter(summaries.values()))
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, getter, unit: str, none: str = NA) -> None:
        values = []
        for s in summaries.values():
            try:
                values.append(fmt(getter(s), unit, none))
            except (KeyError, IndexError, TypeError):
                values.append(NA)
        rows.append((label, values))

    if first.get("sources_uses") is not None and first.get("tranches"):
        add("Raise (USD)", lambda s: s["sources_uses"]["raise"], "USD")
        add("Default month", lambda s: s["default_month"], "month", "none")
        add("Sale month", lambda s: s["sale_month"], "month")
        if "trigger_month" in first:
            add("Trigger breach month", lambda s: s["trigger_month"], "month", "none")
        for j, tranche in enumerate(first["tranches"]):
            name = tranche["name"]
            add(f"{name}: IRR", lambda s, j=j: s["tranches"][j]["irr"], "%")
            add(f"{name}: MOIC", lambda s, j=j: s["tranches"][j]["moic"], "x")
            add(f"{name}: loss", lambda s, j=j: s["tranches"][j]["loss_pct"], "%")
            add(f"{name}: paid by the sale per 100", lambda s, j=j: (
                s["tranches"][j]["recovery"] / s["tranches"][j]["invested"] * 100), "per 100")
            add(f"{name}: payback month", lambda s, j=j: s["tranches"][j]["payback_month"], "month", "never")
        if first.get("deal"):
            add("Minimum DSCR", lambda s: s["deal"]["min_dscr"], "x")
            add("Maximum class-1 LTV", lambda s: s["deal"]["max_ltv"], "%")
    if first.get("node_sale"):
        n = len(first["node_sale"]["tiers"])
        for k in sorted({0, n - 1}):
            add(f"Node tier {k + 1}: payback days (earned)", lambda s, k=k: s["node_sale"]["tiers"][k]["payback_days_earned"],
                "days1", "never")
            add(f"Node tier {k + 1}: ROI selling at vesting", lambda s, k=k: s["node_sale"]["tiers"][k]["roi_sell_at_vesting"], "%")
    if first.get("byod"):
        add("BYOD: payback month", lambda s: s["byod"]["payback_month"], "month", "never")
        add("BYOD: ROI at the horizon", lambda s: s["byod"]["roi"], "%")
        add("BYOD: share of income from usage", lambda s: s["byod"]["usage_share_of_income"], "%")
    add("All checks pass", lambda s: s["checks_ok"], "flag")
    names = list(summaries)
    label_width = max(len(label) for label, _ in rows)
    widths = [max(len(name), *(len(values[i]) for _, values in rows)) for i, name in enumerate(names)]
    out = [f"{first['name']} — every scenario", "  " + " " * label_width + "".join(f"  {n:>{w}}" for n, w in zip(names, widths))]
    for label, values in rows:
        out.append(f"  {label:<{label_width}}" + "".join(f"  {v:>{w}}" for v, w in zip(values, widths)))
    return out
