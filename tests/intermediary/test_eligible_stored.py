"""The stored eligible list (issue 16): after any allocations and certifications — through the intermediary, on the
ledger by the intermediary's key, or by the consumer's own key (the direct-mode kiosk) — the list answers exactly
the rows a rebuild from the node's asset list gives; it survives a restart and catches up on what happened
meanwhile, and a row certified elsewhere is still refused at issuance."""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import intermediary.eligible_index as eligible_index
from intermediary.eligible_models import EligibleAsset, EligibleConsumer
from intermediary.models import Consumer
from intermediary.service import Service
from ledger_lite import SigningKey
from ledger_lite.certificate import CATEGORY_ORDER, JST, group_rows
from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld
from tests.helpers.ledger_world import HALF_HOUR, slot


class Scenario:
    """Readings, allocations and certifications on the world's node, half hours moving forward in time."""

    def __init__(self, iw: IntermediaryWorld, rng: random.Random) -> None:
        self.iw, self.w, self.rng = iw, iw.ledger, rng
        self.n = 0
        self.keys = {"Ca": self.w.user, "Cb": self.w.user2}

    def _reading(self, wh: int, oil: bool) -> str:
        self.n += self.rng.choice([1, 1, 3, 17, 48, 300])  # same day, next day, next month
        end = slot(self.n) + HALF_HOUR
        self.iw.clock.set(max(self.iw.clock(), end))
        meter = self.w.meter_oil if oil else self.w.meter
        outcome = self.w.commit(self.iw.node, self.w.generate(slot(self.n), wh, meter=meter))
        return str(outcome["result"]["asset_id"])

    def allocate(self, to: str, oil: bool) -> None:
        asset = self._reading(1_000, oil)
        self.w.commit(self.iw.node, self.w.allocate([(asset, 1_000)], to=self.keys[to].address))

    def split(self, first: str, oil: bool) -> None:
        """A part of one asset to ``first`` (a split child), the rest to the other consumer (the asset itself)."""
        asset = self._reading(1_000, oil)
        other = "Cb" if first == "Ca" else "Ca"
        self.w.commit(self.iw.node, self.w.allocate([(asset, 400)], to=self.keys[first].address))
        self.w.commit(self.iw.node, self.w.allocate([(asset, 600)], to=self.keys[other].address))

    def certify_on_ledger(self, owner: str, *, by_owner: bool) -> None:
        """Some uncertified assets of one method certified without the intermediary's API."""
        key = self.keys[owner]
        open_ = [a for a in self.iw.node.assets(key.address) if a["trade"] == "completed" and not a["cert"]]
        if not open_:
            return
        method = self.rng.choice(sorted({a["method"] for a in open_}))
        chosen = [a["id"] for a in open_ if a["method"] == method]
        chosen = self.rng.sample(chosen, self.rng.randint(1, len(chosen)))
        signer: SigningKey | None = key if by_owner else None
        self.w.commit(self.iw.node, self.w.issue(chosen, owner=key.address, signer=signer))


def rebuilt(iw: IntermediaryWorld, key: SigningKey) -> list[dict[str, Any]]:
    """The rows of a rebuild from every asset the node lists (the list's old path)."""
    return [{"item_id": g.item_id, "period_start": g.period_start, "period_end": g.period_end,
             "production_method": g.production_method, "amount_wh": g.amount_wh, "issued": g.issued,
             "certificate_id": g.certificate_id, "category": g.category, "allocations": len(g.assets)}
            for g in group_rows(iw.service.node.assets(key.address))]


def display_key(row: dict[str, Any]) -> tuple[int, int, int, str, bool]:
    month = datetime.fromtimestamp(row["period_start"], UTC) + JST
    rank = CATEGORY_ORDER.index(row["category"]) if row["category"] in CATEGORY_ORDER else len(CATEGORY_ORDER)
    return -(month.year * 12 + month.month), rank, -row["period_start"], row["production_method"], row["issued"]


