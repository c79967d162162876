"""A bar chart of renewable shares drawn as inline SVG on the server (no script): geometry only, as numbers the
template writes into ``<rect>`` and ``<line>`` elements. The same figures go in a table beside it for screen
readers (the SVG itself is ``aria-hidden``)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 44, 6, 8, 22  # margins for the % axis and the labels under the bars


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    share_pct: float | None  # None: no usage in this slot (nothing drawn)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]           # labels under some bars
    grid: list[tuple[float, str]]  # (y, "50 %") lines across the plot
    target_y: float | None      # the consumer's target as a dashed line
    plot_left: float
    plot_right: float
    plot_bottom: float


def _y(pct: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - pct / 100)


def bar_chart(values: list[tuple[str, float | None]], *, target_pct: int | None, label_every: int) -> Chart:
    """One bar per (label, share %) in order; every ``label_every``-th label is written under its bar."""
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(1, len(values))
    gap = min(2.0, slot * 0.2)
    bars, ticks = [], []
    for i, (label, pct) in enumerate(values):
        x = LEFT + i * slot
        top = _y(pct) if pct is not None else _y(0)
        bars.append(Bar(round(x + gap / 2, 2), round(top, 2), round(slot - gap, 2), round(_y(0) - top, 2), pct))
        if i % label_every == 0:
            ticks.append(Tick(round(x + slot / 2, 2), label))
    grid = [(round(_y(p), 2), f"{p} %") for p in (0, 50, 100)]
    return Chart(WIDTH, HEIGHT, bars, ticks, grid, round(_y(target_pct), 2) if target_pct is not None else None,
                 LEFT, WIDTH - RIGHT, _y(0))
