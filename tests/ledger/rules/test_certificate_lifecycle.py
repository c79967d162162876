"""cert.transfer and cert.retire (issue 15): the holder moves or retires a certificate's Wh; refusals change
nothing (``ledger.rules.certificate_lifecycle``, record layout in ``ledger_lite.lifecycle``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ledger.errors import Rejected
from ledger.state import encode_state
from ledger_lite.audit import MAX_BUNDLE_BYTES
from ledger_lite.lifecycle import MAX_BENEFICIARY_CHARS, MAX_MOVES, MAX_PURPOSE_CHARS, holdings, retired_wh
from ledger_lite.tx import MAX_TX_BYTES
from tests.helpers.certificate_lifecycle import LifecycleWorld


@pytest.fixture
def world() -> LifecycleWorld:
    return LifecycleWorld()


def refused(world: LifecycleWorld, action: Callable[[], Any], code: str, status: int, match: str) -> None:
    before = world.writes()
    with pytest.raises(Rejected, match=match) as caught:
        action()
    assert (caught.value.code, caught.value.status) == (code, status)
    assert world.writes() == before


def test_a_partial_transfer_splits_the_holding_and_keeps_the_issued_fields(world: LifecycleWorld) -> None:
    cid = world.certificate(10_000)
    issued = world.record(cid)
    assert holdings(issued) == {world.owner.address: 10_000}
    out = world.transfer(world.owner, cid, world.owner, world.user2, 4_000)
    assert out == {"certificate_id": cid, "holder": world.owner.address, "to": world.user2.address, "wh": 4_000,
                   "held_wh": 6_000}
    record = world.record(cid)
    assert record["held"] == {world.owner.address: 6_000, world.user2.address: 4_000}
    assert [(m["kind"], m["from"], m["to"], m["wh"], m["height"]) for m in record["moves"]] == [
        ("transfer", world.owner.address, world.user2.address, 4_000, world.height)]
    # The QR's claims are checked against these: they never change.
    assert {k: v for k, v in record.items() if k not in ("held", "moves")} == issued


def test_the_recipient_retires_with_its_own_key_and_retired_wh_never_move(world: LifecycleWorld) -> None:
    cid = world.certificate(10_000)
    world.transfer(world.owner, cid, world.owner, world.user2, 4_000)
    out = world.retire(world.user2, cid, world.user2, 4_000, beneficiary="Cb 株式会社", purpose="RE100 2026",
                       year=2026)
    assert out == {"certificate_id": cid, "holder": world.user2.address, "retired_wh": 4_000, "held_wh": 0}
    record = world.record(cid)
    assert record["held"] == {world.owner.address: 6_000}
    assert retired_wh(record) == 4_000
    assert record["moves"][-1]["beneficiary"] == "Cb 株式会社"
    refused(world, lambda: world.transfer(world.user2, cid, world.user2, world.user3, 1),
            "already_retired", 409, "retired Wh never move again")
    refused(world, lambda: world.retire(world.user2, cid, world.user2, 1), "already_retired", 409, "4000 Wh")


def test_the_issuing_intermediary_acts_for_its_consumer_only(world: LifecycleWorld) -> None:
    cid = world.certificate(10_000)
    world.transfer(world.issuer, cid, world.owner, world.user2, 1_000)
    world.retire(world.issuer, cid, world.owner, 9_000)
    assert holdings(world.record(cid)) == {world.user2.address: 1_000}
    # Not for a consumer the energy was transferred to, and no other intermediary at all.
    refused(world, lambda: world.retire(world.issuer, cid, world.user2, 1_000), "not_holder", 403,
            "expected the holder")
    cid2 = world.certificate(5_000)
    refused(world, lambda: world.transfer(world.other_issuer, cid2, world.owner, world.user2, 1), "not_holder",
            403, "found intermediary")


def test_a_home_holds_its_own_certificate_and_may_receive_one(world: LifecycleWorld) -> None:
    cid = world.certificate(3_000, owner=world.home, issuer=world.home)
    world.transfer(world.home, cid, world.home, world.owner, 1_000)
    cid2 = world.certificate(2_000)
    world.transfer(world.owner, cid2, world.owner, world.home, 2_000)
    assert holdings(world.record(cid2)) == {world.home.address: 2_000}


@pytest.mark.parametrize(("case", "code", "status", "match"), [
    ("not the holder", "not_holder", 403, "found user"),
    ("holds none", "not_holder", 403, "holding none"),
    ("more than held", "insufficient", 422, "at most the 10000 Wh"),
    ("zero Wh", "bad_body", 400, "positive amount"),
    ("unknown certificate", "unknown_certificate", 404, "no certificate"),
    ("bad id", "bad_body", 400, "64 lowercase hex"),
    ("revoked", "revoked", 409, "revoked at height 6"),
    ("unregistered recipient", "bad_recipient", 422, "unregistered address"),
    ("meter recipient", "bad_recipient", 422, "a meter key"),
    ("to itself", "bad_recipient", 422, "other than the holder"),
    ("unregistered signer", "unknown_signer", 403, "unregistered"),
])
def test_bad_transfers_are_refused_and_change_nothing(world: LifecycleWorld, case: str, code: str, status: int,
                                                      match: str) -> None:
    cid = world.certificate(10_000)
    revoked = world.certificate(5, revoked=True)
    w = world
    actions: dict[str, Callable[[], Any]] = {
        "not the holder": lambda: w.transfer(w.user2, cid, w.owner, w.user3, 1),
        "holds none": lambda: w.transfer(w.user2, cid, w.user2, w.user3, 1),
        "more than held": lambda: w.transfer(w.owner, cid, w.owner, w.user2, 10_001),
        "zero Wh": lambda: w.transfer(w.owner, cid, w.owner, w.user2, 0),
        "unknown certificate": lambda: w.transfer(w.owner, "ab" * 32, w.owner, w.user2, 1),
        "bad id": lambda: w.transfer(w.owner, "../registry", w.owner, w.user2, 1),
        "revoked": lambda: w.transfer(w.owner, revoked, w.owner, w.user2, 1),
        "unregistered recipient": lambda: w.transfer(w.owner, cid, w.owner, w.outsider, 1),
        "meter recipient": lambda: w.transfer(w.owner, cid, w.owner, w.meter, 1),
        "to itself": lambda: w.transfer(w.owner, cid, w.owner, w.owner, 1),
        "unregistered signer": lambda: w.transfer(w.outsider, cid, w.outsider, w.user2, 1),
    }
    refused(world, actions[case], code, status, match)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"beneficiary": "x" * (MAX_BENEFICIARY_CHARS + 1)}, r"beneficiary of 1 to 200 .*found 201 characters"),
    ({"beneficiary": "   "}, "not only blanks"),
    ({"beneficiary": "Ca\x00Ltd"}, "printable characters"),
    ({"beneficiary": "Ca\u0085Ltd"}, "printable characters"),
    ({"purpose": ""}, "purpose of 1 to 200"),
    ({"purpose": "p\u202e"}, "printable characters"),
    ({"year": 2024}, "reporting year from 2025 to 2027, found 2024"),
    ({"year": 2028}, "found 2028"),
])
def test_bad_retirements_are_refused_and_change_nothing(world: LifecycleWorld, kwargs: dict[str, Any],
                                                        match: str) -> None:
    cid = world.certificate(10_000)
    refused(world, lambda: world.retire(world.owner, cid, world.owner, 10, **kwargs), "bad_body", 400, match)


def test_a_revoked_certificate_cannot_be_retired(world: LifecycleWorld) -> None:
    cid = world.certificate(100, revoked=True)
    refused(world, lambda: world.retire(world.owner, cid, world.owner, 100), "revoked", 409, "neither")


def test_a_certificate_takes_at_most_max_moves(world: LifecycleWorld) -> None:
    cid = world.certificate(MAX_MOVES + 10)
    for _ in range(MAX_MOVES):
        world.retire(world.owner, cid, world.owner, 1)
    refused(world, lambda: world.retire(world.owner, cid, world.owner, 1), "too_many_moves", 409,
            f"at most {MAX_MOVES}")
    assert retired_wh(world.record(cid)) == MAX_MOVES


def test_a_record_at_its_largest_still_fits_a_pdfs_audit_bundle(world: LifecycleWorld) -> None:
    """MAX_MOVES retirements with the longest texts (3-byte characters): the record, hex in the bundle's state
    answer beside the issuance (at most a whole transaction, hex) and room for proofs and headers, stays within
    the audit bundle's limit (``ledger_lite.audit.MAX_BUNDLE_BYTES``), so such a certificate still prints."""
    cid = world.certificate(10**9)
    for _ in range(MAX_MOVES):
        world.retire(world.owner, cid, world.owner, 1, beneficiary="株" * MAX_BENEFICIARY_CHARS,
                     purpose="的" * MAX_PURPOSE_CHARS)
    encoded = len(encode_state(world.record(cid)))
    assert encoded > 64 * 1024  # the case is as large as claimed
    assert 2 * encoded + 2 * MAX_TX_BYTES + 64 * 1024 <= MAX_BUNDLE_BYTES
