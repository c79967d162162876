"""``/verify``: the public page where anyone checks a certificate from a phone (issue #13, "On a phone").

``GET /verify`` shows the form (paste the ``GC1:`` text, or upload a photo or the PDF; ``?lang=ja|en``, else
``Accept-Language``); ``GET /verify?p=GC1:...`` and ``GET /VERIFY/GC1:...`` (the form a QR code can carry,
``printing.qr.verify_link``) check the payload a link carries; ``POST /verify`` checks what the form sent.
The check is the light node's (``ledger_lite.audit``), the one ``greencert verify`` and the kiosk run:
against the ledger through the intermediary's ``NodeClient`` (trust list from the node's registry, kept a
minute); when the node cannot be reached, against the audit bundle an uploaded PDF carries, else the signature
alone, and the page says which. No log-in, nothing stored.

Bad input (issue #13): the request body is limited by ``HttpGuard`` (``VERIFY_BODY``) and the upload to
``MAX_UPLOAD_BYTES`` (both a 413 page, ``TooLargePage``); images and PDFs are refused above their pixel and page
limits by ``printing.reading``; an oversized payload or a zlib bomb fails at the ``payload`` step. Every failure
is a page that names the step, never a traceback.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from backend_client import CertificateReader, ClientError, NodeClient
from intermediary.service import Service
from intermediary.web.form import Field, FormError, parse_form
from intermediary.web.page import CSP, TEXT, Language, form_page, language_of, result_page, too_large_page
from ledger_lite import Claims
from ledger_lite.audit import (
    PREFIX,
    AuditBundle,
    BundleError,
    Report,
    audit,
    bundle_instead,
    damaged_bundle,
    one_payload,
)
from ledger_lite.verification import Step, Trust, clip
from printing import ReadError, read_certificate_pdf, read_qr_codes
from printing.facts import certificate_facts
from printing.step_texts import note_text, step_text

log = logging.getLogger(__name__)

PATH = "/verify"
MAX_UPLOAD_BYTES = 15 * 1000 * 1000  # a phone's photo is 2-8 MB; a certificate PDF ~100 KB
VERIFY_BODY = MAX_UPLOAD_BYTES + (1 << 20)  # the whole form: the upload, the pasted text and multipart framing
MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // 1_000_000
TRUST_TTL_S = 60.0
HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store", "X-Frame-Options": "DENY",
           "Referrer-Policy": "no-referrer"}

router = APIRouter(include_in_schema=False)  # HTML for people, not part of the JSON API's contract


@dataclass
class _Fetched:
    node: NodeClient
    trust: Trust
    at_monotonic: float
    at_wall: float


class TrustCache:
    """The trust list from the node's registry (validator-registered keys), fetched at most once a minute; the
    last one is kept for when the node cannot be reached."""

    def __init__(self, ttl_s: float = TRUST_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._last: _Fetched | None = None

    def get(self, node: NodeClient, report: Report) -> tuple[Trust | None, bool]:
        """The trust list and whether the node answered (or was not asked for a minute); when it does not
        answer, a step ``ledger`` (not checked) says so."""
        with self._lock:
            last = self._last if self._last is not None and self._last.node is node else None
            if last is not None and time.monotonic() - last.at_monotonic < self.ttl_s:
                return last.trust, True
            try:
                trust = Trust.from_registry(str(node.status()["chain_id"]), node.registry())
            except (ClientError, KeyError, TypeError, ValueError) as exc:
                if last is None:
                    report.add("trust", None, f"no trust list: the ledger node cannot be reached to read its "
                                              f"registry ({clip(exc, 300)})", code="trust.unreachable",
                               params={"reason": clip(exc, 300)})
                    return None, False
                when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(last.at_wall))
                report.add("ledger", None, f"the ledger node cannot be reached ({clip(exc, 300)}); the trust list "
                                           f"it gave at {when} was used", code="ledger.unreachable_old_trust",
                           params={"reason": clip(exc, 300), "when": when})
                return last.trust, False
            self._last = _Fetched(node, trust, time.monotonic(), time.time())
            return trust, True


def read_upload(data: bytes, filename: str, report: Report) -> tuple[str | None, dict[str, Any]]:
    """The payload and, for a PDF, what is printed on it, from an uploaded file (step ``read``); the file is
    written to a private temporary directory for ``printing.reading`` and removed."""
    name = Path(filename.replace("\\", "/")).name or "upload"
    with tempfile.TemporaryDirectory(prefix="greencert-verify-") as folder:
        is_pdf = data.startswith(b"%PDF-")
        path = Path(folder) / ("certificate.pdf" if is_pdf else "photo")
        path.write_bytes(data)
        try:
            if is_pdf:
                printed = read_certificate_pdf(path)
                payload = one_payload(printed.payloads, name, report, missing=False)
                return payload, {"kind": "pdf", "amount_wh": printed.amount_wh,
                                 "certificate_id": printed.certificate_id,
                                 "short_reference": printed.short_reference, "bundle": printed.bundle}
            # A photo without a readable QR code may just be a poor photo: that is "could not check".
            return one_payload(read_qr_codes(path), name, report, missing=None), {"kind": "image"}
        except ReadError as exc:
            text = str(exc).replace(path.name, name)
            report.add("read", None, f"cannot read {clip(name)}: {clip(text, 300)}", code="read.unreadable",
                       params={"name": clip(name), "reason": clip(text, 300)})
            return None, {}


def check(service: Service, cache: TrustCache, payload: str | None, printed: Mapping[str, Any], report: Report,
          lang: Language) -> Report:
    """``audit`` against the ledger, else the PDF's audit bundle, else the signature alone (steps after
    ``read``, which the caller added)."""
    if payload is None:
        return report

    def facts(claims: Claims) -> dict[str, str]:
        return certificate_facts(claims, language=lang)

    read_steps = list(report.steps)
    trust, reachable = cache.get(service.node, report)
    if trust is None:
        return report
    if reachable:
        online = audit(payload, trust, Report(steps=list(read_steps)), printed=printed,
                       node=CertificateReader(service.node), facts=facts)  # one request per check
        unreached = next((s for s in online.steps if s.name == "ledger" and s.ok is None), None)
        if unreached is None:
            return online
        report = Report(steps=[*read_steps, unreached])
    bundle = None
    if printed.get("bundle") is not None:  # the paper's own proofs stand in for the node
        bundle_instead(report, next(s for s in report.steps if s.name == "ledger"))
        try:
            bundle = AuditBundle.decode(printed["bundle"])
        except BundleError as exc:
            damaged_bundle(report, exc)
            return report
    return audit(payload, trust, report, printed=printed, bundle=bundle, facts=facts)


def _cache(request: Request) -> TrustCache:
    cache = getattr(request.app.state, "verify_trust", None)
    if not isinstance(cache, TrustCache):
        cache = request.app.state.verify_trust = TrustCache()
    return cache


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=HEADERS)


def _run(request: Request, lang: Language, payload: str | None, upload: Field | None,
         switch_query: Mapping[str, str] | None = None) -> HTMLResponse:
    service: Service = request.app.state.service
    report = Report()
    printed: dict[str, Any] = {}
    if upload is not None:
        payload, printed = read_upload(upload.value, upload.filename or "upload", report)
    elif payload is not None:
        payload = payload.strip()
        if payload.startswith(PREFIX):
            report.add("read", True, TEXT["en"]["pasted"], code="read.pasted", params={})
        else:
            report.add("read", True, TEXT["en"]["pasted_foreign"], code="read.pasted_foreign", params={})
    report = check(service, _cache(request), payload, printed, report, lang)
    return _html(result_page(lang, worded(report, lang), switch_query=switch_query))


def worded(report: Report, lang: Language) -> Report:
    """``report`` with each step's detail and each note in ``lang`` (``printing.step_texts``), for the page."""
    steps = [Step(s.name, s.ok, step_text(s, lang), s.code, s.params) for s in report.steps]
    notes = [note_text(*report.note_id(n), lang, fallback=n) for n in report.notes]
    return Report(steps=steps, claims=report.claims, notes=notes, facts=report.facts,
                  printed_compared=report.printed_compared, source=report.source, evidence=report.evidence,
                  note_ids=report.note_ids)


