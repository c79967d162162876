"""Ed25519 keys, addresses (``gc1`` + 20 bytes of SHA-256 in hex) and COSE key ids (8 bytes of SHA-256)."""

from __future__ import annotations

import hashlib
import re

import pytest

from ledger_lite import KeyFormatError, PublicKey, SignatureError, SigningKey, address_of, kid_of
from ledger_lite.keys import is_address

# RFC 8032 §7.1, TEST 1 and TEST 2 (secret key, public key, message, signature).
RFC8032 = [
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
]


@pytest.mark.parametrize(("seed", "public", "message", "signature"), RFC8032)
def test_rfc8032_vectors(seed: str, public: str, message: str, signature: str) -> None:
    key = SigningKey.from_seed(bytes.fromhex(seed))
    assert key.public.hex() == public
    assert key.seed().hex() == seed
    assert key.sign(bytes.fromhex(message)).hex() == signature
    PublicKey.from_hex(public).verify(bytes.fromhex(signature), bytes.fromhex(message))


def test_address_and_kid_are_derived_from_the_public_key_hash() -> None:
    public = bytes.fromhex(RFC8032[0][1])
    h = hashlib.sha256(public).digest()
    assert address_of(public) == "gc1" + h[:20].hex() == PublicKey(public).address
    assert kid_of(public) == h[:8] == PublicKey(public).kid
    assert re.fullmatch(r"gc1[0-9a-f]{40}", address_of(public))
    assert is_address(address_of(public))


@pytest.mark.parametrize("text", ["", "gc1", "gc1" + "0" * 39, "gc1" + "0" * 41, "gc2" + "0" * 40,
                                  "gc1" + "G" * 40, "GC1" + "0" * 40, "gc1" + "A" * 40])
def test_is_address_refuses_malformed_text(text: str) -> None:
    assert not is_address(text)


def test_signing_key_address_matches_its_public_key() -> None:
    key = SigningKey.derive("test/keys/a")
    assert key.address == key.public.address == address_of(key.public.raw)


def test_derive_is_deterministic_and_label_dependent() -> None:
    assert SigningKey.derive("x").seed() == SigningKey.derive("x").seed()
    assert SigningKey.derive("x").public != SigningKey.derive("y").public
    assert SigningKey.derive("x").seed() == hashlib.sha256(b"greencert/demo-key/x").digest()


def test_generated_keys_differ() -> None:
    assert SigningKey.generate().public != SigningKey.generate().public


def test_signature_verifies_only_for_its_message_and_key() -> None:
    key, other = SigningKey.derive("test/keys/a"), SigningKey.derive("test/keys/b")
    sig = key.sign(b"half hour 1")
    key.public.verify(sig, b"half hour 1")
    with pytest.raises(SignatureError, match=f"signature does not verify for key {key.address}"):
        key.public.verify(sig, b"half hour 2")
    with pytest.raises(SignatureError, match=f"signature does not verify for key {other.address}"):
        other.public.verify(sig, b"half hour 1")
    flipped = bytes([sig[0] ^ 0x80]) + sig[1:]
    with pytest.raises(SignatureError, match="does not verify"):
        key.public.verify(flipped, b"half hour 1")


@pytest.mark.parametrize("size", [0, 63, 65, 128])
def test_signature_of_wrong_size_is_refused(size: int) -> None:
    key = SigningKey.derive("test/keys/a")
    with pytest.raises(SignatureError, match=f"expected a 64-byte signature, found {size} bytes"):
        key.public.verify(b"\x01" * size, b"m")


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_public_key_of_wrong_size_is_refused(size: int) -> None:
    with pytest.raises(KeyFormatError, match=f"expected a 32-byte Ed25519 public key, found {size} bytes"):
        PublicKey(b"\x01" * size)


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_seed_of_wrong_size_is_refused(size: int) -> None:
    with pytest.raises(KeyFormatError, match=f"expected a 32-byte Ed25519 seed, found {size} bytes"):
        SigningKey.from_seed(b"\x01" * size)


@pytest.mark.parametrize(("text", "match"), [
    ("zz" * 32, "expected a hex public key"),
    ("abc", "expected a hex public key"),
    ("ab" * 31, "found 31 bytes"),
])
def test_public_key_from_bad_hex_is_refused(text: str, match: str) -> None:
    with pytest.raises(KeyFormatError, match=match):
        PublicKey.from_hex(text)


def test_public_key_hex_round_trip() -> None:
    key = SigningKey.derive("test/keys/a").public
    assert PublicKey.from_hex(key.hex()) == key
    assert KeyFormatError.code == "bad_key" and SignatureError.code == "bad_signature"
