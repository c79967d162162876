"""Block headers and commits.

A header is final when at least ⌈2n/3⌉ of the n validators in its validator set signed its hash
(seed 003: "reports exceed a predetermined number"). Embedded mode has n = 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger_lite.encoding import canonical, digest, sha256
from ledger_lite.errors import CommitError, EncodingError, SignatureError
from ledger_lite.keys import PublicKey, SigningKey

COMMIT_DOMAIN = b"greencert/commit/v1\x00"
ZERO_HASH = bytes(32)


@dataclass(frozen=True)
class BlockHeader:
    chain: str
    height: int
    prev_hash: bytes
    time: int
    tx_root: bytes
    state_root: bytes
    validators_hash: bytes

    def to_cbor(self) -> dict[str, Any]:
        return {"chain": self.chain, "height": self.height, "prev": self.prev_hash, "time": self.time,
                "tx_root": self.tx_root, "state_root": self.state_root, "validators": self.validators_hash}

    @classmethod
    def from_cbor(cls, value: Any) -> BlockHeader:
        try:
            return cls(chain=value["chain"], height=value["height"], prev_hash=value["prev"], time=value["time"],
                       tx_root=value["tx_root"], state_root=value["state_root"],
                       validators_hash=value["validators"])
        except (KeyError, TypeError) as exc:
            raise EncodingError(f"expected a block header map, found {value!r:.80}") from exc

    def hash(self) -> bytes:
        return digest(self.to_cbor())

    def to_json(self) -> dict[str, Any]:
        return {"chain_id": self.chain, "height": self.height, "prev_hash": self.prev_hash.hex(),
                "time": self.time, "tx_root": self.tx_root.hex(), "state_root": self.state_root.hex(),
                "validators_hash": self.validators_hash.hex(), "hash": self.hash().hex()}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> BlockHeader:
        try:
            header = cls(chain=value["chain_id"], height=int(value["height"]),
                         prev_hash=bytes.fromhex(value["prev_hash"]), time=int(value["time"]),
                         tx_root=bytes.fromhex(value["tx_root"]), state_root=bytes.fromhex(value["state_root"]),
                         validators_hash=bytes.fromhex(value["validators_hash"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise EncodingError(f"expected a block header object, found {exc!r}") from exc
        if "hash" in value and value["hash"] != header.hash().hex():
            raise EncodingError(f"header hash field {value['hash']} does not match its content")
        return header


def validators_hash(validators: Sequence[PublicKey]) -> bytes:
    return sha256(canonical(sorted(v.raw for v in validators)))


def quorum(n: int) -> int:
    """⌈2n/3⌉ signatures out of n validators."""
    return -(-2 * n // 3)


@dataclass(frozen=True)
class Commit:
    header_hash: bytes
    signatures: tuple[tuple[bytes, bytes], ...]  # (validator public key, signature)

    def to_json(self) -> dict[str, Any]:
        return {"header_hash": self.header_hash.hex(),
                "signatures": [{"validator": v.hex(), "signature": s.hex()} for v, s in self.signatures]}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Commit:
        try:
            return cls(bytes.fromhex(value["header_hash"]),
                       tuple((bytes.fromhex(s["validator"]), bytes.fromhex(s["signature"]))
                             for s in value["signatures"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise EncodingError(f"expected a commit object, found {exc!r}") from exc


def sign_commit(key: SigningKey, header: BlockHeader) -> tuple[bytes, bytes]:
    return key.public.raw, key.sign(COMMIT_DOMAIN + header.hash())


def verify_final(header: BlockHeader, commit: Commit, validators: Sequence[PublicKey],
                 known: Mapping[int, str] | None = None) -> None:
    """``verify_commit``, skipped for a header this light node already verified as final: ``known`` maps height →
    hash of such headers (``Trust.headers``), and the header must still name the trusted validator set. A warm
    online check then verifies no commit signature twice."""
    if (known and known.get(header.height) == header.hash().hex() and validators
            and validators_hash(validators) == header.validators_hash):
        return
    verify_commit(header, commit, validators)


def verify_commit(header: BlockHeader, commit: Commit, validators: Sequence[PublicKey]) -> None:
    """Raise ``CommitError`` unless ``commit`` holds a quorum of valid validator signatures over ``header``."""
    if not validators:
        raise CommitError("expected at least one trusted validator, found an empty trust list")
    if validators_hash(validators) != header.validators_hash:
        raise CommitError("header names a different validator set than the trusted one")
    if commit.header_hash != header.hash():
        raise CommitError(f"commit is for header {commit.header_hash.hex()}, expected {header.hash().hex()}")
    allowed = {v.raw for v in validators}
    good: set[bytes] = set()
    for validator, signature in commit.signatures:
        if validator not in allowed:
            continue
        try:
            PublicKey(validator).verify(signature, COMMIT_DOMAIN + commit.header_hash)
        except SignatureError:
            continue
        good.add(validator)
    need = quorum(len(validators))
    if len(good) < need:
        raise CommitError(f"commit has {len(good)} valid validator signatures, expected at least {need}")
