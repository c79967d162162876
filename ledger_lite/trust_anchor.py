"""The light node's trust anchor, updated only through what a quorum of the trusted validators signed.

An auditor starts from a trust list they got from someone they trust (a file, or the QR code a consortium
publishes: ``encode_anchor`` / ``decode_anchor``, prefix ``GCT1:``): the chain id and the validators' keys. From
then on ``refresh`` never takes a node's word for anything:

1. Validator-set changes since the anchor's height are walked one by one: each ``registry.update`` that made a
   change must be in a block final under the set in force before it (quorum and Merkle proof) and carry approvals
   of a quorum of that set over exactly its change; the set it makes must be the set the node names.
2. The newest header must carry a quorum of the set so reached.
3. Every registry entry (issuers, users, validators, names) is taken only with a state proof against a final header.

Headers the light node has checked are kept by height (``Trust.headers``); a node that answers, for a height it
already knows, another header that a quorum also signed has shown two conflicting final headers: both are kept as
evidence (``ConflictingHeaders``) and no verdict is given on their strength.

A node can still *omit* registry entries (an issuer it does not list is not trusted: its certificates "could not
be checked"), but it cannot add a key, change a role or hide a validator-set change.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any, Protocol

import base45

from ledger_lite.block import BlockHeader, Commit, quorum, validators_hash, verify_final
from ledger_lite.detail_ids import Params
from ledger_lite.encoding import canonical, decode
from ledger_lite.errors import CommitError, EncodingError, Error, SignatureError, VerificationError
from ledger_lite.governance import approval_message, verify_approval
from ledger_lite.keys import PublicKey, address_of
from ledger_lite.light import verify_state, verify_tx_in_block
from ledger_lite.verification import ISSUER_ROLES, USER_ROLES, Trust, clip, shown

ANCHOR_PREFIX = "GCT1:"
ANCHOR_VERSION = 1
MAX_ANCHOR_BYTES = 4096
KEPT_HEADERS = 512  # checked headers remembered per trust list (the newest)


class TrustError(Error):
    """The trust list could not be brought up to date, or an anchor is not one (what was expected, what found).
    ``detail_code`` and ``params``: the message id a report's step shows it by (``ledger_lite.detail_ids``)."""

    code = "trust"

    def __init__(self, message: str, *, detail_code: str = "trust.unproven", params: Params | None = None) -> None:
        super().__init__(message)
        self.detail_code = detail_code
        self.params: Params = params if params is not None else {"reason": clip(message, 300)}


class ConflictingHeaders(TrustError):
    """Two different headers for one height, each signed by a quorum: evidence of a fork. Both are kept."""

    code = "conflicting_headers"

    def __init__(self, height: int, known: str, found: BlockHeader, commit: Commit) -> None:
        super().__init__(f"two different final headers for block {height}: {known} (checked before) and "
                         f"{found.hash().hex()} (now), each signed by a quorum of validators; both are kept as "
                         f"evidence and no verdict is given on either", detail_code="ledger.conflicting_headers",
                         params={"height": height, "known": known, "found": found.hash().hex()})
        self.evidence = {"height": height, "known_hash": known, "found_header": found.to_json(),
                         "found_commit": commit.to_json()}


class AnchorReader(Protocol):
    """What ``refresh`` asks a node (``backend_client.NodeClient`` has these)."""

    def status(self) -> dict[str, Any]: ...

    def block(self, height: int) -> dict[str, Any]: ...

    def tx(self, tx_id: str) -> dict[str, Any]: ...

    def proven_value(self, key: str) -> dict[str, Any]: ...

    def registry(self) -> list[dict[str, Any]]: ...

    def validator_sets(self) -> list[dict[str, Any]]: ...


# -- the anchor as a QR payload ------------------------------------------------------------------------------------

def encode_anchor(chain_id: str, validators: Sequence[PublicKey], height: int = 0) -> str:
    """A trust anchor small enough for a QR code: ``GCT1:`` + Base45(zlib(CBOR {v, chain, h, validators}))."""
    body = canonical({"v": ANCHOR_VERSION, "chain": chain_id, "h": height,
                      "validators": sorted(v.raw for v in validators)})
    encoded: bytes = base45.b45encode(zlib.compress(body, 9))
    return ANCHOR_PREFIX + encoded.decode()


