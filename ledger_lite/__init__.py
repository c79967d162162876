"""The GreenCert ledger protocol and light node: encoding, keys, transactions, blocks, proofs, payloads.

``SparseMerkleTree`` and ``root_of`` (the state tree a node builds, ``ledger_lite.smt_tree``) load on first use:
a light client checks state proofs (``ledger_lite.smt_proof``) without that code.
"""

from typing import TYPE_CHECKING, Any

from ledger_lite.block import BlockHeader, Commit, quorum, sign_commit, validators_hash, verify_commit
from ledger_lite.encoding import canonical, decode, digest, sha256
from ledger_lite.errors import (
    CommitError,
    EncodingError,
    Error,
    KeyFormatError,
    PayloadError,
    ProofError,
    SignatureError,
    VerificationError,
)
from ledger_lite.keys import PublicKey, SigningKey, address_of, kid_of
from ledger_lite.merkle import (
    inclusion_proof,
    leaf_hash,
    merkle_root,
    root_from_leaf_hashes,
    verify_inclusion,
)
from ledger_lite.payload import Claims, DecodedPayload, decode_payload, encode_payload, peek_payload
from ledger_lite.smt_proof import SmtLeaf, SmtProof, verify_membership, verify_non_membership
from ledger_lite.tx import MAX_TX_BYTES, Transaction, decode_tx, sign_tx

if TYPE_CHECKING:
    from ledger_lite.smt_tree import SparseMerkleTree, root_of

__all__ = [
    "MAX_TX_BYTES", "BlockHeader", "Claims", "Commit", "CommitError", "DecodedPayload", "EncodingError", "Error",
    "KeyFormatError", "PayloadError", "ProofError", "PublicKey", "SignatureError", "SigningKey", "Transaction",
    "VerificationError", "address_of", "canonical", "decode", "decode_payload", "decode_tx", "digest",
    "encode_payload", "inclusion_proof", "kid_of", "leaf_hash", "merkle_root", "peek_payload", "quorum",
    "root_from_leaf_hashes", "sha256", "sign_commit", "sign_tx", "validators_hash", "verify_commit",
    "verify_inclusion",
]
__all__ += ["SmtLeaf", "SmtProof", "SparseMerkleTree", "root_of", "verify_membership", "verify_non_membership"]


def __getattr__(name: str) -> Any:
    """The names of ``ledger_lite.smt_tree``, imported when first asked for."""
    if name in ("SparseMerkleTree", "root_of"):
        from ledger_lite import smt_tree
        return getattr(smt_tree, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
