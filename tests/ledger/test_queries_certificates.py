"""Issue 15: a holder's certificates (``Queries.certificates``, ``GET /v1/certificates``) are what it holds, by
issuance or by ``cert.transfer``, with the Wh it holds; not what it gave away entirely; found through an index,
not by reading every certificate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger import certificate_holders
from ledger.node import Node
from ledger_lite import SigningKey
from ledger_lite.lifecycle import sign_retire, sign_transfer
from tests.helpers.ledger_world import GENESIS_TIME, LedgerWorld, ManualClock

WH = 10_000


class Chain:
    def __init__(self, world: LedgerWorld, node: Node) -> None:
        self.w, self.node = world, node
        self._nonce = 10_000
        self._slot = 0

    def certificate(self) -> str:
        """A new certificate of two ``WH`` half hours (20,000 Wh) issued for Ca."""
        assets = [self.w.allocated_asset(self.node, self._slot + n, WH) for n in range(2)]
        self._slot += 2
        cid: str = self.w.commit(self.node, self.w.issue(assets))["result"]["certificate_id"]
        return cid

    def _next(self) -> int:
        self._nonce += 1
        return self._nonce

    def transfer(self, key: SigningKey, cid: str, to: SigningKey, wh: int) -> None:
        self.w.commit(self.node, sign_transfer(key, chain=self.w.chain_id, certificate=cid, holder=key.address,
                                               to=to.address, wh=wh, nonce=self._next(),
                                               time=GENESIS_TIME + self._nonce))

    def retire(self, key: SigningKey, cid: str, wh: int) -> None:
        self.w.commit(self.node, sign_retire(key, chain=self.w.chain_id, certificate=cid, holder=key.address, wh=wh,
                                             beneficiary="Cb Ltd. / Cb株式会社", purpose="RE100 report", year=2026,
                                             nonce=self._next(), time=GENESIS_TIME + self._nonce))

    def held(self, key: SigningKey) -> dict[str, tuple[int, int]]:
        return {c["id"]: (c["held_wh"], c["retired_wh"]) for c in self.node.certificates(key.address)}


@pytest.fixture
def chain(ledger_world: LedgerWorld, ledger_node: Node) -> Chain:
    return Chain(ledger_world, ledger_node)


def test_a_transfer_lists_the_certificate_for_both_with_what_each_holds(chain: Chain) -> None:
    ca, cb = chain.w.user, chain.w.user2
    cid = chain.certificate()
    assert chain.held(ca) == {cid: (2 * WH, 0)} and chain.held(cb) == {}
    chain.transfer(ca, cid, cb, 5_000)
    assert chain.held(ca) == {cid: (15_000, 0)}
    assert chain.held(cb) == {cid: (5_000, 0)}  # Cb holds it by transfer, though its owner is Ca
    (listed,) = chain.node.certificates(cb.address)
    assert listed["owner"] == ca.address and listed["wh"] == 2 * WH and "assets" not in listed


def test_what_a_holder_gave_away_entirely_is_no_longer_its(chain: Chain) -> None:
    ca, cb = chain.w.user, chain.w.user2
    kept, given = chain.certificate(), chain.certificate()
    chain.transfer(ca, given, cb, 2 * WH)
    assert chain.held(ca) == {kept: (2 * WH, 0)}
    assert chain.held(cb) == {given: (2 * WH, 0)}
    chain.transfer(cb, given, ca, 1_000)  # back again in part: Ca holds it again
    assert chain.held(ca) == {kept: (2 * WH, 0), given: (1_000, 0)}


def test_a_retirement_keeps_the_certificate_listed_with_the_retired_wh(chain: Chain) -> None:
    ca, cb = chain.w.user, chain.w.user2
    cid = chain.certificate()
    chain.transfer(ca, cid, cb, 5_000)
    chain.retire(cb, cid, 5_000)  # all Cb held: retired for a beneficiary, not given away
    chain.retire(ca, cid, 1_000)
    assert chain.held(cb) == {cid: (0, 5_000)}
    assert chain.held(ca) == {cid: (14_000, 1_000)}


def test_the_list_after_new_blocks_reads_only_the_certificates_they_touched(
        chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    ca, cb = chain.w.user, chain.w.user2
    first, second = chain.certificate(), chain.certificate()
    assert set(chain.held(ca)) == {first, second}  # the index is built once here
    read: list[str] = []
    state = chain.node.state
    real_get, real_items = state.get, state.items

    def get(key: str) -> Any | None:
        read.append(key)
        return real_get(key)

    def items(prefix: str = "") -> Iterator[tuple[str, Any]]:
        read.append(prefix + "*")
        return real_items(prefix)

    monkeypatch.setattr(state, "get", get)
    monkeypatch.setattr(state, "items", items)
    chain.transfer(ca, second, cb, 2 * WH)
    read.clear()
    assert chain.held(cb) == {second: (2 * WH, 0)}
    cert_reads = [k for k in read if k.startswith("cert/")]
    assert "cert/*" not in read and sorted(set(cert_reads)) == [f"cert/{second}"]


def test_after_many_blocks_the_index_is_built_again_and_still_right(
        chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(certificate_holders, "MAX_CATCH_UP_BLOCKS", 1)
    ca, cb = chain.w.user, chain.w.user2
    cid = chain.certificate()
    assert chain.held(cb) == {}
    chain.transfer(ca, cid, cb, 2 * WH)
    chain.certificate()  # more blocks than the index follows: it reads the certificates again
    assert chain.held(cb) == {cid: (2 * WH, 0)}
    assert cid not in chain.held(ca)


def test_a_restarted_node_lists_the_same(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    clock = ManualClock()
    node = ledger_world.open_node(tmp_path / "node", clock)
    try:
        chain = Chain(ledger_world, node)
        cid = chain.certificate()
        chain.transfer(ledger_world.user, cid, ledger_world.user2, 3_000)
    finally:
        node.close()
    again = ledger_world.open_node(tmp_path / "node", clock)
    try:
        assert Chain(ledger_world, again).held(ledger_world.user2) == {cid: (3_000, 0)}
    finally:
        again.close()
