"""Text drawing helpers for the certificate page: wrapped paragraphs measured before they are drawn."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

GREY = HexColor("#555555")
MM: float = mm  # points per millimetre
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


@dataclass(frozen=True)
class Text:
    """One run of text to wrap into a given width."""

    text: str
    size: float
    language: str = "en"  # "ja" wraps between any two characters, "en" between words
    color: Color = black
    align: str = "left"
    font: str | None = None  # None: the page's CJK font


@dataclass
class Page:
    """A canvas plus the page geometry and the fonts everything is drawn with."""

    canvas: Canvas
    width: float
    height: float
    margin: float
    font: str
    accent: Color
    # Each run wrapped once per width: blocks are measured before they are drawn (issue 16: half the page's text
    # work was wrapping the same paragraphs again).
    _wrapped: dict[tuple[Text, float], tuple[Paragraph, float]] = field(default_factory=dict, repr=False)

    @property
    def left(self) -> float:
        return self.margin

    @property
    def right(self) -> float:
        return self.width - self.margin

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin

    def _paragraph(self, run: Text) -> Paragraph:
        style = ParagraphStyle(
            name="certificate",
            fontName=run.font or self.font,
            fontSize=run.size,
            leading=run.size * 1.3,
            textColor=run.color,
            alignment=_ALIGN[run.align],
            wordWrap="CJK" if run.language == "ja" else None,
        )
        return Paragraph(escape(run.text), style)

    def _wrap(self, run: Text, width: float) -> tuple[Paragraph, float]:
        found = self._wrapped.get((run, width))
        if found is None:
            paragraph = self._paragraph(run)
            found = paragraph, float(paragraph.wrap(width, self.height)[1])
            self._wrapped[(run, width)] = found
        return found

    def measure(self, runs: list[Text], width: float, gap: float = 1.5) -> float:
        """Height of ``runs`` stacked in a column of ``width`` points."""
        heights = [self._wrap(run, width)[1] for run in runs]
        return float(sum(heights)) + gap * max(0, len(runs) - 1)

    def draw(self, runs: list[Text], x: float, top: float, width: float, gap: float = 1.5) -> float:
        """Draw ``runs`` stacked downwards from ``top``; return the y below the last one."""
        y = top
        for index, run in enumerate(runs):
            paragraph, height = self._wrap(run, width)
            paragraph.drawOn(self.canvas, x, y - height)
            y -= height + (gap if index < len(runs) - 1 else 0)
        return y

    def rule(self, y: float, *, color: Color | None = None, width: float = 0.6) -> None:
        self.canvas.saveState()
        self.canvas.setStrokeColor(color or self.accent)
        self.canvas.setLineWidth(width)
        self.canvas.line(self.left, y, self.right, y)
        self.canvas.restoreState()
