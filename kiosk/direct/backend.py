"""Modification 2 (S401–S412): the kiosk signs issuances itself and talks to a ledger node directly, behind the
same ``IntermediaryPort`` the flows use, so the list flow, the manual flow and reprints work unchanged.

    login                  S403  the kiosk's applicant DB: scrypt hash, lock-out, the user key decrypted
    eligible_transactions  S406  ``GET /v1/assets?owner=`` grouped per JST month × method (``kiosk.direct.rows``),
                                 a read signed with the applicant's user key (``ledger_lite.request_auth``)
    certificate_types            the institution formats the kiosk renders with (``printing``, Fig. 11B)
    issue_certificate      S404  ``cert.issue`` signed with the applicant's user key, ``POST /v1/txs?wait=true``
                           S407  the node judges: ``already_issued`` → ``AlreadyIssued`` naming the certificate
                                 (S408b); a user key may certify only its own assets
                           S411  the embedded light node checks what came back before anything is printed
                                 (``ledger_lite.verification.verify_issuance``, as ``greencert verify`` does): the
                                 issuance is in a final block and the certificate record, proven against a final
                                 header, is of that issuance and not revoked, then it is what was asked;
                                 validators are the keys pinned on first use (``kiosk.direct.trust``)
                           S410  QR payload signed with the user key, PDF rendered here (``printing``)
    certificate_pdf        S412  that PDF; an earlier certificate is rebuilt from its verified ledger record
    certificates                 ``GET /v1/certificates?owner=`` without revoked ones (what a reprint offers),
                                 signed as the asset list

The asset list is the node's answer as it comes (it only decides what to offer; the ledger rules decide what
may be certified). Decrypted user keys live in memory for the session only and are dropped at logout.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx

from backend_client import (
    AlreadyIssued,
    BadRequest,
    CertificateRecord,
    CertificateType,
    ClientError,
    Conflict,
    EligibleItem,
    IssuedCertificate,
    Locked,
    NodeClient,
    NotFound,
    ProtocolError,
    Session,
    Unauthorized,
    Unreachable,
)
from kiosk.direct.applicants import Applicant, ApplicantDB
from kiosk.direct.errors import AuthenticationFailed, LedgerUnverified, LockedOut, NodeUnreachable
from kiosk.direct.rows import AssetRef, Row, build_rows, profile_of
from kiosk.direct.trust import PinnedTrust, TrustStore
from ledger_lite import Claims, Transaction, encode_payload, sign_tx
from ledger_lite.audit import AuditBundle, BundleError
from ledger_lite.certificate import SelectionError, check_item_ids, check_selection
from ledger_lite.verification import is_certificate_id, verify_issuance
from printing import CertificateDocument, InstitutionFormat, load_institutions, render_certificate_pdf

T = TypeVar("T")
SESSION_TTL_S = 30 * 60
SUBMIT_TIMEOUT_S = 20.0
NODE_TIMEOUT_S = 30.0


@dataclass
class _Signed:
    """One signed-in applicant: the decrypted key, the rows last listed, what was issued in this session."""

    applicant: Applicant
    expires_at: float
    rows: dict[str, Row] = field(default_factory=dict)
    documents: dict[str, CertificateDocument] = field(default_factory=dict)
    attempts: dict[str, Transaction] = field(default_factory=dict)  # idempotency key → the signed issuance


class DirectBackend:
    """An ``IntermediaryPort`` over the kiosk's applicant DB and a ledger node. Thread-safe (the kiosk's worker
    calls it from several threads). ``node_url``: the node, or several validator nodes of the ledger (a list, or
    URLs separated by commas) that ``NodeClient`` fails over between."""

    def __init__(self, node_url: str | Sequence[str], applicants: ApplicantDB | Path, trust: TrustStore | Path, *,
                 transport: httpx.BaseTransport | None = None, clock: Callable[[], float] = time.time,
                 institutions: dict[str, InstitutionFormat] | None = None,
                 session_ttl_s: float = SESSION_TTL_S) -> None:
        self.node = NodeClient(node_url, transport=transport, timeout=NODE_TIMEOUT_S)
        self.applicants = applicants if isinstance(applicants, ApplicantDB) else ApplicantDB(applicants)
        self.trust = trust if isinstance(trust, TrustStore) else TrustStore(trust)
        self._clock = clock
        self._institutions = institutions
        self._session_ttl_s = session_ttl_s
        self._sessions: dict[str, _Signed] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._sessions.clear()
        self.node.close()

    # -- S401–S403: the applicant, authenticated by the kiosk itself -------------------------------
    def login(self, applicant_id: str, password: str) -> Session:
        try:
            applicant = self.applicants.authenticate(applicant_id, password)
        except AuthenticationFailed as exc:
            raise Unauthorized(401, "invalid_credentials", str(exc)) from exc
        except LockedOut as exc:
            raise Locked(429, "locked", str(exc), exc.retry_after) from exc
        token = secrets.token_urlsafe(32)
        expires_at = self._clock() + self._session_ttl_s
        with self._lock:
            now = self._clock()
            for stale in [t for t, s in self._sessions.items() if s.expires_at <= now]:
                del self._sessions[stale]
            self._sessions[token] = _Signed(applicant, expires_at)
        return Session(token=token, user_name=applicant.user_name, expires_at=int(expires_at))

    def logout(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.token, None)

    def _signed(self, session: Session) -> _Signed:
        with self._lock:
            signed = self._sessions.get(session.token)
            if signed is None or signed.expires_at <= self._clock():
                self._sessions.pop(session.token, None)
                raise Unauthorized(401, "session_expired", "the session is unknown or has expired; sign in again")
            return signed

    # -- S406: the applicant's transactions ---------------------------------------------------------
    def eligible_transactions(self, session: Session) -> list[EligibleItem]:
        signed = self._signed(session)
        owner, key = signed.applicant.owner, signed.applicant.key
        assets = self._ask("the applicant's assets", lambda: self.node.assets(owner, signer=key))
        try:
            rows = build_rows(assets)
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(f"expected assets with id, start, end, wh, method, trade and cert: {exc!r}") from exc
        signed.rows = {row.item.item_id: row for row in rows}
        return [row.item for row in rows]

    def certificate_types(self) -> list[CertificateType]:
        return [CertificateType(f.institution_id, f.name(f.language), f.title(f.language), f.language)
                for f in sorted(self._formats().values(), key=lambda f: f.institution_id)]

    def certificates(self, session: Session) -> list[CertificateRecord]:
        """The applicant's certificates on the ledger that are not revoked, newest first (for reprints)."""
        applicant = self._signed(session).applicant
        owner = applicant.owner
        items = self._ask("the applicant's certificates",
                          lambda: self.node.certificates(owner, signer=applicant.key))
        try:
            records = [CertificateRecord(str(c["id"]), int(c["wh"]), int(c["start"]), int(c["end"]), str(c["method"]),
                                         str(c["institution"]), int(c["time"]))
                       for c in items if c.get("revoked") is None and c.get("owner") == owner]
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(f"expected certificate records with id, wh, start, end, method, institution and "
                                f"time: {exc!r}") from exc
        return sorted(records, key=lambda r: (r.issued_at, r.certificate_id), reverse=True)

    # -- S404–S411: issue ---------------------------------------------------------------------------
    def issue_certificate(self, session: Session, item_ids: Sequence[str], type_id: str,
                          idempotency_key: str) -> IssuedCertificate:
        signed = self._signed(session)
        applicant = signed.applicant
        if type_id not in self._formats():
            raise BadRequest(400, "unknown_type", f"expected a type_id among {sorted(self._formats())}, "
                                                  f"found {type_id!r}")
        try:  # the intermediary's pre-checks (ledger_lite.certificate); the node decides
            check_item_ids(item_ids)
            missing = [i for i in item_ids if i not in signed.rows]
            if missing:
                raise NotFound(404, "not_found", f"no eligible transaction {missing[0]}; reload the list")
            rows = [signed.rows[i] for i in item_ids]
            refs = [ref for row in rows for ref in row.assets]
            check_selection((row.item.production_method for row in rows), len(refs))
        except SelectionError as exc:
            raise BadRequest(400, exc.code, str(exc)) from exc
        trust = self.trust.get(self.node)
        body = {"owner": applicant.owner, "assets": sorted(ref.asset_id for ref in refs), "institution": type_id}
        tx = signed.attempts.get(idempotency_key)
        if tx is None or tx.body != body:
            # S404: the issuance request, signed with the applicant's user key (S403 decrypted it).
            tx = sign_tx(applicant.key, chain=trust.chain_id, type="cert.issue", body=body,
                         nonce=secrets.randbits(62), time=int(self._clock()))
            signed.attempts[idempotency_key] = tx
        self._submit(tx)
        record, height = self._verified(tx.tx_id, trust)  # S411, before anything is printed
        expected = {"owner": applicant.owner, "institution": type_id, "assets": body["assets"]}
        found = {"owner": record["owner"], "institution": record["institution"], "assets": sorted(record["assets"])}
        if found != expected:
            raise LedgerUnverified("record", f"the ledger's record of {tx.tx_id} differs from the request: {found} "
                                             f"instead of {expected}")
        document = self._document(applicant, record, height, trust, refs)  # S410
        signed.documents[tx.tx_id] = document
        return IssuedCertificate(tx.tx_id, document.payload, "")  # no URL: the kiosk renders the PDF itself

    def _submit(self, tx: Transaction) -> None:
        """Submit ``tx`` and wait for its block; a retry of the same issuance that reached the ledger earlier
        (or is still queued there) is not an error."""
        try:
            self._ask("the issuance", lambda: self.node.submit(tx, wait=True, timeout=SUBMIT_TIMEOUT_S))
        except AlreadyIssued as exc:
            if exc.certificate_id != tx.tx_id:
                raise  # S408b: certified before, by another issuance
        except Conflict as exc:
            if exc.code != "duplicate":
                raise
            deadline = time.monotonic() + SUBMIT_TIMEOUT_S
            while True:  # queued by an earlier attempt: wait until it is in a block
                try:
                    self._ask("the issuance", lambda: self.node.tx(tx.tx_id))
                    return
                except NotFound:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

    def _verified(self, certificate_id: str, trust: PinnedTrust) -> tuple[dict[str, Any], int]:
        """The certificate record and the issuance's block height, both checked by the light node
        (``ledger_lite.verification.verify_issuance``); a failed step is a ``LedgerUnverified`` naming it."""
        checked = self._ask("the issuance", lambda: verify_issuance(self.node, certificate_id, trust.validators,
                                                                     trust.chain_id))
        failed = checked.failure
        if failed is not None:
            raise LedgerUnverified(failed.name, failed.detail)
        if checked.record is None or checked.height is None:  # cannot happen: every step passed
            raise LedgerUnverified("record", f"no verified record of {certificate_id}")
        return checked.record, checked.height

    # -- S410/S412: the certificate document ----------------------------------------------------------
    def _document(self, applicant: Applicant, record: dict[str, Any], height: int, trust: PinnedTrust,
                  refs: Sequence[AssetRef]) -> CertificateDocument:
        claims = Claims(cid=str(record["id"]), chain=trust.chain_id, h=height, own=applicant.user_name,
                        m=str(record["method"]), wh=int(record["wh"]), ps=int(record["start"]), pe=int(record["end"]),
                        inst=str(record["institution"]), iat=int(record["time"]))
        return CertificateDocument(
            certificate_id=claims.cid, owner=claims.own, amount_wh=claims.wh, period_start=claims.ps,
            period_end=claims.pe, production_method=claims.m, category=str(record["category"]), issued_at=claims.iat,
            institution_id=claims.inst, chain_id=claims.chain, block_height=claims.h,
            payload=encode_payload(claims, applicant.key), profile_wh=profile_of(refs, claims.ps, claims.pe))

    def certificate_pdf(self, session: Session, certificate_id: str, *, reprint: bool = False) -> bytes:
        signed = self._signed(session)
        document = signed.documents.get(certificate_id)
        if document is None:  # an earlier certificate (reprint): rebuilt from its verified record
            document = self._earlier_document(signed, certificate_id)
            signed.documents[certificate_id] = document
        fmt = self._formats().get(document.institution_id)
        if fmt is None:
            raise BadRequest(400, "unknown_type", f"certificate {certificate_id} uses institution "
                                                  f"{document.institution_id!r}, whose format this kiosk lacks")
        try:  # the audit bundle: the PDF proves its own ledger inclusion offline (issue #13)
            bundle: bytes | None = AuditBundle.fetch(self.node, certificate_id).encode()
        except (ClientError, BundleError, KeyError, TypeError, ValueError):
            bundle = None  # the node is not reachable now: the PDF still verifies online or by its signature
        return render_certificate_pdf(replace(document, reprint=reprint), fmt, bundle=bundle)

    def _earlier_document(self, signed: _Signed, certificate_id: str) -> CertificateDocument:
        applicant = signed.applicant
        if not is_certificate_id(certificate_id):
            raise NotFound(404, "not_found", f"no certificate {certificate_id!r} on the ledger")
        trust = self.trust.get(self.node)
        try:
            record, height = self._verified(certificate_id, trust)
        except NotFound as exc:
            raise NotFound(404, "not_found", f"no certificate {certificate_id} on the ledger") from exc
        if record["owner"] != applicant.owner:
            raise NotFound(404, "not_found", f"no certificate {certificate_id} of {applicant.user_name}")
        wanted = set(record["assets"])
        assets = self._ask("the applicant's assets", lambda: self.node.assets(applicant.owner,
                                                                                   signer=applicant.key))
        refs = [AssetRef(str(a["id"]), int(a["start"]), int(a["end"]), int(a["wh"]))
                for a in assets if a.get("id") in wanted]
        return self._document(applicant, record, height, trust, refs)

    # -- helpers ----------------------------------------------------------------------------------------
    def _formats(self) -> dict[str, InstitutionFormat]:
        if self._institutions is None:
            self._institutions = load_institutions()
        return self._institutions

    def _ask(self, what: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except NodeUnreachable:
            raise
        except Unreachable as exc:
            urls = self.node.base_urls
            where = f"node at {urls[0]}" if len(urls) == 1 else f"nodes at {', '.join(urls)}"
            raise NodeUnreachable(f"the ledger {where} did not answer ({what}): {exc}", exc.failures) from exc
