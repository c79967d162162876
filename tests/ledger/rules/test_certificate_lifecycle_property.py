"""Any sequence of transfers and retirements, good or bad (issue 15): a certificate's Wh are conserved (held +
retired = issued, none held below 1), retired Wh never move again, a refusal changes nothing, and the issued fields
the QR's claims are checked against never change."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import Rejected
from ledger_lite.lifecycle import holdings, moves, retired_wh
from tests.helpers.certificate_lifecycle import LifecycleWorld

ISSUED_WH = 5_000
PEOPLE = ("owner", "user2", "user3", "home", "issuer", "outsider")

# Mostly the holder's own key and amounts it may hold, so that most steps go through; the rest is refused.
step = st.tuples(st.sampled_from(("transfer", "retire")), st.one_of(st.just("self"), st.sampled_from(PEOPLE)),
                 st.sampled_from(PEOPLE[:4]), st.sampled_from(PEOPLE),
                 st.one_of(st.integers(min_value=1, max_value=1_500), st.integers(min_value=-5,
                                                                                  max_value=ISSUED_WH + 5)))


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(step, max_size=30))
def test_wh_are_conserved_and_nothing_retired_moves(steps: list[tuple[str, str, str, str, int]]) -> None:
    world = LifecycleWorld()
    cid = world.certificate(ISSUED_WH)
    issued = world.record(cid)
    for kind, signer, holder, to, wh in steps:
        before = world.record(cid)
        retired_before = [m for m in moves(before) if m["kind"] == "retire"]
        keys: dict[str, Any] = {name: getattr(world, name) for name in PEOPLE}
        keys["self"] = keys[holder]
        try:
            if kind == "transfer":
                world.transfer(keys[signer], cid, keys[holder], keys[to], wh)
            else:
                world.retire(keys[signer], cid, keys[holder], wh)
        except Rejected:
            assert world.record(cid) == before, "a refused transaction changed the record"
            continue
        after = world.record(cid)
        held = holdings(after)
        assert sum(held.values()) + retired_wh(after) == ISSUED_WH
        assert all(v > 0 for v in held.values())
        # What was retired stays retired, with the same fields, in the same order.
        assert [m for m in moves(after) if m["kind"] == "retire"][:len(retired_before)] == retired_before
        assert retired_wh(after) >= retired_wh(before)
        assert {k: v for k, v in after.items() if k not in ("held", "moves")} == issued
    final = world.record(cid)
    assert sum(holdings(final).values()) + retired_wh(final) == ISSUED_WH
