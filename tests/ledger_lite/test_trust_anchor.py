"""ledger_lite.trust_anchor: a trust list starts from an anchor (validators of a chain) and learns issuers and
validator-set changes from a node only with proofs the trusted validators signed; two final headers for one
height are evidence, never a verdict."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import base45
import pytest

from ledger.node import Node
from ledger_lite import BlockHeader, Claims, SigningKey, canonical, encode_payload
from ledger_lite.audit import audit
from ledger_lite.trust_anchor import (
    ConflictingHeaders,
    HeaderWatch,
    TrustError,
    checked_header,
    decode_anchor,
    encode_anchor,
    refresh,
)
from ledger_lite.verification import Trust
from tests.helpers.ledger_world import LedgerWorld, ManualClock, ledger_world

__all__ = ["ledger_world"]  # a fixture


@pytest.fixture
def node(ledger_world: LedgerWorld, tmp_path: Path) -> Iterator[Node]:
    opened = ledger_world.open_node(tmp_path / "node", ManualClock())
    yield opened
    opened.close()


def anchored(w: LedgerWorld, *validators: SigningKey) -> Trust:
    return decode_anchor(encode_anchor(w.chain_id, [k.public for k in validators or (w.validator,)]))


def test_an_anchor_fits_a_qr_code_and_round_trips(ledger_world: LedgerWorld) -> None:
    keys = [ledger_world.validator, *ledger_world.extra_validators(6)]
    text = encode_anchor("greencert-test", [k.public for k in keys], 12)
    assert text.startswith("GCT1:") and len(text) < 500  # 7 validators: a small QR (version ≤ 15 at level M)
    trust = decode_anchor(text)
    assert trust.chain_id == "greencert-test" and trust.height == 12
    assert sorted(v.raw for v in trust.validators) == sorted(k.public.raw for k in keys)
    assert trust.issuers == {}


@pytest.mark.parametrize(("text", "message"), [
    ("GC1:XYZ", "expected a trust anchor starting 'GCT1:'"),
    ("GCT1:!!!", "does not decode"),
    ("GCT1:" + base45.b45encode(zlib.compress(b"\x00" * 100_000)).decode(), "more than 4096 bytes"),
    ("GCT1:" + base45.b45encode(zlib.compress(canonical({"v": 2, "chain": "c", "h": 0, "validators": []}))).decode(),
     "expected an anchor map"),
    ("GCT1:" + base45.b45encode(zlib.compress(canonical({"v": 1, "chain": "c", "h": 0,
                                                         "validators": [b"short"]}))).decode(),
     "expected 32-byte validator keys"),
])
def test_a_bad_anchor_is_refused_plainly(text: str, message: str) -> None:
    with pytest.raises(TrustError, match=message):
        decode_anchor(text)


def test_refresh_learns_the_registry_with_proofs(ledger_world: LedgerWorld, node: Node) -> None:
    w = ledger_world
    w.new_asset(node, 1)
    trust, _ = refresh(anchored(w), node)
    assert trust.height == node.head.height
    assert set(trust.issuers) == {w.intermediary.public.kid, w.intermediary2.public.kid}
    assert set(trust.users) == {w.user.public.kid, w.user2.public.kid}
    assert trust.names[w.intermediary.address] == "Intermediary Da"
    assert trust.headers[node.head.height] == node.head.hash().hex()
    again = Trust.from_json(trust.to_json())
    assert again.headers == trust.headers and again.height == trust.height


def test_refresh_follows_a_validator_change_the_trusted_quorum_approved(ledger_world: LedgerWorld,
                                                                       tmp_path: Path) -> None:
    w = ledger_world
    newcomer = w.extra_validators(1)[0]
    node = w.open_node(tmp_path / "grows", ManualClock(), cosigners=[newcomer])
    try:
        w.commit(node, w.registry_update(set_entries=[w.registry_entry(newcomer, "validator", "Second")]))
        w.new_asset(node, 2)  # a block under the new set of 2
        trust, notes = refresh(anchored(w), node)
        assert sorted(v.raw for v in trust.validators) == sorted([w.validator.public.raw, newcomer.public.raw])
        assert any("validators changed at block" in n for n in notes)
    finally:
        node.close()


class Lying:
    """A node that answers truly except where told to lie."""

    def __init__(self, node: Node, **lies: Any) -> None:
        self.node, self.lies = node, lies

    def __getattr__(self, name: str) -> Any:
        if name in self.lies:
            return self.lies[name]
        return getattr(self.node, name)


def test_a_node_cannot_make_up_a_validator_set(ledger_world: LedgerWorld, node: Node) -> None:
    w = ledger_world
    w.new_asset(node, 1)
    rogue = SigningKey.derive("test/rogue")
    sets = [*node.validator_sets(), {"from_height": 2, "validators": [rogue.public.hex()], "changed_by": []}]
    with pytest.raises(TrustError, match="approved changes it names make"):
        refresh(anchored(w), Lying(node, validator_sets=lambda: sets))


def test_a_node_cannot_slip_in_an_issuer_without_a_proof(ledger_world: LedgerWorld, node: Node) -> None:
    w = ledger_world
    w.new_asset(node, 1)
    rogue = SigningKey.derive("test/rogue")
    listed = [*node.registry(), {"address": rogue.address, "public_key": rogue.public.hex(), "role": "intermediary",
                                 "name": "Rogue", "attrs": {}, "removed": False}]
    trust, _ = refresh(anchored(w), Lying(node, registry=lambda: listed))
    assert rogue.public.kid not in trust.issuers  # the proof says the key is absent from the registry
    forged = dict(node.proven_value(f"registry/{w.intermediary.address}"))

    def proof_of(key: str) -> dict[str, Any]:
        return forged if key.startswith("registry/") else node.proven_value(key)

    with pytest.raises(TrustError, match="asked for the proof of registry/"):
        refresh(anchored(w), Lying(node, proven_value=proof_of))


def test_a_node_of_another_validator_set_is_not_trusted(ledger_world: LedgerWorld, node: Node) -> None:
    w = ledger_world
    with pytest.raises(TrustError, match="block 0: header names a different validator set than the trusted one"):
        refresh(anchored(w, *w.extra_validators(2)), node)


def test_two_final_headers_for_one_height_are_evidence_not_a_verdict(ledger_world: LedgerWorld, node: Node) -> None:
    w = ledger_world
    w.new_asset(node, 1)
    trust, _ = refresh(anchored(w), node)
    height = node.head.height
    other = replace(node.head, time=node.head.time + 1).hash().hex()
    trust.headers[height] = other  # as if another final header of this height had been checked before
    with pytest.raises(ConflictingHeaders) as caught:
        checked_header(trust, node.block(height), trust.validators)
    assert caught.value.evidence["known_hash"] == other
    assert BlockHeader.from_json(caught.value.evidence["found_header"]) == node.head


def test_a_fork_seen_during_an_audit_leaves_the_verdict_open(ledger_world: LedgerWorld, node: Node) -> None:
    w = ledger_world
    w.new_asset(node, 1)
    trust, _ = refresh(anchored(w), node)
    assets = [w.allocated_asset(node, n, 10_000) for n in range(2, 4)]
    cid = w.commit(node, w.issue(assets))["result"]["certificate_id"]
    record = node.value(f"cert/{cid}")
    claims = Claims(cid=cid, chain=w.chain_id, h=record["height"], own="Consumer Ca", m=record["method"],
                    wh=record["wh"], ps=record["start"], pe=record["end"], inst=record["institution"],
                    iat=record["time"])
    payload = encode_payload(claims, w.intermediary)
    height = node.tx(cid)["height"]
    trust.headers[height] = "00" * 32
    report = audit(payload, trust, node=HeaderWatch(node, trust))
    assert report.verdict == "could not check", report
    step = next(s for s in report.steps if s.ok is None)
    assert step.name == "inclusion" and "two different final headers" in step.detail
    assert report.evidence and report.evidence[0]["height"] == height
