"""Applicant authentication (S204/S504): scrypt passwords, lockout after repeated failures, expiring tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intermediary.config import Settings
from intermediary.errors import InvalidCredentials, Locked, SessionExpired
from intermediary.models import Applicant, Consumer, SessionToken
from intermediary.passwords import DECOY_HASH, check_password


@dataclass(frozen=True)
class Login:
    token: str
    user_name: str
    expires_at: int


@dataclass(frozen=True)
class Principal:
    applicant_pk: int
    applicant_id: str
    consumer: Consumer


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(db: Session, settings: Settings, applicant_id: str, password: str, now: int) -> Login:
    applicant = db.scalar(select(Applicant).where(Applicant.applicant_id == applicant_id))
    if applicant is None:
        check_password(password, DECOY_HASH)
        raise InvalidCredentials("applicant ID or password is wrong")
    if applicant.locked_until > now:
        minutes = -(-(applicant.locked_until - now) // 60)
        raise Locked(f"too many failed logins; try again in {minutes} minute(s)", applicant.locked_until - now)
    if not check_password(password, applicant.password_hash):
        applicant.failed_logins += 1
        if applicant.failed_logins >= settings.max_failed_logins:
            applicant.failed_logins = 0
            applicant.locked_until = now + settings.lockout_s
            db.commit()
            raise Locked(f"too many failed logins; locked for {settings.lockout_s // 60} minutes",
                         settings.lockout_s)
        db.commit()
        raise InvalidCredentials("applicant ID or password is wrong")
    applicant.failed_logins = 0
    token = secrets.token_urlsafe(32)
    expires = now + settings.session_ttl_s
    db.execute(delete(SessionToken).where(SessionToken.expires_at <= now))
    db.add(SessionToken(token_hash=_token_hash(token), applicant=applicant.id, expires_at=expires))
    consumer = db.get(Consumer, applicant.consumer_id)
    db.commit()
    return Login(token=token, user_name=consumer.name if consumer else applicant.consumer_id, expires_at=expires)


def authenticate(db: Session, token: str, now: int) -> Principal:
    row = db.get(SessionToken, _token_hash(token))
    if row is None or row.expires_at <= now:
        raise SessionExpired("the session is unknown or has expired; log in again")
    applicant = db.get(Applicant, row.applicant)
    consumer = db.get(Consumer, applicant.consumer_id) if applicant else None
    if applicant is None or consumer is None:
        raise SessionExpired("the session's applicant no longer exists; log in again")
    return Principal(applicant_pk=applicant.id, applicant_id=applicant.applicant_id, consumer=consumer)


def logout(db: Session, token: str) -> None:
    db.execute(delete(SessionToken).where(SessionToken.token_hash == _token_hash(token)))
    db.commit()
