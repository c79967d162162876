"""Fuzzing the decoders a verifier feeds with what it reads (issue #13): the QR payload, the audit bundle, the
trust anchor, and the whole audit over mutated bundles. Whatever comes in, each raises only its own error (or
the audit returns a report) — never another exception, never a hang.

The default suite runs a few hundred inputs per decoder; the long run is
``GREENCERT_FUZZ_EXAMPLES=100000 .venv/bin/pytest -m fuzz tests/ledger_lite/test_fuzz_decoders.py``."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import os
import zlib
from typing import Any

import base45
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger_lite import PayloadError, decode_payload
from ledger_lite.audit import AuditBundle, BundleError, audit
from ledger_lite.trust_anchor import TrustError, decode_anchor
from ledger_lite.verification import Trust
from tests.helpers.verification_vectors import VECTORS

pytestmark = pytest.mark.fuzz
EXAMPLES = int(os.environ.get("GREENCERT_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEPT = json.loads(VECTORS.read_text())
TRUST = Trust.from_json(KEPT["trust"])
GOOD = KEPT["vectors"][1]
PAYLOAD: str = GOOD["payload"]
BUNDLE = AuditBundle.decode(base64.b64decode(GOOD["bundle"]))
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"  # Base45's


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    for kind, where, char in edits:
        i = where % (len(text) + 1)
        if kind == 0:
            text = text[:i] + char + text[i + 1:]
        elif kind == 1:
            text = text[:i] + char + text[i:]
        else:
            text = text[:i] + text[i + 1:]
    return text


EDITS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10_000), st.sampled_from(ALPHABET)), min_size=1,
                 max_size=6)


@FUZZ
@given(st.text(max_size=3000))
def test_any_text_is_a_payload_or_a_payload_error(text: str) -> None:
    with contextlib.suppress(PayloadError):
        decode_payload(text, TRUST.issuers)


@FUZZ
@given(EDITS)
def test_a_mutated_payload_never_passes_unless_unchanged(edits: list[tuple[int, int, str]]) -> None:
    text = _mutate(PAYLOAD, edits)
    try:
        decoded = decode_payload(text, TRUST.issuers)
    except PayloadError:
        return
    # Decoding may survive an edit (Base45 of the same bytes, trailing whitespace): the claims must be the same.
    assert decoded == decode_payload(PAYLOAD, TRUST.issuers)


@FUZZ
@given(st.binary(max_size=4000))
def test_any_bytes_are_a_bundle_or_a_bundle_error(data: bytes) -> None:
    for candidate in (data, zlib.compress(data)):
        with contextlib.suppress(BundleError):
            AuditBundle.decode(candidate)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                 max_size=4), max_leaves=12)
PATHS = [("tx", "height"), ("tx", "raw"), ("tx", "proof"), ("block", "header"), ("block", "commit"),
         ("state", "value_cbor"), ("state", "proof"), ("state", "height"), ("state", "key"), ("head", "header"),
         ("head", "commit"), ("state", "present")]


@FUZZ
@given(st.sampled_from(PATHS), JSON)
def test_the_audit_over_a_mutated_bundle_never_raises_and_never_says_genuine(path: tuple[str, str],
                                                                             value: Any) -> None:
    parts = {name: copy.deepcopy(getattr(BUNDLE, name)) for name in ("tx", "block", "state", "head")}
    part, field = path
    if parts[part].get(field) == value:
        return
    parts[part][field] = value
    report = audit(PAYLOAD, TRUST, bundle=AuditBundle(BUNDLE.certificate_id, **parts))
    assert report.verdict != "genuine", (path, value)


@FUZZ
@given(st.text(alphabet=ALPHABET, max_size=600))
def test_any_text_after_the_prefix_is_an_anchor_or_a_trust_error(text: str) -> None:
    with contextlib.suppress(TrustError):
        decode_anchor("GCT1:" + text)


def test_a_zlib_bomb_anchor_is_cut_at_the_limit() -> None:
    bomb = "GCT1:" + base45.b45encode(zlib.compress(b"\0" * 10_000_000, 9)).decode()
    with pytest.raises(TrustError, match="more than 4096 bytes"):
        decode_anchor(bomb)
