"""Typed client for the intermediary API (``/api/v1``), used by the kiosk (transmitting unit 71)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backend_client.errors import ProtocolError
from backend_client.http import HttpBase
from backend_client.paths import hex_id, path

API = "/api/v1"


@dataclass(frozen=True)
class Session:
    token: str
    user_name: str
    expires_at: int
    user_name_ja: str | None = None  # the user's Japanese name; None from a server that has or sends none


def _optional_name(obj: Any, name: str) -> str | None:
    """An optional display name: None when absent, null, empty or not a string (an older server sends none)."""
    value = obj.get(name) if isinstance(obj, dict) else None
    return value if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class EligibleItem:
    item_id: str
    period_start: int
    period_end: int
    production_method: str
    amount_wh: int
    issued: bool
    certificate_id: str | None
    category: str = ""  # "renewable" | "fossil" | "nuclear"; "" from a server that does not say
    as_of: int | None = None  # the list's "as_of" (end of the newest allocation it considered), on every row
    allocations: int | None = None  # allocations in the row; None from a server that does not say


@dataclass(frozen=True)
class CertificateType:
    type_id: str
    institution: str
    name: str
    language: str = ""  # the language the institution's certificates are written in ("ja", "en"), if known
    institution_en: str = ""  # the institution's and the certificate's English names ("" if not sent)
    name_en: str = ""
    institution_ja: str = ""  # ... and Japanese names
    name_ja: str = ""


@dataclass(frozen=True)
class CertificateRecord:
    """One of the applicant's earlier certificates (``GET /certificates``), e.g. for a reprint."""

    certificate_id: str
    amount_wh: int
    period_start: int
    period_end: int
    production_method: str
    type_id: str
    issued_at: int


@dataclass(frozen=True)
class UsageOutcome:
    """What the intermediary did with one consumer meter's usage report (S81, S86-S95)."""

    consumer_id: str
    start: int
    status: str  # allocated | partial | unallocated | duplicate | failed
    renewable_wh: int
    fossil_wh: int
    unallocated_wh: int
    message: str


@dataclass(frozen=True)
class IssuedCertificate:
    certificate_id: str
    payload: str
    pdf_url: str