def decode_anchor(text: str) -> Trust:
    """The trust list an anchor QR starts from (validators only; ``refresh`` then learns the issuers)."""
    text = text.strip()
    if not text.startswith(ANCHOR_PREFIX):
        raise TrustError(f"expected a trust anchor starting {ANCHOR_PREFIX!r}, found {shown(text[:12])}",
                         detail_code="trust.bad_anchor", params={"reason": f"found {shown(text[:12])}"})
    try:
        packed = base45.b45decode(text[len(ANCHOR_PREFIX):])
        inflater = zlib.decompressobj()
        body = inflater.decompress(packed, MAX_ANCHOR_BYTES + 1)
        if len(body) > MAX_ANCHOR_BYTES:
            raise ValueError(f"more than {MAX_ANCHOR_BYTES} bytes once inflated")
        raw = decode(body)
    except (ValueError, zlib.error, EncodingError) as e:
        raise TrustError(f"expected a trust anchor (Base45, zlib, CBOR), found one that does not decode: "
                         f"{clip(e, 120)}", detail_code="trust.bad_anchor", params={"reason": clip(e, 120)}) from None
    if not isinstance(raw, dict) or raw.get("v") != ANCHOR_VERSION or not isinstance(raw.get("chain"), str) \
            or not isinstance(raw.get("validators"), list) or not raw["validators"] \
            or not isinstance(raw.get("h"), int):
        raise TrustError(f"expected an anchor map {{v: {ANCHOR_VERSION}, chain, h, validators}}, found "
                         f"{shown(raw)}", detail_code="trust.bad_anchor", params={"reason": f"found {shown(raw)}"})
    try:
        validators = [PublicKey(bytes(v)) for v in raw["validators"]]
    except (TypeError, ValueError, Error) as e:
        raise TrustError(f"expected 32-byte validator keys in the anchor, found: {clip(e, 120)}",
                         detail_code="trust.bad_anchor", params={"reason": clip(e, 120)}) from None
    return Trust(raw["chain"], {}, validators, {}, height=raw["h"])


