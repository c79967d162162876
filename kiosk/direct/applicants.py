"""The kiosk's own applicant database (S403; the applicant management DB 7001 of Fig. 28, a table like Fig. 11A).

One SQLite file, one row per applicant::

    applicant_id   the ID typed at the panel
    user_name      shown in the header and printed as the certificate's owner (the name the ledger registry holds)
    owner          the ledger address of the applicant's user key
    n, r, p        the scrypt cost of this row
    password_salt, password_hash      scrypt(password, password_salt), 32 bytes, compared in constant time
    key_salt, key_nonce, key_sealed   the user key's 32-byte Ed25519 seed sealed with AES-256-GCM under
                                      scrypt(password, key_salt); the associated data binds it to the row
    failed_logins, locked_until       lock-out after ``MAX_FAILED_LOGINS`` wrong passwords in a row
    enrolled_at

Two independent derivations from the password (different salts): the stored hash says nothing about the
sealing key. A wrong password fails the hash check and is never used to decrypt; and should a row be edited
(ciphertext, nonce, salt, owner or ID), the GCM tag does not verify and the sign-in is refused
(``RecordDamaged``) — there is no way to get a user key out without its password. Anyone holding the file can
still guess passwords offline at scrypt's cost, so the file is created owner-only (0600) in a 0700 directory.
No Qt here.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.direct.errors import AuthenticationFailed, EnrolmentError, LockedOut, RecordDamaged
from ledger_lite import KeyFormatError, SigningKey

SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # ~50 ms and 16 MiB per derivation; a sign-in makes two
MAX_FAILED_LOGINS = 5
LOCK_S = 300
ID_MAX = 128
PASSWORD_LENGTH = (4, 128)
KEY_AAD = b"greencert/kiosk/user-key/v1\x00"

SCHEMA = """
CREATE TABLE IF NOT EXISTS applicants (
    applicant_id  TEXT PRIMARY KEY,
    user_name     TEXT NOT NULL,
    owner         TEXT NOT NULL,
    n             INTEGER NOT NULL,
    r             INTEGER NOT NULL,
    p             INTEGER NOT NULL,
    password_salt BLOB NOT NULL,
    password_hash BLOB NOT NULL,
    key_salt      BLOB NOT NULL,
    key_nonce     BLOB NOT NULL,
    key_sealed    BLOB NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  REAL NOT NULL DEFAULT 0,
    enrolled_at   INTEGER NOT NULL
) WITHOUT ROWID
"""


@dataclass(frozen=True)
class Applicant:
    """A signed-in applicant (S403): the user name and the decrypted user key. Kept in memory only."""

    applicant_id: str
    user_name: str
    owner: str
    key: SigningKey


def _derive(password: str, salt: bytes, *, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=129 * r * n * p + (1 << 20),
                          dklen=32)


def _aad(applicant_id: str, owner: str) -> bytes:
    return KEY_AAD + applicant_id.encode("utf-8") + b"\x00" + owner.encode("ascii")


def seal_key(seed: bytes, password: str, applicant_id: str, owner: str) -> tuple[bytes, bytes, bytes]:
    """(salt, nonce, ciphertext with tag) of ``seed`` under a key derived from ``password``."""
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = AESGCM(_derive(password, salt, **SCRYPT)).encrypt(nonce, seed, _aad(applicant_id, owner))
    return salt, nonce, sealed


def open_key(password: str, applicant_id: str, owner: str, salt: bytes, nonce: bytes, sealed: bytes,
             *, n: int, r: int, p: int) -> bytes:
    """The seed; raises ``cryptography.exceptions.InvalidTag`` for a wrong password or an edited row."""
    return AESGCM(_derive(password, salt, n=n, r=r, p=p)).decrypt(nonce, sealed, _aad(applicant_id, owner))


# Compared against when the applicant ID is unknown, so a wrong ID costs as much time as a wrong password.
_DECOY_SALT = secrets.token_bytes(16)


class ApplicantDB:
    """The applicant table in ``path`` (created on first use). Safe to share between threads: every call opens
    its own short SQLite transaction. ``clock`` (Unix seconds) drives the lock-out."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute(SCHEMA)
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # -- the operator's side ------------------------------------------------------------------------
    def enrol(self, applicant_id: str, password: str, user_name: str, user_key: SigningKey, *,
              replace: bool = False) -> None:
        """Add an applicant (``replace``: or change one, e.g. a new password); raises ``EnrolmentError``."""
        if not isinstance(applicant_id, str) or not 0 < len(applicant_id) <= ID_MAX \
                or applicant_id != applicant_id.strip() or not applicant_id.isprintable():
            raise EnrolmentError(f"applicant_id: expected 1 to {ID_MAX} printable characters without surrounding "
                                 f"spaces, found {applicant_id!r}")
        low, high = PASSWORD_LENGTH
        if not isinstance(password, str) or not low <= len(password) <= high:
            raise EnrolmentError(f"password: expected {low} to {high} characters, found {len(password or '')}")
        if not isinstance(user_name, str) or not user_name.strip() or len(user_name) > 200:
            raise EnrolmentError(f"user_name: expected the name the ledger registry holds, found {user_name!r}")
        if not isinstance(user_key, SigningKey):
            raise EnrolmentError(f"user_key: expected a ledger_lite.SigningKey, found {type(user_key).__name__}")
        owner = user_key.address
        password_salt = secrets.token_bytes(16)
        password_hash = _derive(password, password_salt, **SCRYPT)
        key_salt, nonce, sealed = seal_key(user_key.seed(), password, applicant_id, owner)
        row = (applicant_id, user_name, owner, SCRYPT["n"], SCRYPT["r"], SCRYPT["p"], password_salt, password_hash,
               key_salt, nonce, sealed, 0, 0.0, int(self._clock()))
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        with self._db() as db:
            try:
                db.execute(f"{verb} INTO applicants VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            except sqlite3.IntegrityError:
                raise EnrolmentError(f"applicant_id: {applicant_id!r} is enrolled already (use replace to change "
                                     f"it)") from None

    def remove(self, applicant_id: str) -> bool:
        with self._db() as db:
            return db.execute("DELETE FROM applicants WHERE applicant_id = ?", (applicant_id,)).rowcount > 0

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._db() as db:
            value: int = db.execute("SELECT count(*) FROM applicants").fetchone()[0]
            return value

    def applicant_ids(self) -> list[str]:
        if not self.path.exists():
            return []
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT applicant_id FROM applicants ORDER BY applicant_id")]

    # -- S403: authentication -----------------------------------------------------------------------
    def authenticate(self, applicant_id: str, password: str) -> Applicant:
        """The applicant with the decrypted user key; raises ``AuthenticationFailed``, ``LockedOut`` (a locked
        applicant's password is not even checked) or ``RecordDamaged``."""
        refused: AuthenticationFailed | LockedOut | None = None
        with self._db() as db:
            row = db.execute("SELECT user_name, owner, n, r, p, password_salt, password_hash, key_salt, key_nonce, "
                             "key_sealed, failed_logins, locked_until FROM applicants WHERE applicant_id = ?",
                             (applicant_id,)).fetchone()
            now = self._clock()
            if row is None:
                _derive(password, _DECOY_SALT, **SCRYPT)
                raise AuthenticationFailed("applicant ID or password is wrong")
            user_name, owner, n, r, p, password_salt, password_hash, key_salt, nonce, sealed, failures, locked = row
            if locked > now:
                wait = math.ceil(locked - now)
                raise LockedOut(f"too many failed sign-ins; try again in {math.ceil(wait / 60)} minute(s)", wait)
            if not hmac.compare_digest(_derive(password, password_salt, n=n, r=r, p=p), password_hash):
                failures += 1
                if failures >= MAX_FAILED_LOGINS:
                    failures, locked = 0, now + LOCK_S
                    refused = LockedOut(f"too many failed sign-ins; locked for {LOCK_S // 60} minutes", LOCK_S)
                else:
                    refused = AuthenticationFailed("applicant ID or password is wrong")
            else:
                failures = 0
            db.execute("UPDATE applicants SET failed_logins = ?, locked_until = ? WHERE applicant_id = ?",
                       (failures, locked, applicant_id))
        if refused is not None:  # raised after the count was committed
            raise refused
        try:
            seed = open_key(password, applicant_id, owner, key_salt, nonce, sealed, n=n, r=r, p=p)
            key = SigningKey.from_seed(seed)
        except (InvalidTag, KeyFormatError, ValueError) as exc:
            raise RecordDamaged(f"applicant {applicant_id!r}: the stored user key does not decrypt with the right "
                                f"password; the record was changed or damaged") from exc
        if key.address != owner:
            raise RecordDamaged(f"applicant {applicant_id!r}: the stored user key is of {key.address}, expected the "
                                f"recorded owner {owner}")
        return Applicant(applicant_id, user_name, owner, key)


def enrol(db_path: Path, applicant_id: str, password: str, user_name: str, user_key: SigningKey, *,
          replace: bool = False) -> None:
    """Enrol an applicant in the kiosk's database at ``db_path`` (created if missing)."""
    ApplicantDB(db_path).enrol(applicant_id, password, user_name, user_key, replace=replace)
