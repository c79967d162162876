"""The controller page's certificates part (issue 14): the home's energy bought from the battery, certified.

    GET  /certificates               the delivered battery assets: Wh, half hour, origin (seller homes, losses);
                                     those not yet certified can be chosen, the others show their certificate's id
                                     and download link
    POST /certificates               checks the choice; shows it again with "issue this certificate?" (yes / no)
    POST /certificates/confirm       yes: signs and submits ``cert.issue``, renders the PDF and goes back to the
                                     list, which offers it; no: back to the list. A refusal is said in words
                                     (``already_issued`` names the certificate that covers it)
    GET  /certificates/<id>.pdf      the certificate's PDF (a download)

The words are in ``field.trading.controller_text`` (Japanese and English).
"""

from __future__ import annotations

import html
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from field.trading.certificates import CertDraft, CertificateDesk, Delivered
from field.trading.controller_text import TEXT, t
from field.trading.errors import TradingError
from field.trading.page_kit import kwh, lang_of, page, when

MAX_CHOSEN_FIELDS = 60  # form fields one choice may carry (the page lists what a person can check)


def link(lang: str) -> str:
    """The status page's way in."""
    return (f'<section><h2>{t("certs", lang)}</h2><div class="small">{t("certs_note", lang)}</div>'
            f'<a class="button" href="certificates?lang={lang}" id="certificates">{t("certs_open", lang)}</a>'
            f'</section>')


def _names(d: Delivered) -> str:
    seen = dict.fromkeys(lot.name or lot.home[:12] for lot in d.lots)
    return ", ".join(html.escape(n) for n in seen)


def _item(d: Delivered, lang: str) -> str:
    e = html.escape
    span = f'{when(d.usage_start, lang)} – {when(d.usage_end, lang)[-5:]}'
    generated = f'{when(d.start, lang)} – {when(d.end, lang)[-5:]}'
    method = t("cert_method_" + d.method, lang) if "cert_method_" + d.method in TEXT else e(d.method)
    facts = (f'<div class="small">{t("cert_generated", lang)}: {generated} · {t("cert_method", lang)}: {method}</div>'
             f'<div class="small">{t("cert_sellers", lang)}: <span class="sellers">{_names(d)}</span></div>'
             f'<div class="small">{t("cert_losses", lang)}: {kwh(d.loss_wh)} '
             f'({kwh(d.drawn_wh)} → {kwh(d.wh)})</div>')
    head = f'{t("cert_half_hour", lang)} {span} · <b>{kwh(d.wh)}</b>'
    if d.certificate is None:
        return (f'<li class="delivered" data-asset="{e(d.asset_id)}"><label class="check"><input type="checkbox" '
                f'name="asset" value="{e(d.asset_id)}"><span>{head}{facts}</span></label></li>')
    cid = e(d.certificate)
    return (f'<li class="delivered certified" data-asset="{e(d.asset_id)}" data-certificate="{cid}">{head}'
            f'<span class="badge paid">{t("cert_issued", lang)}</span>{facts}'
            f'<div class="small">{t("cert_id", lang)}: <span class="mono">{cid}</span></div>'
            f'<a href="certificates/{cid}.pdf" class="download" download>{t("cert_download", lang)}</a></li>')


def error_text(exc: TradingError, lang: str) -> str:
    """A refusal in the reader's language (the machine's words after it for the rarer ones)."""
    if exc.code == "already_issued":
        return t("cert_err_already_issued", lang).format(cid=exc.extra.get("certificate_id", ""))
    if "cert_err_" + exc.code in TEXT:
        return t("cert_err_" + exc.code, lang)
    if exc.code == "ledger_unreachable":
        return t("cert_err_unreachable", lang)
    return f'{t("cert_err_ledger", lang)}: {exc.message}'


def _list(desk: CertificateDesk, lang: str, *, error: str = "", issued: str = "") -> str:
    e = html.escape
    try:
        items = desk.delivered()
    except TradingError as exc:
        items, error = [], error or error_text(exc, lang)
    problem = f'<div class="error" role="alert" id="error">{e(error)}</div>' if error else ""
    done = ""
    if issued:
        done = (f'<div class="notice" id="issued" data-certificate="{e(issued)}">{t("cert_done", lang)} · '
                f'{t("cert_id", lang)}: <span class="mono">{e(issued)}</span><a class="button" id="download" '
                f'href="certificates/{e(issued)}.pdf" download>{t("cert_download", lang)}</a></div>')
    open_ = any(d.certificate is None for d in items)
    rows = "".join(_item(d, lang) for d in items) or f'<li>{t("certs_none", lang)}</li>'
    button = f'<button type="submit" id="cert-next">{t("cert_review", lang)}</button>' if open_ else ""
    return (f'<section><h2>{t("certs_title", lang)}</h2><div class="small">{t("certs_note", lang)}</div>'
            f'{done}{problem}<form method="post" action="certificates?lang={lang}"><ul id="delivered">{rows}</ul>'
            f'{button}</form><a href="./?lang={lang}">{t("back", lang)}</a></section>')


