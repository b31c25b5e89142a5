"""Dates as spreadsheets count them: Excel's EDATE and serial numbers (the 1900 date system).

Neutral ground: the reference model and the workbook writer both need them, and neither reads
the other."""
from __future__ import annotations

import calendar
import datetime as dt


def edate(start: dt.date, months: int) -> dt.date:
    """Excel's EDATE: the same day of the month, months later, clipped to the month's end."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def excel_serial(value: dt.date) -> int:
    """The Excel serial number of a date (days since 1899-12-30)."""
    return (value - dt.date(1899, 12, 30)).days
