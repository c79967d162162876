"""asset.allocate (S90-S93): the owner moves (parts of) assets to a consumer; a part splits with lineage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ledger.errors import Rejected
from ledger.node import Node
from ledger.rules import Context, execute
from ledger.rules.assets import immutable_hash
from ledger.state import Overlay
from ledger_lite import canonical, sha256
from tests.helpers.ledger_world import DAY_ONE_END, LedgerWorld, ManualClock, slot
from tests.ledger.support import assert_rejected, fingerprint


def asset(node: Node, asset_id: str) -> dict[str, Any]:
    value: dict[str, Any] = node.value(f"asset/{asset_id}")
    return value


def test_whole_asset_moves_and_is_completed(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2, 10_000)
    out = w.commit(ledger_node, w.allocate([(a, 10_000)], usage_start=slot(2), usage_end=slot(3)))
    assert out["result"] == {"assets": [a]}
    moved = asset(ledger_node, a)
    assert (moved["owner"], moved["trade"], moved["wh"]) == (w.user.address, "completed", 10_000)
    assert (moved["usage_start"], moved["usage_end"]) == (slot(2), slot(3))
    assert moved["parent"] is None and moved["cert"] is None


def test_part_splits_with_lineage(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2, 10_000)
    parent_before = asset(ledger_node, a)
    tx = w.allocate([(a, 3_000)])
    out = w.commit(ledger_node, tx)
    child_id = sha256(canonical(["split", a, tx.tx_id, 0])).hex()
    assert out["result"] == {"assets": [child_id]}
    child, parent = asset(ledger_node, child_id), asset(ledger_node, a)
    assert child["parent"] == a
    assert child["parent_hash"] == immutable_hash(parent_before).hex()
    assert (child["wh"], child["owner"], child["trade"]) == (3_000, w.user.address, "completed")
    # The child keeps its parent's immutable facts: meter, period, generated amount, generation tx.
    for name in ("provider", "meter", "method", "start", "end", "generated_wh", "gen_tx", "expires"):
        assert child[name] == parent_before[name]
    assert (parent["wh"], parent["owner"], parent["trade"]) == (7_000, w.intermediary.address, "open")
    # The remainder can be allocated too; then the parent itself is used up.
    w.commit(ledger_node, w.allocate([(a, 7_000)], to=w.user2.address))
    parent = asset(ledger_node, a)
    assert (parent["wh"], parent["owner"], parent["trade"]) == (7_000, w.user2.address, "completed")


def test_several_parts_of_one_asset_in_one_transaction(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2, 10_000)
    tx = w.allocate([(a, 1_000), (a, 2_000), (a, 7_000)])
    out = w.commit(ledger_node, tx)
    children = [sha256(canonical(["split", a, tx.tx_id, i])).hex() for i in (0, 1)]
    assert out["result"] == {"assets": [*children, a]}
    assert [asset(ledger_node, c)["wh"] for c in children] == [1_000, 2_000]
    assert asset(ledger_node, a)["trade"] == "completed"
    owned = ledger_node.assets(w.user.address)
    assert sum(x["wh"] for x in owned) == 10_000 and len(owned) == 3


def test_allocation_by_a_non_intermediary_is_rejected(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2)
    for key, role in ((w.meter, "meter"), (w.user, "user")):
        outcome = w.submit_wait(ledger_node, w.allocate([(a, 1)], signer=key))
        assert_rejected(outcome, "wrong_role", 403, f"expected a key with role intermediary, found {role}")


def test_recipient_must_be_a_user_key(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2)
    outcome = w.submit_wait(ledger_node, w.allocate([(a, 1)], to=w.intermediary2.address))
    assert_rejected(outcome, "wrong_role", 403, "expected a key with role user, found intermediary")
    outcome = w.submit_wait(ledger_node, w.allocate([(a, 1)], to=w.outsider.address))
    assert_rejected(outcome, "unknown_signer", 403, f"found unregistered {w.outsider.address}")


def test_allocation_by_another_intermediary_is_rejected(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2)
    outcome = w.submit_wait(ledger_node, w.allocate([(a, 1)], signer=w.intermediary2))
    assert_rejected(outcome, "not_owner", 403, f"part 0: asset {a} is owned by {w.intermediary.address}, "
                                               f"not by the signer {w.intermediary2.address}")


def test_unknown_asset_is_rejected(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    outcome = ledger_world.submit_wait(ledger_node, ledger_world.allocate([("00" * 32, 1)]))
    assert_rejected(outcome, "unknown_asset", 404, f"part 0: no asset {'00' * 32}")


@pytest.mark.parametrize("wh", [10_001, 0, -5])
def test_more_than_is_left_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, wh: int) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2, 10_000)
    outcome = w.submit_wait(ledger_node, w.allocate([(a, wh)]))
    assert_rejected(outcome, "insufficient", 422, f"part 0: expected 0 < Wh <= 10000 left in {a}, found {wh}")


def test_what_is_left_after_a_split_is_the_limit(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2, 10_000)
    w.commit(ledger_node, w.allocate([(a, 6_000)]))
    outcome = w.submit_wait(ledger_node, w.allocate([(a, 4_001)]))
    assert_rejected(outcome, "insufficient", 422, "expected 0 < Wh <= 4000 left")
    outcome = w.submit_wait(ledger_node, w.allocate([(a, 3_000), (a, 1_001)]))
    assert_rejected(outcome, "insufficient", 422, "part 1: expected 0 < Wh <= 1000 left")


def test_expired_asset_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, ledger_clock: ManualClock) -> None:
    w = ledger_world
    a, b = w.new_asset(ledger_node, 2), w.new_asset(ledger_node, 3)
    expires = asset(ledger_node, a)["expires"]
    ledger_clock.set(expires - 1)
    w.commit(ledger_node, w.allocate([(a, 10_000)]))  # one second before expiry it is still usable
    ledger_clock.set(asset(ledger_node, b)["expires"])
    outcome = w.submit_wait(ledger_node, w.allocate([(b, 10_000)]))
    assert_rejected(outcome, "expired", 422, f"part 0: asset {b} expired at {asset(ledger_node, b)['expires']}")


def test_completed_rule_on_an_asset_still_held_by_the_signer(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    # Through the chain a completed asset always belongs to a user (see the xfail below), so the rule is
    # exercised on a hand-made state.
    w = ledger_world
    node = w.open_node(tmp_path / "node", start=False)
    try:
        state = Overlay(node.state)
        state.put("asset/aa", {"method": "solar", "owner": w.intermediary.address, "trade": "completed", "wh": 5,
                               "expires": DAY_ONE_END + 10})
        with pytest.raises(Rejected, match="part 0: asset aa is already completed") as caught:
            execute(w.allocate([("aa", 5)]), Context(state=state, time=DAY_ONE_END, height=1))
        assert (caught.value.code, caught.value.status) == ("completed", 422)
    finally:
        node.close()


def test_allocating_a_used_up_asset_again_is_rejected_as_completed(ledger_world: LedgerWorld,
                                                                    ledger_node: Node) -> None:
    w = ledger_world
    a = w.allocated_asset(ledger_node, 2)
    outcome = w.submit_wait(ledger_node, w.allocate([(a, 10_000)], to=w.user2.address))
    assert_rejected(outcome, "completed", 422, f"asset {a} is already completed")


@pytest.mark.parametrize(("body", "match"), [
    ({"parts": []}, "expected 1 to 256 parts, found 0"),
    ({"parts": [{"asset": "aa", "wh": 1}] * 257}, "expected 1 to 256 parts, found 257"),
    ({"usage_start": slot(3), "usage_end": slot(3)}, "expected usage_start < usage_end"),
    ({"parts": ["aa"]}, "expected part 0 as a map, found str"),
    ({"parts": [{"asset": 1, "wh": 1}]}, "expected body field 'asset' of type str, found int"),
    ({"parts": [{"asset": "aa"}]}, "expected body field 'wh' of type int, found nothing"),
    ({"parts": "aa"}, "expected body field 'parts' of type list, found str"),
    ({"to": None}, "expected body field 'to' of type str, found nothing"),
])
def test_malformed_allocation_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, body: dict[str, Any],
                                          match: str) -> None:
    w = ledger_world
    full = {"to": w.user.address, "usage_start": slot(0), "usage_end": slot(1),
            "parts": [{"asset": "aa", "wh": 1}], **body}
    outcome = w.submit_wait(ledger_node, w.sign(w.intermediary, "asset.allocate", full))
    assert_rejected(outcome, "bad_body", 400, match)


def test_allocation_is_all_or_nothing(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a, b = w.new_asset(ledger_node, 2, 10_000), w.new_asset(ledger_node, 3, 10_000)
    before = fingerprint(ledger_node)
    outcome = w.submit_wait(ledger_node, w.allocate([(a, 10_000), (b, 4_000), (b, 7_000)]))
    assert_rejected(outcome, "insufficient", 422, "part 2: expected 0 < Wh <= 6000 left")
    assert fingerprint(ledger_node) == before
    assert asset(ledger_node, a)["owner"] == w.intermediary.address and asset(ledger_node, b)["wh"] == 10_000
    assert ledger_node.assets(w.user.address) == []


def test_assets_list_filters_and_sorts_by_expiry(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    oil = w.allocated_asset(ledger_node, 2, meter=w.meter_oil)
    solar = [w.allocated_asset(ledger_node, n) for n in (1, 3, 5)]
    owned = ledger_node.assets(w.user.address)
    assert [a["id"] for a in owned] == [solar[0], oil, solar[1], solar[2]]  # nearest expiry first
    assert [a["id"] for a in ledger_node.assets(w.user.address, method="oil")] == [oil]
    assert [a["id"] for a in ledger_node.assets(w.user.address, start=slot(3))] == [solar[1], solar[2]]
    assert [a["id"] for a in ledger_node.assets(w.user.address, end=slot(3))] == [solar[0], oil]
    assert ledger_node.assets(w.user.address, trade="open") == []
    assert ledger_node.assets(w.user2.address) == []
    open_one = w.new_asset(ledger_node, 9)
    assert [a["id"] for a in ledger_node.assets(w.intermediary.address, trade="open")] == [open_one]
