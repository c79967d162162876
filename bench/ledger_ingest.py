"""Benchmark: signed meter readings ingested and committed per second by an embedded node, against this
machine's single-core Ed25519 verification rate measured in the same run (issue #3 goal: ratio ≥ 0.8): OpenSSL's
(``ratio``, the limit the issues name), and libsodium's (``ratio_libsodium``), the check the node makes
(``ledger.signatures``).

Prints one JSON line. Readings are signed up front by many meters; the node admits them (format, chain,
signature, registered signer, duplicates), orders them into blocks, executes the generation rule and stores
each block in one SQLite transaction (fsync) before acknowledging.

The process is set up as ``greencert node`` sets up its own once the node is open
(``ledger.node.tune_serving_process``): what it holds by then, the readings signed up front among it, is frozen
out of the cycle collector's passes, and its youngest objects are collected less often. ``--embedded`` leaves the
interpreter as it is (this benchmark before 2026-12-03: the collector then took 16–18 µs a reading with one
process spinning beside it, against 3 µs).

``--busy N`` runs N processes that only spin while the readings are ingested (started after the baseline is
measured, stopped by PID afterwards): issue #16 asks for the ratio "on a machine with some other load", and a
spinning process is load that anyone can repeat.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from nacl.bindings import crypto_sign_open
from other_load import other_load

from ledger.genesis import Genesis, entry
from ledger.node import open_node, tune_serving_process
from ledger_lite import SigningKey, Transaction, sign_tx

CHAIN = "bench"
START = 1_790_780_400  # 2026-10-01 00:00 JST


def verify_rate(seconds: float = 1.0, *, libsodium: bool = False) -> float:
    """Single-core Ed25519 verifications per second (the physical limit a node is measured against): OpenSSL's
    (``cryptography``, as ``ledger_lite`` checks), or with ``libsodium`` the node's own (``ledger.signatures``)."""
    key = SigningKey.generate()
    message = os.urandom(200)
    signature = key.sign(message)
    public = key.public
    if libsodium:
        signed, raw = signature + message, public.raw

        def check() -> None:
            crypto_sign_open(signed, raw)
    else:
        def check() -> None:
            public.verify(signature, message)
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        for _ in range(200):
            check()
        count += 200
    return count / (time.perf_counter() - began)


def readings(meters: list[SigningKey], per_meter: int, owner: str) -> list[Transaction]:
    txs = []
    for i in range(per_meter):
        start = START + i * 1800
        for m, key in enumerate(meters):
            txs.append(sign_tx(key, chain=CHAIN, type="asset.generate",
                               body={"provider": f"P{m}", "method": "solar", "start": start, "end": start + 1800,
                                     "wh": 1000 + m, "owner": owner}, nonce=i, time=start + 1800))
    return txs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meters", type=int, default=200)
    parser.add_argument("--per-meter", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="keep the node's data in this (new) directory to inspect it")
    parser.add_argument("--embedded", action="store_true",
                        help="leave this process's interpreter as it is, as a node embedded in another program does")
    parser.add_argument("--busy", type=int, default=0, metavar="N",
                        help="spinning processes beside the node while it ingests (module docstring)")
    args = parser.parse_args()
    validator, intermediary = SigningKey.generate(), SigningKey.generate()
    meters = [SigningKey.generate() for _ in range(args.meters)]
    genesis = Genesis(CHAIN, START, (entry(validator.public, "validator", "V"),
                                     entry(intermediary.public, "intermediary", "Da"),
                                     *(entry(k.public, "meter", f"m{i}", provider=f"P{i}", method="solar",
                                             capacity_w=10_000) for i, k in enumerate(meters))))
    txs = readings(meters, args.per_meter, intermediary.address)
    raws = [tx.encode() for tx in txs]
    baseline, sodium = verify_rate(), verify_rate(libsodium=True)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        node = open_node(tmp, genesis, validator, clock=lambda: START + args.per_meter * 1800 + 3600)
        node.start(warm=True)
        if not args.embedded:
            tune_serving_process()
        try:
            with other_load(args.busy):
                began = time.perf_counter()
                pendings = node.submit_many(raws)
                outcomes = [p.wait(600) for p in pendings]
                elapsed = time.perf_counter() - began
        finally:
            node.close()
        db_bytes = sum(f.stat().st_size for f in tmp.iterdir())
    ok = sum(1 for o in outcomes if o and o["code"] == "ok")
    rate = ok / elapsed
    print(json.dumps({"bench": "ledger_ingest", "readings": len(raws), "committed": ok,
                      "ingest_per_s": round(rate), "verify_per_s_one_core": round(baseline),
                      "ratio": round(rate / baseline, 2), "verify_per_s_one_core_libsodium": round(sodium),
                      "ratio_libsodium": round(rate / sodium, 2), "bytes_per_reading": round(db_bytes / max(ok, 1)),
                      "serving_process": not args.embedded, "busy_processes": args.busy,
                      "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
