"""The phone portal's server-side sessions (table ``portal_sessions``): the cookie carries a random token, the
database its SHA-256, the account, the session's CSRF token and two clocks.

A session ends ``settings.session_ttl_s`` after log-in (like a kiosk token), or once unused for
``settings.portal_idle_s`` (the idle timeout), or at log-out. A portal session is not a kiosk token and a kiosk token
is not a portal session: they live in different tables.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from intermediary.config import Settings
from intermediary.models import Applicant, PortalSession
from intermediary.portal.errors import CsrfRefused, NotLoggedIn


@dataclass(frozen=True)
class Account:
    """Who is logged in to this request's session."""

    applicant_pk: int
    applicant_id: str
    role: str                 # consumer | producer | issuer
    consumer_id: str | None   # a consumer account's consumer
    provider_id: str | None   # a producer account's provider
    csrf_token: str           # put in every form's hidden ``csrf`` field (``{{ csrf_field }}`` in a template)
    expires_at: int


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: Session, settings: Settings, applicant: Applicant, now: int) -> str:
    """A new session for ``applicant`` (committed); returns the cookie's token. Ended sessions are swept."""
    db.execute(delete(PortalSession).where(or_(PortalSession.expires_at <= now,
                                               PortalSession.last_seen <= now - settings.portal_idle_s)))
    token = secrets.token_urlsafe(32)
    db.add(PortalSession(token_hash=_hash(token), applicant=applicant.id, csrf_token=secrets.token_urlsafe(32),
                         expires_at=now + settings.session_ttl_s, last_seen=now))
    db.commit()
    return token


def resume(db: Session, settings: Settings, token: str | None, now: int) -> Account:
    """The account of the session whose cookie is ``token``, its idle clock restarted; ``NotLoggedIn`` when there
    is none, it has expired or sat idle too long (then it is deleted)."""
    if not token:
        raise NotLoggedIn("expected a portal session cookie, found none")
    row = db.get(PortalSession, _hash(token))
    if row is None:
        raise NotLoggedIn("expected a known portal session, found an unknown or ended one")
    if row.expires_at <= now or row.last_seen <= now - settings.portal_idle_s:
        db.delete(row)
        db.commit()
        raise NotLoggedIn("expected a live portal session, found one that has expired or sat idle", expired=True)
    applicant = db.get(Applicant, row.applicant)
    if applicant is None:
        raise NotLoggedIn("expected the session's account, found it gone")
    row.last_seen = now
    db.commit()
    return Account(applicant_pk=applicant.id, applicant_id=applicant.applicant_id, role=applicant.role,
                   consumer_id=applicant.consumer_id, provider_id=applicant.provider_id,
                   csrf_token=row.csrf_token, expires_at=row.expires_at)


def end(db: Session, token: str | None) -> None:
    """Log-out: the session is deleted (its cookie no longer lets anyone in)."""
    if token:
        db.execute(delete(PortalSession).where(PortalSession.token_hash == _hash(token)))
        db.commit()


def check_csrf(expected: str, found: str | None) -> None:
    """A form's ``csrf`` field against the session's token, in constant time; ``CsrfRefused`` if they differ."""
    if not found or not hmac.compare_digest(expected.encode(), found.encode()):
        raise CsrfRefused("expected the form's csrf field to be this session's token, found "
                          + ("none" if not found else "another value"))