class HeaderWatch:
    """A ``LedgerReader`` over ``node`` that remembers every final header it passes on in ``trust.headers`` and
    raises ``ConflictingHeaders`` when one contradicts a header checked before (what does not verify is passed on
    unchanged: the verification reports it)."""

    def __init__(self, node: Any, trust: Trust) -> None:
        self.node = node
        self.trust = trust

    def tx(self, tx_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.node.tx(tx_id)
        return answer

    def proven_value(self, key: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.node.proven_value(key)
        return answer

    def block(self, height: int) -> dict[str, Any]:
        answer: dict[str, Any] = self.node.block(height)
        try:
            checked_header(self.trust, answer, self.trust.validators)
        except ConflictingHeaders:
            raise
        except TrustError:
            pass
        return answer


# -- bringing a trust list up to date ------------------------------------------------------------------------------

def checked_header(trust: Trust, answer: dict[str, Any], validators: Sequence[PublicKey]) -> BlockHeader:
    """A ``GET /v1/blocks/{h}`` answer's header, final under ``validators`` and of the trusted chain; remembered
    in ``trust.headers``, or ``ConflictingHeaders`` if another final header of that height was seen before."""
    try:
        header = BlockHeader.from_json(answer["header"])
        commit = Commit.from_json(answer["commit"])
    except (KeyError, TypeError, EncodingError) as e:
        raise TrustError(f"expected a block answer with header and commit, found: {clip(e, 120)}") from None
    if header.chain != trust.chain_id:
        raise TrustError(f"expected a block of chain {shown(trust.chain_id)}, found {shown(header.chain)}")
    known = trust.headers.get(header.height)
    try:
        verify_final(header, commit, validators, trust.headers)  # a header kept before is not verified again
    except CommitError as e:
        raise TrustError(f"block {header.height}: {e}") from None
    if known is not None and known != header.hash().hex():
        raise ConflictingHeaders(header.height, known, header, commit)
    trust.headers[header.height] = header.hash().hex()
    for old in sorted(trust.headers)[:-KEPT_HEADERS]:
        del trust.headers[old]
    return header


def _apply_change(trust: Trust, node: AnchorReader, change: dict[str, Any], validators: list[PublicKey]) -> None:
    """Check that the transactions named for one validator-set change were final under ``validators`` and
    approved by their quorum; apply them to ``validators`` (in place)."""
    height = int(change["from_height"])
    block = node.block(height - 1)
    checked_header(trust, block, validators)
    changed = False
    for tx_id in change.get("changed_by", []):
        try:
            tx = verify_tx_in_block(node.tx(str(tx_id)), block, validators, trust.chain_id)
        except VerificationError as e:
            raise TrustError(f"the change of validators at block {height}: {e}") from None
        if tx.type != "registry.update" or tx.tx_id != tx_id:
            raise TrustError(f"expected registry.update {shown(tx_id)}, the node answered {shown(tx.tx_id)} "
                             f"({shown(tx.type)})")
        body = tx.body
        entries, removes = list(body.get("set", [])), list(body.get("remove", []))
        message = approval_message(tx.chain, entries=entries, remove=removes, nonce=tx.nonce)
        allowed = {v.raw for v in validators}
        approved: set[bytes] = set()
        for approval in body.get("approvals", []):
            try:
                key = verify_approval(approval, message)
            except SignatureError:
                continue
            if key.raw in allowed:
                approved.add(key.raw)
        if len(approved) < quorum(len(validators)):
            raise TrustError(f"registry.update {tx_id}: expected approvals of {quorum(len(validators))} of the "
                             f"{len(validators)} trusted validators, found {len(approved)}")
        for entry in entries:
            if isinstance(entry, dict) and entry.get("role") == "validator":
                key = PublicKey(bytes(entry["public_key"]))
                if key.raw not in {v.raw for v in validators}:
                    validators.append(key)
                    changed = True
        before = len(validators)
        validators[:] = [v for v in validators if v.address not in removes]
        changed = changed or len(validators) != before
    named = sorted(PublicKey.from_hex(v).raw for v in change["validators"])
    if not changed or sorted(v.raw for v in validators) != named:
        raise TrustError(f"the node says the validators changed at block {height}, but the approved changes it "
                         f"names make {len(validators)} validators that are not the {len(named)} it names")


def refresh(trust: Trust, node: AnchorReader) -> tuple[Trust, list[str]]:
    """``trust`` brought up to date from ``node`` (see the module docstring); returns it and what changed."""
    status = node.status()
    if status.get("chain_id") != trust.chain_id:
        raise TrustError(f"expected a node of chain {shown(trust.chain_id)}, found {shown(status.get('chain_id'))}")
    validators = list(trust.validators)
    notes: list[str] = []
    try:
        for change in sorted(node.validator_sets(), key=lambda c: int(c["from_height"])):
            at = int(change["from_height"])
            if at == 0 or at <= trust.height:
                continue
            if sorted(PublicKey.from_hex(v).raw for v in change["validators"]) == sorted(v.raw for v in validators):
                continue
            _apply_change(trust, node, change, validators)
            notes.append(f"validators changed at block {at} (approved and final under the set before): now "
                         f"{len(validators)}")
        height = int(status["height"])
        head = checked_header(trust, node.block(height), validators)
        entries: dict[str, Any] = {}
        proven_at: dict[int, BlockHeader] = {height: head}
        for item in node.registry():
            address = str(item.get("address"))
            state = node.proven_value(f"registry/{address}")
            if state.get("key") != f"registry/{address}":
                raise VerificationError(f"asked for the proof of registry/{address}, the node answered one for "
                                        f"{shown(state.get('key'))}")
            at = int(state["height"])
            if at not in proven_at:
                proven_at[at] = checked_header(trust, node.block(at), validators)
            value = verify_state(state, proven_at[at])
            if value is not None:
                entries[address] = value
    except ConflictingHeaders:
        raise
    except (VerificationError, EncodingError, KeyError, TypeError, ValueError) as e:
        raise TrustError(f"the node's answers do not prove the registry: {clip(e, 300)}") from None
    if validators_hash(validators) != head.validators_hash:
        raise TrustError("the newest header names another validator set than the proven changes make")
    updated = _trust_of(trust, entries, validators, height)
    if sorted(updated.issuers) != sorted(trust.issuers):
        notes.append(f"issuers: {len(updated.issuers)} (was {len(trust.issuers)}), each proven against a final "
                     f"header")
    return updated, notes


def _trust_of(trust: Trust, entries: dict[str, Any], validators: list[PublicKey], height: int) -> Trust:
    issuers: dict[bytes, PublicKey] = {}
    users: dict[bytes, PublicKey] = {}
    names: dict[str, str] = {}
    for address, value in entries.items():
        live = value.get("former") if value.get("removed") is True else value  # removed issuers stay listed
        if not isinstance(live, dict) or not isinstance(live.get("key"), bytes):
            continue
        key = PublicKey(live["key"])
        if address_of(key.raw) != address:
            raise TrustError(f"registry entry {address} holds the key of {key.address}")
        names[address] = str(live.get("name", ""))
        if live.get("role") in ISSUER_ROLES:
            issuers[key.kid] = key
        elif live.get("role") in USER_ROLES:
            users[key.kid] = key
    return Trust(trust.chain_id, issuers, validators, names, users, height=height, headers=trust.headers)


__all__ = ["ANCHOR_PREFIX", "AnchorReader", "ConflictingHeaders", "HeaderWatch", "TrustError", "checked_header",
           "decode_anchor", "encode_anchor", "refresh"]
