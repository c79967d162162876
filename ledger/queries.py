"""Queries: what a node answers about its chain (status, blocks, transactions with inclusion proofs, state values
with sparse-Merkle proofs, assets, certificates, the registry), read under the state lock."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from ledger.block_leaves import BlockLeaves
from ledger.certificate_holders import CertificateHolders, parties
from ledger.errors import Error, NotFound, StoreError, shown
from ledger.jsonview import to_json
from ledger.node_base import NodeBase
from ledger.registry import Entry, category_of, is_removed
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


class BadCursor(Error):
    """``GET /v1/assets?after=`` names no asset (400)."""

    code = "bad_cursor"
    status = 400


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
        # Served only as stored and signed: a transaction edited in the store no longer hashes to its leaf in its
        # block, whose leaves hash to the root the signed header commits to. The store finds transactions by the
        # first 8 bytes of their ids (ledger.storage): one as signed that hashes to another id is another's.
        leaves = self._leaves_of(height)
        if index >= len(leaves) or leaves[index] != leaf_hash(raw):
            raise _edited(height)
        if sha256(raw).hex() != tx_id:  # another transaction, stored as signed, whose id shares the prefix
            raise NotFound(f"no committed transaction {tx_id}")
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
            return self._proven(key)

    def _proven(self, key: str) -> dict[str, Any]:
        """``proven_value`` of ``key``; the caller holds the state lock."""
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
               trade: str | None = None, valid_at: int | None = None, provider: str | None = None,
               category: str | None = None, after: str | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        """S84/S507: assets owned by ``owner``, optionally filtered by method, production period, trade state,
        ``valid_at`` (not expired at that time), provider and category, soonest expiry first (then production
        start, then id). Filters apply to the stored records, so only what is listed is expanded.

        ``limit`` lists at most that many, and ``after`` (an asset id, the last of the previous page) those that
        come after it in that order: a page. A page of open assets valid at a time reads the owner's open assets
        one expiry day at a time, up to the day the page ends on (issue #17: what the intermediary allocates from,
        a few at a time, at a cost that does not grow with the month of surplus it holds)."""

        def wanted(record: Any) -> bool:
            return not (record is None or (method and record["method"] != method)
                        or (trade and record["trade"] != trade)
                        or (start is not None and record["start"] < start) or (end is not None and record["end"] > end)
                        or (valid_at is not None and record["expires"] <= valid_at)
                        or (provider and record["provider"] != provider)
                        or (category and category_of(record["method"]) != category))

        def order(key: str, record: Any) -> tuple[int, int, str]:
            return record["expires"], record["start"], key.removeprefix(ASSET_PREFIX)

        with self._lock:
            cursor = None
            if after is not None:
                last = self.state.get(ASSET_PREFIX + after)
                if not isinstance(last, dict):  # any asset will do: one of the list may have changed hands since
                    raise BadCursor(f"expected after= to name an asset (the last of the previous page), found "
                                    f"{shown(after)}, which is none")
                cursor = order(ASSET_PREFIX + after, last)
            if trade == "open" and valid_at is not None and limit is not None:
                records: list[tuple[str, Any]] = []
                since = valid_at if cursor is None else max(valid_at, cursor[0])
                for keys in self.state.open_by_expiry_day(owner, since, of=lambda p, m: (
                        (not provider or p == provider) and (not method or m == method)
                        and (not category or category_of(m) == category))):
                    day = sorted((order(k, r), k, r) for k in keys if wanted(r := self.state.get(k)))
                    records += [(k, r) for o, k, r in day if cursor is None or o > cursor]
                    if len(records) >= limit:
                        break
            else:
                keys = self.state.owned_open(owner, valid_at) if trade == "open" else self.state.owned(owner)
                records = sorted(((k, r) for k in keys if wanted(r := self.state.get(k))),
                                 key=lambda kr: order(*kr))
                if cursor is not None:
                    records = [(k, r) for k, r in records if order(k, r) > cursor]
        if limit is not None:
            records = records[:limit]
        return [to_json(unpack(key.removeprefix(ASSET_PREFIX), record)) for key, record in records]

    @cached_property
    def _holders(self) -> CertificateHolders:
        return CertificateHolders()

    def certificates(self, owner: str) -> list[dict[str, Any]]:
        """The certificates ``owner`` holds Wh of or retired Wh of (issue 15: whoever they were issued to, so what
        it received by ``cert.transfer`` too, and not what it gave away entirely), oldest first, each with
        ``held_wh`` and ``retired_wh``, its Wh; found through ``ledger.certificate_holders``, not by reading every
        certificate."""
        with self._lock:
            ids = self._holders.held_by(owner, self.state, self.head.height, self.store.block_txs)
            certs = [c for c in (self.state.get(f"cert/{cid}") for cid in ids) if c is not None]
        out = []
        for cert in sorted(certs, key=lambda c: (c["height"], c["id"])):
            held, retired = parties(cert).get(owner, (0, 0))
            out.append(to_json({**{k: v for k, v in cert.items() if k != "assets"}, "held_wh": held,
                                "retired_wh": retired}))
        return out

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
        return _registry_items(values)

    def proven_registry(self) -> dict[str, Any]:
        """The registry (``items``, as ``registry``) with each entry's state proof (``proofs``, in the same order,
        as ``proven_value`` answers) and the header with commit they are proven against (``head``), all taken at
        one head: what a light node asks to bring its trust list up to date
        (``ledger_lite.trust_anchor.refresh``), in one answer."""
        with self._lock:
            entries = sorted(self.state.items("registry/"))
            proofs = [self._proven(key) for key, _ in entries]
            height = self.head.height
        return {"chain_id": self.chain_id, "items": _registry_items([v for _, v in entries]), "proofs": proofs,
                "head": self.block(height)}


def _registry_items(values: list[Any]) -> list[dict[str, Any]]:
    """Registry values as the API shows them (a removed entry: its former self, ``removed`` and when)."""
    out = []
    for value in values:
        if is_removed(value):
            former = Entry.from_state({"address": value["address"], **value["former"]})
            out.append({**former.to_json(), "removed": True, "removed_at": value["height"]})
        else:
            out.append({**Entry.from_state(value).to_json(), "removed": False})
    return out
