"""Shared allocation test data (issue #17, issue 15): open assets and usage intervals around ``NOW`` as hypothesis
strategies, and a fake node's answers to paged open-asset reads."""

from __future__ import annotations

import copy

from hypothesis import strategies as st

from intermediary.allocation import OpenAsset, PageLoader

NOW = 1_000_000
PROVIDERS = ("P1", "P2", "P3")
METHODS = {"solar": "renewable", "wind": "renewable", "oil": "fossil"}

assets_st = st.lists(
    st.builds(
        lambda i, provider, method, end, life, wh: OpenAsset(
            f"a{i:03d}", provider, method, METHODS[method], NOW + end - 1800, NOW + end, NOW + end + life, wh),
        st.integers(0, 999), st.sampled_from(PROVIDERS), st.sampled_from(sorted(METHODS)),
        st.integers(-40, 40).map(lambda k: k * 1800), st.sampled_from([-3600, 0, 1, 7200, 86_400, 9 * 86_400]),
        st.integers(0, 5_000)),
    max_size=40, unique_by=lambda a: a.asset_id)

intervals_st = st.lists(
    st.tuples(st.sets(st.sampled_from((*PROVIDERS, "P9")), max_size=4), st.integers(0, 100),
              st.integers(-40, 40).map(lambda k: k * 1800), st.integers(0, 12_000), st.sampled_from([0, 1])),
    max_size=30)


def pages_of(snapshot: list[OpenAsset], size: int, asked: list[tuple[str, str, str | None]]) -> PageLoader:
    """What the node answers (GET /v1/assets?trade=open&valid_at=NOW&provider=&category=&after=&limit=): fresh
    copies of the snapshot's assets, in allocation order, a page at a time."""
    def load(provider: str, category: str, after: OpenAsset | None) -> list[OpenAsset]:
        asked.append((provider, category, after.asset_id if after else None))
        listed = sorted((a for a in snapshot if a.provider == provider and a.category == category
                         and a.expires > NOW), key=lambda a: (a.expires, a.start, a.asset_id))
        if after is not None:
            listed = [a for a in listed if (a.expires, a.start, a.asset_id) > (after.expires, after.start,
                                                                               after.asset_id)]
        return copy.deepcopy(listed[:size])
    return load
