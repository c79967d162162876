"""asset.generate (S61-S67): a meter's signed reading becomes an asset owned by the named intermediary."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ledger.errors import Rejected
from ledger.node import Node
from ledger.rules import Context, execute
from ledger.rules.periods import add_month
from ledger.state import Overlay
from tests.helpers.ledger_world import (
    DAY,
    DAY_ONE_END,
    GENESIS_TIME,
    HALF_HOUR,
    SOLAR_CAPACITY_W,
    LedgerWorld,
    ManualClock,
    half_hour_limit_wh,
    slot,
)
from tests.ledger.support import assert_rejected, fingerprint

LIMIT = half_hour_limit_wh(SOLAR_CAPACITY_W)  # 26,250 Wh


def ts(year: int, month: int, day: int, hour: int, minute: int) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp())


def test_reading_becomes_an_open_asset(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    tx = w.generate(slot(4), 12_000)
    outcome = w.commit(ledger_node, tx)
    assert outcome["result"] == {"asset_id": tx.tx_id}
    assert outcome["height"] == 1 and outcome["index"] == 0 and outcome["status"] == 200
    assert ledger_node.value(f"asset/{tx.tx_id}") == {
        "id": tx.tx_id, "provider": "Aa", "meter": w.meter.address, "method": "solar", "category": "renewable",
        "start": slot(4), "end": slot(5), "generated_wh": 12_000, "wh": 12_000, "owner": w.intermediary.address,
        "expires": ts(2026, 11, 1, 2, 30), "trade": "open", "cert": None, "parent": None, "parent_hash": None,
        "gen_tx": tx.tx_id, "usage_start": None, "usage_end": None}
    assert ledger_node.value(f"meter/{w.meter.address}") == {"covered": [[slot(4), slot(5)]]}


def test_fossil_reading_is_categorised(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    asset_id = ledger_world.new_asset(ledger_node, 0, 90_000, meter=ledger_world.meter_oil)
    asset = ledger_node.value(f"asset/{asset_id}")
    assert (asset["method"], asset["category"], asset["provider"]) == ("oil", "fossil", "Ab")


@pytest.mark.parametrize(("start", "end"), [
    (slot(2) + 60, slot(3) + 60),     # not on :00/:30
    (slot(2), slot(2) + 900),         # 15 minutes
    (slot(2), slot(2)),               # empty
    (slot(3), slot(2)),               # backwards
    (slot(0), slot(0) + DAY + HALF_HOUR),  # longer than a day
])
def test_misaligned_reading_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, start: int, end: int) -> None:
    before = fingerprint(ledger_node)
    outcome = ledger_world.submit_wait(ledger_node, ledger_world.generate(start, 100, end=end))
    assert_rejected(outcome, "misaligned", 422, f"expected an interval of 30-minute steps .* found {start}..{end}")
    assert fingerprint(ledger_node) == before


def test_a_whole_day_in_one_reading_is_accepted(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    ledger_world.commit(ledger_node, ledger_world.generate(slot(0), 500_000, end=slot(48)))


def test_reading_ending_after_the_block_time_is_rejected(ledger_world: LedgerWorld, ledger_node: Node,
                                                          ledger_clock: ManualClock) -> None:
    # The clock stands at DAY_ONE_END = slot(48): a reading ending there is fine, one half hour later is not.
    ledger_world.commit(ledger_node, ledger_world.generate(slot(47), 100))
    outcome = ledger_world.submit_wait(ledger_node, ledger_world.generate(slot(48), 100))
    assert_rejected(outcome, "future_reading", 422, f"reading ends at {slot(49)}, after the block time {DAY_ONE_END}")
    ledger_clock.advance(HALF_HOUR)
    ledger_world.commit(ledger_node, ledger_world.generate(slot(48), 100))


@pytest.mark.parametrize(("wh", "slots"), [(LIMIT + 1, 1), (0, 1), (-1, 1), (2 * LIMIT + 1, 2), (10**12, 1)])
def test_reading_over_capacity_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, wh: int, slots: int) -> None:
    outcome = ledger_world.submit_wait(ledger_node, ledger_world.generate(slot(2), wh, end=slot(2 + slots)))
    limit = LIMIT * slots
    assert_rejected(outcome, "over_capacity", 422,
                    f"expected 0 < Wh <= {limit} for {SOLAR_CAPACITY_W} W over {slots * HALF_HOUR} s, found {wh}")


@pytest.mark.parametrize(("wh", "slots"), [(LIMIT, 1), (1, 1), (2 * LIMIT, 2)])
def test_reading_at_capacity_plus_margin_is_accepted(ledger_world: LedgerWorld, ledger_node: Node, wh: int,
                                                     slots: int) -> None:
    ledger_world.commit(ledger_node, ledger_world.generate(slot(2), wh, end=slot(2 + slots)))


def test_overlapping_reading_is_rejected(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    w.commit(ledger_node, w.generate(slot(10), 1000, end=slot(12)))
    for start, end in [(slot(10), slot(11)), (slot(11), slot(12)), (slot(9), slot(11)), (slot(11), slot(13)),
                       (slot(8), slot(14))]:
        outcome = w.submit_wait(ledger_node, w.generate(start, 500, end=end))
        assert_rejected(outcome, "overlap", 422,
                        f"reading {start}..{end} overlaps {slot(10)}..{slot(12)}, which the meter already reported")
    # Adjacent is not overlapping; another meter has its own timeline.
    w.commit(ledger_node, w.generate(slot(12), 1000))
    w.commit(ledger_node, w.generate(slot(10), 1000, meter=w.meter_oil))
    assert ledger_node.value(f"meter/{w.meter.address}") == {"covered": [[slot(10), slot(13)]]}


def test_a_late_reading_fills_a_gap(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    """A meter that was offline uploads what it buffered afterwards: it may fill the gap, but not overlap."""
    w = ledger_world
    w.commit(ledger_node, w.generate(slot(2), 1000))
    w.commit(ledger_node, w.generate(slot(8), 1000))
    outcome = w.submit_wait(ledger_node, w.generate(slot(7), 500, end=slot(9)))
    assert_rejected(outcome, "overlap", 422,
                    f"reading {slot(7)}..{slot(9)} overlaps {slot(8)}..{slot(9)}, which the meter already reported")
    for n in (5, 3, 4, 7, 6):  # out of order
        w.commit(ledger_node, w.generate(slot(n), 1000))
    assert ledger_node.value(f"meter/{w.meter.address}") == {"covered": [[slot(2), slot(9)]]}
    outcome = w.submit_wait(ledger_node, w.generate(slot(4), 500))
    assert_rejected(outcome, "overlap", 422,
                    f"reading {slot(4)}..{slot(5)} overlaps {slot(2)}..{slot(9)}, which the meter already reported")


def test_a_reading_whose_asset_would_be_born_expired_is_refused(ledger_world: LedgerWorld, ledger_node: Node,
                                                                ledger_clock: ManualClock) -> None:
    w = ledger_world
    w.commit(ledger_node, w.generate(slot(0), 1000))
    ledger_clock.set(ts(2026, 11, 1, 1, 0))  # a month after the end of slot(1) is 2026-11-01 01:00 UTC
    outcome = w.submit_wait(ledger_node, w.generate(slot(1), 1000))
    assert_rejected(outcome, "too_late", 422, f"reading ends at {slot(2)}: its asset would have expired at "
                                              f"{ts(2026, 11, 1, 1, 0)}, before the block time {ts(2026, 11, 1, 1, 0)}")
    w.commit(ledger_node, w.generate(slot(2), 1000))  # a second later is still in time


def test_intervals_older_than_the_horizon_are_forgotten(ledger_world: LedgerWorld, ledger_node: Node,
                                                        ledger_clock: ManualClock) -> None:
    w = ledger_world
    w.commit(ledger_node, w.generate(slot(0), 1000))
    w.commit(ledger_node, w.generate(slot(4), 1000))
    ledger_clock.set(slot(4) + 40 * 86400)
    late = slot(4) + 20 * 86400
    w.commit(ledger_node, w.generate(late, 1000))
    assert ledger_node.value(f"meter/{w.meter.address}") == {"covered": [[late, late + 1800]]}


@pytest.mark.parametrize(("provider", "method"), [("Ab", None), (None, "wind"), ("Ab", "oil")])
def test_reading_for_another_provider_or_method_is_rejected(ledger_world: LedgerWorld, ledger_node: Node,
                                                            provider: str | None, method: str | None) -> None:
    w = ledger_world
    outcome = w.submit_wait(ledger_node, w.generate(slot(1), 100, provider=provider, method=method))
    found = f"{provider or 'Aa'}/{method or 'solar'}"
    assert_rejected(outcome, "meter_mismatch", 422, f"meter {w.meter.address} is bound to Aa/solar, found {found}")


@pytest.mark.parametrize("signer", ["intermediary", "user", "validator"])
def test_reading_signed_by_a_non_meter_is_rejected(ledger_world: LedgerWorld, ledger_node: Node,
                                                   signer: str) -> None:
    w = ledger_world
    key = getattr(w, signer)
    tx = w.sign(key, "asset.generate", {"provider": "Aa", "method": "solar", "start": slot(1), "end": slot(2),
                                        "wh": 100, "owner": w.intermediary.address})
    outcome = w.submit_wait(ledger_node, tx)
    assert_rejected(outcome, "wrong_role", 403, f"expected a key with role meter, found {signer} for {key.address}")


def test_asset_owner_must_be_an_intermediary(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    outcome = w.submit_wait(ledger_node, w.generate(slot(1), 100, owner=w.user.address))
    assert_rejected(outcome, "wrong_role", 403, f"expected a key with role intermediary, found user for "
                                                f"{w.user.address}")
    outcome = w.submit_wait(ledger_node, w.generate(slot(1), 100, owner=w.outsider.address))
    assert_rejected(outcome, "unknown_signer", 403, f"expected a registered key, found unregistered "
                                                    f"{w.outsider.address}")
    # Nothing of the rejected readings was kept: the same half hour is still free.
    w.commit(ledger_node, w.generate(slot(1), 100))


@pytest.mark.parametrize(("change", "match"), [
    ({"wh": None}, "expected body field 'wh' of type int, found nothing"),
    ({"wh": True}, "expected body field 'wh' of type int, found bool"),
    ({"start": "08:00"}, "expected body field 'start' of type int, found str"),
    ({"owner": b"gc1"}, "expected body field 'owner' of type str, found bytes"),
    ({"provider": None}, "expected body field 'provider' of type str, found nothing"),
])
def test_malformed_body_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, change: dict[str, Any],
                                    match: str) -> None:
    w = ledger_world
    body = {"provider": "Aa", "method": "solar", "start": slot(1), "end": slot(2), "wh": 100,
            "owner": w.intermediary.address, **change}
    body = {k: v for k, v in body.items() if v is not None}
    outcome = w.submit_wait(ledger_node, w.sign(w.meter, "asset.generate", body))
    assert_rejected(outcome, "bad_body", 400, match)


def test_unknown_type_is_rejected(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    outcome = ledger_world.submit_wait(ledger_node, ledger_world.sign(ledger_world.meter, "asset.burn", {}))
    assert_rejected(outcome, "unknown_type", 400,
                    r"expected a transaction type among \['asset.allocate', 'asset.generate', 'cert.issue', "
                    r"'cert.retire', 'cert.revoke', 'cert.transfer', 'registry.update', 'storage.delivery', "
                    r"'storage.receipt', 'storage.report', "
                    r"'trade.incentive', 'trade.match', 'trade.request', 'trade.sale', 'trade.token'\], found "
                    r"'asset.burn'")


def test_rejected_reading_in_a_block_leaves_no_trace(tmp_path: Any, ledger_world: LedgerWorld) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock(), start=False)
    try:
        txs = [w.generate(slot(5), 100), w.generate(slot(5), 200), w.generate(slot(6), 300, end=slot(8)),
               w.generate(slot(7), 400)]
        pendings = [node.submit(t.encode()) for t in txs]  # queued before the producer starts: one block
        node.start()
        outcomes = [p.wait(10) for p in pendings]
        assert [o["code"] for o in outcomes if o] == ["ok", "overlap", "ok", "overlap"]
        assert [o.get("index") for o in outcomes if o] == [0, None, 1, None]
        assert node.block(1)["tx_count"] == 2 and node.status()["height"] == 1
        assert node.value(f"meter/{w.meter.address}") == {"covered": [[slot(5), slot(8)]]}
    finally:
        node.close()


@pytest.mark.parametrize(("moment", "expected"), [
    (ts(2026, 10, 1, 2, 30), ts(2026, 11, 1, 2, 30)),
    (ts(2027, 1, 31, 23, 30), ts(2027, 2, 28, 23, 30)),   # clamped to the month's last day
    (ts(2028, 1, 31, 12, 0), ts(2028, 2, 29, 12, 0)),     # leap year
    (ts(2026, 12, 15, 0, 0), ts(2027, 1, 15, 0, 0)),      # over the year end
    (ts(2026, 8, 31, 0, 0), ts(2026, 9, 30, 0, 0)),
])
def test_expiry_is_one_calendar_month_later(moment: int, expected: int) -> None:
    assert add_month(moment) == expected


def test_genesis_constant_is_2026_10_01() -> None:
    assert ts(2026, 10, 1, 0, 0) == GENESIS_TIME


def test_reading_in_the_distant_past_is_rejected_not_crashing(ledger_world: LedgerWorld, tmp_path: Any) -> None:
    # Executed directly (not through the node) so the crash it causes there cannot take the test run down.
    w = ledger_world
    node = w.open_node(tmp_path / "node", start=False)
    try:
        start = -HALF_HOUR * 10**9  # 30-minute aligned, ~55,000 BC
        tx = w.generate(start, 100)
        with pytest.raises(Rejected) as caught:
            execute(tx, Context(state=Overlay(node.state), time=DAY_ONE_END, height=1))
        assert 400 <= caught.value.status < 500
    finally:
        node.close()
