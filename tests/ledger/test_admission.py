"""Admission (S63/S83 verification): stateless checks before a transaction is queued. A refusal raises
``Rejected`` with a 4xx code and changes nothing: no block, no state, nothing queued."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cbor2
import pytest

from ledger.errors import Rejected
from ledger.node import Node
from ledger_lite import MAX_TX_BYTES, canonical
from tests.helpers.ledger_world import LedgerWorld, ManualClock, slot
from tests.ledger.support import fingerprint


def refused(node: Node, raw: bytes, code: str, status: int, match: str) -> None:
    before = fingerprint(node)
    with pytest.raises(Rejected, match=match) as caught:
        node.submit(raw)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert fingerprint(node) == before
    assert node.status()["queued"] == 0
    assert node.store.last_height() == before[0]


@pytest.mark.parametrize(("make_raw", "match"), [
    (lambda w: b"", "expected well-formed CBOR"),
    (lambda w: b"\xff\x00", "expected well-formed CBOR"),
    (lambda w: canonical([1, 2]), "expected a transaction map, found list"),
    (lambda w: cbor2.dumps(dict(reversed(list(cbor2.loads(w.generate(slot(1), 5).encode()).items())))),
     "expected deterministic CBOR, found a non-canonical encoding"),
    (lambda w: canonical({k: v for k, v in cbor2.loads(w.generate(slot(1), 5).encode()).items() if k != "nonce"}),
     "expected transaction fields"),
    (lambda w: cbor2.dumps({**cbor2.loads(w.generate(slot(1), 5).encode()), "time": 1.5}, canonical=True),
     "expected integers only, found float"),
])
def test_bad_encoding(ledger_world: LedgerWorld, ledger_node: Node, make_raw: Callable[[LedgerWorld], bytes],
                      match: str) -> None:
    refused(ledger_node, make_raw(ledger_world), "bad_encoding", 400, match)


def test_wrong_chain(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    tx = w.sign(w.meter, "asset.generate", {"provider": "Aa"}, chain="greencert-prod")
    refused(ledger_node, tx.encode(), "wrong_chain", 400, "expected chain 'greencert-test', found 'greencert-prod'")


def test_bad_signature(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    envelope = cbor2.loads(w.generate(slot(1), 5).encode())
    envelope["sig"] = bytes([envelope["sig"][0] ^ 1]) + envelope["sig"][1:]
    refused(ledger_node, canonical(envelope), "bad_signature", 401,
            f"signature does not verify for key {w.meter.address}")
    # A body changed after signing is the same refusal.
    envelope = cbor2.loads(w.generate(slot(1), 5).encode())
    envelope["body"]["wh"] = 25_000
    refused(ledger_node, canonical(envelope), "bad_signature", 401, "signature does not verify")


def test_unknown_signer(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    tx = w.generate(slot(1), 5, meter=w.outsider)
    refused(ledger_node, tx.encode(), "unknown_signer", 403,
            f"expected a registered signer, found {w.outsider.address}")


def test_too_large(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    raw = w.sign(w.meter, "asset.generate", {"pad": "x" * MAX_TX_BYTES}).encode()
    refused(ledger_node, raw, "too_large", 413, f"expected at most {MAX_TX_BYTES} bytes, found {len(raw)}")


def test_duplicate_of_a_committed_transaction(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    tx = w.generate(slot(1), 5)
    w.commit(ledger_node, tx)
    refused(ledger_node, tx.encode(), "duplicate", 409, f"transaction {tx.tx_id} was already submitted")


def test_duplicate_of_a_rejected_transaction_is_allowed_again(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    # Only committed (or queued) transactions count: a rejected one left no trace.
    w = ledger_world
    tx = w.generate(slot(100), 5)  # in the future
    assert w.submit_wait(ledger_node, tx)["code"] == "future_reading"
    assert w.submit_wait(ledger_node, tx)["code"] == "future_reading"


def test_duplicate_of_a_queued_transaction(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock(), start=False)
    try:
        tx = w.generate(slot(1), 5)
        pending = node.submit(tx.encode())
        before = fingerprint(node)
        with pytest.raises(Rejected, match=f"transaction {tx.tx_id} was already submitted") as caught:
            node.submit(tx.encode())
        assert (caught.value.code, caught.value.status) == ("duplicate", 409)
        assert fingerprint(node) == before and node.status()["queued"] == 1
        node.start()
        outcome = pending.wait(10)
        assert outcome is not None and outcome["code"] == "ok"
        assert node.block(1)["tx_count"] == 1
    finally:
        node.close()


def test_malformed_signer_is_bad_encoding(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    envelope = cbor2.loads(ledger_world.generate(slot(1), 5).encode())
    envelope["signer"] = envelope["signer"][:31]
    refused(ledger_node, canonical(envelope), "bad_encoding", 400, "32")


def test_admit_checks_without_queueing(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    tx = ledger_world.generate(slot(1), 5)
    assert ledger_node.admit(tx.encode()) == tx
    assert ledger_node.status()["queued"] == 0 and ledger_node.status()["height"] == 0


def test_the_signer_is_checked_without_the_state_tree_or_its_caches(ledger_world: LedgerWorld, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Admission runs beside the block producer, without the node's lock: a signer's registry entry that is not cached
    is read from the store alone. Walking the tree (which may load and evict its nodes) or filling the value cache
    there could disturb a block being made; the block's rule checks the signer against the checked state anyway."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock(), start=False)
    try:
        values = node.state.values
        assert values is not None
        key = f"registry/{w.meter.address}"
        values._cache.pop(key, None)  # as after a start, or once newer values pushed it out
        cached = values.cached

        def walked(*args: object) -> None:
            raise AssertionError("admission walked the state tree")

        with monkeypatch.context() as patch:
            patch.setattr(type(node.store.tree), "get_many", walked)
            pending = node.submit(w.generate(slot(1), 5).encode())
            with pytest.raises(Rejected, match="expected a registered signer"):
                node.submit(w.generate(slot(1), 5, meter=w.outsider).encode())
        assert values.cached == cached and key not in values._cache
        node.start()
        outcome = pending.wait(10)
        assert outcome is not None and outcome["code"] == "ok"
        assert key in values._cache  # read by the rule, checked against its leaf
    finally:
        node.close()
