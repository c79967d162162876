"""Benchmark: a consortium on this machine (issue #12) — N validator node processes (default 4) ordered by a
3-member etcd cluster over TLS — against this machine's single-core Ed25519 verification rate and a solo node,
both measured in the same run (machines here are noisy: compare the ratios).

Prints one JSON line:

* ``finalized_readings_per_s``: signed meter readings (many meters of a genesis written here) sent in batches by
  ``--clients`` client threads spread over the nodes (``POST /v1/txs/batch?wait=true``), counted only when the
  answer says ``ok`` (a consortium node answers once the block is final: ⌈2n/3⌉ validator signatures);
  ``ratio`` = that ÷ ``ed25519_verify_per_s`` (one core, per CPU second, the best of short samples taken before
  and after the consortium runs; goal ≥ 0.15); ``load.cpu_s``: CPU seconds the clients, node processes, their
  signature-checking workers and etcd members used during the load (where the time goes), and from it
  ``all_cores_readings_per_s``: the rate if this machine's ``cores`` ran nothing else;
* ``finality_ms``: p50/p99 of a lone certificate issuance (``POST /v1/txs?wait=true``, one at a time, the
  consortium idle, round robin over the nodes), and ``solo_ms`` for the very same transactions on a solo node of
  the same genesis (one process holding every validator key, in this process) started in the same run.

``load_avg_1m_before_after`` says how busy the machine was with other programs. Every process started here (etcd
members, node processes) is stopped by its PID in a ``finally``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from proc_cpu import descendants, proc_stats

from greencert.consortium import ETCD_MEMBERS, MAX_VALIDATORS, Consortium, prepare, validator_keys
from greencert.keystore import private_dir
from greencert.servers import BackgroundServer, free_port_range
from greencert.world import load_world
from ledger.api import create_app
from ledger.genesis import Genesis, entry
from ledger.node import open_node
from ledger_lite import SigningKey, Transaction, sign_tx

CHAIN = "bench-consortium"
DAY = 86_400
HALF_HOUR = 1_800
CAPACITY_W = 10_000
GOAL_RATIO = 0.15
CBOR = {"content-type": "application/cbor"}


def verify_rate(seconds: float = 1.0, samples: int = 5) -> float:
    """Single-core Ed25519 verifications per second, as bench/ledger_ingest.py measures them but per second of
    this thread's CPU time, the best of ``samples`` parts: other programs sharing the core do not lower it."""
    return max(_verify_rate(seconds / samples) for _ in range(samples))


def _verify_rate(seconds: float) -> float:
    key = SigningKey.generate()
    message = os.urandom(200)
    signature = key.sign(message)
    public = key.public
    count, began, cpu = 0, time.perf_counter(), time.thread_time()
    while time.perf_counter() - began < seconds:
        for _ in range(200):
            public.verify(signature, message)
        count += 200
    return count / (time.thread_time() - cpu)


