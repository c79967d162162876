"""Governance that runs: a node takes proposals to change the registry, approves them by its policy or its
operator, and submits the ``registry.update`` once the approvals reach the quorum (ledger/rules/governance.py).

A proposal is a signed envelope (``ledger_lite.tx``) of type ``registry.propose`` that never enters a block::

    {"set": [{"public_key": bytes(32), "role", "name", "attrs"}...], "remove": [address...]}

signed by a registered intermediary or validator on this chain; its transaction id is the proposal's id and its
nonce becomes the ``registry.update``'s (the approvals sign it, ``ledger_lite.governance.approval_message``).

1. ``propose`` checks the envelope (encoding, chain, signature, a registered proposer of a role that may propose)
   and the change (each entry a valid registry entry), keeps it (``ledger.governance_store``) and then decides.
2. The policy (``ledger.governance_policy``) approves a producer's registration of its intermediary at once (S22);
   anything else waits for the operator: ``approve`` or ``reject`` (with a reason) by a key this node holds.
3. An approval is this node's: every validator key it holds signs the change. On a consortium node the proposal
   and its approvals go to the other validators' nodes (``ledger.governance_peers``), which decide by their own
   policy or operator and send theirs back. When the approvals of registered validators make ⌈2n/3⌉ of the n in
   force (a solo node: its one key) the node signs the ``registry.update`` with its own key and submits it; the
   outcome of its block makes the proposal ``registered`` or ``refused`` (with the rule's code and message). A
   change another node submitted first (``already_applied``), or that is in the ledger while this node still
   waits, is ``registered`` here too.
4. A submitted proposal whose outcome was not seen (the node stopped) is looked up in the ledger when it is next
   read or the node's API starts again, and submitted again if the ledger does not hold it.
"""

from __future__ import annotations

import logging
import threading
import time as wall
from pathlib import Path
from typing import Any

from ledger.errors import NotFound, Rejected, shown
from ledger.governance_peers import GovernancePeers
from ledger.governance_policy import Policy, auto_approves
from ledger.governance_store import FILE_NAME, STATES, Proposal, ProposalStore
from ledger.node import Node
from ledger.node_base import Pending
from ledger.registry import Entry, is_removed
from ledger.rules.governance import governance_key, parse_entry
from ledger.verifier import check_one, rebuild
from ledger_lite import SignatureError, SigningKey, Transaction, quorum, sign_tx
from ledger_lite.governance import approval_message, verify_approval
from ledger_lite.keys import is_address

log = logging.getLogger(__name__)

PROPOSAL_TYPE = "registry.propose"
PROPOSERS = ("intermediary", "validator")
MAX_CHANGES = 64
MAX_WAITING = 50           # waiting proposals one proposer may have at a time
MAX_REASON_CHARS = 500
MAX_APPROVALS = 256
SETTLE_S = 10.0            # how long propose/approve wait for the registry.update's block before answering


class ProposalRefused(Rejected):
    """A proposal, approval or rejection this node does not take (4xx, ``{error, message}``)."""


def _entry_of(index: int, value: Any) -> tuple[Entry, dict[str, Any]]:
    """``set[index]`` as an ``Entry`` (checked as the ``registry.update`` rule checks it) and its JSON form; 400
    ``bad_proposal`` when it is no valid entry."""
    try:
        entry = parse_entry(index, value)
    except Rejected as exc:
        raise ProposalRefused("bad_proposal", exc.message, 400) from exc
    return entry, {"public_key": entry.public_key.hex(), "role": entry.role, "name": entry.name,
                   "attrs": dict(entry.attrs)}


def _wire_entry(value: dict[str, Any]) -> dict[str, Any]:
    """A stored entry (JSON form) as the ``registry.update`` body carries it."""
    return {"public_key": bytes.fromhex(value["public_key"]), "role": value["role"], "name": value["name"],
            "attrs": value["attrs"]}


