"""Certificate QR payload: claims → COSE_Sign1 (EdDSA) → zlib → Base45 → ``GC1:``. Every decoding step fails
with a ``PayloadError`` naming it; tampered vectors live in ``tests/assets/payload_*.txt``."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import base45
import cbor2
import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycose.algorithms import EdDSA
from pycose.headers import KID, Algorithm
from pycose.keys.curves import Ed25519
from pycose.keys.okp import OKPKey
from pycose.messages.sign1message import Sign1Message

from ledger_lite import Claims, PayloadError, PublicKey, SigningKey, decode_payload, encode_payload, peek_payload
from ledger_lite.cose import parse_sign1, sig_structure, sign1
from ledger_lite.encoding import canonical
from ledger_lite.payload import MAX_PAYLOAD_CHARS

MANIFEST: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[1] / "assets" / "payload_vectors.json").read_text(encoding="utf-8"))
ISSUER = SigningKey.derive("test/payload/issuer")
TRUST = {ISSUER.public.kid: ISSUER.public}
CLAIMS = Claims(cid="3b" * 32, chain="greencert-test", h=1234, own="Consumer Ca", m="solar", wh=1_234_567,
                ps=1_790_812_800, pe=1_793_491_200, inst="jgca", iat=1_793_500_000)


def wrap(cose: bytes) -> str:
    encoded: bytes = base45.b45encode(zlib.compress(cose))
    return "GC1:" + encoded.decode("ascii")


def signed(payload: bytes, *, protected: dict[int, Any] | None = None, key: SigningKey = ISSUER,
           unprotected: dict[int, Any] | None = None, tag: int | None = 18) -> bytes:
    prot = cbor2.dumps({1: -8, 4: key.public.kid} if protected is None else protected, canonical=True)
    item = [prot, unprotected or {}, payload, key.sign(sig_structure(prot, payload))]
    return cbor2.dumps(item if tag is None else cbor2.CBORTag(tag, item), canonical=True)


# --- round trip -----------------------------------------------------------------------------------------------
def test_round_trip() -> None:
    text = encode_payload(CLAIMS, ISSUER)
    assert text.startswith("GC1:")
    decoded = decode_payload(text, TRUST)
    assert decoded.claims == CLAIMS
    assert decoded.kid == ISSUER.public.kid


def test_encoding_is_deterministic() -> None:
    assert encode_payload(CLAIMS, ISSUER) == encode_payload(CLAIMS, ISSUER)


def test_surrounding_whitespace_is_ignored() -> None:
    assert decode_payload("  " + encode_payload(CLAIMS, ISSUER) + "\r\n", TRUST).claims == CLAIMS


def test_payload_alphabet_is_qr_alphanumeric() -> None:
    alphabet = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert set(encode_payload(CLAIMS, ISSUER)) <= alphabet


def test_peek_shows_claims_without_trust() -> None:
    peeked = peek_payload(encode_payload(CLAIMS, SigningKey.derive("test/payload/unknown")))
    assert peeked.claims == CLAIMS
    with pytest.raises(PayloadError, match=r"kid: issuer key .* is not in the trust list"):
        decode_payload(encode_payload(CLAIMS, SigningKey.derive("test/payload/unknown")), TRUST)


def test_claims_are_canonical_cbor_of_the_documented_keys() -> None:
    cose = cbor2.loads(zlib.decompress(base45.b45decode(encode_payload(CLAIMS, ISSUER)[4:])))
    assert cose.tag == 18
    protected, unprotected, payload, signature = cose.value
    assert cbor2.loads(protected) == {1: -8, 4: ISSUER.public.kid}
    assert unprotected == {}
    assert payload == canonical(CLAIMS.to_cbor())
    assert set(cbor2.loads(payload)) == {"cid", "chain", "h", "own", "m", "wh", "ps", "pe", "inst", "iat"}
    assert len(signature) == 64


@pytest.mark.parametrize("error", ["m", "q"])
def test_payload_fits_a_printable_qr_code(error: str) -> None:
    # A long owner name (Japanese, UTF-8) and large numbers: the worst realistic case.
    worst = replace(CLAIMS, own="需要家 Ca 株式会社グリーン電力サービス 東日本支店", inst="jgca-green-electricity",
                    wh=2**40, h=2**31)
    text = encode_payload(worst, ISSUER)
    qr = segno.make(text, error=error, micro=False)
    assert qr.error in ("M", "Q", "H")
    assert isinstance(qr.version, int)
    assert qr.version <= 20, f"{len(text)} characters need QR version {qr.version} at level {error.upper()}"


# --- interop with pycose ----------------------------------------------------------------------------------------
def test_our_sign1_verifies_with_pycose() -> None:
    cose = zlib.decompress(base45.b45decode(encode_payload(CLAIMS, ISSUER)[4:]))
    # pycose 1.1's CoseMessage.decode is incompatible with cbor2 6: decode the tag ourselves.
    tag = cbor2.loads(cose)
    assert tag.tag == Sign1Message.cbor_tag
    v = tag.value
    message = Sign1Message.from_cose_obj([v[0], dict(v[1]), v[2], v[3]], True)
    message.key = OKPKey(crv="Ed25519", x=ISSUER.public.raw)
    assert message.verify_signature()
    assert message.phdr[Algorithm] is EdDSA
    assert message.phdr[KID] == ISSUER.public.kid
    assert message.payload is not None and cbor2.loads(message.payload)["wh"] == CLAIMS.wh


def test_pycose_rejects_our_sign1_under_another_key() -> None:
    v = cbor2.loads(sign1(ISSUER, b"claims")).value
    message = Sign1Message.from_cose_obj([v[0], dict(v[1]), v[2], v[3]], True)
    message.key = OKPKey(crv="Ed25519", x=SigningKey.derive("test/payload/other").public.raw)
    assert not message.verify_signature()


def pycose_sign1(payload: bytes, *, kid_in: str = "protected") -> bytes:
    phdr: dict[Any, Any] = {Algorithm: EdDSA}
    uhdr: dict[Any, Any] = {}
    (phdr if kid_in == "protected" else uhdr)[KID] = ISSUER.public.kid
    message = Sign1Message(phdr=phdr, uhdr=uhdr, payload=payload)
    message.key = OKPKey(crv=Ed25519, x=ISSUER.public.raw, d=ISSUER.seed())
    encoded: bytes = message.encode()
    return encoded


@pytest.mark.parametrize("kid_in", ["protected", "unprotected"])
def test_a_pycose_sign1_is_accepted(kid_in: str) -> None:
    cose = pycose_sign1(canonical(CLAIMS.to_cbor()), kid_in=kid_in)
    parsed = parse_sign1(cose)
    assert parsed.kid == ISSUER.public.kid
    parsed.verify(ISSUER.public)
    decoded = decode_payload(wrap(cose), TRUST)
    assert decoded.claims == CLAIMS


def test_a_pycose_sign1_with_changed_payload_is_refused() -> None:
    v = cbor2.loads(pycose_sign1(canonical(CLAIMS.to_cbor()))).value
    forged = cbor2.dumps(cbor2.CBORTag(18, [v[0], v[1], canonical(replace(CLAIMS, wh=1).to_cbor()), v[3]]))
    with pytest.raises(PayloadError, match="signature: COSE signature does not verify"):
        decode_payload(wrap(forged), TRUST)


# --- stored vectors -----------------------------------------------------------------------------------------------
def stored_trust() -> dict[bytes, PublicKey]:
    key = PublicKey.from_hex(MANIFEST["issuer_public_key"])
    assert key.kid.hex() == MANIFEST["issuer_kid"]
    return {key.kid: key}


def test_stored_good_payload_still_decodes(asset: Callable[[str], str]) -> None:
    decoded = decode_payload(asset(MANIFEST["good"]), stored_trust())
    assert decoded.claims == Claims(**MANIFEST["claims"])


TAMPERED = MANIFEST["tampered"]


@pytest.mark.parametrize("case", TAMPERED, ids=[c["file"].removesuffix(".txt") for c in TAMPERED])
def test_stored_tampered_payload_fails_at_its_step(case: dict[str, str], asset: Callable[[str], str]) -> None:
    with pytest.raises(PayloadError, match=case["match"]) as caught:
        decode_payload(asset(case["file"]), stored_trust())
    assert caught.value.step == case["step"]
    assert str(caught.value).startswith(f"{case['step']}: ")


def test_every_step_has_a_stored_vector() -> None:
    assert {c["step"] for c in TAMPERED} == {"prefix", "base45", "zlib", "cose", "kid", "signature", "claims"}


# --- each step, built here ------------------------------------------------------------------------------------------
GOOD_CLAIMS = canonical(CLAIMS.to_cbor())


@pytest.mark.parametrize(("text", "step", "match"), [
    ("", "prefix", "expected text starting with 'GC1:', found ''"),
    ("gc1:ABC", "prefix", "found 'gc1:ABC'"),
    ("GC1:" + "A" * MAX_PAYLOAD_CHARS, "prefix", f"expected at most {MAX_PAYLOAD_CHARS} characters"),
    ("GC1:a", "base45", "expected Base45 text after the prefix"),
    ("GC1:::::", "base45", "expected Base45"),
    ("GC1:", "zlib", "truncated"),
    ("GC1:" + base45.b45encode(b"not zlib").decode(), "zlib", "expected zlib-compressed data"),
    (wrap(b""), "cose", "expected CBOR, found undecodable bytes"),
    (wrap(cbor2.dumps([1, 2, 3, 4])), "cose", "expected COSE_Sign1 items bstr, map, bstr, bstr"),
    (wrap(cbor2.dumps({"a": 1})), "cose", "expected a COSE_Sign1 array of 4 items"),
    (wrap(cbor2.dumps(cbor2.CBORTag(18, [b"\xff", {}, b"", b""]))), "cose", "expected a CBOR map as protected"),
    (wrap(cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps([1]), {}, b"", b""]))), "cose",
     "expected a CBOR map as protected header"),
    (wrap(cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"", b""]))), "cose", r"expected alg EdDSA \(-8\), found None"),
    (wrap(signed(GOOD_CLAIMS, protected={1: -8, 4: "kid-as-text"})), "kid", "expected a kid"),
    (wrap(signed(GOOD_CLAIMS, protected={1: -8}, unprotected={4: b"\x00" * 8})), "kid",
     "issuer key 0000000000000000 is not in the trust list"),
    (wrap(signed(GOOD_CLAIMS, protected={1: -8, 4: ISSUER.public.kid}, key=SigningKey.derive("x"))), "signature",
     f"COSE signature does not verify for kid {ISSUER.public.kid.hex()}"),
    (wrap(signed(GOOD_CLAIMS)[:-1] + b"\x00"), "signature", "does not verify"),
    (wrap(signed(b"")), "claims", "expected CBOR claims inside the COSE payload"),
    (wrap(signed(canonical("text"))), "claims", "expected a claims map, found str"),
    (wrap(signed(canonical({**CLAIMS.to_cbor(), "h": True}))), "claims", "expected claim 'h' as integer, found True"),
    (wrap(signed(canonical({**CLAIMS.to_cbor(), "own": 7}))), "claims", "expected claim 'own' as text, found int"),
    (wrap(signed(canonical({k: v for k, v in CLAIMS.to_cbor().items() if k != "cid"}))), "claims",
     "missing claim 'cid'"),
])
def test_each_step_names_itself(text: str, step: str, match: str) -> None:
    with pytest.raises(PayloadError, match=match) as caught:
        decode_payload(text, TRUST)
    assert caught.value.step == step
    assert PayloadError.code == "bad_payload"


def test_untagged_sign1_is_accepted() -> None:
    assert decode_payload(wrap(signed(GOOD_CLAIMS, tag=None)), TRUST).claims == CLAIMS


def test_unknown_extra_claims_are_ignored() -> None:
    text = wrap(signed(canonical({**CLAIMS.to_cbor(), "x": "extension"})))
    assert decode_payload(text, TRUST).claims == CLAIMS


def test_peek_fails_at_the_same_steps_except_trust() -> None:
    with pytest.raises(PayloadError, match="prefix"):
        peek_payload("HC1:")
    with pytest.raises(PayloadError, match="claims: missing claim 'wh'"):
        peek_payload(wrap(signed(canonical({k: v for k, v in CLAIMS.to_cbor().items() if k != "wh"}))))


# --- fuzz -------------------------------------------------------------------------------------------------------------
def decode_only_payload_errors(text: str) -> None:
    try:
        decode_payload(text, TRUST)
    except PayloadError as exc:
        assert exc.step in {"prefix", "base45", "zlib", "cose", "kid", "signature", "claims"}
        return
    raise AssertionError(f"{text[:40]!r} decoded")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_any_text_is_a_payload_error(text: str) -> None:
    decode_only_payload_errors(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=200))
def test_fuzz_base45_alphabet_after_prefix(text: str) -> None:
    decode_only_payload_errors("GC1:" + text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_any_bytes_inside_zlib_or_base45(data: bytes) -> None:
    decode_only_payload_errors("GC1:" + base45.b45encode(data).decode())
    decode_only_payload_errors(wrap(data))


cbor_items = st.recursive(
    st.none() | st.booleans() | st.integers() | st.binary(max_size=16) | st.text(max_size=16) | st.floats(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.integers(-10, 10) | st.text(max_size=4), inner,
                                                                 max_size=5),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cbor_items, cbor_items, cbor_items, cbor_items, st.sampled_from([18, 98, None]))
def test_fuzz_structured_cose_items(protected: Any, unprotected: Any, payload: Any, signature: Any,
                                    tag: int | None) -> None:
    for prot in (protected, cbor2.dumps(protected)):
        item = [prot, unprotected, payload, signature]
        decode_only_payload_errors(wrap(cbor2.dumps(item if tag is None else cbor2.CBORTag(tag, item))))


@settings(max_examples=150, deadline=None)
@given(cbor_items)
def test_fuzz_signed_claims_of_any_shape(claims: Any) -> None:
    # Correctly signed by a trusted issuer, but the claims are anything: only the claims step may fail.
    try:
        decode_payload(wrap(signed(cbor2.dumps(claims))), TRUST)
    except PayloadError as exc:
        assert exc.step == "claims"