def cpu_by_role(consortium: Consortium) -> dict[str, float]:
    """CPU seconds used so far by this process (the clients), the node processes, their admission workers (every
    descendant of a node) and the etcd members."""
    stats = proc_stats()

    def used(pids: list[int]) -> float:
        return sum(stats[p][1] for p in pids if p in stats)

    nodes = [p.pid for p in consortium.nodes.values()]
    etcd = [m.process.pid for m in consortium.layout.etcd.members if m.process is not None]
    return {"clients": used([os.getpid()]), "nodes": used(nodes),
            "node_workers": used([d for n in nodes for d in descendants(n, stats)]), "etcd": used(etcd)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ms(values: list[float]) -> dict[str, float]:
    return {"p50": round(percentile(values, 0.5) * 1000, 1), "p99": round(percentile(values, 0.99) * 1000, 1),
            "mean": round(statistics.fmean(values) * 1000, 1), "n": len(values)}


@dataclass
class Keys:
    intermediary: SigningKey
    user: SigningKey
    meters: list[SigningKey]  # the load's meters
    latency_meter: SigningKey  # the readings behind the timed issuances


def write_genesis(path: Path, validators: list[SigningKey], keys: Keys, start: int) -> Genesis:
    entries = [entry(k.public, "validator", f"Validator v{i}") for i, k in enumerate(validators, 1)]
    entries += [entry(keys.intermediary.public, "intermediary", "Bench intermediary"),
                entry(keys.user.public, "user", "Bench consumer")]
    entries += [entry(k.public, "meter", f"Bench meter {i}", provider=f"P{i}", method="solar", capacity_w=CAPACITY_W)
                for i, k in enumerate([keys.latency_meter, *keys.meters])]
    genesis = Genesis(chain_id=CHAIN, time=start, entries=tuple(entries))
    genesis.save(path)
    return genesis


def reading(key: SigningKey, provider: str, start: int, slot: int, owner: str) -> Transaction:
    begin = start + slot * HALF_HOUR
    return sign_tx(key, chain=CHAIN, type="asset.generate",
                   body={"provider": provider, "method": "solar", "start": begin, "end": begin + HALF_HOUR,
                         "wh": 1000 + slot % 1000, "owner": owner}, nonce=slot, time=begin + HALF_HOUR)


def load_batches(keys: Keys, start: int, readings: int, clients: int, batch: int) -> list[list[bytes]]:
    """Each client's request bodies: it owns a share of the meters and sends their readings in time order."""
    meters = keys.meters
    per_meter = -(-readings // len(meters))
    owner = keys.intermediary.address
    txs: list[list[bytes]] = [[] for _ in range(clients)]
    made = 0
    for slot in range(per_meter):
        for m, key in enumerate(meters):
            if made == readings:
                break
            txs[m % clients].append(reading(key, f"P{m + 1}", start, slot, owner).encode())
            made += 1
    return [[json.dumps({"txs": [t.hex() for t in own[i:i + batch]]}).encode()
             for i in range(0, len(own), batch)] for own in txs]


def issuance_setup(keys: Keys, start: int, runs: int) -> tuple[list[bytes], bytes, list[bytes]]:
    """Readings of the latency meter, one allocation of all of them to the user, and one issuance per asset:
    the same transactions go to the consortium and to the solo node (one genesis)."""
    owner = keys.intermediary.address
    gen = [reading(keys.latency_meter, "P0", start, slot, owner) for slot in range(runs)]
    now = int(time.time())
    allocate = sign_tx(keys.intermediary, chain=CHAIN, type="asset.allocate",
                       body={"to": keys.user.address, "usage_start": start, "usage_end": start + DAY,
                             "parts": [{"asset": t.tx_id, "wh": t.body["wh"]} for t in gen]}, nonce=1, time=now)
    issues = [sign_tx(keys.intermediary, chain=CHAIN, type="cert.issue",
                      body={"owner": keys.user.address, "institution": "bench", "assets": [t.tx_id]},
                      nonce=100 + i, time=now) for i, t in enumerate(gen)]
    return [t.encode() for t in gen], allocate.encode(), [t.encode() for t in issues]


def check_ok(results: list[dict[str, Any]], what: str) -> None:
    bad = Counter(r.get("code") for r in results if r.get("code") != "ok")
    if bad:
        raise RuntimeError(f"{what}: expected every outcome ok, found {dict(bad)}: "
                           f"{next(r for r in results if r.get('code') != 'ok')}")


def time_issuances(urls: list[str], setup: tuple[list[bytes], bytes, list[bytes]]) -> list[float]:
    """Set up the assets, then submit each issuance alone (round robin over ``urls``) and time until final."""
    gen, allocate, issues = setup
    seconds = []
    with httpx.Client(timeout=60) as http:
        answer = http.post(f"{urls[0]}/v1/txs/batch", params={"wait": "true", "timeout": 30},
                           json={"txs": [t.hex() for t in gen]})
        check_ok(answer.json()["results"], "latency readings")
        answer = http.post(f"{urls[-1]}/v1/txs", params={"wait": "true", "timeout": 30}, content=allocate,
                           headers=CBOR)
        check_ok([answer.json()], "allocation")
        for url in urls:  # one connection per node, so the timed requests do not pay for connecting
            http.get(f"{url}/v1/status")
        for i, raw in enumerate(issues):
            url = urls[i % len(urls)]
            began = time.perf_counter()
            answer = http.post(f"{url}/v1/txs", params={"wait": "true", "timeout": 30}, content=raw, headers=CBOR)
            seconds.append(time.perf_counter() - began)
            check_ok([answer.json()], f"issuance {i} at {url}")
    return seconds


def solo_latency(root: Path, genesis: Genesis, validators: list[SigningKey],
                 setup: tuple[list[bytes], bytes, list[bytes]]) -> list[float]:
    """The same transactions on a solo node of the same genesis (it holds every validator's key)."""
    node = open_node(root / "solo", genesis, validators[0], cosigners=validators[1:])
    node.start(warm=True)
    server = None
    try:
        server = BackgroundServer(create_app(node), "127.0.0.1", 0).start()
        return time_issuances([server.url], setup)
    finally:
        if server is not None:
            server.stop()
        node.close()


def drive_load(urls: list[str], bodies: list[list[bytes]]) -> dict[str, Any]:
    """Every client sends its batches one after another to its node; finalized = outcomes answered ok."""
    codes: Counter[str] = Counter()
    answered: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    go = threading.Event()

    def client(index: int) -> None:
        url = urls[index % len(urls)]
        with httpx.Client(timeout=90, headers={"content-type": "application/json"}) as http:
            http.get(f"{url}/v1/status")
            go.wait()
            for body in bodies[index]:
                began = time.perf_counter()
                try:
                    answer = http.post(f"{url}/v1/txs/batch", params={"wait": "true", "timeout": 30}, content=body)
                    answer.raise_for_status()
                    got = Counter(r.get("code", "?") for r in answer.json()["results"])
                except (httpx.HTTPError, ValueError, KeyError) as e:
                    with lock:
                        errors.append(f"{url}: {e!r}"[:200])
                    continue
                with lock:
                    codes.update(got)
                    answered.append(time.perf_counter() - began)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    began = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"elapsed": elapsed, "codes": dict(codes), "batch_s": answered, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--validators", type=int, default=4)
    parser.add_argument("--readings", type=int, default=24_000, help="readings sent under load")
    parser.add_argument("--meters", type=int, default=240)
    parser.add_argument("--clients", type=int, default=8, help="client threads, spread round robin over the nodes")
    parser.add_argument("--batch", type=int, default=250, help="readings per request")
    parser.add_argument("--issuances", type=int, default=50, help="lone issuances timed (consortium and solo)")
    parser.add_argument("--keep", type=Path, help="keep the consortium's directory (logs, stores) in this new path")
    args = parser.parse_args()
    start = (int(time.time()) // DAY - 20) * DAY  # a day boundary 20 days ago: every reading is past, none too late
    if not 1 <= args.validators <= MAX_VALIDATORS:
        parser.error(f"--validators: expected 1 to {MAX_VALIDATORS}, found {args.validators}")
    if -(-args.readings // args.meters) > 19 * 48:
        parser.error("expected at most 912 readings per meter (19 days of half hours): raise --meters")
    if not 1 <= args.issuances <= 256:
        parser.error("--issuances: expected 1 to 256 (one allocation holds at most 256 parts)")

    keys = Keys(SigningKey.generate(), SigningKey.generate(), [SigningKey.generate() for _ in range(args.meters)],
                SigningKey.generate())
    load_avg_before = os.getloadavg()[0]  # other programs on this machine: the figures are only as quiet as it
    verify_before = verify_rate()
    signing = time.perf_counter()
    bodies = load_batches(keys, start, args.readings, args.clients, args.batch)
    setup = issuance_setup(keys, start, args.issuances)
    signing = time.perf_counter() - signing

    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch) / "consortium"
        private_dir(root)
        validators = validator_keys(root / "keys", args.validators)
        genesis = write_genesis(root / "genesis.json", validators, keys, start)
        solo_s = solo_latency(Path(scratch), genesis, validators, setup)

        base = free_port_range(args.validators + 2 * ETCD_MEMBERS)
        layout = prepare(root, load_world(root), args.validators, start, node_port=base,
                         etcd_client_port=base + args.validators,
                         etcd_peer_port=base + args.validators + ETCD_MEMBERS)
        consortium = Consortium(layout)
        try:
            began = time.perf_counter()
            consortium.start(out=lambda _: None)
            startup = time.perf_counter() - began
            urls = layout.node_urls
            finality_s = time_issuances(urls, setup)  # idle: before the load
            with httpx.Client(timeout=10) as http:
                before = http.get(f"{urls[0]}/v1/status").json()["final_height"]
            cpu_before = cpu_by_role(consortium)
            load = drive_load(urls, bodies)
            cpu = {k: v - cpu_before[k] for k, v in cpu_by_role(consortium).items()}
            with httpx.Client(timeout=10) as http:
                after = http.get(f"{urls[0]}/v1/status").json()["final_height"]
        finally:
            consortium.stop()

    verify_after = verify_rate()
    baseline = max(verify_before, verify_after)  # measured before and after, with nothing of ours running
    finalized = load["codes"].get("ok", 0)
    rate = finalized / load["elapsed"]
    blocks = max(1, after - before)
    cpu_per_reading = sum(cpu.values()) / max(finalized, 1)
    print(json.dumps({
        "bench": "consortium", "validators": args.validators, "etcd_members": ETCD_MEMBERS,
        "readings": args.readings, "finalized": finalized, "refused": {k: v for k, v in load["codes"].items()
                                                                       if k != "ok"},
        "errors": len(load["errors"]), "finalized_readings_per_s": round(rate),
        "ed25519_verify_per_s": round(baseline),
        "verify_per_s_before_after": [round(verify_before), round(verify_after)],
        "ratio": round(rate / baseline, 3), "goal_ratio": GOAL_RATIO,
        "finality_ms": ms(finality_s), "solo_ms": ms(solo_s),
        "finality_p50_over_solo": round(percentile(finality_s, 0.5) / percentile(solo_s, 0.5), 1),
        "load": {"seconds": round(load["elapsed"], 2), "clients": args.clients, "batch": args.batch,
                 "batch_answer_ms": ms(load["batch_s"]) if load["batch_s"] else None,
                 "blocks": after - before,
                 "cpu_s": {k: round(v, 1) for k, v in cpu.items()}, "cores": os.cpu_count(),
                 "cpu_ms_per_finalized_reading": round(cpu_per_reading * 1000, 3),
                 # what every core of this machine would finalize if nothing else ran on it (noise-free)
                 "all_cores_readings_per_s": round((os.cpu_count() or 1) / cpu_per_reading)
                 if cpu_per_reading else None,
                 "mean_txs_per_block": round(finalized / blocks, 1)},
        "startup_s": round(startup, 1), "signing_s": round(signing, 1),
        "load_avg_1m_before_after": [round(load_avg_before, 1), round(os.getloadavg()[0], 1)],
        **({"first_error": load["errors"][0]} if load["errors"] else {}),
    }))


if __name__ == "__main__":
    main()
