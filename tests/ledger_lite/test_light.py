"""Light node: ``verify_tx_in_block`` checks finality, chain, height, tx id and the Merkle inclusion proof, in
that order, on the JSON a node serves (``GET /v1/txs/{id}`` and ``GET /v1/blocks/{height}``)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ledger_lite import (
    BlockHeader,
    Commit,
    CommitError,
    EncodingError,
    ProofError,
    SigningKey,
    VerificationError,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    sign_commit,
    sign_tx,
    validators_hash,
)
from ledger_lite.light import verify_tx_in_block

CHAIN = "greencert-test"
VALIDATORS = [SigningKey.derive(f"test/light/validator/{i}") for i in range(4)]
TRUSTED = [v.public for v in VALIDATORS]
SIGNER = SigningKey.derive("test/light/intermediary")
TXS = [sign_tx(SIGNER, chain=CHAIN, type="cert.issue", body={"owner": "gc1" + "0" * 40, "n": i}, nonce=i, time=i)
       for i in range(5)]
RAWS = [t.encode() for t in TXS]
HEIGHT = 12


def served(index: int = 3, signers: int = 3) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a node would serve for ``TXS[index]`` in a block signed by ``signers`` of the 4 validators."""
    header = BlockHeader(chain=CHAIN, height=HEIGHT, prev_hash=b"\x01" * 32, time=1_790_900_000,
                         tx_root=merkle_root(RAWS), state_root=b"\x02" * 32,
                         validators_hash=validators_hash(TRUSTED))
    commit = Commit(header.hash(), tuple(sign_commit(v, header) for v in VALIDATORS[:signers]))
    proof = inclusion_proof(index, [leaf_hash(r) for r in RAWS])
    tx_json = {"tx_id": TXS[index].tx_id, "height": HEIGHT, "index": index, "raw": RAWS[index].hex(),
               "proof": {"leaf_index": index, "tree_size": len(RAWS), "hashes": [h.hex() for h in proof]}}
    return tx_json, {"header": header.to_json(), "commit": commit.to_json(), "tx_count": len(RAWS)}


@pytest.mark.parametrize("index", range(len(TXS)))
def test_every_transaction_of_a_final_block_verifies(index: int) -> None:
    tx_json, block_json = served(index)
    assert verify_tx_in_block(tx_json, block_json, TRUSTED, CHAIN) == TXS[index]


def test_commit_below_quorum_is_refused_first() -> None:
    tx_json, block_json = served(signers=2)
    tx_json["raw"] = "00"  # would fail later; finality is checked first
    with pytest.raises(CommitError, match="commit has 2 valid validator signatures, expected at least 3"):
        verify_tx_in_block(tx_json, block_json, TRUSTED, CHAIN)


def test_untrusted_validator_set_is_refused() -> None:
    tx_json, block_json = served()
    others = [*TRUSTED[:3], SigningKey.derive("test/light/outsider").public]
    with pytest.raises(CommitError, match="header names a different validator set"):
        verify_tx_in_block(tx_json, block_json, others, CHAIN)


def test_block_of_another_chain_is_refused() -> None:
    tx_json, block_json = served()
    with pytest.raises(VerificationError, match="block is of chain 'greencert-test', expected 'other-chain'"):
        verify_tx_in_block(tx_json, block_json, TRUSTED, "other-chain")


def test_height_mismatch_is_refused() -> None:
    tx_json, block_json = served()
    tx_json["height"] = HEIGHT + 1
    with pytest.raises(VerificationError, match=f"block height {HEIGHT} differs from the transaction's {HEIGHT + 1}"):
        verify_tx_in_block(tx_json, block_json, TRUSTED, CHAIN)


def test_raw_that_does_not_hash_to_the_id_is_refused() -> None:
    tx_json, block_json = served(index=1)
    tx_json["raw"] = RAWS[2].hex()
    with pytest.raises(ProofError, match=f"raw transaction hashes to {TXS[2].tx_id}, expected {TXS[1].tx_id}"):
        verify_tx_in_block(tx_json, block_json, TRUSTED, CHAIN)


def test_transaction_not_in_the_block_is_refused() -> None:
    tx_json, block_json = served(index=1)
    stranger = sign_tx(SIGNER, chain=CHAIN, type="cert.issue", body={"n": 99}, nonce=99, time=99)
    tx_json.update(tx_id=stranger.tx_id, raw=stranger.encode().hex())
    with pytest.raises(ProofError, match=r"inclusion proof leads to root [0-9a-f]{64}, expected"):
        verify_tx_in_block(tx_json, block_json, TRUSTED, CHAIN)


@pytest.mark.parametrize(("where", "change"), [
    ("hash", lambda p: p["hashes"].__setitem__(0, "00" * 32)),
    ("index", lambda p: p.__setitem__("leaf_index", 2)),
    ("size", lambda p: p.__setitem__("tree_size", 4)),
    ("dropped", lambda p: p["hashes"].pop()),
    ("extra", lambda p: p["hashes"].append("11" * 32)),
])
def test_tampered_proof_is_refused(where: str, change: Any) -> None:
    tx_json, block_json = served(index=3)
    change(tx_json["proof"])
    with pytest.raises(ProofError):
        verify_tx_in_block(tx_json, block_json, TRUSTED, CHAIN)


@pytest.mark.parametrize("drop", [("tx", "raw"), ("tx", "proof"), ("block", "header"), ("block", "commit")])
def test_missing_parts_are_a_verification_error(drop: tuple[str, str]) -> None:
    tx_json, block_json = served()
    del (tx_json if drop[0] == "tx" else block_json)[drop[1]]
    with pytest.raises(VerificationError, match="expected a transaction with proof and a block with header and commit"):
        verify_tx_in_block(tx_json, block_json, TRUSTED, CHAIN)


def test_non_hex_raw_is_a_verification_error() -> None:
    tx_json, block_json = served()
    tx_json["raw"] = "not hex"
    with pytest.raises(VerificationError, match="expected a transaction with proof"):
        verify_tx_in_block(tx_json, block_json, TRUSTED, CHAIN)


# `greencert verify` catches VerificationError only (greencert/verify.py check_ledger); anything else escaping
# from a node's tampered answer is a crash instead of "not genuine".
def test_header_whose_hash_field_lies_is_a_verification_error() -> None:
    tx_json, block_json = served()
    block_json = copy.deepcopy(block_json)
    block_json["header"]["time"] += 1
    with pytest.raises(VerificationError, match="hash"):
        verify_tx_in_block(tx_json, block_json, TRUSTED, CHAIN)


def test_undecodable_raw_is_a_verification_error() -> None:
    tx_json, block_json = served()
    tx_json["raw"] = "ff"
    with pytest.raises(VerificationError):
        verify_tx_in_block(tx_json, block_json, TRUSTED, CHAIN)


def test_encoding_error_is_not_a_verification_error() -> None:
    # Why the two tests above matter: the hierarchies are disjoint.
    assert not issubclass(EncodingError, VerificationError)
