"""Benchmark: the state tree (``ledger_lite.smt_tree``) at a million leaves, against plain SHA-256 calls.

Prints one JSON line: ``from_items`` over 1,000,000 leaves (seconds, peak RSS), the same build one key at a time
on a sample (per leaf, to show what ``from_items`` saves), a batch update of 2,000 keys (median ms), ``prove``
and ``verify_*`` (median µs), the encoded proof size (max over a sample), and as baseline in the same run
1,000,000 ``hashlib.sha256`` calls on 64-byte inputs; each figure also as a ratio to the baseline (machines
here are noisy). The tree runs on its compiled walks (``ledger_lite/_smt_native.c``) when they are built; the
build and the batch updates are then measured again on the Python walks they mirror, in the same run
(``python_walks_*``, and the compiled walks' speed-up over them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from ledger_lite import smt_tree
from ledger_lite.smt_proof import verify_membership, verify_non_membership
from ledger_lite.smt_tree import SparseMerkleTree


def rss_mb() -> float:
    """Current resident set size (Linux /proc), MiB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def value_of(key: bytes, version: int = 0) -> bytes:
    return hashlib.sha256(key + version.to_bytes(4, "big")).digest()


def batch_updates(tree: SparseMerkleTree, keys: list[bytes], batch: int, rounds: int,
                  rng: random.Random) -> list[float]:
    """Milliseconds of each of ``rounds`` batch updates: half updates of present keys, 40 % inserts, 10 % deletes."""
    update_ms = []
    for round_ in range(rounds):
        changes: dict[bytes, bytes | None] = {}
        for key in rng.sample(keys, batch // 2):
            changes[key] = value_of(key, round_ + 1)
        for i in range(batch * 2 // 5):
            changes[b"new/%d/%d" % (round_, i)] = value_of(b"new/%d/%d" % (round_, i))
        for key in rng.sample(keys, batch // 10):
            changes.setdefault(key, None)
        began = time.perf_counter()
        tree.update(changes)
        update_ms.append((time.perf_counter() - began) * 1e3)
    return update_ms


def python_walks(items: dict[bytes, bytes], keys: list[bytes], batch: int, rounds: int) -> dict[str, float]:
    """The build and the same batch updates on the Python walks (``smt_tree.NATIVE`` off), for comparison."""
    smt_tree.NATIVE = False
    try:
        began = time.perf_counter()
        tree = SparseMerkleTree.from_items(items)
        build_s = time.perf_counter() - began
        update_ms = batch_updates(tree, keys, batch, rounds, random.Random(7))
    finally:
        smt_tree.NATIVE = True
    return {"python_walks_build_s": round(build_s, 3),
            "python_walks_update_median_ms": round(statistics.median(update_ms), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--one-by-one", type=int, default=20_000, help="leaves inserted one at a time")
    args = parser.parse_args()
    rng = random.Random(20240601)

    # Baseline: n plain SHA-256 calls on distinct 64-byte inputs.
    inputs = [rng.randbytes(64) for _ in range(args.leaves)]
    sha256 = hashlib.sha256
    began = time.perf_counter()
    for data in inputs:
        sha256(data).digest()
    baseline_s = time.perf_counter() - began
    del inputs
    hash_us = baseline_s * 1e6 / args.leaves

    items = {b"asset/%d" % i: value_of(b"asset/%d" % i) for i in range(args.leaves)}
    rss_before = rss_mb()
    began = time.perf_counter()
    tree = SparseMerkleTree.from_items(items)
    build_s = time.perf_counter() - began
    tree_mb = rss_mb() - rss_before

    small = dict(list(items.items())[: args.one_by_one])
    began = time.perf_counter()
    SparseMerkleTree.from_items(small)
    small_build_s = time.perf_counter() - began
    one = SparseMerkleTree()
    began = time.perf_counter()
    for key, value_hash in small.items():
        one.update({key: value_hash})
    one_by_one_s = time.perf_counter() - began

    keys = list(items)
    update_ms = batch_updates(tree, keys, args.batch, args.rounds, random.Random(7))

    root = tree.root()
    present = [k for k in rng.sample(keys, args.samples) if tree.get(k) is not None]
    absent = [b"absent/%d" % i for i in range(args.samples)]
    prove_us, verify_us, sizes = [], [], []
    for key in present + absent:
        began = time.perf_counter()
        proof = tree.prove(key)
        prove_us.append((time.perf_counter() - began) * 1e6)
        stored = tree.get(key)
        began = time.perf_counter()
        if stored is None:
            verify_non_membership(root, key, proof)
        else:
            verify_membership(root, key, stored, proof)
        verify_us.append((time.perf_counter() - began) * 1e6)
        sizes.append(len(proof.to_bytes()))

    figures = {
        "leaves": len(tree),
        "baseline_sha256_calls": args.leaves,
        "baseline_sha256_s": round(baseline_s, 3),
        "build_s": round(build_s, 3),
        "build_peak_rss_mb": round(peak_rss_mb()),
        "tree_rss_mb": round(tree_mb),
        "tree_bytes_per_leaf": round(tree_mb * 2**20 / args.leaves),
        "from_items_us_per_leaf_small": round(small_build_s * 1e6 / len(small), 2),
        "one_by_one_us_per_leaf_small": round(one_by_one_s * 1e6 / len(small), 2),
        "update_batch": args.batch,
        "update_median_ms": round(statistics.median(update_ms), 2),
        "prove_median_us": round(statistics.median(prove_us), 2),
        "verify_median_us": round(statistics.median(verify_us), 2),
        "proof_bytes_max": max(sizes),
        "proof_bytes_median": statistics.median(sizes),
        "proofs_sampled": len(sizes),
        # Ratios to the baseline: how many plain SHA-256 calls each figure is worth.
        "ratio_build_to_baseline": round(build_s / baseline_s, 2),
        "ratio_update_per_key_in_hashes": round(statistics.median(update_ms) * 1e3 / args.batch / hash_us, 1),
        "ratio_prove_in_hashes": round(statistics.median(prove_us) / hash_us, 1),
        "ratio_verify_in_hashes": round(statistics.median(verify_us) / hash_us, 1),
        "ratio_one_by_one_to_from_items": round(one_by_one_s / small_build_s, 1),
        "compiled_walks": smt_tree.NATIVE,
    }
    if smt_tree.NATIVE:
        del tree, one
        python = python_walks(items, keys, args.batch, args.rounds)
        figures.update(python)
        figures["compiled_speedup_build"] = round(python["python_walks_build_s"] / build_s, 2)
        figures["compiled_speedup_update"] = round(python["python_walks_update_median_ms"]
                                                   / statistics.median(update_ms), 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
