"""Allocation at a cost flat over the history (issue #17): each consumer's running totals read from
``usage_totals`` instead of re-summing its history, and the open assets read a page at a time as far as the
intervals take them instead of all of them every batch — deciding exactly as the old rule did.

The world: a real node (``IntermediaryWorld``) whose solar (Aa) and oil (Ab) meters produce half-hourly assets for
the intermediary, day by day, and two consumers (targets 30 % and 70 %) reporting every half hour; each day's
reports are one batch. The same days run once with the stored totals and paged assets (pages of 5) and once with
the old rule (the history summed and every open asset read for every batch, ``allocate`` over the whole list);
every outcome, history row and asset left must be the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

import intermediary.usage as usage_module
from backend_client import ClientError
from intermediary.allocation import OpenAsset, PageLoader, Totals, allocate
from intermediary.models import Consumer, Usage, UsageTotal
from intermediary.service import make_engine
from intermediary.usage import UsageOutcome, open_assets, process_reports, summed_totals
from ledger_lite import SigningKey, sign_tx
from tests.helpers.intermediary_world import IntermediaryWorld
from tests.helpers.ledger_world import DAY, GENESIS_TIME, HALF_HOUR

DAYS = 4
CONSUMERS = {"Ca": 30, "Cb": 70}  # renewable targets, %


def _meter(consumer_id: str) -> SigningKey:
    return SigningKey.derive(f"test/usage-meter/{consumer_id}")


def _seed_consumers(iw: IntermediaryWorld) -> None:
    keys = {"Ca": iw.ledger.user, "Cb": iw.ledger.user2}
    with iw.service.db() as db:
        db.add_all([Consumer(consumer_id=cid, name=f"Consumer {cid}", ledger_address=keys[cid].address,
                             meter_key=_meter(cid).public.hex(), renewable_target_pct=target, providers=["Aa", "Ab"])
                    for cid, target in CONSUMERS.items()])
        db.commit()


def _produce(iw: IntermediaryWorld, day: int) -> None:
    """Day ``day``'s readings on the ledger: solar from 06:00 to 18:00 in a bell, oil a little every half hour."""
    iw.clock.set(GENESIS_TIME + (day + 1) * DAY)
    readings = []
    for i in range(48):
        start = GENESIS_TIME + day * DAY + i * HALF_HOUR
        if 12 <= i < 36:
            readings.append(iw.ledger.generate(start, 1_000 * (13 - abs(24 - i)) + 137 * day))
        readings.append(iw.ledger.generate(start, 3_000 + 250 * (i % 5), meter=iw.ledger.meter_oil))
    outcomes = iw.service.node.submit_batch(readings, wait=True)
    assert [o["code"] for o in outcomes] == ["ok"] * len(readings)


def _reports(iw: IntermediaryWorld, day: int) -> list[str]:
    """Every half hour of day ``day`` for both consumers, and two duplicates: one of an earlier day, one inside
    this batch."""
    out = []
    for cid in CONSUMERS:
        for i in range(48):
            start = GENESIS_TIME + day * DAY + i * HALF_HOUR
            wh = 2_000 + 113 * ((i * 7 + len(cid) * day) % 23)
            out.append(sign_tx(_meter(cid), chain=iw.ledger.chain_id, type="usage.report",
                               body={"consumer": cid, "start": start, "end": start + HALF_HOUR, "wh": wh},
                               nonce=start, time=start + HALF_HOUR).encode().hex())
    return out + out[:1] + (out[-1:] if day else [])


def _allocate_day(iw: IntermediaryWorld, day: int, reports: list[str]) -> list[UsageOutcome]:
    with iw.service.db() as db:
        # the seed's rule, which the old code (``_old_rule``) implements; time matching is tested on its own
        settings = replace(iw.service.settings, allocation_rule="seed")
        return process_reports(db, iw.service.node, settings, reports, iw.clock())


def _history(iw: IntermediaryWorld) -> list[tuple[Any, ...]]:
    with iw.service.db() as db:
        return [(u.consumer_id, u.start, u.wh, u.renewable_wh, u.fossil_wh, u.unallocated_wh, u.tx_id, u.status)
                for u in db.scalars(select(Usage).order_by(Usage.consumer_id, Usage.start))]


def _assets_left(iw: IntermediaryWorld) -> list[tuple[str, int]]:
    return [(a["id"], a["wh"]) for a in iw.service.node.assets(iw.ledger.intermediary.address, trade="open")]


def _stored(iw: IntermediaryWorld) -> dict[str, Totals]:
    with iw.service.db() as db:
        return {t.consumer_id: Totals(t.renewable_wh, t.total_wh) for t in db.scalars(select(UsageTotal))}


def _summed(iw: IntermediaryWorld) -> dict[str, Totals]:
    with iw.service.db() as db:
        return {cid: summed_totals(db, cid) for cid in CONSUMERS}


@contextmanager
def _world(path: Path) -> Iterator[IntermediaryWorld]:
    iw = IntermediaryWorld.open(path, seed=False)
    try:
        _seed_consumers(iw)
        yield iw
    finally:
        iw.close()


class _WholeList:
    """The pool before issue #17's fix: every open asset read at once, and ``allocate`` over the whole list for
    every interval."""

    def __init__(self, assets: list[OpenAsset]) -> None:
        self.assets = assets

    @staticmethod
    def paged(now: int, read_all: Callable[[], list[OpenAsset]]) -> _WholeList:
        return _WholeList(read_all())

    def allocate(self, **kwargs: Any) -> Any:
        return allocate(self.assets, **kwargs)


