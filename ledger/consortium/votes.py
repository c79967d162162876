"""Validators' signatures over block headers, posted to etcd, and the tally that decides finality.

Each validator node executes block h, signs its header and writes ``sigs/<h>/<node-id>`` once (canonical CBOR:
the node id, the validator's public key, the header it signed and the signature over ``COMMIT_DOMAIN ‖ hash``).
A block is final at ⌈2n/3⌉ valid signatures of the n validators in force over the same header hash (seed 003:
"reports exceed a predetermined number"); the quorum's signatures are the block's commit, which any light client
checks with ``ledger_lite.verify_commit``.

The tally trusts nothing it reads: a record that does not decode, a key outside the validator set or a signature
that does not verify is skipped (and named in ``Tally.invalid``); a validator that signed two different headers
for one height (*equivocation*) is counted for neither, and both signed headers are kept as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.consortium.order import EtcdOrdering, OrderingError
from ledger.errors import shown
from ledger_lite import BlockHeader, PublicKey, SignatureError, canonical, decode, quorum
from ledger_lite.block import COMMIT_DOMAIN, Commit

VOTE_VERSION = 1


@dataclass(frozen=True)
class Vote:
    """One validator's signature over one header."""

    node_id: str
    validator: bytes  # Ed25519 public key
    header: BlockHeader
    signature: bytes

    def encode(self) -> bytes:
        return canonical({"v": VOTE_VERSION, "node": self.node_id, "validator": self.validator,
                          "header": self.header.to_cbor(), "sig": self.signature})

    @classmethod
    def decode(cls, data: bytes, where: str) -> Vote:
        try:
            raw: Any = decode(data)
            if not isinstance(raw, dict) or raw.get("v") != VOTE_VERSION:
                raise ValueError(f"expected a map with v={VOTE_VERSION}")
            return cls(node_id=str(raw["node"]), validator=bytes(raw["validator"]),
                       header=BlockHeader.from_cbor(raw["header"]), signature=bytes(raw["sig"]))
        except Exception as e:  # any malformed record: say where and what
            raise OrderingError(f"{where}: expected a header signature (canonical CBOR, version {VOTE_VERSION}), "
                                f"found {shown(data.hex())}: {e}") from None

    def check(self, validators: Sequence[PublicKey]) -> None:
        """Raise ``OrderingError`` unless a validator in force made this signature over this header."""
        if self.validator not in {v.raw for v in validators}:
            raise OrderingError(f"signature by {PublicKey(self.validator).address}: expected one of the "
                                f"{len(validators)} validators in force, found a key outside the set")
        try:
            PublicKey(self.validator).verify(self.signature, COMMIT_DOMAIN + self.header.hash())
        except SignatureError as e:
            raise OrderingError(f"signature by {PublicKey(self.validator).address} over header "
                                f"{self.header.hash().hex()}: {e}") from None


@dataclass
class Tally:
    """What the posted signatures for one height say."""

    height: int
    need: int
    by_hash: dict[bytes, dict[bytes, Vote]] = field(default_factory=dict)  # header hash → validator → vote
    equivocators: dict[bytes, list[Vote]] = field(default_factory=dict)     # validator → its conflicting votes
    invalid: list[str] = field(default_factory=list)                        # why records were skipped

    def signers(self, header_hash: bytes) -> list[bytes]:
        return sorted(self.by_hash.get(header_hash, {}))

    def final(self) -> BlockHeader | None:
        """The header a quorum signed, if any (at most one can have a quorum unless over a third equivocate,
        and equivocators are not counted)."""
        for votes in self.by_hash.values():
            if len(votes) >= self.need:
                return next(iter(votes.values())).header
        return None

    def final_or_leading(self) -> BlockHeader:
        """The final header, or the one most validators signed so far (what a node waits on)."""
        final = self.final()
        if final is not None:
            return final
        if not self.by_hash:
            raise OrderingError(f"block {self.height}: no valid signature posted yet")
        votes = max(self.by_hash.values(), key=len)
        return next(iter(votes.values())).header

    def commit(self, header: BlockHeader) -> Commit:
        votes = self.by_hash.get(header.hash(), {})
        return Commit(header.hash(), tuple((v, votes[v].signature) for v in sorted(votes)))


def vote_key(ordering: EtcdOrdering, height: int, node_id: str) -> bytes:
    return ordering.root + f"sigs/{height:020d}/{node_id}".encode()


def post(ordering: EtcdOrdering, vote: Vote) -> Vote:
    """Write ``vote`` once under this node's key for its height; returns what is there (an earlier vote of this
    node for the height, when one was posted before a restart)."""
    key = vote_key(ordering, vote.header.height, vote.node_id)
    result = ordering.client.create(key, vote.encode())
    if result.succeeded or result.current is None:
        return vote
    return Vote.decode(result.current.value, key.decode(errors="replace"))


def tally(ordering: EtcdOrdering, height: int, validators: Sequence[PublicKey]) -> Tally:
    """Read and check every signature posted for ``height`` against the validator set in force for it."""
    prefix = ordering.root + f"sigs/{height:020d}/".encode()
    found = ordering.client.range(prefix, prefix=True)
    result = Tally(height=height, need=quorum(len(validators)))
    seen: dict[bytes, Vote] = {}
    for kv in found.kvs:
        where = kv.key.decode(errors="replace")
        try:
            vote = Vote.decode(kv.value, where)
            if vote.header.height != height:
                raise OrderingError(f"{where}: expected a header of height {height}, found {vote.header.height}")
            vote.check(validators)
        except OrderingError as e:
            result.invalid.append(e.message)
            continue
        earlier = seen.get(vote.validator)
        if earlier is not None and earlier.header.hash() != vote.header.hash():
            result.equivocators.setdefault(vote.validator, [earlier]).append(vote)
            continue
        seen[vote.validator] = vote
    for validator, vote in seen.items():
        if validator not in result.equivocators:
            result.by_hash.setdefault(vote.header.hash(), {})[validator] = vote
    return result


__all__ = ["Tally", "Vote", "post", "tally", "vote_key"]
