"""Password hashing with scrypt (stdlib), stored as ``scrypt$n$r$p$salt$hash``."""

from __future__ import annotations

import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                               dklen=len(digest) // 2)
    except ValueError:
        return False
    return hmac.compare_digest(found.hex(), digest)


# Compared against when the applicant ID is unknown, so a wrong ID costs as much time as a wrong password.
DECOY_HASH = hash_password(secrets.token_urlsafe(16))
