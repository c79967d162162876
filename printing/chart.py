"""The small bar chart of the half-hourly production a certificate covers (reportlab graphics)."""

from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

MAX_BARS = 48
HALF_HOUR = 1800


def bin_profile(profile_wh: tuple[int, ...], max_bars: int = MAX_BARS) -> tuple[list[int], int]:
    """Sum consecutive half-hours so that at most ``max_bars`` remain; return (bars, half-hours per bar)."""
    if not profile_wh:
        return [], 1
    per_bar = -(-len(profile_wh) // max_bars)  # ceiling division
    bars = [sum(profile_wh[i : i + per_bar]) for i in range(0, len(profile_wh), per_bar)]
    return bars, per_bar


def bar_span_label(per_bar: int, language: str) -> str:
    """``"1 bar = 30 min"`` / ``"1本 = 6時間"``."""
    minutes = per_bar * HALF_HOUR // 60
    if language == "ja":
        span = f"{minutes}分" if minutes < 60 else f"{minutes / 60:g}時間"
        return f"1本 = {span}"
    span = f"{minutes} min" if minutes < 60 else f"{minutes / 60:g} h"
    return f"1 bar = {span}"


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
) -> None:
    """Bars in kWh with the value axis on the left; nothing is drawn for an empty profile."""
    bars, _ = bin_profile(profile_wh)
    if not bars:
        return
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 32, 8
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
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.forceZero = True
    chart.categoryAxis.visibleLabels = False
    chart.categoryAxis.visibleTicks = False
    chart.categoryAxis.categoryNames = [""] * len(bars)
    drawing.add(chart)
    renderPDF.draw(drawing, canvas, x, y)
