"""registry.update: the registry "is set in genesis and changed only by governance transactions" (DESIGN.md
"The ledger"), with approvals from at least ⌈2n/3⌉ of the n registered validators (DESIGN.md "Blocks")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.errors import Rejected
from ledger.node import Node
from ledger.rules import Context, execute
from ledger.rules.governance import governance_key
from ledger.state import Overlay
from ledger_lite import SigningKey, Transaction, canonical, quorum
from ledger_lite.governance import GOVERNANCE_DOMAIN, approval_message, sign_approval
from tests.helpers.ledger_world import DAY_ONE_END, LedgerWorld, ManualClock, slot
from tests.ledger.support import assert_rejected, fingerprint

NEEDS_CONTEXT = ("needs ledger/rules/context.py: Context.entry() returns None for a registry tombstone "
                 "(value['removed'] is True); today Entry.from_state(tombstone) raises KeyError")
NEEDS_ADMISSION = ("needs ledger/node.py Node.admit: a tombstoned signer is unregistered (unknown_signer at "
                   "admission); today only a missing registry value is")

WIND_METER = SigningKey.derive("test/meter/Ac")


def wind_entry(w: LedgerWorld, capacity_w: int = 10_000) -> dict[str, Any]:
    return w.registry_entry(WIND_METER, "meter", "Smart meter of Ac", provider="Ac", method="wind",
                            capacity_w=capacity_w)


def reading(w: LedgerWorld, meter: SigningKey, n: int, wh: int = 1_000) -> Transaction:
    """A one-half-hour reading by ``meter`` as the wind meter of Ac."""
    return w.generate(slot(n), wh, meter=meter, provider="Ac", method="wind")


def outcome_of(node: Node, w: LedgerWorld, tx: Transaction) -> dict[str, Any]:
    """The block outcome of ``tx``, or its refusal at admission as an outcome of the same shape."""
    try:
        return w.submit_wait(node, tx)
    except Rejected as exc:
        return {"code": exc.code, "status": exc.status, "message": exc.message, "at": "admission"}


@pytest.fixture
def consortium(request: pytest.FixtureRequest, tmp_path: Path, ledger_world: LedgerWorld,
               ledger_clock: ManualClock) -> Iterator[tuple[Node, list[SigningKey]]]:
    """A node whose genesis has ``request.param`` validators (``ledger_world.validator`` first)."""
    others = ledger_world.extra_validators(request.param - 1)
    node = ledger_world.open_node_with(ledger_world.genesis_with(*others), tmp_path / "node", ledger_clock,
                                       cosigners=others)
    yield node, [ledger_world.validator, *others]
    node.close()


# --- effects ------------------------------------------------------------------------------------------------

def test_added_meter_can_submit_readings(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    outcome = outcome_of(ledger_node, w, reading(w, WIND_METER, 2))
    assert_rejected(outcome, "unknown_signer", 403, f"found {WIND_METER.address}")
    tx = w.registry_update(set_entries=[wind_entry(w)])
    out = w.commit(ledger_node, tx)
    assert out["result"] == {"set": [WIND_METER.address], "removed": [], "approvals": 1, "needed": 1,
                             "validators": 1}
    assert ledger_node.value(f"registry/{WIND_METER.address}") == {
        "address": WIND_METER.address, "key": WIND_METER.public.hex(), "role": "meter", "name": "Smart meter of Ac",
        "attrs": {"provider": "Ac", "method": "wind", "capacity_w": 10_000}}
    assert WIND_METER.address in {e["address"] for e in ledger_node.registry()}
    asset_id = w.commit(ledger_node, reading(w, WIND_METER, 2))["result"]["asset_id"]
    asset = ledger_node.value(f"asset/{asset_id}")
    assert (asset["meter"], asset["provider"], asset["method"], asset["wh"]) == (WIND_METER.address, "Ac", "wind",
                                                                                 1_000)
    # The approved change is recorded once, under the hash of what the validators signed.
    message = approval_message(w.chain_id, entries=[wind_entry(w)], remove=[], nonce=tx.nonce)
    assert ledger_node.value(governance_key(message)) == {"tx": tx.tx_id, "height": out["height"]}


def test_updated_meter_is_bound_by_its_new_capacity(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    # The same key in the same role: an update, not a collision.
    w = ledger_world
    w.commit(ledger_node, w.registry_update(set_entries=[wind_entry(w, capacity_w=10_000)]))
    w.commit(ledger_node, reading(w, WIND_METER, 2, 5_000))
    w.commit(ledger_node, w.registry_update(set_entries=[wind_entry(w, capacity_w=2_000)]))
    assert ledger_node.value(f"registry/{WIND_METER.address}")["attrs"]["capacity_w"] == 2_000
    outcome = w.submit_wait(ledger_node, reading(w, WIND_METER, 3, 5_000))
    assert_rejected(outcome, "over_capacity", 422, "expected 0 < Wh <= 1050 for 2000 W")


def test_removed_meter_is_tombstoned_and_creates_no_asset(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    tx = w.registry_update(remove=[w.meter.address])
    out = w.commit(ledger_node, tx)
    assert out["result"] == {"set": [], "removed": [w.meter.address], "approvals": 1, "needed": 1, "validators": 1}
    assert ledger_node.value(f"registry/{w.meter.address}") == {
        "address": w.meter.address, "removed": True, "tx": tx.tx_id, "height": out["height"], "time": DAY_ONE_END,
        "former": {"key": w.meter.public.hex(), "role": "meter", "name": "Smart meter of Aa",
                   "attrs": {"provider": "Aa", "method": "solar", "capacity_w": 50_000}}}
    before = fingerprint(ledger_node)
    outcome = outcome_of(ledger_node, w, w.generate(slot(2), 1_000))
    # Refused as an unknown signer: never an asset.
    assert outcome["code"] != "ok" and outcome["status"] >= 400
    assert fingerprint(ledger_node) == before
    assert ledger_node.assets(w.intermediary.address) == []


def test_removed_meter_reading_is_refused_as_unknown_signer(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    w.commit(ledger_node, w.registry_update(remove=[w.meter.address]))
    with pytest.raises(Rejected, match=f"expected a registered key, found unregistered {w.meter.address}") as caught:
        execute(w.generate(slot(2), 1_000), Context(state=Overlay(ledger_node.state), time=DAY_ONE_END, height=9))
    assert (caught.value.code, caught.value.status) == ("unknown_signer", 403)


def test_removed_meter_reading_is_refused_at_admission(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    w.commit(ledger_node, w.registry_update(remove=[w.meter.address]))
    with pytest.raises(Rejected, match=f"expected a registered signer, found {w.meter.address}") as caught:
        ledger_node.submit(w.generate(slot(2), 1_000).encode())
    assert (caught.value.code, caught.value.status) == ("unknown_signer", 403)


def test_registry_listing_marks_removed_keys(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    # /v1/registry feeds the trust lists (greencert verify, the intermediary's /trust): a removed issuer's
    # earlier certificates must still verify, so removed keys stay listed, marked with when they were removed.
    w = ledger_world
    outcome = w.commit(ledger_node, w.registry_update(remove=[w.meter.address]))
    listed = {e["address"]: e for e in ledger_node.registry()}
    assert listed[w.meter.address]["removed"] is True
    assert listed[w.meter.address]["removed_at"] == outcome["height"]
    assert listed[w.meter.address]["public_key"] == w.meter.public.hex()
    assert listed[w.meter_oil.address]["removed"] is False and listed[w.meter_oil.address]["role"] == "meter"


def test_re_added_key_in_another_role_is_refused_as_wrong_role(ledger_world: LedgerWorld,
                                                               ledger_node: Node) -> None:
    w = ledger_world
    w.commit(ledger_node, w.registry_update(remove=[w.meter.address]))
    w.commit(ledger_node, w.registry_update(set_entries=[w.registry_entry(w.meter, "user", "Was a meter",
                                                                          user_name="Aa")]))
    outcome = w.submit_wait(ledger_node, w.generate(slot(2), 1_000))
    assert_rejected(outcome, "wrong_role", 403, f"expected a key with role meter, found user for {w.meter.address}")


def test_re_added_meter_cannot_report_its_old_half_hours_again(ledger_world: LedgerWorld,
                                                               ledger_node: Node) -> None:
    w = ledger_world
    w.new_asset(ledger_node, 4)
    w.commit(ledger_node, w.registry_update(remove=[w.meter.address]))
    meter_entry = w.registry_entry(w.meter, "meter", "Smart meter of Aa", provider="Aa", method="solar",
                                   capacity_w=50_000)
    w.commit(ledger_node, w.registry_update(set_entries=[meter_entry]))
    outcome = w.submit_wait(ledger_node, w.generate(slot(4), 1_000))
    assert_rejected(outcome, "overlap", 422, f"overlaps {slot(4)}..{slot(5)}, which the meter already reported")
    w.commit(ledger_node, w.generate(slot(5), 1_000))


def test_several_changes_apply_together(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    newcomer = SigningKey.derive("test/intermediary/Dc")
    tx = w.registry_update(set_entries=[wind_entry(w), w.registry_entry(newcomer, "intermediary", "Intermediary Dc")],
                           remove=[w.meter_oil.address, w.user2.address])
    out = w.commit(ledger_node, tx)
    assert out["result"]["set"] == [WIND_METER.address, newcomer.address]
    assert out["result"]["removed"] == [w.meter_oil.address, w.user2.address]
    assert ledger_node.value(f"registry/{newcomer.address}")["role"] == "intermediary"
    assert ledger_node.value(f"registry/{w.user2.address}")["removed"] is True
    assert ledger_node.value(f"registry/{w.meter_oil.address}")["former"]["role"] == "meter"


# --- quorum -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "need"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (7, 5)])
def test_quorum_is_two_thirds_rounded_up(n: int, need: int) -> None:
    assert quorum(n) == need


@pytest.mark.parametrize(("consortium", "need"), [(3, 2), (4, 3)], indirect=["consortium"])
def test_consortium_needs_a_quorum_of_approvals(ledger_world: LedgerWorld,
                                                consortium: tuple[Node, list[SigningKey]], need: int) -> None:
    w = ledger_world
    node, validators = consortium
    n = len(validators)
    before = fingerprint(node)
    # One short of the quorum, however the approvals are padded (repeats count once).
    short = validators[:need - 1]
    for approvers in (short, short * 3):
        outcome = w.submit_wait(node, w.registry_update(set_entries=[wind_entry(w)], approvers=approvers))
        assert_rejected(outcome, "no_quorum", 403, f"expected approvals from at least {need} of the {n} registered "
                                                   f"validators, found {need - 1} valid validator approvals among "
                                                   f"{len(approvers)} given")
    assert fingerprint(node) == before
    # The proposer need not approve: any ``need`` validators will do.
    out = w.commit(node, w.registry_update(set_entries=[wind_entry(w)], approvers=validators[-need:]))
    assert out["result"]["approvals"] == need and out["result"]["needed"] == need
    w.commit(node, reading(w, WIND_METER, 2))


@pytest.mark.parametrize("consortium", [3], indirect=True)
def test_approvals_that_do_not_count(ledger_world: LedgerWorld, consortium: tuple[Node, list[SigningKey]]) -> None:
    w = ledger_world
    node, validators = consortium
    entries = [wind_entry(w)]
    nonce = 10_000
    not_counted = [
        sign_approval(w.intermediary, w.chain_id, entries=entries, remove=[], nonce=nonce),  # not a validator
        sign_approval(w.outsider, w.chain_id, entries=entries, remove=[], nonce=nonce),      # not registered
        sign_approval(validators[1], w.chain_id, entries=entries, remove=[], nonce=nonce + 1),  # other nonce
        sign_approval(validators[1], "greencert-prod", entries=entries, remove=[], nonce=nonce),  # other chain
        sign_approval(validators[1], w.chain_id, entries=[], remove=[w.meter.address], nonce=nonce),  # other change
        {"validator": validators[2].public.raw,  # validator 2's key with validator 1's signature
         "sig": sign_approval(validators[1], w.chain_id, entries=entries, remove=[], nonce=nonce)["sig"]},
        {"validator": validators[1].public.raw, "sig": bytes(64)},
    ]
    tx = w.registry_update(set_entries=entries, approvers=validators[:1], extra_approvals=not_counted, nonce=nonce)
    outcome = w.submit_wait(node, tx)
    assert_rejected(outcome, "no_quorum", 403, f"at least 2 of the 3 registered validators, found 1 valid validator "
                                               f"approvals among {1 + len(not_counted)} given")
    tx = w.registry_update(set_entries=entries, approvers=validators[:2], extra_approvals=not_counted, nonce=nonce,
                           time=1)
    assert w.commit(node, tx)["result"]["approvals"] == 2


def test_approval_message_is_domain_separated_canonical_cbor(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    entries = [wind_entry(w)]
    message = approval_message("greencert-test", entries=entries, remove=[w.meter.address], nonce=7)
    assert message == GOVERNANCE_DOMAIN + canonical({"chain": "greencert-test", "set": entries,
                                                     "remove": [w.meter.address], "nonce": 7})
    approval = sign_approval(w.validator, "greencert-test", entries=entries, remove=[w.meter.address], nonce=7)
    assert approval["validator"] == w.validator.public.raw
    w.validator.public.verify(approval["sig"], message)


def test_no_approval_at_all_is_no_quorum(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    outcome = w.submit_wait(ledger_node, w.registry_update(set_entries=[wind_entry(w)], approvers=[]))
    assert_rejected(outcome, "no_quorum", 403, "expected approvals from at least 1 of the 1 registered validators, "
                                               "found 0 valid validator approvals among 0 given")


def test_quorum_follows_the_validators_registered_now(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    v2, v3 = w.extra_validators(2)
    # The node also holds v2's and v3's keys, so its blocks stay final under n = 3 (see test_validator_changes).
    node = w.open_node(tmp_path / "node", ManualClock(), cosigners=[v2, v3])
    try:
        # n = 1: the node's validator alone adds two more.
        w.commit(node, w.registry_update(set_entries=[w.registry_entry(v2, "validator", "V2"),
                                                      w.registry_entry(v3, "validator", "V3")]))
        # n = 3 now: one approval is no longer enough.
        outcome = w.submit_wait(node, w.registry_update(set_entries=[wind_entry(w)]))
        assert_rejected(outcome, "no_quorum", 403, "at least 2 of the 3 registered validators, found 1")
        w.commit(node, w.registry_update(set_entries=[wind_entry(w)], approvers=[w.validator, v3], signer=v2))
        # A removed validator's approvals stop counting, and n shrinks with it.
        out = w.commit(node, w.registry_update(remove=[v3.address], approvers=[w.validator, v2]))
        assert out["result"]["validators"] == 2
        outcome = w.submit_wait(node, w.registry_update(remove=[w.user2.address], approvers=[w.validator, v3]))
        assert_rejected(outcome, "no_quorum", 403, "at least 2 of the 2 registered validators, found 1")
    finally:
        node.close()


def test_replayed_approvals_are_refused(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    first = w.registry_update(remove=[w.user2.address])
    out = w.commit(ledger_node, first)
    w.commit(ledger_node, w.registry_update(set_entries=[w.registry_entry(w.user2, "user", "Consumer Cb",
                                                                          user_name="Consumer Cb")]))
    # The same approved change (same nonce) in a new envelope would remove Cb again: refused.
    replay = w.registry_update(remove=[w.user2.address], nonce=first.nonce, time=first.time + 1)
    assert replay.tx_id != first.tx_id
    outcome = w.submit_wait(ledger_node, replay)
    assert_rejected(outcome, "already_applied", 409, f"this change with nonce {first.nonce} was already applied by "
                                                     f"transaction {first.tx_id} at height {out['height']}")
    assert ledger_node.value(f"registry/{w.user2.address}")["role"] == "user"
    w.commit(ledger_node, w.registry_update(remove=[w.user2.address]))  # a new nonce is a new change


# --- refusals -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("signer", ["intermediary", "meter", "user"])
def test_only_a_validator_may_propose(ledger_world: LedgerWorld, ledger_node: Node, signer: str) -> None:
    w = ledger_world
    key: SigningKey = getattr(w, signer)
    outcome = w.submit_wait(ledger_node, w.registry_update(set_entries=[wind_entry(w)], signer=key,
                                                           approvers=[w.validator]))
    assert_rejected(outcome, "wrong_role", 403, f"expected a key with role validator, found {signer}")


def test_outsider_is_refused_at_admission(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    outcome = outcome_of(ledger_node, w, w.registry_update(set_entries=[wind_entry(w)], signer=w.outsider,
                                                           approvers=[w.validator]))
    assert outcome["at"] == "admission"
    assert_rejected(outcome, "unknown_signer", 403, f"found {w.outsider.address}")


def test_last_validator_cannot_be_removed(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    outcome = w.submit_wait(ledger_node, w.registry_update(remove=[w.validator.address]))
    assert_rejected(outcome, "bad_registry", 409, "expected at least one validator after the change, found none: "
                                                  "it removes all 1 registered validators")
    assert ledger_node.value(f"registry/{w.validator.address}")["role"] == "validator"


@pytest.mark.parametrize("consortium", [3], indirect=True)
def test_all_validators_cannot_be_removed_but_all_but_one_can(ledger_world: LedgerWorld,
                                                              consortium: tuple[Node, list[SigningKey]]) -> None:
    w = ledger_world
    node, validators = consortium
    outcome = w.submit_wait(node, w.registry_update(remove=[v.address for v in validators], approvers=validators))
    assert_rejected(outcome, "bad_registry", 409, "it removes all 3 registered validators")
    out = w.commit(node, w.registry_update(remove=[v.address for v in validators[1:]], approvers=validators[1:]))
    assert out["result"]["validators"] == 1


def test_a_registered_key_keeps_its_role(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    before = fingerprint(ledger_node)
    for key, role, now in ((w.intermediary, "meter", "intermediary"), (w.validator, "intermediary", "validator"),
                           (w.user, "validator", "user")):
        attrs = {"provider": "Da", "method": "solar", "capacity_w": 1} if role == "meter" else {}
        tx = w.registry_update(set_entries=[w.registry_entry(key, role, "Someone", **attrs)])
        assert_rejected(w.submit_wait(ledger_node, tx), "bad_registry", 409,
                        f"set\\[0\\]: address {key.address} is registered as {now} .*a registered key keeps its "
                        f"role, found role {role}: remove it first")
    assert fingerprint(ledger_node) == before


def test_set_and_remove_of_one_address_is_refused(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    outcome = w.submit_wait(ledger_node, w.registry_update(set_entries=[wind_entry(w)],
                                                           remove=[WIND_METER.address]))
    assert_rejected(outcome, "bad_registry", 400, f"expected an address to be either set or removed, found "
                                                  f"{WIND_METER.address} in both")


def test_duplicates_are_refused(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    outcome = w.submit_wait(ledger_node, w.registry_update(set_entries=[wind_entry(w), wind_entry(w, 5)]))
    assert_rejected(outcome, "bad_registry", 400, f"expected each key once in 'set', found {WIND_METER.address} "
                                                  f"2 times")
    outcome = w.submit_wait(ledger_node, w.registry_update(remove=[w.user2.address] * 2))
    assert_rejected(outcome, "bad_registry", 400, f"expected each address once in 'remove', found "
                                                  f"{w.user2.address} 2 times")


def test_removing_an_unregistered_address_is_refused(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    outcome = w.submit_wait(ledger_node, w.registry_update(remove=[w.outsider.address]))
    assert_rejected(outcome, "unknown_address", 404, f"remove\\[0\\]: expected a registered address, found "
                                                     f"{w.outsider.address}, which is not registered")
    w.commit(ledger_node, w.registry_update(remove=[w.user2.address]))
    outcome = w.submit_wait(ledger_node, w.registry_update(remove=[w.user2.address]))
    assert_rejected(outcome, "unknown_address", 404, f"found {w.user2.address}, which was removed")


def test_a_refused_update_changes_nothing_of_its_other_changes(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    # All-or-nothing: the wind meter set before the unknown removal is not written, nor is anything else of the
    # block's other (failing) updates; the good update in the same block applies.
    w = ledger_world
    node = w.open_node(tmp_path / "node", start=False)
    try:
        bad = w.registry_update(set_entries=[wind_entry(w)], remove=[w.user2.address, w.outsider.address])
        good = w.registry_update(remove=[w.user2.address])
        pendings = [node.submit(t.encode()) for t in (bad, good)]
        node.start()
        outcomes = [p.wait(10) for p in pendings]
        assert outcomes[0] is not None and outcomes[1] is not None
        assert_rejected(outcomes[0], "unknown_address", 404, f"remove\\[1\\]: .*{w.outsider.address}")
        assert outcomes[1]["code"] == "ok"
        assert node.state.get(f"registry/{WIND_METER.address}") is None
        assert node.value(f"registry/{w.user2.address}")["tx"] == good.tx_id
    finally:
        node.close()


def entry_with(w: LedgerWorld, **change: Any) -> dict[str, Any]:
    return {k: v for k, v in {**wind_entry(w), **change}.items() if v is not None}


@pytest.mark.parametrize(("make_body", "code", "match"), [
    (lambda w: {"set": [], "remove": []}, "bad_body", "expected 1 to 256 entries to set or addresses to remove, "
                                                      "found 0"),
    (lambda w: {"set": [wind_entry(w)] * 257, "remove": []}, "bad_body", "expected 1 to 256 .*, found 257"),
    (lambda w: {"set": [wind_entry(w)], "remove": [], "note": "x"}, "bad_body",
     r"expected body fields \['approvals', 'remove', 'set'\], found \['approvals', 'note', 'remove', 'set'\]"),
    (lambda w: {"set": wind_entry(w), "remove": []}, "bad_body", "expected body field 'set' of type list, found dict"),
    (lambda w: {"set": ["x"], "remove": []}, "bad_body", r"set\[0\]: expected an entry map with fields"),
    (lambda w: {"set": [entry_with(w, attrs=None)], "remove": []}, "bad_body",
     r"set\[0\]: expected an entry map with fields \['attrs', 'name', 'public_key', 'role'\], found \['name', "),
    (lambda w: {"set": [entry_with(w, public_key=b"\x01" * 31)], "remove": []}, "bad_body",
     r"set\[0\]: expected a 32-byte public_key, found bytes"),
    (lambda w: {"set": [entry_with(w, public_key=WIND_METER.public.hex())], "remove": []}, "bad_body",
     r"set\[0\]: expected a 32-byte public_key, found str"),
    (lambda w: {"set": [entry_with(w, name=" ")], "remove": []}, "bad_body",
     r"set\[0\]: expected a name of 1 to 200 characters"),
    (lambda w: {"set": [entry_with(w, attrs=[])], "remove": []}, "bad_body",
     r"set\[0\]: expected role \(text\) and attrs \(map\), found str and list"),
    (lambda w: {"set": [entry_with(w, role="auditor")], "remove": []}, "bad_registry",
     r"set\[0\]: expected a role among \('validator', 'intermediary', 'meter', 'user', 'home', 'storage'\), "
     r"found 'auditor'"),
    (lambda w: {"set": [entry_with(w, attrs={"provider": "Ac", "method": "wind"})], "remove": []}, "bad_registry",
     r"set\[0\]: meter gc1[0-9a-f]{40} needs attribute 'capacity_w' \(int\)"),
    (lambda w: {"set": [entry_with(w, attrs={"provider": "Ac", "method": "breeze", "capacity_w": 1})],
                "remove": []}, "bad_method", r"set\[0\]: expected a production method among"),
    (lambda w: {"set": [], "remove": ["gc1xyz"]}, "bad_body",
     r"remove\[0\]: expected an address \(gc1 \+ 40 hex digits\), found 'gc1xyz'"),
    (lambda w: {"set": [], "remove": [w.user2.public.raw]}, "bad_body", r"remove\[0\]: expected an address"),
])
def test_malformed_body_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, make_body: Any, code: str,
                                    match: str) -> None:
    w = ledger_world
    body = make_body(w)
    nonce = 5_000
    approval = sign_approval(w.validator, w.chain_id, entries=body["set"] if isinstance(body["set"], list) else [],
                             remove=body["remove"], nonce=nonce)
    tx = w.sign(w.validator, "registry.update", {**body, "approvals": [approval]})
    assert_rejected(w.submit_wait(ledger_node, tx), code, 400, match)


@pytest.mark.parametrize(("approval", "match"), [
    ("x", r"approvals\[0\]: expected \{'validator': 32 bytes, 'sig': 64 bytes\}, found 'x'"),
    ({"validator": b"\x01" * 32}, r"approvals\[0\]: expected"),
    ({"validator": b"\x01" * 31, "sig": bytes(64)}, r"approvals\[0\]: expected"),
    ({"validator": b"\x01" * 32, "sig": bytes(63)}, r"approvals\[0\]: expected"),
    ({"validator": "01" * 32, "sig": bytes(64)}, r"approvals\[0\]: expected"),
    ({"validator": b"\x01" * 32, "sig": bytes(64), "by": "me"}, r"approvals\[0\]: expected"),
])
def test_malformed_approval_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, approval: Any,
                                        match: str) -> None:
    w = ledger_world
    tx = w.sign(w.validator, "registry.update", {"set": [wind_entry(w)], "remove": [], "approvals": [approval]})
    assert_rejected(w.submit_wait(ledger_node, tx), "bad_body", 400, match)


def test_too_many_approvals_are_rejected(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    filler = [{"validator": w.validator.public.raw, "sig": bytes(64)}] * 256
    outcome = w.submit_wait(ledger_node, w.registry_update(set_entries=[wind_entry(w)], extra_approvals=filler))
    assert_rejected(outcome, "bad_body", 400, "expected at most 256 approvals, found 257")
