"""Revocation by the issuer with a reason (DESIGN.md "The ledger"; issue 15: issuers revoke from the portal).

The intermediary issued its certificates with its own key, so it alone may revoke them (``ledger.rules.revocation``):
it signs ``cert.revoke {certificate, reason}`` with that key, sends it through its node client, waits until the
block is final, then records ``revoked_reason``/``revoked_at`` (the block's time) on its ``certificates`` row.
Every verifier reads the revocation from the ledger, not from us.

Refusals change nothing, and say what was expected and what was found:

    BadInput            400 bad_certificate_id (not 64 lowercase hex), bad_reason (empty, only blanks, over 500
                            characters, control characters)
    NotIssuer           403 not_issuer: the ledger has the certificate, issued by someone else
    UnknownCertificate  404 unknown_certificate: neither we nor the ledger know it
    AlreadyRevoked      409 already_revoked: with the earlier reason and time
    LedgerUnavailable   503 the node did not answer or refused for its own reasons

The ledger decides: two revocations at once both pass our checks, one commits and the other is told
``already_revoked``. If we stopped between the ledger's commit and our row's update, the next attempt finds the
revocation on the ledger, records it, and answers 409 with it: nothing acknowledged is lost.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend_client import ApiError, ClientError, NodeClient
from backend_client import NotFound as LedgerNotFound
from intermediary.config import Settings
from intermediary.errors import BadInput, Conflict, Error, LedgerUnavailable, NotFound, shown
from intermediary.models import Certificate, Consumer
from ledger_lite import sign_tx

MAX_REASON_CHARS = 500  # ledger.rules.revocation.MAX_REASON_CHARS
CERTIFICATE_ID_HEX = 64
# Control characters a reason may not hold (it is shown on every verifier's screen): C0 but tab and line breaks,
# C1, and the bidirectional controls that can make a text read other than it is.
FORBIDDEN_CHARS = frozenset([*(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"),
                             *map(chr, range(0x7F, 0xA0)), "\u200e", "\u200f",
                             *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))])
WAIT_S = 20.0  # how long the node is asked to wait for the final block
PAGE_SIZE = 20


class UnknownCertificate(NotFound):
    code = "unknown_certificate"


class NotIssuer(Error):
    status = 403
    code = "not_issuer"


class AlreadyRevoked(Conflict):
    def __init__(self, message: str, reason: str, revoked_at: int) -> None:
        super().__init__(message, "already_revoked")
        self.reason = reason
        self.revoked_at = revoked_at

    def extra(self) -> dict[str, object]:
        return {"reason": self.reason, "revoked_at": self.revoked_at}


@dataclass(frozen=True)
class IssuedRow:
    """One of this intermediary's certificates as an issuer's list shows it."""

    certificate: Certificate
    consumer_name: str


def check_certificate_id(certificate_id: str) -> str:
    if len(certificate_id) != CERTIFICATE_ID_HEX or any(c not in "0123456789abcdef" for c in certificate_id):
        raise BadInput(f"expected a certificate id of {CERTIFICATE_ID_HEX} lowercase hex characters, found "
                       f"{shown(certificate_id)}", "bad_certificate_id")
    return certificate_id


def check_reason(reason: str) -> str:
    """The reason as it goes on the ledger: surrounding blanks dropped, line breaks as ``\\n``."""
    text = reason.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text or len(text) > MAX_REASON_CHARS:
        raise BadInput(f"expected a reason of 1 to {MAX_REASON_CHARS} characters (not only blanks), found "
                       f"{len(text)} characters", "bad_reason")
    bad = next((c for c in text if c in FORBIDDEN_CHARS), None)
    if bad is not None:
        raise BadInput(f"expected a reason of printable characters, found the control character U+{ord(bad):04X}",
                       "bad_reason")
    return text


def find(db: Session, node: NodeClient, settings: Settings, certificate_id: str) -> Certificate:
    """Our record of one of the certificates this intermediary issued; ``NotIssuer`` when the ledger has it from
    another issuer, ``UnknownCertificate`` when nobody has it."""
    check_certificate_id(certificate_id)
    cert = db.get(Certificate, certificate_id)
    if cert is not None:
        return cert
    record = _ledger_record(node, certificate_id)
    if record is not None and record.get("issuer") != settings.key.address:
        raise NotIssuer(f"expected a certificate issued by this intermediary ({settings.key.address}), found "
                        f"certificate {certificate_id} issued by {shown(record.get('issuer'))}")
    raise UnknownCertificate(f"expected a certificate issued by this intermediary, found no certificate "
                             f"{certificate_id}")


def recent(db: Session, page: int, per_page: int = PAGE_SIZE) -> tuple[list[IssuedRow], bool]:
    """This intermediary's certificates, newest first, page ``page`` (from 0); and whether a next page exists."""
    if page < 0:
        raise BadInput(f"expected a page number of 0 or more, found {page}", "bad_page")
    rows = db.execute(select(Certificate, Consumer.name).join(Consumer, Consumer.consumer_id == Certificate.consumer_id)
                      .order_by(Certificate.issued_at.desc(), Certificate.certificate_id)
                      .offset(page * per_page).limit(per_page + 1)).all()
    return [IssuedRow(cert, name) for cert, name in rows[:per_page]], len(rows) > per_page


