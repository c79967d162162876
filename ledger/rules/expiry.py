"""The sweep of expired assets (issue 16, "The node over the years"): after a block's transactions, the assets that
expired more than ``RETENTION`` before the block time leave the state, at most ``MAX_SWEPT`` a block.

Why. An asset expires a month after its reading; from then on no rule may use it (``asset.allocate`` refuses it
with ``expired``, and a certified one is never certified again), yet it stayed in the state for ever: a node
seven months old held seven times the live state on disk and in its tree. Swept, an asset is still provable
by history: its ``asset.generate`` (and any allocation and issuance) stays stored with its inclusion proof under
a final block, and the certificate's record (``cert/<id>``, never swept) names its assets, so a certificate's
audit (``ledger.audit_answer``) is unchanged.

Determinism. The sweep is part of block execution (``Producer.execute_block``, run by the solo node and by every
consortium validator): its deletions change the state root, so every node must delete the very same keys. It depends
only on the state before the block and the block time: the assets with ``expires <= time - RETENTION``, lowest
(expires, key) first, up to ``MAX_SWEPT`` (``State.expired``: the order does not depend on the order the values were
written in, nor on row ids). A backlog (a store migrated from format 5, a node idle for weeks) goes in the blocks
that follow, ``MAX_SWEPT`` each: a block sweeping 4,096 assets of a store just migrated (1 M readings, 816 k of them
expired, nothing cached) took 1-5 s here at a load average of 5-8, and the backlog 200 blocks; in steady state a
block sweeps what expired since the last one (100 meters: 100 a half hour). A solo node sweeps only in the blocks it
stores (with a transaction); an idle node sweeps nothing until it works again.

Retention. An asset that just expired stays a week, so it is refused for what it is (``expired``, with the time
it expired) rather than as an unknown asset; after that, a transaction naming it finds no asset
(``unknown_asset``, whose message says why it may be gone).

What leaves. Assets open for trade (never allocated: no rule can use them once expired) and certified ones (never
certified again). An asset allocated to a consumer and not yet certified stays, however old: the seed sets no
deadline for its certificate, so the certification rule still needs it (live state is what the rules need); it
joins the sweep's index when it is certified (``ledger.state_index.expiry_of``).
"""

from __future__ import annotations

from ledger.rules.periods import DAY
from ledger.state import Overlay, State

RETENTION = 7 * DAY  # seconds an asset stays in the state after it expired
MAX_SWEPT = 4096  # assets a block takes out of the state at most


def sweep(state: State, overlay: Overlay, block_time: int) -> list[str]:
    """Delete from ``overlay`` (a block's writes over ``state``) the assets that expired at or before
    ``block_time - RETENTION``, at most ``MAX_SWEPT``, lowest (expires, key) first; returns their keys."""
    keys = state.expired(block_time - RETENTION, MAX_SWEPT)
    for key in keys:
        overlay.put(key, None)
    return keys


def gone(asset_id: str) -> str:
    """Why a transaction finds no asset ``asset_id``: the words of an ``unknown_asset`` refusal."""
    return (f"no asset {asset_id} (none was generated with that id, or it was open or certified and expired more "
            f"than {RETENTION // DAY} days before this block, and left the state)")