def _question(desk: CertificateDesk, draft: CertDraft, lang: str) -> str:
    names = dict.fromkeys(n for d in draft.assets for n in _names(d).split(", "))
    first = min(d.usage_start for d in draft.assets)
    last = max(d.usage_end for d in draft.assets)
    return (f'<section><h2 id="cert-question">{t("cert_confirm_title", lang)}</h2><dl>'
            f'<dt>{t("cert_owner", lang)}</dt><dd class="mono">{html.escape(desk.owner)}</dd>'
            f'<dt>{t("cert_count", lang)}</dt><dd id="q-count">{len(draft.assets)}</dd>'
            f'<dt>{t("cert_half_hour", lang)}</dt><dd>{when(first, lang)} – {when(last, lang)}</dd>'
            f'<dt>{t("cert_total", lang)}</dt><dd id="q-total">{kwh(draft.wh)}</dd>'
            f'<dt>{t("cert_method", lang)}</dt><dd>{t("cert_method_solar", lang)}</dd>'
            f'<dt>{t("cert_sellers", lang)}</dt><dd>{", ".join(names)}</dd>'
            f'<dt>{t("cert_losses", lang)}</dt><dd>{kwh(sum(d.loss_wh for d in draft.assets))}</dd></dl>'
            f'<form method="post" action="certificates/confirm?lang={lang}"><input type="hidden" name="draft" '
            f'value="{draft.number}"><button name="answer" value="yes" id="cert-yes">{t("yes", lang)}</button>'
            f'<button name="answer" value="no" class="no" id="cert-no">{t("no", lang)}</button></form></section>')


async def _form(request: Request) -> dict[str, list[str]]:
    body = (await request.body()).decode("utf-8", "replace")
    return parse_qs(body, max_num_fields=MAX_CHOSEN_FIELDS)


def add_routes(app: FastAPI, desk: CertificateDesk) -> None:
    @app.get("/certificates")
    def certificates(request: Request) -> Response:
        lang = lang_of(request)
        issued = request.query_params.get("issued", "")[:64]
        return page(lang, t("certs", lang), _list(desk, lang, issued=issued))

    @app.post("/certificates")
    async def review(request: Request) -> Response:
        lang = lang_of(request)
        try:
            chosen = (await _form(request)).get("asset", [])
            draft = desk.draft(chosen)
        except ValueError:  # more fields than a choice carries
            return page(lang, t("certs", lang), _list(desk, lang, error=t("cert_err_too_many", lang)), status=422)
        except TradingError as exc:
            return page(lang, t("certs", lang), _list(desk, lang, error=error_text(exc, lang)), status=exc.status)
        return page(lang, t("certs", lang), _question(desk, draft, lang))

    @app.post("/certificates/confirm")
    async def confirm(request: Request) -> Response:
        lang = lang_of(request)
        values = await _form(request)
        number = (values.get("draft") or [""])[0]
        if not number.isdigit() or len(number) > 9:
            return JSONResponse({"error": "bad_request", "message": f"expected a choice number, found {number!r:.20}"},
                                status_code=400)
        yes = (values.get("answer") or [""])[0] == "yes"
        try:
            issued = desk.confirm(int(number), yes)
        except TradingError as exc:
            return page(lang, t("certs", lang), _list(desk, lang, error=error_text(exc, lang)), status=exc.status)
        where = f"../certificates?lang={lang}" + (f"&issued={issued.certificate_id}" if issued else "")
        return RedirectResponse(where, status_code=303)

    @app.get("/certificates/{name}")
    def pdf(name: str) -> Response:
        certificate_id = name.removesuffix(".pdf")
        try:
            data = desk.pdf(certificate_id)
        except TradingError as exc:
            return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)
        return Response(data, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="greencert-{certificate_id[:16]}.pdf"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


__all__ = ["add_routes", "error_text", "link"]
