"""The allocation rules end to end (issue 15): usage reports through ``process_reports`` to a real node (in
process), whose allocation rule accepts every transaction; time matching takes the same half hour first; the
optimised rule shares a short renewable supply between the consumers of an interval."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from intermediary.config import Settings
from intermediary.models import Usage
from intermediary.usage import UsageOutcome, process_reports
from tests.intermediary.test_usage_totals import _produce, _reports, _world

DAYS = 3


def _run(path: Path, rule: str) -> tuple[list[UsageOutcome], list[dict[str, Any]], dict[str, tuple[int, int]]]:
    """Every outcome, the consumers' assets on the ledger, and each consumer's (renewable, used) Wh."""
    outcomes: list[UsageOutcome] = []
    with _world(path) as iw:
        settings = replace(iw.service.settings, allocation_rule=rule)
        for day in range(DAYS):
            _produce(iw, day)
            with iw.service.db() as db:
                outcomes += process_reports(db, iw.service.node, settings, _reports(iw, day), iw.clock())
        owned = [a for key in (iw.ledger.user, iw.ledger.user2) for a in iw.service.node.assets(key.address)]
        with iw.service.db() as db:
            used: dict[str, tuple[int, int]] = {}
            for u in db.scalars(select(Usage)):
                renewable, wh = used.get(u.consumer_id, (0, 0))
                used[u.consumer_id] = (renewable + u.renewable_wh, wh + u.wh)
    return outcomes, owned, used


@pytest.mark.parametrize("rule", ["time_matched", "optimised"])
def test_the_ledger_accepts_every_allocation_and_more_is_time_matched(tmp_path: Path, rule: str) -> None:
    _, seed_assets, seed_used = _run(tmp_path / "seed", "seed")
    got, assets, used = _run(tmp_path / rule, rule)
    assert [o.status for o in got if o.tx_id] and all(o.status != "failed" for o in got)  # the node took them all

    def matched(owned: list[dict[str, Any]]) -> int:
        return sum(a["wh"] for a in owned if a["usage_start"] <= a["start"] and a["end"] <= a["usage_end"])

    assert matched(assets) > 2 * matched(seed_assets)
    assert sum(a["wh"] for a in assets) == sum(o.renewable_wh + o.fossil_wh for o in got)
    for cid, (renewable, wh) in used.items():  # no consumer further from its target than under the seed rule
        target = {"Ca": 30, "Cb": 70}[cid]
        seed_gap = max(0.0, target - 100 * seed_used[cid][0] / seed_used[cid][1])
        assert max(0.0, target - 100 * renewable / wh) <= seed_gap + 1.0


def test_an_unknown_rule_is_refused_at_start_up(tmp_path: Path) -> None:
    with _world(tmp_path) as iw, pytest.raises(ValueError, match="allocation_rule must be 'seed', 'time_matched' "
                                                                 "or 'optimised', got 'fastest'"):
        Settings(**{**iw.service.settings.__dict__, "allocation_rule": "fastest"})