@router.get(PATH, response_class=HTMLResponse)
def verify_form(request: Request, lang: Annotated[str | None, Query()] = None,
                p: Annotated[str | None, Query()] = None) -> HTMLResponse:
    language = language_of(lang, request.headers.get("accept-language"))
    if not p:
        return _html(form_page(language, max_mb=MAX_UPLOAD_MB))
    return _run(request, language, p, None, switch_query={"p": p})


@router.get(PATH + "/{carried:path}", response_class=HTMLResponse)
@router.get(PATH.upper() + "/{carried:path}", response_class=HTMLResponse)
def verify_link(request: Request, carried: str, lang: Annotated[str | None, Query()] = None) -> HTMLResponse:
    """The link a certificate's QR code may carry (``printing.qr.verify_link``): ``/VERIFY/`` and the payload,
    percent-encoded in QR alphanumeric characters; the path arrives decoded, i.e. as the payload."""
    language = language_of(lang, request.headers.get("accept-language"))
    return _run(request, language, carried, None, switch_query={"p": carried})


@router.post(PATH, response_class=HTMLResponse)
async def verify_submit(request: Request) -> HTMLResponse:
    body = await request.body()
    query_lang = request.query_params.get("lang")
    try:
        fields = parse_form(body, request.headers.get("content-type", ""))
    except FormError as exc:
        language = language_of(query_lang, request.headers.get("accept-language"))
        return _html(form_page(language, max_mb=MAX_UPLOAD_MB, error=TEXT[language]["bad_form"].format(why=exc)), 400)
    lang_field = fields.get("lang")
    language = language_of(query_lang or (lang_field.value.decode("utf-8", "replace") if lang_field else None),
                           request.headers.get("accept-language"))
    upload = fields.get("file")
    if upload is not None and not upload.value:
        upload = None  # the file input left empty
    if upload is not None and len(upload.value) > MAX_UPLOAD_BYTES:
        return _html(too_large_page(language, max_mb=MAX_UPLOAD_MB), 413)
    pasted = fields.get("payload")
    text = pasted.value.decode("utf-8", "replace").strip() if pasted is not None else ""
    if upload is None and not text:
        return _html(form_page(language, max_mb=MAX_UPLOAD_MB, error=TEXT[language]["empty"]), 400)
    return await run_in_threadpool(_run, request, language, None if upload is not None else text, upload)
