"""S212a: write a certificate's contents into its institution's format → a one-page PDF (seed Fig. 24).

The page is: frame, header (logo, institution, title), the reprint mark when it is one, then the blocks the
format's ``layout.blocks`` names in that order (statement, field table, QR with chart), and the footer
(issuer, signatory) at the bottom.  Each block is measured before anything is drawn, so a certificate that
does not fit is refused with a :class:`RenderError` instead of being printed with overlapping text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from io import BytesIO

from PIL import Image
from pypdf import PdfWriter
from reportlab import rl_config
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ledger_lite.audit import BUNDLE_NAME
from printing import qr as qrcode
from printing.blocks import GREY, MM, Page, Text
from printing.chart import bar_span, bin_profile, day_phase, draw_profile_chart
from printing.document import CertificateDocument, format_amount_kwh, validate_document
from printing.errors import RenderError
from printing.fields import field_rows
from printing.fonts import cjk_font_name
from printing.institutions import InstitutionFormat, Logo
from printing.words import LABELS, format_datetime, word, zone_abbreviation, zone_label, zone_of

PAPERS = {"A4": A4, "Letter": LETTER}
MARGIN = 16 * MM
LABEL_WIDTH = 46 * MM
ASIDE_GAP = 4 * MM  # between a value and what is drawn beside it
REPRINT_RED = HexColor("#c62828")
BLOCK_GAP = 4 * MM  # at least this much above every block
TIGHT_BLOCK_GAP = 2 * MM  # ... unless the page is full: then down to this much
MAX_EXTRA_GAP = 8 * MM  # spare height is shared out between the blocks up to this much each
QR_CHART_GAP = 8 * MM
MAX_LOGO_WIDTH = 60 * MM

# Streams are written Flate-compressed and binary, not also ASCII85-encoded: without reportlab's C accelerator the
# pure-Python ASCII85 encoder was a fifth of a certificate's rendering time (issue 16), and the file is 20 % smaller.
rl_config.useA85 = 0


@dataclass(frozen=True)
class Block:
    """A measured part of the page: ``draw(top)`` paints it from ``top`` down to ``top - height``."""

    name: str
    height: float
    draw: Callable[[float], None]


def render_certificate_pdf(doc: CertificateDocument, fmt: InstitutionFormat, *, paper: str = "A4",
                           bundle: bytes | None = None) -> bytes:
    """The printable certificate; identical input gives identical bytes (reportlab invariant mode). ``bundle``:
    the audit bundle (``ledger_lite.audit.AuditBundle.encode``) to embed as the file ``BUNDLE_NAME``, which lets a
    verifier prove the certificate's ledger inclusion and finality from the PDF alone."""
    validate_document(doc)
    if doc.institution_id != fmt.institution_id:
        raise RenderError(
            f"institution: expected the format of {doc.institution_id!r}, found {fmt.institution_id!r}"
        )
    if paper not in PAPERS:
        raise RenderError(f"paper: expected one of {', '.join(PAPERS)}, found {paper!r}")
    font = cjk_font_name()
    symbol = qrcode.make_qr(qrcode.qr_text(doc.payload, fmt.qr_link_base or None))
    width, height = PAPERS[paper]
    buffer = BytesIO()
    # Every font embedded (issue #10, item 14): even the page's initial font is the TrueType one, not Helvetica.
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True, initialFontName=font)
    canvas.setTitle(f"{fmt.title_en} {doc.certificate_id}")
    canvas.setAuthor(fmt.name_en)
    canvas.setSubject(f"{format_amount_kwh(doc.amount_wh)} {doc.production_method}")
    canvas.setCreator("GreenCert")
    page = Page(canvas, width, height, MARGIN, font, HexColor(fmt.accent_color))

    _frame(page, fmt.layout.frame)
    y = _header(page, fmt, height - MARGIN)
    if doc.reprint:
        y = _reprint_banner(page, y - 3 * MM)
    footer_top = _footer(page, fmt, doc)
    builders: dict[str, Callable[[], Block]] = {
        "statement": lambda: _statement(page, fmt),
        "fields": lambda: _fields(page, doc, fmt),
        "qr": lambda: _qr_and_chart(page, doc, fmt, symbol),
    }
    _flow(page, [builders[name]() for name in fmt.layout.blocks], top=y, bottom=footer_top + 2 * MM)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue() if bundle is None else attach_bundle(buffer.getvalue(), bundle)


