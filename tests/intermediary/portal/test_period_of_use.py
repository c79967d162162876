"""The period of use a consumer saves on the portal is in force (S41-S48, Fig. 10A): its usage outside the period
gets no renewable allocation (nothing at all: no contract then), inside it the saved share and providers apply.
On a real node, under each allocation rule.

GENESIS_TIME is 2026-10-01 00:00 UTC, 09:00 JST: the JST day 2026-10-02 begins at half hour 30 of the world's first
day, so the period "from 2026-10-02" leaves the morning's solar half hours (12-29) outside and 30-35 inside."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from intermediary.models import Consumer, Usage
from intermediary.usage import process_reports
from ledger_lite import SigningKey, sign_tx
from tests.helpers.intermediary_world import IntermediaryWorld
from tests.helpers.ledger_world import DAY, GENESIS_TIME, HALF_HOUR
from tests.helpers.portal import csrf_of, portal_login

PERIOD_START = GENESIS_TIME + 30 * HALF_HOUR  # 2026-10-02 00:00 JST


def _meter(consumer_id: str) -> SigningKey:
    return SigningKey.derive(f"test/portal-meter/{consumer_id}")


def _produce_day(iw: IntermediaryWorld) -> None:
    iw.clock.set(GENESIS_TIME + DAY)
    readings = []
    for i in range(48):
        start = GENESIS_TIME + i * HALF_HOUR
        if 12 <= i < 36:
            readings.append(iw.ledger.generate(start, 20_000))
        readings.append(iw.ledger.generate(start, 20_000, meter=iw.ledger.meter_oil))
    assert {o["code"] for o in iw.service.node.submit_batch(readings, wait=True)} == {"ok"}


def _reports(iw: IntermediaryWorld, consumer_id: str) -> list[str]:
    return [sign_tx(_meter(consumer_id), chain=iw.ledger.chain_id, type="usage.report",
                    body={"consumer": consumer_id, "start": s, "end": s + HALF_HOUR, "wh": 1_000},
                    nonce=s, time=s + HALF_HOUR).encode().hex()
            for s in (GENESIS_TIME + i * HALF_HOUR for i in range(48))]


@pytest.mark.parametrize("rule", ["seed", "time_matched", "optimised"])
def test_usage_outside_the_saved_period_gets_no_renewable_allocation(pw_any: IntermediaryWorld, rule: str) -> None:
    pw = pw_any
    with pw.service.db() as db:
        for consumer in db.scalars(select(Consumer)):
            consumer.meter_key = _meter(consumer.consumer_id).public.hex()
            consumer.providers = ["Aa", "Ab"]
            consumer.renewable_target_pct = 100
        db.commit()
    http = pw.http()
    portal_login(http, "ca")
    saved = http.post("/portal/contents", data={
        "csrf": csrf_of(http.get("/portal/contents").text), "usage_start": "2026-10-02", "usage_end": "2026-12-31",
        "planned_kwh": "2", "target_pct": "100", "providers": ["Aa", "Ab"]})
    assert saved.status_code == 303
    _produce_day(pw)
    with pw.service.db() as db:
        settings = replace(pw.service.settings, allocation_rule=rule)
        process_reports(db, pw.service.node, settings, _reports(pw, "Ca") + _reports(pw, "Cb"), pw.clock())
        rows = {(u.consumer_id, (u.start - GENESIS_TIME) // HALF_HOUR): u for u in db.scalars(select(Usage))}
    morning, afternoon = range(12, 30), range(30, 36)
    # Ca: nothing before its period of use, renewable inside it
    assert all(rows["Ca", i].renewable_wh == 0 and rows["Ca", i].status == "unallocated" for i in range(30))
    assert all(rows["Ca", i].renewable_wh == 1_000 for i in afternoon)
    assert all(rows["Ca", i].renewable_wh + rows["Ca", i].fossil_wh == 1_000 for i in range(30, 48))
    # Cb has no period of use (open): the morning's solar is its
    assert all(rows["Cb", i].renewable_wh == 1_000 for i in morning)
