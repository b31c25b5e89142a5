"""Cell formats: number formats by unit, and the colour code (inputs blue on a light fill)."""
from __future__ import annotations

from typing import Any

INPUT_FONT, INPUT_FILL = "#0000FF", "#FFF2CC"
LINK_FONT = "#008000"
HEADER_FILL = "#1F3864"
SECTION_FILL = "#D9E1F2"
PASSING_FONT = "#375623"   # dark green: a check that holds
FAILING_FILL = "#C00000"   # red: a check that fails

NUMBER_FORMATS = {
    "USD": '#,##0;(#,##0);"-"',
    "USD/month": '#,##0;(#,##0);"-"',
    "USD/GPU-h": "0.000",
    "USD/kWh": "0.000",
    "USD/kW-month": "#,##0.00",
    "USD/token": "0.00000",
    "USD/node/day": "0.000",
    "%": "0.0%",
    "% / yr": "0.0%",
    "% of raise": "0.0%",
    "% of price": "0.0%",
    "% capex / yr": "0.0%",
    "x": '0.00"x"',
    "years": "0.00",
    "per 100": "0.0",
    "kW": "0.000",
    "date": "yyyy-mm-dd",
    "text": "@",
    "mode": "@",
}
INTEGER_UNITS = {"month", "months", "year", "#", "flag", "hours", "days"}


def number_format(unit: str) -> str:
    if unit in NUMBER_FORMATS:
        return NUMBER_FORMATS[unit]
    if unit in INTEGER_UNITS:
        return "#,##0"
    if unit.startswith("USD"):
        return "#,##0.00"
    if unit.startswith("%"):
        return "0.0%"
    return "General"


class Styles:
    """Lazily created xlsxwriter formats, shared by every sheet of one workbook."""

    def __init__(self, workbook: Any) -> None:
        self.wb = workbook
        self._cache: dict[tuple, object] = {}
        self._props: dict[int, dict] = {}

    def get(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    def value(self, unit: str, is_input: bool = False, bold: bool = False, link: bool = False):
        props: dict[str, object] = {"num_format": number_format(unit)}
        if is_input:
            props.update(font_color=INPUT_FONT, bg_color=INPUT_FILL, border=1, border_color="#BFBFBF")
        if bold:
            props["bold"] = True
        if link:
            props["font_color"] = LINK_FONT
        fmt = self.get(**props)
        self._props[id(fmt)] = props
        return fmt

    def as_link(self, fmt):
        """The same format in the link colour (green): a formula that only fetches another sheet's cell."""
        props = dict(self._props.get(id(fmt), {}))
        props["font_color"] = LINK_FONT
        return self.get(**props)

    @property
    def failing(self):
        return self.get(bold=True, font_color="#FFFFFF", bg_color=FAILING_FILL)

    @property
    def title(self):
        return self.get(bold=True, font_size=14, font_color=HEADER_FILL)

    @property
    def purpose(self):
        return self.get(italic=True, font_color="#595959")

    @property
    def header(self):
        return self.get(bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL, align="center")

    @property
    def header_left(self):
        return self.get(bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL)

    @property
    def section(self):
        return self.get(bold=True, bg_color=SECTION_FILL)

    @property
    def key(self):
        return self.get(font_color="#808080", font_size=8)

    @property
    def unit(self):
        return self.get(font_color="#595959", italic=True)

    @property
    def check(self):
        """A check cell: "OK" in a calm green while it holds (0); the failing format, red, is
        laid over it by a conditional format when it does not."""
        return self.get(bold=True, num_format='0;-0;"OK"', font_color=PASSING_FONT)

    @property
    def link(self):
        return self.get(font_color="#0563C1", underline=1)