def attach_bundle(pdf: bytes, bundle: bytes) -> bytes:
    """``pdf`` with ``bundle`` embedded as the file ``BUNDLE_NAME`` (pypdf; the page itself is unchanged)."""
    writer = PdfWriter(clone_from=BytesIO(pdf))
    writer.add_attachment(BUNDLE_NAME, bundle)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _flow(page: Page, blocks: list[Block], *, top: float, bottom: float) -> None:
    """Stack ``blocks`` downwards from ``top``; refuse if they do not fit above ``bottom`` even with the gaps
    between them narrowed to ``TIGHT_BLOCK_GAP`` (a tall page: a long owner on a reprint, a QR carrying a link)."""
    gap = BLOCK_GAP
    needed = sum(block.height + gap for block in blocks)
    if top - bottom < needed:
        gap = max(TIGHT_BLOCK_GAP, BLOCK_GAP - (needed - (top - bottom)) / len(blocks))
        needed = sum(block.height + gap for block in blocks)
    if top - bottom < needed - 1e-6:
        heights = ", ".join(f"{block.name} {block.height:.0f}" for block in blocks)
        raise RenderError(
            f"layout: expected {needed:.0f} pt between header and footer for the blocks ({heights} pt) on "
            f"{page.width:.0f}x{page.height:.0f} pt paper, found {top - bottom:.0f} pt "
            "(statement or owner name too long?)"
        )
    extra = max(0.0, min(MAX_EXTRA_GAP, (top - bottom - needed) / (len(blocks) + 1)))
    y = top
    for block in blocks:
        y -= gap + extra
        block.draw(y)
        y -= block.height


def _frame(page: Page, style: str) -> None:
    if style == "none":
        return
    inset = MARGIN - 6 * MM
    c = page.canvas
    c.saveState()
    c.setStrokeColor(page.accent)
    c.setLineWidth(2 if style == "double" else 1.5)
    c.rect(inset, inset, page.width - 2 * inset, page.height - 2 * inset)
    if style == "double":
        c.setLineWidth(0.5)
        c.rect(inset + 3, inset + 3, page.width - 2 * inset - 6, page.height - 2 * inset - 6)
    c.restoreState()


def _logo_size(page: Page, logo: Logo, height_mm: float) -> tuple[float, float]:
    height = height_mm * MM
    width = height * logo.aspect
    if width > MAX_LOGO_WIDTH:  # a very wide logo is scaled down to the widest allowed
        width, height = MAX_LOGO_WIDTH, MAX_LOGO_WIDTH / logo.aspect
    return width, height


def _draw_logo(page: Page, logo: Logo, x: float, y: float, width: float, height: float) -> None:
    # A fresh reader per page: readers keep a file position, so sharing one between threads is unsafe.
    if logo.pixels:  # a PNG, prepared by the loader
        image = ImageReader(Image.frombytes("RGB", logo.pixels_size, logo.pixels))
        page.canvas.drawImage(image, x, y, width, height)
    else:  # a JPEG goes into the PDF as it is
        page.canvas.drawImage(ImageReader(BytesIO(logo.data)), x, y, width, height, mask="auto")


