"""S212a: write a certificate's contents into its institution's format → a one-page PDF (seed Fig. 24)."""

from __future__ import annotations

from io import BytesIO

import segno
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas

from printing import qr as qrcode
from printing.blocks import GREY, MM, Page, Text
from printing.chart import bar_span_label, bin_profile, draw_profile_chart
from printing.document import CertificateDocument, format_amount_kwh, validate_document
from printing.errors import RenderError
from printing.fields import field_rows
from printing.fonts import cjk_font_name
from printing.institutions import InstitutionFormat
from printing.words import LABELS, bilingual, word

PAPERS = {"A4": A4, "Letter": LETTER}
MARGIN = 16 * MM
LABEL_WIDTH = 46 * MM
REPRINT_RED = HexColor("#c62828")


def render_certificate_pdf(doc: CertificateDocument, fmt: InstitutionFormat, *, paper: str = "A4") -> bytes:
    """The printable certificate; identical input gives identical bytes (reportlab invariant mode)."""
    validate_document(doc)
    if doc.institution_id != fmt.institution_id:
        raise RenderError(
            f"institution: expected the format of {doc.institution_id!r}, found {fmt.institution_id!r}"
        )
    if paper not in PAPERS:
        raise RenderError(f"paper: expected one of {', '.join(PAPERS)}, found {paper!r}")
    font = cjk_font_name()
    symbol = qrcode.make_qr(doc.payload)
    width, height = PAPERS[paper]
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    canvas.setTitle(f"{fmt.title_en} {doc.certificate_id}")
    canvas.setAuthor(fmt.name_en)
    canvas.setSubject(f"{format_amount_kwh(doc.amount_wh)} {doc.production_method}")
    canvas.setCreator("GreenCert")
    page = Page(canvas, width, height, MARGIN, font, HexColor(fmt.accent_color))

    _frame(page)
    y = _header(page, fmt, height - MARGIN)
    if doc.reprint:
        y = _reprint_banner(page, y - 3 * MM)
    y = page.draw(
        [
            Text(fmt.statement(fmt.language), 9, fmt.language),
            Text(fmt.statement(fmt.other_language), 7.5, fmt.other_language, GREY),
        ],
        page.left,
        y - 4 * MM,
        page.content_width,
    )
    y = _fields(page, doc, fmt, y - 4 * MM)
    footer_top = _footer(page, fmt)
    _qr_and_chart(page, doc, fmt, symbol, top=y - 3 * MM, bottom=footer_top + 2 * MM)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _frame(page: Page) -> None:
    inset = MARGIN - 6 * MM
    c = page.canvas
    c.saveState()
    c.setStrokeColor(page.accent)
    c.setLineWidth(2)
    c.rect(inset, inset, page.width - 2 * inset, page.height - 2 * inset)
    c.setLineWidth(0.5)
    c.rect(inset + 3, inset + 3, page.width - 2 * inset - 6, page.height - 2 * inset - 6)
    c.restoreState()


def _header(page: Page, fmt: InstitutionFormat, top: float) -> float:
    primary, other = fmt.language, fmt.other_language
    y = page.draw(
        [
            Text(fmt.name(primary), 10, primary, page.accent, "center"),
            Text(fmt.title(primary), 20, primary, align="center"),
            Text(fmt.title(other), 11, other, GREY, "center"),
        ],
        page.left,
        top,
        page.content_width,
        gap=4,
    )
    page.rule(y - 3 * MM, width=1.2)
    return y - 3 * MM


def _reprint_banner(page: Page, top: float) -> float:
    """The 再発行 / REPRINT mark: a red box across the page, under the title."""
    runs = [
        Text(
            f"{word(LABELS, 'reprint', 'ja')} / {word(LABELS, 'reprint', 'en')}",
            13,
            "ja",
            REPRINT_RED,
            "center",
        )
    ]
    height = page.measure(runs, page.content_width) + 6
    c = page.canvas
    c.saveState()
    c.setStrokeColor(REPRINT_RED)
    c.setLineWidth(1.5)
    c.rect(page.left + 40 * MM, top - height, page.content_width - 80 * MM, height)
    c.restoreState()
    page.draw(runs, page.left, top - 3, page.content_width)
    return top - height