def issued_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(Certificate)) or 0)


def revoke(db: Session, node: NodeClient, settings: Settings, certificate_id: str, reason: str,
           now: int) -> Certificate:
    """Revoke one of our certificates on the ledger with ``reason`` and record it; the row, revoked."""
    text = check_reason(reason)
    cert = find(db, node, settings, certificate_id)
    if cert.revoked_reason is not None:
        raise _already(cert)
    record = _ledger_record(node, certificate_id)
    if record is None:  # our row without the ledger's record: the node's chain is not the one we issued on
        raise LedgerUnavailable(f"expected certificate {certificate_id} on the ledger, found no record of it")
    if record.get("issuer") != settings.key.address:
        raise NotIssuer(f"expected certificate {certificate_id} issued by this intermediary "
                        f"({settings.key.address}), found issuer {shown(record.get('issuer'))}")
    if record.get("revoked") is not None:
        raise _already(_record(db, cert, record["revoked"]))
    tx = sign_tx(settings.key, chain=settings.chain_id, type="cert.revoke",
                 body={"certificate": certificate_id, "reason": text}, nonce=secrets.randbits(62), time=now)
    try:
        outcome = node.submit(tx, wait=True, timeout=WAIT_S)
    except ApiError as exc:
        raise _refused(db, node, cert, exc) from exc
    except ClientError as exc:
        raise LedgerUnavailable(f"the ledger did not answer the revocation of {certificate_id}: {exc}") from exc
    result = outcome.get("result")
    revoked_at = result.get("revoked_at") if isinstance(result, dict) else None
    cert.revoked_reason = text
    cert.revoked_at = revoked_at if isinstance(revoked_at, int) else now
    db.commit()
    return cert


def _ledger_record(node: NodeClient, certificate_id: str) -> dict[str, Any] | None:
    try:
        value = node.value(f"cert/{certificate_id}").get("value")
    except LedgerNotFound:
        return None
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot read certificate {certificate_id} from the ledger: {exc}") from exc
    return value if isinstance(value, dict) else None


def _record(db: Session, cert: Certificate, revoked: dict[str, Any]) -> Certificate:
    """Our row brought up to the ledger's revocation (it committed, but we had not recorded it)."""
    cert.revoked_reason = str(revoked.get("reason", ""))
    cert.revoked_at = int(revoked.get("time", 0))
    db.commit()
    return cert


def _already(cert: Certificate) -> AlreadyRevoked:
    return AlreadyRevoked(f"expected a certificate that is not revoked, found certificate {cert.certificate_id} "
                          f"revoked at {cert.revoked_at}: {shown(cert.revoked_reason)}", cert.revoked_reason or "",
                          cert.revoked_at or 0)


def _refused(db: Session, node: NodeClient, cert: Certificate, exc: ApiError) -> Error:
    """The error for a node's refusal of our ``cert.revoke``."""
    if exc.code == "already_revoked":  # another revocation committed first
        record = _ledger_record(node, cert.certificate_id)
        if record is not None and record.get("revoked") is not None:
            return _already(_record(db, cert, record["revoked"]))
    if exc.code == "not_issuer":
        return NotIssuer(exc.message)
    if exc.code == "unknown_certificate":
        return UnknownCertificate(exc.message)
    if exc.code == "bad_body":
        return BadInput(exc.message, "bad_reason")
    if exc.status >= 500:  # e.g. 504 commit_timeout: it may still commit; the next attempt then finds it
        return LedgerUnavailable(f"the ledger did not confirm the revocation of {cert.certificate_id}: "
                                 f"{exc.message}; ask again in a moment")
    return LedgerUnavailable(f"the ledger refused the revocation: {exc.message}")
