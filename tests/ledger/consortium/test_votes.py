"""ledger.consortium.votes on a real etcd cluster: the tally counts only valid signatures of validators in force,
skips (and names) what is not one, and counts a validator that signed two headers for neither."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest

from ledger.consortium.order import EtcdOrdering, OrderingError
from ledger.consortium.votes import Vote, post, tally, vote_key
from ledger.etcd import EtcdClient
from ledger_lite import BlockHeader, SigningKey, quorum
from ledger_lite.block import COMMIT_DOMAIN, ZERO_HASH
from tests.helpers.etcd_cluster import EtcdCluster, etcd_cluster, requires_etcd

pytestmark = [pytest.mark.etcd, requires_etcd()]
__all__ = ["etcd_cluster"]

KEYS = [SigningKey.derive(f"test/votes/{i}") for i in range(4)]
VALIDATORS = [k.public for k in KEYS]
HEADER = BlockHeader(chain="c", height=5, prev_hash=ZERO_HASH, time=1, tx_root=bytes(32), state_root=bytes(32),
                     validators_hash=bytes(32))


def vote(i: int, header: BlockHeader = HEADER, node_id: str | None = None) -> Vote:
    return Vote(node_id or f"v{i}", KEYS[i].public.raw, header, KEYS[i].sign(COMMIT_DOMAIN + header.hash()))


@pytest.fixture
def ordering(etcd_cluster: EtcdCluster) -> Iterator[EtcdOrdering]:
    with EtcdClient(etcd_cluster.client_urls, timeout=1.0) as client:
        yield EtcdOrdering(client, f"v{uuid.uuid4().hex[:10]}", "probe")


def test_a_quorum_of_valid_signatures_makes_the_header_final(ordering: EtcdOrdering) -> None:
    for i in range(2):
        post(ordering, vote(i))
    assert tally(ordering, 5, VALIDATORS).final() is None
    post(ordering, vote(2))
    result = tally(ordering, 5, VALIDATORS)
    assert result.final() == HEADER and result.need == quorum(4) == 3
    commit = result.commit(HEADER)
    assert sorted(v for v, _ in commit.signatures) == sorted(k.public.raw for k in KEYS[:3])


def test_what_is_not_a_valid_signature_is_skipped_and_named(ordering: EtcdOrdering) -> None:
    outsider = SigningKey.derive("test/votes/outsider")
    post(ordering, Vote("x", outsider.public.raw, HEADER, outsider.sign(COMMIT_DOMAIN + HEADER.hash())))
    post(ordering, replace(vote(1), signature=bytes(64)))
    ordering.client.put(vote_key(ordering, 5, "v2"), vote(2, replace(HEADER, height=6)).encode())  # wrong height
    ordering.client.put(vote_key(ordering, 5, "garbage"), b"\x00not cbor")
    result = tally(ordering, 5, VALIDATORS)
    assert result.by_hash == {} and result.final() is None
    reasons = " | ".join(result.invalid)
    assert "found a key outside the set" in reasons and "expected a header of height 5, found 6" in reasons
    assert "expected a header signature" in reasons and len(result.invalid) == 4
    with pytest.raises(OrderingError, match="no valid signature posted yet"):
        result.final_or_leading()


def test_a_node_posts_once_per_height(ordering: EtcdOrdering) -> None:
    first = post(ordering, vote(0))
    again = post(ordering, vote(0, replace(HEADER, time=2)))  # another header after a restart: the first stays
    assert again == first


def test_a_validator_signing_two_headers_counts_for_neither(ordering: EtcdOrdering) -> None:
    other = replace(HEADER, state_root=b"\x01" * 32)
    for i in range(2):
        post(ordering, vote(i))
    post(ordering, vote(3, other, "v3-twin"))
    post(ordering, vote(3))
    result = tally(ordering, 5, VALIDATORS)
    assert result.final() is None and list(result.equivocators) == [KEYS[3].public.raw]
    assert {v.header for v in result.equivocators[KEYS[3].public.raw]} == {HEADER, other}
    assert result.signers(HEADER.hash()) == sorted(k.public.raw for k in KEYS[:2])