def _header(page: Page, fmt: InstitutionFormat, top: float) -> float:
    """Logo, institution name and title (both languages); returns the y under the header rule."""
    primary, other = fmt.language, fmt.other_language
    runs = [
        Text(fmt.name(primary), 10, primary, page.accent, "center"),
        Text(fmt.title(primary), 20, primary, align="center"),
        Text(fmt.title(other), 11, other, GREY, "center"),
    ]
    layout = fmt.layout
    text_x, text_width, text_top = page.left, page.content_width, top
    logo_bottom = top
    if fmt.logo is not None:
        logo_width, logo_height = _logo_size(page, fmt.logo, layout.logo_height_mm)
        if layout.logo_position == "center":
            _draw_logo(page, fmt.logo, page.left + (page.content_width - logo_width) / 2, top - logo_height,
                       logo_width, logo_height)
            text_top = top - logo_height - 2 * MM
        else:
            # the text stays centred on the page: it gives up the logo's width on both sides
            x = page.left if layout.logo_position == "left" else page.right - logo_width
            _draw_logo(page, fmt.logo, x, top - logo_height, logo_width, logo_height)
            text_x = page.left + logo_width + 4 * MM
            text_width = page.content_width - 2 * (logo_width + 4 * MM)
            logo_bottom = top - logo_height
    text_height = page.measure(runs, text_width, gap=4)
    if layout.logo_position != "center" and fmt.logo is not None:
        text_top = top - max(0.0, (top - logo_bottom - text_height) / 2)  # centred against the logo
    y = min(page.draw(runs, text_x, text_top, text_width, gap=4), logo_bottom)
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


def _statement(page: Page, fmt: InstitutionFormat) -> Block:
    runs = [
        Text(fmt.statement(fmt.language), 9, fmt.language),
        Text(fmt.statement(fmt.other_language), 7.5, fmt.other_language, GREY),
    ]
    height = page.measure(runs, page.content_width)
    return Block("statement", height, lambda top: _draw_runs(page, runs, top))


def _draw_runs(page: Page, runs: list[Text], top: float) -> None:
    page.draw(runs, page.left, top, page.content_width)


def _fields(page: Page, doc: CertificateDocument, fmt: InstitutionFormat) -> Block:
    """The label | value table of seed Fig. 24's fields, in the format's order (a row's ``aside`` beside its
    first value)."""
    value_x = page.left + LABEL_WIDTH
    value_width = page.content_width - LABEL_WIDTH
    rows = []
    for row in field_rows(doc, fmt, value_width):
        labels = [
            Text(word(LABELS, row.key, fmt.language), 8.5, fmt.language, page.accent),
            Text(word(LABELS, row.key, fmt.other_language), 6.5, fmt.other_language, GREY),
        ]
        aside_x = value_x
        if row.aside:
            first = row.values[0]
            aside_x += stringWidth(first.text, first.font or page.font, first.size) + ASIDE_GAP
        aside_width = value_x + value_width - aside_x
        row_height = max(page.measure(labels, LABEL_WIDTH - 4), page.measure(row.values, value_width),
                         page.measure(row.aside, aside_width) if row.aside else 0.0)
        rows.append((labels, row.values, row.aside, aside_x, aside_width, row_height))

    def draw(top: float) -> None:
        y = top
        page.rule(y, color=HexColor("#d0d0d0"), width=0.4)
        for labels, values, aside, aside_x, aside_width, row_height in rows:
            page.draw(labels, page.left, y - 3, LABEL_WIDTH - 4)
            page.draw(values, value_x, y - 3, value_width)
            if aside:
                page.draw(aside, aside_x, y - 3, aside_width)
            y -= row_height + 6
            page.rule(y, color=HexColor("#d0d0d0"), width=0.4)

    return Block("fields", sum(row[-1] + 6 for row in rows), draw)


