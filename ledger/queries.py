"""Queries: what a node answers about its chain (status, blocks, transactions with inclusion proofs, state values
with sparse-Merkle proofs, assets, certificates, the registry), read under the state lock."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from ledger.block_leaves import BlockLeaves
from ledger.errors import NotFound, StoreError, shown
from ledger.jsonview import to_json
from ledger.node_base import NodeBase
from ledger.registry import Entry, is_removed
from ledger.rules.asset_record import PREFIX as ASSET_PREFIX
from ledger.rules.asset_record import unpack
from ledger.storage import IMPLIED_RESULTS, implied_result
from ledger_lite import decode_tx, inclusion_proof, leaf_hash, root_from_leaf_hashes, sha256


def full_view(key: str, value: Any) -> Any:
    """What the API shows for a stored value: assets with their derived fields restored."""
    return unpack(key.removeprefix(ASSET_PREFIX), value) if key.startswith(ASSET_PREFIX) else value


def _edited(height: int) -> StoreError:
    return StoreError(f"the stored transactions of block {height} do not hash to the transaction root its signed "
                      f"header commits to; the store was changed outside the node")


class UnknownCertificate(NotFound):
    """No committed transaction has the id a certificate's audit was asked for (its own code, so that a client
    tells it from a node without the route, whose 404 is ``not_found``)."""

    code = "unknown_certificate"


class Queries(NodeBase):
    """A node's read side; changes nothing."""

    def status(self) -> dict[str, Any]:
        with self._lock:
            head = self.head
            root = self.state.root()
        missing = self.missing_signatures()
        return {"chain_id": self.chain_id, "height": head.height, "state_root": root.hex(),
                "head_hash": head.hash().hex(), "time": head.time, "validators": [v.hex() for v in self.validators],
                "node_key": self.key.public.hex(), "queued": len(self._queue),
                "can_commit": not missing, "missing_signatures": [v.hex() for v in missing]}

    def block(self, height: int) -> dict[str, Any]:
        found = self.store.block(height)
        if found is None:
            raise NotFound(f"no block at height {height}; the head is at {self.head.height}")
        header, commit, count = found
        return {"header": header.to_json(), "commit": commit.to_json(), "tx_count": count}

    def block_txs(self, height: int) -> dict[str, Any]:
        """Every transaction of a stored block, in order, as hex of the canonical envelopes."""
        if self.store.block(height) is None:
            raise NotFound(f"no block at height {height}; the head is at {self.head.height}")
        return {"height": height, "txs": [raw.hex() for raw in self.store.block_txs(height)]}

    @cached_property
    def _block_leaves(self) -> BlockLeaves:
        return BlockLeaves()

    def _leaves_of(self, height: int) -> tuple[bytes, ...]:
        """Block ``height``'s Merkle leaves, checked against the transaction root its signed header commits to
        (``StoreError`` if they do not hash to it), kept for the next question (``ledger.block_leaves``)."""

        def load() -> tuple[bytes, ...]:
            leaves = tuple(leaf_hash(r) for r in self.store.block_txs(height))
            block = self.store.block(height)
            if block is None or root_from_leaf_hashes(leaves) != block[0].tx_root:
                raise _edited(height)
            return leaves

        return self._block_leaves.get(height, load)

    def tx(self, tx_id: str) -> dict[str, Any]:
        found = self.store.tx(tx_id)
        if found is None:
            raise NotFound(f"no committed transaction {tx_id}")
        height, index, raw, result = found
        # Served only as stored and signed: a transaction edited in the store no longer hashes to its id, or to
        # its leaf in its block, whose leaves hash to the root the signed header commits to.
        if sha256(raw).hex() != tx_id:
            raise _edited(height)
        leaves = self._leaves_of(height)
        if index >= len(leaves) or leaves[index] != leaf_hash(raw):
            raise _edited(height)
        proof = inclusion_proof(index, leaves)
        tx = decode_tx(raw)
        if tx.type in IMPLIED_RESULTS:
            result = implied_result(tx.type, tx_id)
        return {"tx_id": tx_id, "height": height, "index": index, "type": tx.type, "signer": tx.signer_address,
                "body": to_json(tx.body), "time": tx.time, "raw": raw.hex(), "result": to_json(result),
                "proof": {"leaf_index": index, "tree_size": len(leaves), "hashes": [h.hex() for h in proof]}}

    def value(self, key: str) -> Any:
        with self._lock:
            value = self.state.get(key)
        if value is None:
            raise NotFound(f"no state value at {shown(key)}")
        return to_json(full_view(key, value))

    def proven_value(self, key: str) -> dict[str, Any]:
        """The value at ``key`` (or its absence) with a sparse-Merkle proof against the head's state root."""
        with self._lock:
            value = self.state.get(key)
            encoded = self.state.encoded(key)
            proof = self.state.prove(key)
            head = self.head
        out: dict[str, Any] = {"key": key, "height": head.height, "state_root": head.state_root.hex(),
                               "present": value is not None, "proof": proof.to_json()}
        if value is not None and encoded is not None:
            # ``value`` is the full view; ``value_cbor`` is the stored record the proof is about.
            out.update(value=to_json(full_view(key, value)), value_cbor=encoded.hex())
        return out

    def certificate_audit(self, certificate_id: str) -> dict[str, Any]:
        """What one online verification of a certificate asks (``ledger_lite.verification.verify_issuance``), in
        one answer shaped as the audit bundle a certificate PDF carries (``ledger_lite.audit.AuditBundle``): the
        issuance with its inclusion proof (``tx``), its block's header and commit (``block``), the certificate's
        record with its revocation, or its absence, proven against the head's state root (``state``), and that
        head's header and commit (``head``). ``revoked`` repeats the record's revocation for a reader; only the
        proof in ``state`` counts. ``UnknownCertificate`` when no transaction has that id."""
        try:
            tx = self.tx(certificate_id)
        except NotFound:
            raise UnknownCertificate(f"expected the id of a committed issuance, found no committed transaction "
                                     f"{certificate_id}") from None
        state = self.proven_value(f"cert/{certificate_id}")
        block = self.block(tx["height"])
        head = block if state["height"] == tx["height"] else self.block(state["height"])
        value = state.get("value")
        revoked = value.get("revoked") if isinstance(value, dict) else None
        return {"certificate_id": certificate_id, "tx": tx, "block": block, "state": state, "head": head,
                "revoked": revoked}

    def assets(self, owner: str, *, method: str | None = None, start: int | None = None, end: int | None = None,
               trade: str | None = None, valid_at: int | None = None) -> list[dict[str, Any]]:
        """S84/S507: assets owned by ``owner``, optionally filtered by method, production period, trade state and
        ``valid_at`` (not expired at that time), soonest expiry first. Filters apply to the stored records, so
        only what is listed is expanded."""
        with self._lock:
            keys = self.state.owned_open(owner, valid_at) if trade == "open" else self.state.owned(owner)
            records = [(k, self.state.get(k)) for k in keys]
        out = []
        for key, record in records:
            if record is None or (method and record["method"] != method) or (trade and record["trade"] != trade):
                continue
            if (start is not None and record["start"] < start) or (end is not None and record["end"] > end):
                continue
            if valid_at is not None and record["expires"] <= valid_at:
                continue
            out.append(to_json(unpack(key.removeprefix(ASSET_PREFIX), record)))
        out.sort(key=lambda a: (a["expires"], a["start"], a["id"]))
        return out

    def certificates(self, owner: str) -> list[dict[str, Any]]:
        with self._lock:
            certs = [v for _, v in self.state.items("cert/") if v["owner"] == owner]
        return [to_json({k: v for k, v in c.items() if k != "assets"}) for c in certs]

    def role_of(self, address: str) -> str | None:
        """The role ``address`` is registered with, or None if it is not registered (or was removed)."""
        with self._lock:
            value = self.state.get(f"registry/{address}")
        if value is None or is_removed(value):
            return None
        return str(value["role"])

    def validator_sets(self) -> list[dict[str, Any]]:
        """Every validator set in force since genesis: from which height, its keys, and the ``registry.update``
        transactions (in the block before) that made it — what a light client walks to trust a new set only
        through a change the old set's quorum approved and finalized."""
        recorded = sorted((int(k.split("@", 1)[1]), v) for k, v in self.store.meta_items("validators@"))
        out = []
        for height, keys in recorded:
            changed_by = [] if height == 0 else [
                tx.tx_id for tx in (decode_tx(raw) for raw in self.store.block_txs(height - 1))
                if tx.type == "registry.update"]
            out.append({"from_height": height, "validators": json.loads(keys), "changed_by": changed_by})
        return out

    def registry(self) -> list[dict[str, Any]]:
        """Every key the registry names, live or removed (a removed issuer's earlier certificates still verify:
        verifiers see ``removed`` and the height it happened at)."""
        with self._lock:
            values = [v for _, v in sorted(self.state.items("registry/"))]
        out = []
        for value in values:
            if is_removed(value):
                former = Entry.from_state({"address": value["address"], **value["former"]})
                out.append({**former.to_json(), "removed": True, "removed_at": value["height"]})
            else:
                out.append({**Entry.from_state(value).to_json(), "removed": False})
        return out
