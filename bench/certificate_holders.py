"""Benchmark: which certificates an address holds (``ledger.certificate_holders``, behind ``GET /v1/certificates``;
issue 15), against the baseline measured in the same run: reading every ``cert/`` value and keeping those the
address holds (what ``Queries.certificates`` did, by ``owner`` only, before transfers were counted).

A node state (``ledger.state.State``) of ``CERTIFICATES`` certificate records, each issued to one of
``CONSUMERS`` consumers, a tenth of them partly transferred to another consumer; a block of ``BLOCK_TXS``
transactions of which ``TRANSFERS`` are ``cert.transfer``.

* ``build_ms``: the index built once from the ``cert/`` values (the first question after a node starts);
* ``query_ms``: one holder's certificate ids, no block since the last question (p50, p95 of ``RUNS``);
* ``catch_up_ms``: the same after one new block (the block's transactions decoded, the certificates it names read
  again) (p50, p95);
* ``scan_ms``: the baseline: every ``cert/`` value read and its holders worked out (p50, p95);
* ``scan_over_query`` and ``scan_over_catch_up``: the baseline's p50 over each (how many times faster).

Prints one JSON line.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import cbor2

from ledger.certificate_holders import CertificateHolders, parties
from ledger.state import State
from ledger_lite import SigningKey, sha256, sign_tx
from ledger_lite.lifecycle import sign_transfer

CERTIFICATES = 20_000
CONSUMERS = 200
BLOCK_TXS = 2_000
TRANSFERS = 10
RUNS = 30
CHAIN = "bench"


def _record(n: int, owner: str, other: str) -> dict[str, Any]:
    record: dict[str, Any] = {"id": sha256(n.to_bytes(8, "big")).hex(), "owner": owner, "wh": 20_000,
                              "height": 1 + n // 100, "method": "solar", "revoked": None}
    if n % 10 == 0:
        record["held"] = {owner: 15_000, other: 5_000}
        record["moves"] = [{"kind": "transfer", "from": owner, "to": other, "wh": 5_000, "tx": "00" * 32,
                            "height": 2 + n // 100, "time": 0}]
    return record


def _ms(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered), 4), "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 4)}


def main() -> None:
    keys = [SigningKey.derive(f"bench/consumer/{n}") for n in range(CONSUMERS)]
    addresses = [k.address for k in keys]
    records = {f"cert/{r['id']}": r for r in (_record(n, addresses[n % CONSUMERS], addresses[(n + 1) % CONSUMERS])
                                             for n in range(CERTIFICATES))}
    state = State()
    state.load((key, cbor2.dumps(value, canonical=True), value) for key, value in records.items())
    holder = addresses[7]
    blocks: dict[int, list[bytes]] = {}

    def new_block(height: int) -> None:
        """One block: ``TRANSFERS`` transfers of the holder's certificates (applied to the state) among readings."""
        mine = [r for r in records.values() if r["owner"] == holder and "held" not in r][:TRANSFERS]
        txs = [sign_transfer(keys[7], chain=CHAIN, certificate=r["id"], holder=holder, to=addresses[8], wh=1,
                             nonce=height * 1_000 + n, time=height).encode() for n, r in enumerate(mine)]
        txs += [sign_tx(keys[0], chain=CHAIN, type="asset.generate", body={"n": n}, nonce=height * 100_000 + n,
                        time=height).encode() for n in range(BLOCK_TXS - len(txs))]
        for r in mine:
            r.update(held={holder: r["wh"] - 1, addresses[8]: 1})
            state.apply({f"cert/{r['id']}": r}, {})
        blocks[height] = txs

    index = CertificateHolders()
    height = 1
    build = _ms(lambda: index.held_by(holder, state, height, blocks.__getitem__))
    query, catch_up, scan = [], [], []
    for _ in range(RUNS):
        query.append(_ms(lambda h=height: index.held_by(holder, state, h, blocks.__getitem__)))
        height += 1
        new_block(height)
        catch_up.append(_ms(lambda h=height: index.held_by(holder, state, h, blocks.__getitem__)))
        scan.append(_ms(lambda: [k for k, v in state.items("cert/") if holder in parties(v)]))
    held = set(index.held_by(holder, state, height, blocks.__getitem__))
    assert held == {k.removeprefix("cert/") for k, v in state.items("cert/") if holder in parties(v)}
    figures = {"query_ms": _stats(query), "catch_up_ms": _stats(catch_up), "scan_ms": _stats(scan)}
    print(json.dumps({
        "bench": "certificate_holders", "certificates": CERTIFICATES, "consumers": CONSUMERS,
        "block_txs": BLOCK_TXS, "transfers_per_block": TRANSFERS, "runs": RUNS, "held_by_one": len(held),
        "build_ms": round(build, 2), **figures, "baseline": "scan of every cert/ value (scan_ms)",
        "scan_over_query": round(figures["scan_ms"]["p50"] / max(figures["query_ms"]["p50"], 1e-6), 1),
        "scan_over_catch_up": round(figures["scan_ms"]["p50"] / max(figures["catch_up_ms"]["p50"], 1e-6), 1)}))


if __name__ == "__main__":
    main()
