"""Applicant authentication (S204/S504): scrypt passwords, throttled log-in, expiring tokens.

Log-in throttling (issue #9). A failed log-in counts in three scopes, whether or not the applicant ID exists —
an unknown ID is checked against a decoy hash, counted and answered exactly like a wrong password, so the answers
never tell which accounts exist:

    scope                          limit (failures within a day)
    (applicant ID, client address)  settings.max_failed_logins       (5)
    applicant ID, from anywhere     account_ceiling = 4 × that       (20)
    client address, any IDs         client_ceiling = 10 × that       (50)

The failure that reaches a scope's limit, and every attempt while the scope is blocked, is answered 429 ``locked``
with Retry-After, right password or not; blocked attempts are not checked and not counted. A block lasts
``settings.lockout_s × 2^(failures − limit)``, at most a day: after a block, each further failure doubles it
(exponential backoff). A success clears the (ID, address) and the ID counts; an address's count is forgotten only
a day after its last failure, so a guesser cannot clear it by logging in to an account of their own.

So one address guessing at an account holds back only itself (first for that account, then altogether); the
owner logging in from a kiosk elsewhere still gets in. Only guesses from at least account_ceiling /
(max_failed_logins − 1) addresses (5) block the account for everyone: that ceiling bounds how many guesses any
account can receive per day, which is worth more than the rare denial of service it allows.

Roles (issue 15, migration 0003): only ``consumer`` accounts get kiosk tokens (``login``); producer and issuer
accounts log in to the phone portal only, through ``check_credentials`` (the same throttle), and ``login`` answers
them 403 ``wrong_role`` once their password is right.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intermediary.config import Settings
from intermediary.errors import Error, InvalidCredentials, Locked, SessionExpired
from intermediary.models import Applicant, Consumer, LoginFailures, SessionToken
from intermediary.passwords import DECOY_HASH, check_password

FORGET_S = 24 * 3600  # failures older than this are forgotten; no block lasts longer
WRONG = "applicant ID or password is wrong"


class WrongRole(Error):
    """The account exists and its password is right, but it may not do this (a producer asking for a kiosk token)."""

    status = 403
    code = "wrong_role"


@dataclass(frozen=True)
class Login:
    token: str
    user_name: str
    expires_at: int
    user_name_ja: str | None = None  # the consumer's Japanese name (migration 0005), None if it has none


@dataclass(frozen=True)
class Principal:
    applicant_pk: int
    applicant_id: str
    consumer: Consumer


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def account_ceiling(settings: Settings) -> int:
    return 4 * settings.max_failed_logins


def client_ceiling(settings: Settings) -> int:
    return 10 * settings.max_failed_logins


def _scopes(settings: Settings, applicant_id: str, client: str) -> dict[str, int]:
    """Scope key (a hash, so IDs and addresses are not stored in clear) → its limit."""
    def key(*parts: str) -> str:
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    return {key("pair", applicant_id, client): settings.max_failed_logins,
            key("account", applicant_id): account_ceiling(settings),
            key("client", client): client_ceiling(settings)}


def _locked(retry_after: int) -> Locked:
    minutes = -(-retry_after // 60)
    return Locked(f"too many failed logins; try again in {minutes} minute{'s' if minutes != 1 else ''}",
                  retry_after)


def _blocked_for(db: Session, scopes: dict[str, int], now: int) -> int:
    until = db.scalars(select(LoginFailures.blocked_until).where(LoginFailures.scope.in_(scopes))).all()
    return max([u - now for u in until if u > now], default=0)


def _count_failure(db: Session, settings: Settings, scope: str, limit: int, now: int) -> tuple[int, int]:
    """One more failure in ``scope``; returns how many more it may take before a block, and how long the scope is
    now blocked (0: not blocked)."""
    bump = (update(LoginFailures).where(LoginFailures.scope == scope)
            .values(failures=case((LoginFailures.last_failure > now - FORGET_S, LoginFailures.failures + 1), else_=1),
                    last_failure=now))
    if db.execute(bump).rowcount == 0:  # type: ignore[attr-defined]
        try:
            with db.begin_nested():
                db.add(LoginFailures(scope=scope, failures=1, last_failure=now, blocked_until=0))
        except IntegrityError:  # a concurrent failure created the row first
            db.execute(bump)
    failures = db.scalar(select(LoginFailures.failures).where(LoginFailures.scope == scope)) or 0
    if failures < limit:
        return limit - failures, 0
    block = min(FORGET_S, settings.lockout_s << min(failures - limit, 20))
    db.execute(update(LoginFailures).where(LoginFailures.scope == scope).values(blocked_until=now + block))
    return 0, block


def check_credentials(db: Session, settings: Settings, applicant_id: str, password: str, now: int,
                      client: str) -> Applicant:
    """The account whose credentials these are, for a log-in from address ``client``; throttled as the module
    docstring says (raises ``Locked`` or ``InvalidCredentials``). A success clears the account's failures and is
    committed."""
    scopes = _scopes(settings, applicant_id, client)
    wait = _blocked_for(db, scopes, now)
    if wait:
        raise _locked(wait)
    applicant = db.scalar(select(Applicant).where(Applicant.applicant_id == applicant_id))
    # The same scrypt work for an unknown ID as for a known one (DECOY_HASH), so timing tells nothing either.
    if not check_password(password, applicant.password_hash if applicant is not None else DECOY_HASH) \
            or applicant is None:
        counted = [_count_failure(db, settings, scope, limit, now) for scope, limit in scopes.items()]
        db.commit()
        block = max(b for _, b in counted)
        if block:
            raise _locked(block)
        raise InvalidCredentials(WRONG, attempts_left=min(left for left, _ in counted))
    pair, account, _ = scopes
    db.execute(delete(LoginFailures).where(LoginFailures.scope.in_((pair, account))))
    db.commit()
    return applicant


def login(db: Session, settings: Settings, applicant_id: str, password: str, now: int, client: str) -> Login:
    """A kiosk token for a consumer account (S503/S504); throttled as the module docstring says."""
    applicant = check_credentials(db, settings, applicant_id, password, now, client)
    if applicant.role != "consumer" or applicant.consumer_id is None:
        raise WrongRole(f"expected a consumer's account for the kiosk, found an account of role "
                        f"{applicant.role!r}: log in to the phone portal at /portal/login instead")
    token = secrets.token_urlsafe(32)
    expires = now + settings.session_ttl_s
    db.execute(delete(SessionToken).where(SessionToken.expires_at <= now))
    db.add(SessionToken(token_hash=_token_hash(token), applicant=applicant.id, expires_at=expires))
    consumer = db.get(Consumer, applicant.consumer_id)
    db.commit()
    return Login(token=token, user_name=consumer.name if consumer else applicant.consumer_id, expires_at=expires,
                 user_name_ja=(consumer.name_ja or None) if consumer else None)


def authenticate(db: Session, token: str, now: int) -> Principal:
    row = db.get(SessionToken, _token_hash(token))
    if row is None or row.expires_at <= now:
        raise SessionExpired("the session is unknown or has expired; log in again")
    applicant = db.get(Applicant, row.applicant)
    consumer = db.get(Consumer, applicant.consumer_id) if applicant and applicant.consumer_id else None
    if applicant is None or consumer is None:
        raise SessionExpired("the session's applicant no longer exists; log in again")
    return Principal(applicant_pk=applicant.id, applicant_id=applicant.applicant_id, consumer=consumer)


def logout(db: Session, token: str) -> None:
    db.execute(delete(SessionToken).where(SessionToken.token_hash == _token_hash(token)))
    db.commit()