class GovernanceDesk:
    """One node's proposals: taken, decided and carried to the ledger (see the module docstring)."""

    def __init__(self, node: Node, policy: Policy, *, directory: Path | None = None,
                 peers: GovernancePeers | None = None) -> None:
        self.node = node
        self.policy = policy
        self.peers = peers or GovernancePeers(())
        self.store = ProposalStore((directory or node.store.path.parent) / FILE_NAME)
        self.peers.keep_in(self.store)  # what peers did not take yet is sent again, also after a restart
        self._lock = threading.RLock()  # one decision at a time: approvals and submissions never race
        self._pending: dict[str, Pending] = {}
        for proposal in self.store.list("submitted", limit=1000):
            self._resume(proposal)

    # --- the proposer's side ------------------------------------------------------------------------------
    def propose(self, raw: bytes) -> tuple[Proposal, bool]:
        """Take the proposal in ``raw`` (a signed envelope); (its record, whether it is new). Decides at once
        when the policy approves it."""
        tx = self._envelope(raw)
        known = self.store.get(tx.tx_id)
        if known is not None:
            return self._settled(known), False
        role = self.node.role_of(tx.signer_address)
        if role is None:
            raise ProposalRefused("unknown_signer", f"expected a proposal signed by a registered key, found "
                                                    f"{tx.signer_address}", 403)
        if role not in PROPOSERS:
            raise ProposalRefused("wrong_role", f"expected a proposal by an intermediary or a validator, found a "
                                                f"{role} ({tx.signer_address})", 403)
        entries, wire, remove = self._change(tx.body)
        with self._lock:
            if self.store.count("waiting", tx.signer_address) >= MAX_WAITING:
                raise ProposalRefused("too_many_proposals", f"expected at most {MAX_WAITING} waiting proposals "
                                                            f"by {tx.signer_address}, found {MAX_WAITING}", 429)
            proposal = Proposal(id=tx.tx_id, proposer=tx.signer_address, proposer_role=role, set=wire,
                                remove=remove, nonce=tx.nonce, created=int(wall.time()), envelope=raw.hex())
            self.store.put(proposal)  # kept before anything is answered or decided
            if auto_approves(self.policy, tx.signer_address, role, entries, remove, self._registry()):
                self._approve(proposal, "policy")  # shared with the peers if it still waits
            else:
                self.peers.share(proposal.id, raw, {})  # the other validators' operators see it too
        return self._wait(proposal.id), True

    def proposal(self, proposal_id: str) -> Proposal:
        found = self.store.get(proposal_id)
        if found is None:
            raise NotFound(f"expected the id of a proposal this node was sent, found {shown(proposal_id)}")
        return self._settled(found)

    def proposals(self, state: str | None = None, proposer: str | None = None, limit: int = 100) -> list[Proposal]:
        if state is not None and state not in STATES:
            raise ProposalRefused("bad_request", f"expected a state among {', '.join(STATES)}, found "
                                                 f"{shown(state)}", 400)
        return [self._settled(p) for p in self.store.list(state, proposer, limit)]

    # --- the operator's side ------------------------------------------------------------------------------
    def approve(self, proposal_id: str, operator: str) -> Proposal:
        """The operator (``operator``: the address of a key this node holds) approves a waiting proposal."""
        self._require_operator(operator)
        with self._lock:
            proposal = self._waiting(proposal_id, "approve")
            self._approve(proposal, "operator")
        return self._wait(proposal_id)

    def reject(self, proposal_id: str, operator: str, reason: str) -> Proposal:
        self._require_operator(operator)
        reason = reason.strip()
        if not 0 < len(reason) <= MAX_REASON_CHARS:
            raise ProposalRefused("bad_request", f"expected a reason of 1 to {MAX_REASON_CHARS} characters, found "
                                                 f"{len(reason)}", 400)
        with self._lock:
            proposal = self._waiting(proposal_id, "reject")
            proposal.state, proposal.reason, proposal.decided_by = "refused", f"rejected by the operator: {reason}", \
                "operator"
            self.store.put(proposal)
        return proposal

    def add_approvals(self, proposal_id: str, envelope: bytes, approvals: list[Any]) -> Proposal:
        """Approvals from the other validators' nodes (ledger/governance_peers.py), with the proposal they approve
        (taken first if this node has not heard of it). Each must be a registered validator's signature over this
        change; one that is not is refused (400) and nothing of the message is kept."""
        tx = self._envelope(envelope)
        if tx.tx_id != proposal_id:
            raise ProposalRefused("bad_request", f"expected the envelope of proposal {proposal_id}, found one of "
                                                 f"{tx.tx_id}", 400)
        if self.store.get(proposal_id) is None:
            self.propose(envelope)
        if not isinstance(approvals, list) or len(approvals) > MAX_APPROVALS:
            raise ProposalRefused("bad_request", f"expected a list of at most {MAX_APPROVALS} approvals, found "
                                                 f"{shown(approvals)}", 400)
        with self._lock:
            proposal = self.proposal(proposal_id)
            message = self._message(proposal)
            validators = self._validators()
            for i, approval in enumerate(approvals):
                key, sig = self._approval_of(i, approval, message, validators)
                proposal.signatures[key] = sig
            proposal.approvals = sorted({*proposal.approvals, *proposal.signatures})
            self.store.put(proposal)
            if proposal.state == "waiting":
                self._try_submit(proposal)
        return self._wait(proposal_id)

    def holds(self, address: str) -> bool:
        """Whether ``address`` is a validator key this node holds (its operator's)."""
        return any(k.address == address for k in self._held_keys())

    # --- deciding -----------------------------------------------------------------------------------------
    def _approve(self, proposal: Proposal, by: str) -> None:
        """This node's approval: every validator key it holds signs the change; shared with the peers; submitted
        once the approvals make a quorum."""
        message = self._message(proposal)
        held = self._held_keys()
        proposal.signatures.update({k.public.hex(): k.sign(message).hex() for k in held})
        proposal.approvals = sorted({*proposal.approvals, *proposal.signatures})
        proposal.decided_by = by
        self.store.put(proposal)
        self._try_submit(proposal)
        if proposal.state == "waiting" and proposal.envelope:
            self.peers.share(proposal.id, bytes.fromhex(proposal.envelope), proposal.signatures)

    def _try_submit(self, proposal: Proposal) -> None:
        """Submit the ``registry.update`` when the approvals of registered validators reach ⌈2n/3⌉."""
        validators = self._validators()
        counted = {k: s for k, s in proposal.signatures.items() if k in validators}
        need = quorum(len(validators))
        if len(counted) < need:
            if proposal.decided_by:
                proposal.reason = f"approved by {len(counted)} of the {need} validators needed (of " \
                                  f"{len(validators)}); waiting for the others' approvals"
                self.store.put(proposal)
            return
        approvals = [{"validator": bytes.fromhex(k), "sig": bytes.fromhex(s)} for k, s in sorted(counted.items())]
        body = {"set": [_wire_entry(e) for e in proposal.set], "remove": list(proposal.remove), "approvals": approvals}
        update = sign_tx(self.node.key, chain=self.node.chain_id, type="registry.update", body=body,
                         nonce=proposal.nonce, time=self.node.clock())
        proposal.state, proposal.update, proposal.tx_id, proposal.reason = "submitted", update.encode().hex(), \
            update.tx_id, ""
        self.store.put(proposal)  # kept as submitted before it is sent: a restart sends it again (_resume)
        self._submit(proposal)

    def _submit(self, proposal: Proposal) -> None:
        try:
            self._pending[proposal.id] = self.node.submit(bytes.fromhex(proposal.update))
        except Rejected as exc:
            if exc.code == "duplicate":
                return  # already queued or committed: _settled finds it
            self._finish(proposal, {"code": exc.code, "message": exc.message})

    def _resume(self, proposal: Proposal) -> None:
        if self.node.store.has_tx(proposal.tx_id):
            self._settled(proposal)
        else:
            self._submit(proposal)

    def _settled(self, proposal: Proposal) -> Proposal:
        """``proposal`` with the outcome of its ``registry.update`` recorded, once there is one."""
        if proposal.state == "waiting":
            applied = self._applied(proposal)
            if applied is not None:  # another validator's node submitted it (a consortium)
                with self._lock:
                    self._finish(proposal, {"code": "ok", "height": applied.get("height")})
            return proposal
        if proposal.state != "submitted":
            return proposal
        with self._lock:
            pending = self._pending.get(proposal.id)
            if pending is not None and pending.outcome is not None:
                self._finish(proposal, pending.outcome)
            elif self.node.store.has_tx(proposal.tx_id):
                committed = self.node.tx(proposal.tx_id)
                self._finish(proposal, {"code": "ok", "height": committed["height"]})
            elif pending is None:
                self._submit(proposal)  # neither queued by this process nor in the ledger: send it again
        return proposal

    def _finish(self, proposal: Proposal, outcome: dict[str, Any]) -> None:
        self._pending.pop(proposal.id, None)
        applied = self._applied(proposal) if outcome.get("code") == "already_applied" else None
        if applied is not None:  # another validator's node submitted the same change first
            outcome = {"code": "ok", "height": applied.get("height")}
        if outcome.get("code") == "ok":
            proposal.state, proposal.height, proposal.reason = "registered", outcome.get("height"), ""
        else:
            proposal.state = "refused"
            proposal.reason = f"refused by the ledger: {outcome.get('code')}: {outcome.get('message', '')}"
        self.store.put(proposal)
        log.info("governance proposal %s %s", proposal.id, proposal.state)

    def _wait(self, proposal_id: str) -> Proposal:
        """The proposal once its ``registry.update`` settled, or as it is after ``SETTLE_S``."""
        pending = self._pending.get(proposal_id)
        if pending is not None:
            pending.wait(SETTLE_S)
        return self.proposal(proposal_id)

    # --- checks -------------------------------------------------------------------------------------------
    def _envelope(self, raw: bytes) -> Transaction:
        admitted = rebuild(raw, check_one(raw, self.node.chain_id))
        if isinstance(admitted, Rejected):
            raise ProposalRefused(admitted.code, admitted.message, admitted.status)
        tx = admitted.tx
        if tx.type != PROPOSAL_TYPE:
            raise ProposalRefused("bad_proposal", f"expected an envelope of type {PROPOSAL_TYPE!r}, found "
                                                  f"{shown(tx.type)}", 400)
        return tx

    @staticmethod
    def _change(body: Any) -> tuple[list[Entry], list[dict[str, Any]], list[str]]:
        if not isinstance(body, dict) or sorted(body) != ["remove", "set"] \
                or not isinstance(body["set"], list) or not isinstance(body["remove"], list):
            raise ProposalRefused("bad_proposal", f"expected a body {{set: [...], remove: [...]}}, found "
                                                  f"{shown(body)}", 400)
        raw_set, remove = body["set"], body["remove"]
        if not 0 < len(raw_set) + len(remove) <= MAX_CHANGES:
            raise ProposalRefused("bad_proposal", f"expected 1 to {MAX_CHANGES} entries to set or addresses to "
                                                  f"remove, found {len(raw_set) + len(remove)}", 400)
        parsed = [_entry_of(i, v) for i, v in enumerate(raw_set)]
        for i, address in enumerate(remove):
            if not isinstance(address, str) or not is_address(address):
                raise ProposalRefused("bad_proposal", f"remove[{i}]: expected an address ('gc1' + 40 hex digits), "
                                                      f"found {shown(address)}", 400)
        return [e for e, _ in parsed], [w for _, w in parsed], list(remove)

    def _message(self, proposal: Proposal) -> bytes:
        return approval_message(self.node.chain_id, entries=[_wire_entry(e) for e in proposal.set],
                                remove=proposal.remove, nonce=proposal.nonce)

    def _applied(self, proposal: Proposal) -> dict[str, Any] | None:
        """The ledger's record of this change once applied (``governance/<hash>``, ledger/rules/governance.py)."""
        with self.node._lock:
            value = self.node.state.get(governance_key(self._message(proposal)))
        return value if isinstance(value, dict) else None

    def _validators(self) -> set[str]:
        """Hex public keys of the validators registered now."""
        return {e.public_key.hex() for e in self._registry().values() if e.role == "validator"}

    @staticmethod
    def _approval_of(index: int, approval: Any, message: bytes, validators: set[str]) -> tuple[str, str]:
        where = f"approvals[{index}]"
        try:
            key, sig = bytes.fromhex(approval["validator"]), bytes.fromhex(approval["sig"])
            verify_approval({"validator": key, "sig": sig}, message)
        except (TypeError, KeyError, ValueError, SignatureError) as exc:
            raise ProposalRefused("bad_approval", f"{where}: expected a validator's signature over this change "
                                                  f"(hex validator and sig), found {shown(approval)}", 400) from exc
        if key.hex() not in validators:
            raise ProposalRefused("bad_approval", f"{where}: expected the key of a registered validator, found "
                                                  f"{key.hex()}", 400)
        return key.hex(), sig.hex()

    def _waiting(self, proposal_id: str, action: str) -> Proposal:
        proposal = self.proposal(proposal_id)
        if proposal.state != "waiting":
            raise ProposalRefused("not_waiting", f"expected a waiting proposal to {action}, found proposal "
                                                 f"{proposal_id} {proposal.state}", 409)
        return proposal

    def _require_operator(self, address: str) -> None:
        if not self.holds(address):
            raise ProposalRefused("forbidden", f"expected a request signed by a validator key this node holds (its "
                                               f"operator's), found {address}", 403)

    def _held_keys(self) -> list[SigningKey]:
        validators = {e.public_key for e in self._registry().values() if e.role == "validator"}
        keys = {k.public.raw: k for k in (self.node.key, *self.node.cosigners) if k.public.raw in validators}
        return [keys[raw] for raw in sorted(keys)]

    def _registry(self) -> dict[str, Entry]:
        with self.node._lock:
            values = [v for _, v in self.node.state.items("registry/")]
        return {v["address"]: Entry.from_state(v) for v in values if not is_removed(v)}