def listed(iw: IntermediaryWorld, http: httpx.Client, applicant: str) -> dict[str, Any]:
    response = http.get(f"{API}/eligible-transactions", headers=iw.login(http, applicant))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_same_as_rebuild(iw: IntermediaryWorld, http: httpx.Client) -> None:
    for applicant, key in (("ca", iw.ledger.user), ("cb", iw.ledger.user2)):
        body = listed(iw, http, applicant)
        expected = rebuilt(iw, key)
        assert sorted(body["items"], key=lambda r: r["item_id"]) == sorted(expected, key=lambda r: r["item_id"])
        assert [display_key(r) for r in body["items"]] == [display_key(r) for r in expected]  # the list's order
        ends = [a["end"] for a in iw.service.node.assets(key.address) if a["trade"] == "completed"]
        assert body["as_of"] == (max(ends) if ends else None)


def issue_through_api(iw: IntermediaryWorld, http: httpx.Client, rng: random.Random) -> None:
    auth = iw.login(http, "ca")
    rows = [r for r in http.get(f"{API}/eligible-transactions", headers=auth).json()["items"] if not r["issued"]]
    if rows:
        response = http.post(f"{API}/certificates", headers=auth, json={
            "item_ids": [rng.choice(rows)["item_id"]], "type_id": TYPE_ID, "idempotency_key": uuid.uuid4().hex})
        assert response.status_code == 201, response.text


STEPS = st.lists(st.sampled_from(["allocate", "allocate_oil", "split", "certify", "direct", "api", "list"]),
                 min_size=4, max_size=18)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS, seed=st.integers(0, 2**32 - 1))
def test_the_stored_rows_are_a_rebuild_from_the_node_after_any_history(steps: list[str], seed: int) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        iw = IntermediaryWorld.open(Path(tmp))
        try:
            http, scenario = iw.http(), Scenario(iw, rng)
            listed(iw, http, "ca")  # Ca is followed from the start, Cb from its first list below
            for step in steps:
                who = rng.choice(["Ca", "Cb"])
                if step in ("allocate", "allocate_oil"):
                    scenario.allocate(who, step == "allocate_oil")
                elif step == "split":
                    scenario.split(who, rng.random() < 0.3)
                elif step in ("certify", "direct"):
                    scenario.certify_on_ledger(who, by_owner=step == "direct")
                elif step == "api":
                    issue_through_api(iw, http, rng)
                else:
                    assert_same_as_rebuild(iw, http)
            assert_same_as_rebuild(iw, http)
        finally:
            iw.close()


def test_rows_survive_a_restart_and_catch_up_on_what_happened_meanwhile(iw: IntermediaryWorld) -> None:
    scenario = Scenario(iw, random.Random(7))
    for _ in range(4):
        scenario.allocate("Ca", oil=False)
    http = iw.http()
    before = listed(iw, http, "ca")
    assert len(before["items"]) >= 1 and not any(r["issued"] for r in before["items"])
    with iw.service.db() as db:
        built = db.get(EligibleConsumer, "Ca")
        assert built is not None
        built_height = built.built_height
    # Stopped: meanwhile more allocations, and the consumer certifies one month of its own (direct mode)
    iw.service.engine.dispose()
    scenario.allocate("Ca", oil=True)
    scenario.certify_on_ledger("Ca", by_owner=True)
    iw.service = IntermediaryWorld.service_over(iw.ledger, iw.data_dir, iw._closing[0], iw.clock)
    iw._closing.append(iw.service.node)
    after = listed(iw, iw.http(), "ca")
    assert any(r["issued"] for r in after["items"]) and any(r["production_method"] == "oil" for r in after["items"])
    assert_same_as_rebuild(iw, iw.http())
    with iw.service.db() as db:  # followed from its blocks, not listed again
        assert db.scalars(select(EligibleConsumer.built_height).where(EligibleConsumer.consumer_id == "Ca")
                          ).one() == built_height


def test_a_row_certified_elsewhere_after_the_list_is_refused_at_issuance(iw: IntermediaryWorld) -> None:
    scenario = Scenario(iw, random.Random(3))
    scenario.allocate("Ca", oil=False)
    http = iw.http()
    auth = iw.login(http, "ca")
    row = http.get(f"{API}/eligible-transactions", headers=auth).json()["items"][0]
    assert not row["issued"]
    scenario.certify_on_ledger("Ca", by_owner=True)  # the kiosk in direct mode certifies it meanwhile
    response = http.post(f"{API}/certificates", headers=auth, json={
        "item_ids": [row["item_id"]], "type_id": TYPE_ID, "idempotency_key": uuid.uuid4().hex})
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "already_issued"
    shown = listed(iw, http, "ca")["items"]
    assert [r["issued"] for r in shown] == [True]


