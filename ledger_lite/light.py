"""Light-node checks: is a transaction in a final block of the chain we trust?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger_lite.block import BlockHeader, Commit, verify_commit
from ledger_lite.errors import EncodingError, ProofError, VerificationError
from ledger_lite.keys import PublicKey
from ledger_lite.merkle import leaf_hash, verify_inclusion
from ledger_lite.tx import Transaction, decode_tx


def verify_tx_in_block(tx_json: dict[str, Any], block_json: dict[str, Any],
                       validators: Sequence[PublicKey], chain_id: str) -> Transaction:
    """Check, in order: (1) the header is final (a quorum of trusted validators signed it), (2) the header is
    of our chain and at the claimed height, (3) the raw transaction hashes to its id, (4) its inclusion proof
    leads to the header's ``tx_root``. Returns the decoded transaction; raises ``VerificationError``."""
    try:
        header = BlockHeader.from_json(block_json["header"])
        commit = Commit.from_json(block_json["commit"])
        raw = bytes.fromhex(tx_json["raw"])
        proof = tx_json["proof"]
        index, size = int(proof["leaf_index"]), int(proof["tree_size"])
        hashes = [bytes.fromhex(h) for h in proof["hashes"]]
    except (KeyError, TypeError, ValueError, EncodingError) as exc:
        raise VerificationError(f"expected a transaction with proof and a block with header and commit: {exc!r}") \
            from exc
    verify_commit(header, commit, validators)
    if header.chain != chain_id:
        raise VerificationError(f"block is of chain {header.chain!r}, expected {chain_id!r}")
    if header.height != int(tx_json.get("height", -1)):
        raise VerificationError(f"block height {header.height} differs from the transaction's {tx_json.get('height')}")
    try:
        tx = decode_tx(raw)
    except EncodingError as exc:
        raise VerificationError(f"the node's raw transaction does not decode: {exc}") from exc
    if tx.tx_id != tx_json.get("tx_id"):
        raise ProofError(f"raw transaction hashes to {tx.tx_id}, expected {tx_json.get('tx_id')}")
    verify_inclusion(index, size, leaf_hash(raw), hashes, header.tx_root)
    return tx