def _count(value: object) -> int | None:
    """A non-negative count from the server, or None when it sent none (or nonsense)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _field(obj: Any, name: str, kind: type) -> Any:
    if not isinstance(obj, dict) or name not in obj or not isinstance(obj[name], kind):
        raise ProtocolError(f"expected field {name!r} of type {kind.__name__} in {str(obj)[:80]}")
    return obj[name]


class IntermediaryClient(HttpBase):
    def login(self, applicant_id: str, password: str) -> Session:
        body = self.json("POST", f"{API}/sessions", json={"applicant_id": applicant_id, "password": password})
        return Session(_field(body, "token", str), _field(body, "user_name", str), _field(body, "expires_at", int),
                       _optional_name(body, "user_name_ja"))

    def logout(self, session: Session) -> None:
        self.request("DELETE", f"{API}/sessions/current", token=session.token)

    def eligible_transactions(self, session: Session) -> list[EligibleItem]:
        body = self.json("GET", f"{API}/eligible-transactions", token=session.token)
        as_of = body.get("as_of") if isinstance(body, dict) else None
        return [
            EligibleItem(
                item_id=_field(i, "item_id", str), period_start=_field(i, "period_start", int),
                period_end=_field(i, "period_end", int), production_method=_field(i, "production_method", str),
                amount_wh=_field(i, "amount_wh", int), issued=_field(i, "issued", bool),
                certificate_id=i.get("certificate_id"), category=str(i.get("category") or ""),
                as_of=as_of if isinstance(as_of, int) and not isinstance(as_of, bool) else None,
                allocations=_count(i.get("allocations")),
            )
            for i in _field(body, "items", list)
        ]

    def usage_reports(self, reports: Sequence[str]) -> list[UsageOutcome]:
        """S81: consumer meters' signed ``usage.report`` envelopes (hex); one outcome each, in order."""
        body = self.json("POST", f"{API}/usage-reports", json={"reports": list(reports)})
        return [UsageOutcome(consumer_id=_field(r, "consumer_id", str), start=_field(r, "start", int),
                             status=_field(r, "status", str), renewable_wh=_field(r, "renewable_wh", int),
                             fossil_wh=_field(r, "fossil_wh", int), unallocated_wh=_field(r, "unallocated_wh", int),
                             message=str(r.get("message") or ""))
                for r in _field(body, "results", list)]

    def certificate_types(self) -> list[CertificateType]:
        body = self.json("GET", f"{API}/certificate-types")
        return [CertificateType(_field(t, "type_id", str), _field(t, "institution", str), _field(t, "name", str),
                                str(t.get("language", "")), str(t.get("institution_en") or ""),
                                str(t.get("name_en") or ""), str(t.get("institution_ja") or ""),
                                str(t.get("name_ja") or ""))
                for t in _field(body, "items", list)]

    def issue_certificate(self, session: Session, item_ids: Sequence[str], type_id: str,
                          idempotency_key: str) -> IssuedCertificate:
        """S512: request issuance; raises ``AlreadyIssued`` (S210b) when the ledger says it was issued before."""
        body = self.json("POST", f"{API}/certificates", token=session.token,
                         json={"item_ids": list(item_ids), "type_id": type_id, "idempotency_key": idempotency_key})
        return IssuedCertificate(_field(body, "certificate_id", str), _field(body, "payload", str),
                                 _field(body, "pdf_url", str))

    def issue_for_period(self, session: Session, start: int, end: int, production_method: str, type_id: str,
                         idempotency_key: str) -> IssuedCertificate:
        """S203: the main embodiment's request: every open allocation of ``production_method`` generated in
        ``[start, end)`` (Unix seconds) as one certificate; ``NotFound`` when there is none, ``AlreadyIssued``
        when all of it was certified before (S210b)."""
        body = self.json("POST", f"{API}/certificates", token=session.token,
                         json={"period": {"start": start, "end": end, "production_method": production_method},
                               "type_id": type_id, "idempotency_key": idempotency_key})
        return IssuedCertificate(_field(body, "certificate_id", str), _field(body, "payload", str),
                                 _field(body, "pdf_url", str))

    def certificates(self, session: Session) -> list[CertificateRecord]:
        """The signed-in applicant's certificates, newest first (what a reprint can choose from)."""
        body = self.json("GET", f"{API}/certificates", token=session.token)
        return [
            CertificateRecord(
                certificate_id=_field(c, "certificate_id", str), amount_wh=_field(c, "amount_wh", int),
                period_start=_field(c, "period_start", int), period_end=_field(c, "period_end", int),
                production_method=_field(c, "production_method", str), type_id=_field(c, "type_id", str),
                issued_at=_field(c, "issued_at", int),
            )
            for c in _field(body, "items", list)
        ]

    def certificate(self, session: Session, certificate_id: str) -> dict[str, Any]:
        cid = hex_id(certificate_id, "a certificate id")
        body = self.json("GET", API + path("certificates", cid), token=session.token)
        if not isinstance(body, dict):
            raise ProtocolError(f"expected a certificate object, found {str(body)[:80]}")
        return body

    def certificate_pdf(self, session: Session, certificate_id: str, *, reprint: bool = False) -> bytes:
        cid = hex_id(certificate_id, "a certificate id")
        response = self.request("GET", API + path("certificates", cid, "pdf"), token=session.token,
                                params={"reprint": "true"} if reprint else None)
        if not response.content.startswith(b"%PDF"):
            raise ProtocolError(f"expected a PDF for certificate {certificate_id}, found {response.content[:8]!r}")
        return response.content

    def trust(self) -> dict[str, Any]:
        body = self.json("GET", f"{API}/trust")
        if not isinstance(body, dict):
            raise ProtocolError("expected a trust object")
        return body
