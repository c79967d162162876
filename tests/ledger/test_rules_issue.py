"""cert.issue (S206-S210, S406-S409): all-or-nothing over the selected allocations; an asset is never
certified twice, and the refusal names the certificate that has it (S208/S209b)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ledger.errors import Rejected
from ledger.node import Node
from ledger.rules import Context, execute
from ledger.state import Overlay
from ledger_lite import merkle_root
from tests.helpers.ledger_world import DAY_ONE_END, LedgerWorld, slot
from tests.ledger.support import assert_rejected, fingerprint


def cert_of(node: Node, asset_id: str) -> str | None:
    value: str | None = node.value(f"asset/{asset_id}")["cert"]
    return value


def test_issuance_records_the_certificate_and_marks_every_asset(ledger_world: LedgerWorld,
                                                                ledger_node: Node) -> None:
    w = ledger_world
    a, b = w.allocated_asset(ledger_node, 2, 10_000), w.allocated_asset(ledger_node, 5, 4_000)
    tx = w.issue([b, a], institution="jgca")
    out = w.commit(ledger_node, tx)
    record = ledger_node.value(f"cert/{tx.tx_id}")
    assert out["result"] == {"certificate_id": tx.tx_id, "wh": 14_000,
                             "record": {k: v for k, v in record.items() if k != "assets"}}
    assert record == {
        "id": tx.tx_id, "owner": w.user.address, "method": "solar", "category": "renewable", "wh": 14_000,
        "count": 2, "start": slot(2), "end": slot(6), "institution": "jgca", "issuer": w.intermediary.address,
        "time": DAY_ONE_END, "height": out["height"], "assets": sorted([a, b]),
        "assets_root": merkle_root([bytes.fromhex(x) for x in sorted([a, b])]).hex(), "revoked": None,
        "tm": 0}  # allocated to other half hours than they were generated in: nothing time-matched
    assert cert_of(ledger_node, a) == cert_of(ledger_node, b) == tx.tx_id
    listed = ledger_node.certificates(w.user.address)
    assert [c["id"] for c in listed] == [tx.tx_id] and "assets" not in listed[0]
    assert ledger_node.certificates(w.user2.address) == []


def test_user_key_may_certify_its_own_assets(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    # Modification 2 (S401-S412): the kiosk signs with the applicant's user key.
    w = ledger_world
    a = w.allocated_asset(ledger_node, 2)
    tx = w.issue([a], signer=w.user, owner=w.user.address)
    w.commit(ledger_node, tx)
    assert ledger_node.value(f"cert/{tx.tx_id}")["issuer"] == w.user.address


def test_user_key_may_not_certify_for_someone_else(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.allocated_asset(ledger_node, 2, to=w.user2)
    outcome = w.submit_wait(ledger_node, w.issue([a], signer=w.user, owner=w.user2.address))
    assert_rejected(outcome, "not_owner", 403, f"a user key may only certify its own assets: signer "
                                               f"{w.user.address}, owner {w.user2.address}")
    outcome = w.submit_wait(ledger_node, w.issue([a], signer=w.user, owner=w.user.address))
    assert_rejected(outcome, "not_owner", 403, f"asset {a} is not allocated to {w.user.address}")
    assert cert_of(ledger_node, a) is None


def test_already_issued_names_the_certificate_and_marks_nothing(ledger_world: LedgerWorld,
                                                                ledger_node: Node) -> None:
    w = ledger_world
    a, b, c = (w.allocated_asset(ledger_node, n) for n in (2, 3, 4))
    first = w.issue([a])
    w.commit(ledger_node, first)
    before = fingerprint(ledger_node)
    for selection in ([b, a], [a, b, c], [c, b, a]):
        outcome = w.submit_wait(ledger_node, w.issue(selection))
        assert_rejected(outcome, "already_issued", 409, f"asset {a} is already certified by certificate "
                                                        f"{first.tx_id}")
        assert outcome["certificate_id"] == first.tx_id
    # All-or-nothing: b and c were selected with a and stay certifiable.
    assert cert_of(ledger_node, b) is None and cert_of(ledger_node, c) is None
    assert fingerprint(ledger_node) == before
    assert len(ledger_node.certificates(w.user.address)) == 1
    w.commit(ledger_node, w.issue([b, c]))


def test_same_assets_twice_in_one_block_certify_once(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node")
    try:
        a = w.allocated_asset(node, 2)
        node.stop()
        first, second = w.issue([a], institution="jgca"), w.issue([a], institution="irec")
        pendings = [node.submit(t.encode()) for t in (first, second)]
        node.start()
        outcomes = [p.wait(10) for p in pendings]
        assert outcomes[0] is not None and outcomes[0]["code"] == "ok"
        assert outcomes[1] is not None and outcomes[1]["code"] == "already_issued"
        assert outcomes[1]["certificate_id"] == first.tx_id
        assert outcomes[0]["height"] == node.status()["height"]
    finally:
        node.close()


def test_mixed_methods_are_rejected(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    solar, oil = w.allocated_asset(ledger_node, 2), w.allocated_asset(ledger_node, 2, meter=w.meter_oil)
    outcome = w.submit_wait(ledger_node, w.issue([solar, oil]))
    assert_rejected(outcome, "mixed_methods", 422,
                    r"expected one production method per certificate, found \['oil', 'solar'\]")
    assert cert_of(ledger_node, solar) is None and cert_of(ledger_node, oil) is None


def test_unallocated_asset_is_not_certifiable(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2)
    # Still open and owned by the intermediary: not allocated to anyone, so no one can certify it.
    outcome = w.submit_wait(ledger_node, w.issue([a], owner=w.intermediary.address))
    assert_rejected(outcome, "not_owner", 403, f"asset {a} is not allocated to {w.intermediary.address}")


def test_asset_of_another_consumer_is_not_certifiable(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    mine, theirs = w.allocated_asset(ledger_node, 2), w.allocated_asset(ledger_node, 3, to=w.user2)
    outcome = w.submit_wait(ledger_node, w.issue([mine, theirs]))
    assert_rejected(outcome, "not_owner", 403, f"asset {theirs} is not allocated to {w.user.address}")
    assert cert_of(ledger_node, mine) is None


def test_split_children_are_certified_separately(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2, 10_000)
    child_ca = w.commit(ledger_node, w.allocate([(a, 4_000)]))["result"]["assets"][0]
    child_cb = w.commit(ledger_node, w.allocate([(a, 6_000)], to=w.user2.address))["result"]["assets"][0]
    assert child_cb == a  # the remainder is the parent itself
    w.commit(ledger_node, w.issue([child_ca]))
    w.commit(ledger_node, w.issue([a], owner=w.user2.address))
    assert sum(c["wh"] for c in ledger_node.certificates(w.user.address)) == 4_000
    assert sum(c["wh"] for c in ledger_node.certificates(w.user2.address)) == 6_000


def test_unknown_asset_is_rejected(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    outcome = ledger_world.submit_wait(ledger_node, ledger_world.issue(["ab" * 32]))
    assert_rejected(outcome, "unknown_asset", 404, f"no asset {'ab' * 32}")


@pytest.mark.parametrize("signer", ["meter", "validator"])
def test_issuance_by_other_roles_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, signer: str) -> None:
    outcome = ledger_world.submit_wait(ledger_node, ledger_world.issue(["ab"], signer=getattr(ledger_world, signer)))
    assert_rejected(outcome, "wrong_role", 403,
                    f"expected a key with role intermediary or user or home, found {signer}")


@pytest.mark.parametrize(("assets", "match"), [
    ([], "expected 1 to 1500 assets, found 0"),
    (["a"] * 1501, "expected 1 to 1500 assets, found 1501"),
    (["a", "a"], r"expected distinct asset ids \(text\)"),
    ([1, 2], r"expected distinct asset ids \(text\)"),
])
def test_malformed_selection_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, assets: list[Any],
                                         match: str) -> None:
    outcome = ledger_world.submit_wait(ledger_node, ledger_world.issue(assets))
    assert_rejected(outcome, "bad_body", 400, match)


@pytest.mark.parametrize(("change", "match"), [
    ({"owner": None}, "expected body field 'owner' of type str, found nothing"),
    ({"institution": 3}, "expected body field 'institution' of type str, found int"),
    ({"assets": "aa"}, "expected body field 'assets' of type list, found str"),
])
def test_malformed_body_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, change: dict[str, Any],
                                    match: str) -> None:
    w = ledger_world
    body = {k: v for k, v in {"owner": w.user.address, "institution": "jgca", "assets": ["aa"], **change}.items()
            if v is not None}
    outcome = w.submit_wait(ledger_node, w.sign(w.intermediary, "cert.issue", body))
    assert_rejected(outcome, "bad_body", 400, match)


@pytest.mark.parametrize("ids", [[["aa"]], [{"a": 1}], ["aa", ["bb"]]])
def test_unhashable_asset_ids_are_rejected_not_crashing(ledger_world: LedgerWorld, tmp_path: Path,
                                                        ids: list[Any]) -> None:
    # Executed directly (not through the node) so the crash it causes there cannot take the test run down.
    w = ledger_world
    node = w.open_node(tmp_path / "node", start=False)
    try:
        with pytest.raises(Rejected, match=r"expected distinct asset ids \(text\)"):
            execute(w.issue(ids), Context(state=Overlay(node.state), time=DAY_ONE_END, height=1))
    finally:
        node.close()