def _old_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule before issue #17's fix: every batch sums each consumer's whole history and reads every open
    asset; nothing is stored."""
    monkeypatch.setattr(usage_module, "_stored_totals", lambda db, cid: (summed_totals(db, cid), None))
    monkeypatch.setattr(usage_module, "_add_to_totals", lambda *_: None)
    monkeypatch.setattr(usage_module, "AssetPool", _WholeList)
    monkeypatch.setattr(usage_module, "open_asset_pages", lambda node, owner, now: partial(open_assets, node, owner,
                                                                                           now))


def _run(path: Path, between_days: Callable[[IntermediaryWorld, int], None] = lambda *_: None,
         ) -> tuple[list[list[UsageOutcome]], list[tuple[Any, ...]], list[tuple[str, int]]]:
    outcomes = []
    with _world(path) as iw:
        for day in range(DAYS):
            _produce(iw, day)
            outcomes.append(_allocate_day(iw, day, _reports(iw, day)))
            between_days(iw, day)
        return outcomes, _history(iw), _assets_left(iw)


def test_stored_totals_allocate_exactly_as_the_old_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[int] = []

    def totals_match_history(iw: IntermediaryWorld, day: int) -> None:
        assert _stored(iw) == _summed(iw)
        checked.append(day)

    pages: list[str | None] = []
    paged = usage_module.open_asset_pages

    def counted(node: Any, owner: str, now: int) -> PageLoader:
        load = paged(node, owner, now)

        def counting(provider: str, category: str, after: OpenAsset | None) -> list[OpenAsset]:
            pages.append(after.asset_id if after else None)
            return load(provider, category, after)
        return counting

    with monkeypatch.context() as patch:
        patch.setattr(usage_module, "PAGE", 5)  # many pages per batch
        patch.setattr(usage_module, "open_asset_pages", counted)
        new = _run(tmp_path / "new", totals_match_history)
    with monkeypatch.context() as patch:
        _old_rule(patch)
        old = _run(tmp_path / "old")
    assert checked == list(range(DAYS))
    assert sum(after is not None for after in pages) > DAYS  # pages after the first were read
    assert new == old
    statuses = {o.status for day in new[0] for o in day}
    # The world exercises what the totals decide: both categories, shortfalls and duplicates.
    assert {"allocated", "partial", "duplicate"} <= statuses
    categories = {(o.renewable_wh > 0, o.fossil_wh > 0) for day in new[0] for o in day}
    assert {(True, False), (False, True)} <= categories


def test_history_decides_the_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above can fail: a rule that forgets the history between batches decides otherwise."""
    with monkeypatch.context() as patch:
        patch.setattr(usage_module, "_stored_totals", lambda db, cid: (Totals(), None))
        patch.setattr(usage_module, "_add_to_totals", lambda *_: None)
        forgetful = _run(tmp_path / "forgetful")
    with monkeypatch.context() as patch:
        _old_rule(patch)
        old = _run(tmp_path / "old")
    assert forgetful[0] != old[0]


def test_a_database_from_before_the_totals_is_filled_from_its_history(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def upgrade_after_day_one(iw: IntermediaryWorld, day: int) -> None:
        if day != 1:
            return
        with iw.service.engine.begin() as conn:  # the schema before issue #17: no usage_totals table
            conn.execute(text("DROP TABLE usage_totals"))
            conn.execute(text("DROP TABLE alembic_version"))  # and from before migrations
        iw.service.engine.dispose()
        make_engine(iw.service.settings.db_url).dispose()  # the upgrade: start-up creates the missing table
        assert _stored(iw) == {}

    upgraded = _run(tmp_path / "upgraded", upgrade_after_day_one)
    with monkeypatch.context() as patch:
        _old_rule(patch)
        old = _run(tmp_path / "old")
    assert upgraded == old


def test_totals_survive_a_restart_and_a_refused_batch(tmp_path: Path) -> None:
    with _world(tmp_path) as iw:
        for day in range(2):
            _produce(iw, day)
            _allocate_day(iw, day, _reports(iw, day))
        before = _stored(iw)
        assert before == _summed(iw) and before["Ca"].total_wh > 0
        url = iw.service.settings.db_url
    engine = make_engine(url)  # a restart: a new engine over the same file reads the totals back
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(UsageTotal.consumer_id, UsageTotal.renewable_wh, UsageTotal.total_wh))
            assert {cid: Totals(r, t) for cid, r, t in rows} == before
    finally:
        engine.dispose()


def test_a_batch_the_ledger_does_not_take_leaves_the_totals_as_they_were(tmp_path: Path) -> None:
    with _world(tmp_path) as iw:
        _produce(iw, 0)
        _allocate_day(iw, 0, _reports(iw, 0))
        before, history = _stored(iw), _history(iw)
        _produce(iw, 1)
        node = iw.service.node

        def refuse(*_: Any, **__: Any) -> Any:
            raise ClientError("the node is down (test)")

        node.submit_batch = refuse  # type: ignore[method-assign]
        with pytest.raises(usage_module.LedgerUnavailable, match="did not take the allocations"):
            _allocate_day(iw, 1, _reports(iw, 1))
        assert (_stored(iw), _history(iw)) == (before, history)