def test_an_intermediary_far_behind_builds_its_consumers_again(iw: IntermediaryWorld,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = Scenario(iw, random.Random(11))
    scenario.allocate("Ca", oil=False)
    http = iw.http()
    listed(iw, http, "ca")
    monkeypatch.setattr(eligible_index, "MAX_REPLAY", 2)
    for _ in range(3):
        scenario.allocate("Ca", oil=False)  # six blocks
    scenario.certify_on_ledger("Ca", by_owner=False)
    assert_same_as_rebuild(iw, http)
    with iw.service.db() as db:
        state = db.get(EligibleConsumer, "Ca")
        assert state is not None and state.built_height == iw.node.head.height  # listed again at the head


def test_parts_of_readings_made_before_the_intermediary_started_are_read_from_the_node(
        iw: IntermediaryWorld) -> None:
    w = iw.ledger
    http = iw.http()
    listed(iw, http, "ca")
    listed(iw, http, "cb")
    iw.clock.set(slot(3) + HALF_HOUR)
    readings = [str(w.commit(iw.node, w.generate(slot(n), 1_000))["result"]["asset_id"]) for n in (1, 2, 3)]
    listed(iw, http, "ca")  # the cursor passes the readings
    iw.service.engine.dispose()  # a new process: it has not seen those readings
    iw.service = IntermediaryWorld.service_over(w, iw.data_dir, iw._closing[0], iw.clock)
    iw._closing.append(iw.service.node)
    assert iw.service.eligible.sources.get(readings[0]) is None
    for asset in readings:  # a split child to Ca, the rest (the reading itself) to Cb
        w.commit(iw.node, w.allocate([(asset, 300)], to=w.user.address))
        w.commit(iw.node, w.allocate([(asset, 700)], to=w.user2.address))
    assert_same_as_rebuild(iw, iw.http())
    rows = listed(iw, iw.http(), "cb")["items"]
    assert sum(r["amount_wh"] for r in rows) == 2_100 and sum(r["allocations"] for r in rows) == 3


def test_the_follower_thread_keeps_the_rows_up_to_date_between_requests(iw: IntermediaryWorld) -> None:
    base = iw.service
    service = Service(settings=base.settings, engine=base.engine, node=base.node, institutions=base.institutions,
                      clock=base.clock, follow_every_s=0.02)
    try:
        with service.db() as db:
            consumer = db.get(Consumer, "Ca")
        assert consumer is not None
        assert service.eligible.rows(consumer) == ([], None)  # followed from here on; the thread starts
        made = set(iw.allocate(2))
        deadline = time.monotonic() + 60
        stored: set[str] = set()
        while stored != made and time.monotonic() < deadline:  # no list request: only the thread moves them
            time.sleep(0.02)
            with service.db() as db:
                stored = set(db.scalars(select(EligibleAsset.asset_id).where(EligibleAsset.consumer_id == "Ca")))
        assert stored == made
    finally:
        service.eligible.stop()
    assert service.eligible._thread is not None and not service.eligible._thread.is_alive()


def test_the_follower_builds_each_consumers_rows_before_its_first_list(iw: IntermediaryWorld) -> None:
    made = set(iw.allocate(3))  # history before this service process started
    base = iw.service
    service = Service(settings=base.settings, engine=base.engine, node=base.node, institutions=base.institutions,
                      clock=base.clock, follow_every_s=0.02)
    try:
        service.eligible.start()  # as build_service does: no list request below
        deadline = time.monotonic() + 60
        followed: set[str] = set()
        while followed != {"Ca", "Cb"} and time.monotonic() < deadline:
            time.sleep(0.02)
            with service.db() as db:
                followed = set(db.scalars(select(EligibleConsumer.consumer_id)))
        assert followed == {"Ca", "Cb"}
        with service.db() as db:
            stored = set(db.scalars(select(EligibleAsset.asset_id).where(EligibleAsset.consumer_id == "Ca")))
            consumer = db.get(Consumer, "Ca")
        assert stored == made and consumer is not None
        assert service.eligible.build_waiting() == 0  # nobody left to build
        rows, _ = service.eligible.rows(consumer)
        assert sum(r.allocations for r in rows) == len(made)
    finally:
        service.eligible.stop()