def _fields(page: Page, doc: CertificateDocument, fmt: InstitutionFormat, top: float) -> float:
    """The label | value table of seed Fig. 24's fields; returns the y under it."""
    value_x = page.left + LABEL_WIDTH
    value_width = page.content_width - LABEL_WIDTH
    y = top
    for row in field_rows(doc, fmt, value_width):
        labels = [
            Text(word(LABELS, row.key, fmt.language), 8.5, fmt.language, page.accent),
            Text(word(LABELS, row.key, fmt.other_language), 6.5, fmt.other_language, GREY),
        ]
        row_height = max(page.measure(labels, LABEL_WIDTH - 4), page.measure(row.values, value_width))
        page.draw(labels, page.left, y - 3, LABEL_WIDTH - 4)
        page.draw(row.values, value_x, y - 3, value_width)
        y -= row_height + 6
        page.rule(y, color=HexColor("#d0d0d0"), width=0.4)
    return y


def _footer(page: Page, fmt: InstitutionFormat) -> float:
    """Issuer and signatory at the bottom right; returns the y of its top."""
    runs = [Text(fmt.name(fmt.language), 9, fmt.language, align="right")]
    if fmt.signatory(fmt.language):
        runs.append(Text(fmt.signatory(fmt.language), 8, fmt.language, GREY, "right"))
    height = page.measure(runs, page.content_width)
    page.draw(runs, page.left, MARGIN + height, page.content_width)
    return MARGIN + height


def _qr_and_chart(
    page: Page,
    doc: CertificateDocument,
    fmt: InstitutionFormat,
    symbol: segno.QRCode,
    *,
    top: float,
    bottom: float,
) -> None:
    """The transaction identification image (S212a) on the left, the profile chart on the right."""
    width, quiet = qrcode.symbol_width(symbol), qrcode.quiet_zone(symbol)
    box = width + 2 * quiet
    caption = [Text(word(LABELS, "scan", fmt.language), 7, fmt.language, GREY, "center")]
    if fmt.verify_url:
        caption.append(Text(fmt.verify_url, 6.5, "en", GREY, "center"))
    needed = box + page.measure(caption, box)
    if top - bottom < needed:
        raise RenderError(
            f"layout: expected {needed:.0f} pt free for the QR code on {page.width:.0f}x{page.height:.0f} pt "
            f"paper, found {top - bottom:.0f} pt (statement or owner name too long?)"
        )
    x, y = page.left, top - box
    page.canvas.saveState()
    page.canvas.setFillColor(white)
    page.canvas.rect(x, y, box, box, stroke=0, fill=1)  # the quiet zone stays white
    page.canvas.restoreState()
    qrcode.draw_qr(page.canvas, symbol, x + quiet, y + quiet)
    page.draw(caption, x, y, box)

    chart_x = x + box + 8 * MM
    chart_width = page.right - chart_x
    chart_height = min(box - 14, 45 * MM)
    title = bilingual(LABELS, "profile", fmt.language) + " (kWh)"
    if doc.profile_wh:
        title += f" — {bar_span_label(bin_profile(doc.profile_wh)[1], fmt.language)}"
    title_bottom = page.draw([Text(title, 7.5, fmt.language, GREY)], chart_x, top - 2, chart_width)
    if not doc.profile_wh:
        note = bilingual(LABELS, "no_profile", fmt.language)
        page.draw([Text(note, 8, fmt.language, GREY)], chart_x, title_bottom - 6 * MM, chart_width)
        return
    draw_profile_chart(
        page.canvas,
        doc.profile_wh,
        x=chart_x,
        y=title_bottom - 4 - chart_height,
        width=chart_width,
        height=chart_height,
        font=page.font,
        color=fmt.accent_color,
    )
