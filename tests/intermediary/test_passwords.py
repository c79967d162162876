from __future__ import annotations

from intermediary.passwords import check_password, hash_password


def test_hash_is_salted_scrypt_and_checks() -> None:
    first, second = hash_password("demo"), hash_password("demo")
    assert first.startswith("scrypt$") and first != second
    assert check_password("demo", first) and check_password("demo", second)
    assert not check_password("Demo", first)


def test_malformed_hash_never_matches() -> None:
    assert not check_password("demo", "")
    assert not check_password("demo", "bcrypt$1$2$3$00$00")
    assert not check_password("demo", "scrypt$x$8$1$00$00")
