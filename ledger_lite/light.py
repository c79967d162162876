"""Light-node checks: is a transaction in a final block of the chain we trust?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledger_lite.block import BlockHeader, Commit, verify_final
from ledger_lite.encoding import decode, sha256
from ledger_lite.errors import EncodingError, ProofError, VerificationError
from ledger_lite.keys import PublicKey
from ledger_lite.merkle import leaf_hash, verify_inclusion
from ledger_lite.smt_proof import SmtProof, verify_membership, verify_non_membership
from ledger_lite.tx import Transaction, decode_tx


def _strict_int(value: Any, what: str) -> int:
    """An integer field of a node's answer: an int, never a bool, a float or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected {what} as an integer, found {value!r:.20}")
    return value


def verify_state(state_json: dict[str, Any], header: BlockHeader) -> Any:
    """Check a ``GET /v1/state/{key}?prove=true`` answer against a header already checked as final; return the
    decoded value, or None when the proof shows the key absent. Raises ``VerificationError``."""
    try:
        key = str(state_json["key"]).encode()
        height, root = _strict_int(state_json["height"], "height"), bytes.fromhex(state_json["state_root"])
        proof = SmtProof.from_json(state_json["proof"])
        present = state_json["present"]
        if not isinstance(present, bool):
            raise TypeError(f"expected present as true or false, found {present!r:.20}")
        cbor = bytes.fromhex(state_json["value_cbor"]) if present else b""
    except (KeyError, TypeError, ValueError, EncodingError) as exc:
        raise VerificationError(f"expected a state answer with key, height, state_root and proof: {exc!r}") from exc
    if height != header.height or root != header.state_root:
        raise VerificationError(f"state answer is for block {height} root {root.hex()}, expected block "
                                f"{header.height} root {header.state_root.hex()}")
    if not present:
        verify_non_membership(header.state_root, key, proof)
        return None
    verify_membership(header.state_root, key, sha256(cbor), proof)
    return decode(cbor)


def verify_tx_in_block(tx_json: dict[str, Any], block_json: dict[str, Any],
                       validators: Sequence[PublicKey], chain_id: str,
                       known: Mapping[int, str] | None = None) -> Transaction:
    """Check, in order: (1) the header is final (a quorum of trusted validators signed it), (2) the header is
    of our chain and at the claimed height, (3) the raw transaction hashes to its id, (4) its inclusion proof
    leads to the header's ``tx_root``. Returns the decoded transaction; raises ``VerificationError``."""
    try:
        header = BlockHeader.from_json(block_json["header"])
        commit = Commit.from_json(block_json["commit"])
        raw = bytes.fromhex(tx_json["raw"])
        proof = tx_json["proof"]
        index, size = _strict_int(proof["leaf_index"], "leaf_index"), _strict_int(proof["tree_size"], "tree_size")
        hashes = [bytes.fromhex(h) for h in proof["hashes"]]
    except (KeyError, TypeError, ValueError, EncodingError) as exc:
        raise VerificationError(f"expected a transaction with proof and a block with header and commit: {exc!r}") \
            from exc
    verify_final(header, commit, validators, known)  # ``known``: headers already verified (Trust.headers)
    if header.chain != chain_id:
        raise VerificationError(f"block is of chain {header.chain!r}, expected {chain_id!r}")
    height = tx_json.get("height")
    if isinstance(height, bool) or header.height != height:
        raise VerificationError(f"block height {header.height} differs from the transaction's {tx_json.get('height')}")
    try:
        tx = decode_tx(raw)
    except EncodingError as exc:
        raise VerificationError(f"the node's raw transaction does not decode: {exc}") from exc
    if tx.tx_id != tx_json.get("tx_id"):
        raise ProofError(f"raw transaction hashes to {tx.tx_id}, expected {tx_json.get('tx_id')}")
    verify_inclusion(index, size, leaf_hash(raw), hashes, header.tx_root)
    return tx
