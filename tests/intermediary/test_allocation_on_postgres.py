"""Issue 15 (Storage): the allocation, which writes the history and the running totals batch by batch, decides
exactly the same on PostgreSQL as on SQLite — the multi-day world of ``test_usage_totals`` run on both."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.intermediary_world import use_database
from tests.intermediary.test_usage_totals import _run

pytestmark = pytest.mark.postgres


def test_the_same_days_allocate_the_same_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    use_database(tmp_path / "postgresql", postgres_url)
    on_postgres = _run(tmp_path / "postgresql")
    on_sqlite = _run(tmp_path / "sqlite")
    outcomes, history, assets_left = on_sqlite
    assert len(history) > 0 and any(u[3] > 0 for u in history)  # renewable Wh was allocated
    assert on_postgres == (outcomes, history, assets_left)
