"""The small bar chart of the half-hourly production a certificate covers (reportlab graphics).

Long profiles are summed into bars of a "round" span (30 min, 1 h, ..., 1 day, 2 days, 1 week) that start at
local midnight in the institution's time zone, so a month of solar data shows one bar per day instead of
bars that mix day and night.
"""

from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from ledger_lite.certificate import INTERVAL_S as HALF_HOUR

MAX_BARS = 48
PER_DAY = 48  # half-hours
# Bar spans in half-hours: divisors of a day, then whole days (1, 2, 3 days, a week, two weeks).
NICE_SPANS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 48, 96, 144, 336, 672)
_LABEL_SIZE = 6


def day_phase(period_start: int, utc_offset_minutes: int) -> int:
    """Index of the first half-hour within its local day (0 = starts at local midnight)."""
    return ((period_start + utc_offset_minutes * 60) // HALF_HOUR) % PER_DAY


def _span(count: int, max_bars: int, phase: int) -> int:
    for span in NICE_SPANS:
        if -(-(count + phase % span) // span) <= max_bars:
            return span
    days = -(-(count + phase) // (max_bars * PER_DAY))  # ceiling: whole days per bar
    while -(-(count + phase) // (days * PER_DAY)) > max_bars:
        days += 1
    return days * PER_DAY


def bin_profile(profile_wh: tuple[int, ...], max_bars: int = MAX_BARS, *, phase: int = 0) -> tuple[list[int], int]:
    """Sum half-hours into at most ``max_bars`` bars; return (bars, half-hours per bar).

    ``phase`` (see :func:`day_phase`) aligns the bars to local midnight: the first bar is then shorter.
    """
    if not profile_wh:
        return [], 1
    per_bar = _span(len(profile_wh), max_bars, phase)
    shift = phase % per_bar  # half-hours of the first bar that lie before the period
    bars: list[int] = []
    start = 0
    end = per_bar - shift
    while start < len(profile_wh):
        bars.append(sum(profile_wh[start:end]))
        start, end = end, end + per_bar
    return bars, per_bar


def bar_span(per_bar: int, language: str) -> str:
    """What one bar sums: ``"30 min"`` / ``"6時間"`` / ``"day"`` / ``"2 days"`` (the chart's caption says it)."""
    minutes = per_bar * HALF_HOUR // 60
    if language == "ja":
        if minutes < 60:
            return f"{minutes}分"
        if per_bar < PER_DAY:
            return f"{minutes / 60:g}時間"
        return "1日" if per_bar == PER_DAY else f"{per_bar // PER_DAY}日"
    if minutes < 60:
        return f"{minutes} min"
    if per_bar == 2:
        return "hour"
    if per_bar < PER_DAY:
        return f"{minutes / 60:g} h"
    days = per_bar // PER_DAY
    return "day" if days == 1 else f"{days} days"


def _axis_label(value: float) -> str:
    # One decimal at most, so no tick can be mistaken for the printed amount ("1,234.567 kWh").
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def draw_profile_chart(
    canvas: Canvas,
    profile_wh: tuple[int, ...],
    *,
    x: float,
    y: float,
    width: float,
    height: float,
    font: str,
    color: str,
    phase: int = 0,
    ends: tuple[str, str] | None = None,
) -> None:
    """Bars in kWh with the value axis on the left; ``ends`` labels the start and end of the time axis.

    Nothing is drawn for an empty profile.
    """
    bars, _ = bin_profile(profile_wh, phase=phase)
    if not bars:
        return
    drawing = Drawing(width, height, initialFontName=font, initialFontSize=_LABEL_SIZE)  # no Helvetica (issue #10)
    chart = VerticalBarChart()
    chart.x, chart.y = 32, 12 if ends else 8
    chart.width, chart.height = width - chart.x - 4, height - chart.y - 4
    chart.data = [[value / 1000 for value in bars]]
    chart.bars[0].fillColor = HexColor(color)
    chart.bars[0].strokeColor = None
    chart.barSpacing = 0.5
    chart.groupSpacing = 0.5
    chart.valueAxis.valueMin = 0
    if max(bars) == 0:
        chart.valueAxis.valueMax = 1  # an all-zero profile still gets a readable axis
    chart.valueAxis.labelTextFormat = _axis_label
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = _LABEL_SIZE
    chart.valueAxis.forceZero = True
    chart.categoryAxis.visibleLabels = False
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.visibleTicks = False
    chart.categoryAxis.categoryNames = [""] * len(bars)
    drawing.add(chart)
    if ends:
        grey = HexColor("#555555")
        left = String(chart.x, 2, ends[0], fontName=font, fontSize=_LABEL_SIZE, fillColor=grey)
        right = String(chart.x + chart.width, 2, ends[1], fontName=font, fontSize=_LABEL_SIZE, fillColor=grey)
        right.textAnchor = "end"
        drawing.add(left)
        drawing.add(right)
    renderPDF.draw(drawing, canvas, x, y)
