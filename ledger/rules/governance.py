"""Governance: ``registry.update`` changes the registry with a quorum of validator approvals.

DESIGN.md "The ledger" / Identities: the registry binds keys to roles, "is set in genesis and changed only by
governance transactions". Body::

    {"set": [{"public_key": bytes(32), "role", "name", "attrs"}...], "remove": [address...],
     "approvals": [{"validator": bytes(32), "sig": bytes(64)}...]}

* The signer (the proposer) must be a registered validator. Its transaction signature is not an approval: it
  counts only if it also puts its own approval in ``approvals``.
* The change takes effect only with approvals from at least ⌈2n/3⌉ distinct validators registered *before* the
  change (n of them): the block-commit quorum (DESIGN.md "Blocks", seed 003's "reports exceed a predetermined
  number", ``ledger_lite.block.quorum``). Each approval signs ``ledger_lite.governance.approval_message`` over the
  chain id, ``set``, ``remove`` and the transaction's nonce. Approvals that do not verify, or whose key is not a
  registered validator, are ignored (not counted); one validator counts once however often it appears.
* An approved change applies once: the SHA-256 of its approval message is recorded under ``governance/<hex>``
  and the same message is refused afterwards (``already_applied``), so nobody can replay old approvals (say, to
  remove a key again after it was re-added, or to undo a later update); a new proposal takes a new nonce.
* ``set`` adds a key or updates a registered key in its role (a registered key keeps its role; to change it,
  remove the key and add it again in a later update). ``remove`` replaces ``registry/<address>`` by a tombstone
  (the state has no delete, and the tombstone keeps who the key was): ``{"address", "removed": True, "tx",
  "height", "time", "former": {"key", "role", "name", "attrs"}}``. A removed key is unregistered: its
  transactions are refused, and a meter's ``meter/<address>`` (the half hours it reported) stays, so a re-added
  meter can never report the same half hours again (seed 000: no overlapping intervals per meter).
* At least one validator must remain.

A change of the validators changes ``validators_hash`` of the next block header and the commit quorum: the node
(``ledger/producer.py``) has to take its validator set from the registry after each block; this rule only writes the
registry.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import Rejected
from ledger.registry import Entry, is_removed, validate_entry
from ledger.rules.context import Context, field
from ledger.state import Overlay, State
from ledger_lite import SignatureError, Transaction, address_of, quorum, sha256
from ledger_lite.governance import approval_message, verify_approval
from ledger_lite.keys import PUBLIC_KEY_SIZE, SIGNATURE_SIZE, is_address

REGISTRY_PREFIX = "registry/"
BODY_FIELDS = ("approvals", "remove", "set")
ENTRY_FIELDS = ("attrs", "name", "public_key", "role")
MAX_CHANGES = 256       # entries set + addresses removed in one update
MAX_APPROVALS = 256
MAX_NAME_CHARS = 200


def registry_key(address: str) -> str:
    return f"{REGISTRY_PREFIX}{address}"


def governance_key(message: bytes) -> str:
    return f"governance/{sha256(message).hex()}"


def tombstone(entry: Entry, tx: Transaction, ctx: Context) -> dict[str, Any]:
    return {"address": entry.address, "removed": True, "tx": tx.tx_id, "height": ctx.height, "time": ctx.time,
            "former": {"key": entry.public_key, "role": entry.role, "name": entry.name, "attrs": entry.attrs}}


def registered(state: Overlay) -> dict[str, Entry]:
    """Every live registry entry visible through ``state`` (the block's and this transaction's writes over the
    stored state), by address. Tombstones are left out."""
    layers: list[dict[str, Any]] = []
    base: State | Overlay = state
    while isinstance(base, Overlay):
        layers.append(base.writes)
        base = base.base
    values = dict(base.items(REGISTRY_PREFIX))
    for writes in reversed(layers):  # innermost (newest) writes last
        values.update((k, v) for k, v in writes.items() if k.startswith(REGISTRY_PREFIX))
    return {e.address: e for e in (Entry.from_state(v) for v in values.values() if v is not None and not is_removed(v))}


def parse_entry(index: int, value: Any) -> Entry:
    """``set[index]`` of an update body as a checked ``Entry``; 400 ``bad_body`` naming what is wrong."""
    where = f"set[{index}]"
    if not isinstance(value, dict) or sorted(value) != sorted(ENTRY_FIELDS):
        found = sorted(map(str, value)) if isinstance(value, dict) else type(value).__name__
        raise Rejected("bad_body", f"{where}: expected an entry map with fields {list(ENTRY_FIELDS)}, found {found}",
                       400)
    public_key, role, name, attrs = value["public_key"], value["role"], value["name"], value["attrs"]
    if not isinstance(public_key, bytes) or len(public_key) != PUBLIC_KEY_SIZE:
        raise Rejected("bad_body", f"{where}: expected a {PUBLIC_KEY_SIZE}-byte public_key, found "
                                   f"{type(public_key).__name__} {public_key!r:.40}", 400)
    if not isinstance(role, str) or not isinstance(attrs, dict):
        raise Rejected("bad_body", f"{where}: expected role (text) and attrs (map), found {type(role).__name__} and "
                                   f"{type(attrs).__name__}", 400)
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_CHARS:
        raise Rejected("bad_body", f"{where}: expected a name of 1 to {MAX_NAME_CHARS} characters, found "
                                   f"{name!r:.60}", 400)
    entry = Entry(address=address_of(public_key), public_key=public_key, role=role, name=name, attrs=dict(attrs))
    try:
        validate_entry(entry)
    except Rejected as exc:
        raise Rejected(exc.code, f"{where}: {exc.message}", 400) from exc
    return entry


def update(tx: Transaction, ctx: Context) -> dict[str, Any]:
    ctx.require_role(tx.signer_address, "validator")
    body = tx.body
    raw_set, removes, approvals = field(body, "set", list), field(body, "remove", list), field(body, "approvals", list)
    if sorted(body) != sorted(BODY_FIELDS):
        # Everything in the body must be covered by the approvals: no unapproved extra fields.
        raise Rejected("bad_body", f"expected body fields {list(BODY_FIELDS)}, found {sorted(map(str, body))}", 400)
    if not 0 < len(raw_set) + len(removes) <= MAX_CHANGES:
        raise Rejected("bad_body", f"expected 1 to {MAX_CHANGES} entries to set or addresses to remove, found "
                                   f"{len(raw_set) + len(removes)}", 400)
    if len(approvals) > MAX_APPROVALS:
        raise Rejected("bad_body", f"expected at most {MAX_APPROVALS} approvals, found {len(approvals)}", 400)
    entries = [parse_entry(i, value) for i, value in enumerate(raw_set)]
    for i, address in enumerate(removes):
        if not isinstance(address, str) or not is_address(address):
            raise Rejected("bad_body", f"remove[{i}]: expected an address (gc1 + 40 hex digits), found "
                                       f"{address!r:.60}", 400)
    for i, approval in enumerate(approvals):
        if (not isinstance(approval, dict) or sorted(approval) != ["sig", "validator"]
                or not isinstance(approval["validator"], bytes) or not isinstance(approval["sig"], bytes)
                or len(approval["validator"]) != PUBLIC_KEY_SIZE or len(approval["sig"]) != SIGNATURE_SIZE):
            raise Rejected("bad_body", f"approvals[{i}]: expected {{'validator': {PUBLIC_KEY_SIZE} bytes, 'sig': "
                                       f"{SIGNATURE_SIZE} bytes}}, found {approval!r:.80}", 400)
    set_addresses = [e.address for e in entries]
    for what, addresses in (("key once in 'set'", set_addresses), ("address once in 'remove'", removes)):
        twice = sorted({a for a in addresses if addresses.count(a) > 1})
        if twice:
            raise Rejected("bad_registry", f"expected each {what}, found {twice[0]} {addresses.count(twice[0])} "
                                           f"times", 400)
    both = sorted(set(set_addresses) & set(removes))
    if both:
        raise Rejected("bad_registry", f"expected an address to be either set or removed, found {both[0]} in both",
                       400)

    # An approved change applies once (see the module docstring).
    message = approval_message(tx.chain, entries=raw_set, remove=removes, nonce=tx.nonce)
    applied = ctx.state.get(governance_key(message))
    if applied is not None:
        raise Rejected("already_applied", f"this change with nonce {tx.nonce} was already applied by transaction "
                                          f"{applied['tx']} at height {applied['height']}; propose it again with "
                                          f"a new nonce and new approvals", 409)

    # Quorum: ⌈2n/3⌉ of the n validators registered now (DESIGN.md "Blocks").
    current = registered(ctx.state)
    validators = {a: e for a, e in current.items() if e.role == "validator"}
    approved: set[str] = set()
    for approval in approvals:
        try:
            key = verify_approval(approval, message)
        except SignatureError:
            continue  # does not verify over this change: not counted
        known = validators.get(key.address)
        if known is not None and known.public_key == key.raw:
            approved.add(key.address)
    need = quorum(len(validators))
    if len(approved) < need:
        raise Rejected("no_quorum", f"expected approvals from at least {need} of the {len(validators)} registered "
                                    f"validators, found {len(approved)} valid validator approvals among "
                                    f"{len(approvals)} given", 403)

    # The change against the registry as it is.
    for i, entry in enumerate(entries):
        existing = current.get(entry.address)
        if existing is not None and (existing.public_key != entry.public_key or existing.role != entry.role):
            raise Rejected("bad_registry", f"set[{i}]: address {entry.address} is registered as {existing.role} "
                                           f"({existing.name}); a registered key keeps its role, found role "
                                           f"{entry.role}: remove it first", 409)
    for i, address in enumerate(removes):
        if address not in current:
            state = "was removed" if is_removed(ctx.state.get(registry_key(address))) else "is not registered"
            raise Rejected("unknown_address", f"remove[{i}]: expected a registered address, found {address}, which "
                                              f"{state}", 404)
    remaining = (set(validators) | {e.address for e in entries if e.role == "validator"}) - set(removes)
    if not remaining:
        raise Rejected("bad_registry", f"expected at least one validator after the change, found none: it removes "
                                       f"all {len(validators)} registered validators", 409)

    for entry in entries:
        ctx.state.put(registry_key(entry.address), entry.to_state())
    for address in removes:
        ctx.state.put(registry_key(address), tombstone(current[address], tx, ctx))
    ctx.state.put(governance_key(message), {"tx": tx.tx_id, "height": ctx.height})
    return {"set": set_addresses, "removed": list(removes), "approvals": len(approved), "needed": need,
            "validators": len(remaining)}