def _footer(page: Page, fmt: InstitutionFormat, doc: CertificateDocument) -> float:
    """Issuer and signatory at the bottom right, the time zone of every printed time at the bottom left
    (issue #10, item 13); returns the y of its top."""
    runs = [Text(fmt.name(fmt.language), 9, fmt.language, align="right")]
    if fmt.signatory(fmt.language):
        runs.append(Text(fmt.signatory(fmt.language), 8, fmt.language, GREY, "right"))
    zone = zone_label(doc.period_start, zone_of(doc.time_zone))
    note = [Text(" / ".join(word(LABELS, "times", lang).replace("{zone}", zone)
                            for lang in (fmt.language, fmt.other_language)), 7, fmt.language, GREY)]
    note_width = page.content_width * 0.4
    height = max(page.measure(runs, page.content_width), page.measure(note, note_width))
    page.draw(runs, page.left, MARGIN + height, page.content_width)
    page.draw(note, page.left, MARGIN + page.measure(note, note_width), note_width)
    return MARGIN + height


def _qr_and_chart(
    page: Page, doc: CertificateDocument, fmt: InstitutionFormat, symbol: qrcode.Symbol
) -> Block:
    """The transaction identification image (S212a) on one side, the profile chart on the other."""
    width, quiet = qrcode.symbol_width(symbol), qrcode.quiet_zone(symbol)
    box = width + 2 * quiet
    caption = [Text(word(LABELS, "scan", fmt.language), 7, fmt.language, GREY, "center")]
    if fmt.verify_url:
        caption.append(Text(fmt.verify_url, 6.5, "en", GREY, "center"))
    qr_height = box + page.measure(caption, box)
    on_left = fmt.layout.qr_position == "left"
    qr_x = page.left if on_left else page.right - box
    chart_x = qr_x + box + QR_CHART_GAP if on_left else page.left
    chart_width = page.content_width - box - QR_CHART_GAP

    def draw(top: float) -> None:
        y = top - box
        page.canvas.saveState()
        page.canvas.setFillColor(white)
        page.canvas.rect(qr_x, y, box, box, stroke=0, fill=1)  # the quiet zone stays white
        page.canvas.restoreState()
        qrcode.draw_qr(page.canvas, symbol, qr_x + quiet, y + quiet)
        page.draw(caption, qr_x, y, box)
        if fmt.layout.chart:
            _chart(page, doc, fmt, x=chart_x, top=top - 2, width=chart_width, height=min(box - 14, 45 * MM))

    return Block("qr", qr_height, draw)


def _chart(
    page: Page, doc: CertificateDocument, fmt: InstitutionFormat, *, x: float, top: float, width: float, height: float
) -> None:
    language, other = fmt.language, fmt.other_language
    zone = zone_of(doc.time_zone)
    offset = local_offset_minutes(doc.period_start, zone)
    phase = day_phase(doc.period_start, offset)
    if not doc.profile_wh:
        title = f"{word(LABELS, 'no_profile', language)} / {word(LABELS, 'no_profile', other)}"
        page.draw([Text(title, 8, language, GREY)], x, top - 6 * MM, width)
        return
    per_bar = bin_profile(doc.profile_wh, phase=phase)[1]
    # The caption says what one bar is (issue #10, item 13): "Production per day (kWh)", not "half-hourly".
    captions = [word(LABELS, "profile", lang).replace("{span}", bar_span(per_bar, lang)) for lang in (language, other)]
    title = f"{captions[0]} / {captions[1]} (kWh)"
    title_bottom = page.draw([Text(title, 7.5, language, GREY)], x, top, width)
    ends = (
        format_datetime(doc.period_start, zone, language),
        format_datetime(doc.period_end, zone, language) + f" ({zone_abbreviation(doc.period_end, zone)})",
    )
    draw_profile_chart(
        page.canvas,
        doc.profile_wh,
        x=x,
        y=title_bottom - 4 - height,
        width=width,
        height=height,
        font=page.font,
        color=fmt.accent_color,
        phase=phase,
        ends=ends,
    )


def local_offset_minutes(unix_seconds: int, zone: tzinfo) -> int:
    """The zone's offset from UTC at that time, in minutes (JST: 540)."""
    offset = datetime.fromtimestamp(unix_seconds, zone).utcoffset()
    return int(offset.total_seconds()) // 60 if offset is not None else 0
