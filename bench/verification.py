"""Benchmark: verifying a certificate, as ratios to a bare Ed25519 verification measured in the same run
(issue #13 goals: offline ≤ 10 ms, online against a local node ≤ 100 ms, proof bytes per online check ≤ 2 KB at
10,000,000 transactions; issue 17: warm online ≤ 20 ms p50 and ≥ 2.5× faster than Blockcerts' verifier).

The node runs as a process of its own (this script with ``--serve DIR``), as a local node does. The offline and
online paths are timed in turn (each run calls each once), and the runs in ``SEGMENTS`` segments with the peer's
verifier timed after each, so that the load of a shared machine weighs on every path alike.

* ``offline_ms``: ``ledger_lite.audit.audit`` with the certificate's audit bundle (signature, inclusion in a final
  block, quorum, state proof) — what ``greencert verify --offline certificate.pdf`` and the kiosk do with no network;
* ``online_ms``: the same against a ledger node served over HTTP on loopback, warm (one ``NodeClient`` kept, its
  connection alive), every answer fetched afresh for each check:

  - ``one_request``: through ``backend_client.CertificateReader`` (``GET /v1/certificates/{id}/audit``: one
    request per check);
  - ``one_request_headers_kept``: the same under ``HeaderWatch`` with a trust list that keeps the headers it
    checked (as the command line and the kiosk keep theirs): a header verified as final before is not verified
    again, so a warm check of an unchanged chain verifies no commit signature (a new head costs one commit);
  - ``one_request_light_node``: the same through ``backend_client.LightNode`` (the standard library's
    ``http.client``, no httpx loaded: what ``greencert verify`` reads a node with);
  - ``four_requests``: the ``NodeClient`` itself as the reader (transaction, block, state proof, head: the path of
    a node without the audit route);
  - ``new_client_per_check``: a new ``NodeClient`` for every check, one request (what a verifier that does not
    keep its client pays: the client is built, a connection opened);
  - ``refresh_and_check``: the trust list (kept from an earlier run) brought up to date from the node
    (``ledger_lite.trust_anchor.refresh`` through ``backend_client.TrustReader``), then the one-request check under
    ``HeaderWatch``: what ``greencert verify --node`` does, built with the new readers;
  - ``refresh_and_check_single_questions``: the same over the ``NodeClient`` itself, as the command line asks today;

* ``online_busy_block``: the one-request check of a certificate whose issuance was submitted with
  ``BUSY_READINGS`` readings (``txs_in_block``: how many share its block), as on a busy node: the first check
  (the node reads and hashes the whole block once) and warm (the block's leaves kept: ``ledger.block_leaves``);
* ``online_bytes``: HTTP response bytes (body) and requests per online check on each path;
* ``cli_verify_ms``: ``greencert verify PAYLOAD --node URL`` as the command line runs it (a new ``LightNode``
  per check, the trust list brought up to date from the node each time, and the stated time-matched Wh proven
  from the certificate's asset records), warm, in process, for comparison;
* ``proof_bytes``: the bytes of the proofs one online check fetches (inclusion path, state proof) on this node,
  and ``proof_bytes_at_10M``: the same computed for a state of 10,000,000 keys and full blocks of 2,000
  transactions (the sparse Merkle tree's expected depth is log2 of the keys; the block's path is log2 of its
  transactions), as this machine cannot hold such a node;
* ``peer``: Blockcerts' ``cert-verifier-js`` verifying Blockcerts certificates in the same run
  (``bench/peers/blockcerts``, see its README), or null with the reason it could not be run: ``verify_ms`` its
  whole procedure (a certificate anchored on Bitcoin testnet, the transaction, issuer profile and revocation list
  served by a loopback stub), ``verify_ms_mocknet`` a certificate on its test chain (no transaction, root or
  issuer key checked); ``peer_over_one_request`` = its p50 / GreenCert's one-request p50 (issue 17: ≥ 2.5), and
  ``peer_over_headers_kept`` and ``peer_over_light_node`` the same against those paths.

Prints one JSON line.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from backend_client import CertificateReader, LightNode, NodeClient, TrustReader
from greencert.servers import BackgroundServer
from ledger.api import create_app
from ledger_lite.audit import AuditBundle, audit
from ledger_lite.trust_anchor import HeaderWatch, refresh
from ledger_lite.verification import Trust
from tests.helpers.issued_certificate import issue_among_readings, issue_certificate
from tests.helpers.ledger_world import DAY, GENESIS_TIME, LedgerWorld, ManualClock

RUNS = 300
SEGMENTS = 3  # the runs are split in this many segments, Blockcerts' verifier timed after each
BUSY_READINGS = 1000  # a busy block: the issuance among this many readings
CLI_RUNS = 50
HASH = 32
PEER = Path(__file__).resolve().parent / "peers" / "blockcerts"
PEER_TIMEOUT_S = 600


def summary(samples: list[float]) -> tuple[float, float]:
    """(p50, p99) in milliseconds of samples in seconds."""
    found = sorted(samples)
    return statistics.median(found) * 1e3, found[max(0, math.ceil(len(found) * 0.99) - 1)] * 1e3


def timed_ms(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """(p50, p99) in milliseconds of ``runs`` calls of ``fn``."""
    return summary(together({"fn": fn}, runs)["fn"])


def together(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Seconds taken by each of ``fns``, called in turn ``runs`` times each (interleaved, so that a change in the
    machine's load weighs on every path alike)."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            began = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - began)
    return samples


class Counting(httpx.HTTPTransport):
    """Counts the requests and response body bytes that pass through it."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0
        self.bytes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.read()
        self.requests += 1
        self.bytes += len(response.content)
        return response


def per_check(url: str, check: Callable[[NodeClient], object]) -> dict[str, int]:
    transport = Counting()
    client = NodeClient(url, transport=transport)
    try:
        check(client)
    finally:
        client.close()
    return {"requests": transport.requests, "response_bytes": transport.bytes}


def peer(runs: int) -> dict[str, Any]:
    """Blockcerts' verifier timed by its own script (bench/peers/blockcerts/time_verify.mjs), or why not."""
    script = PEER / "time_verify.mjs"
    if not (PEER / "node_modules" / "@blockcerts" / "cert-verifier-js").is_dir():
        return {"peer": None,
                "peer_reason": "cert-verifier-js is not installed: run `npm ci` in bench/peers/blockcerts"}
    try:
        done = subprocess.run(["node", str(script), str(runs)], cwd=PEER, capture_output=True, text=True,
                              timeout=PEER_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"peer": None, "peer_reason": f"node could not run the peer's script: {exc}"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"peer": None, "peer_reason": f"the peer's script failed ({done.returncode}): "
                                             f"{(done.stderr or done.stdout).strip()[-400:]}"}
    found: dict[str, Any] = json.loads(lines[-1])
    if found.get("status") != "verified":
        return {"peer": None, "peer_reason": f"cert-verifier-js did not verify its certificate: {found}"}
    return {"peer": found}


def serve(data_dir: Path) -> None:
    """The node process (``--serve DIR``): the test world's node over ``DIR`` on a loopback port; prints its URL,
    serves until its standard input closes."""
    node = LedgerWorld().open_node(data_dir, ManualClock())
    server = BackgroundServer(create_app(node), "127.0.0.1", 0).start()
    print(server.url, flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()
        node.close()


def main() -> None:
    w = LedgerWorld()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "node"
        node = w.open_node(data_dir, ManualClock(GENESIS_TIME + 25 * DAY))  # past the readings below
        try:
            issued = issue_certificate(w, node, later_blocks=36)  # a few more blocks and keys
            busy = issue_among_readings(w, node, BUSY_READINGS, first_slot=100)
            busy_block = node.block(node.tx(busy.certificate_id)["height"])["tx_count"]
            bundle = AuditBundle.fetch(node, issued.certificate_id)
            keys = len(node.state)
        finally:
            node.close()
        # The node runs as its own process (as a local node does), not as a thread beside the verifier's.
        process = subprocess.Popen([sys.executable, __file__, "--serve", str(data_dir)], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            if not url.startswith("http://"):
                raise SystemExit(f"the node process did not start (it said {url!r})")
            found = measure(url, issued.payload, issued.trust, bundle, w)
            found["busy"] = {"txs_in_block": busy_block, **busy_block_ms(url, busy.payload, busy.trust)}
        finally:
            assert process.stdin is not None
            process.stdin.close()
            process.wait(timeout=30)
    report(found, bundle, keys)


def measure(url: str, payload: str, trust: Trust, bundle: AuditBundle, w: LedgerWorld) -> dict[str, Any]:
    """The figures of this side: the online paths and the offline check timed in turn, bytes per online check,
    a bare Ed25519 verification."""

    def one(client: NodeClient) -> None:
        assert audit(payload, trust, node=CertificateReader(client)).verdict == "genuine"

    def light(node: LightNode) -> None:
        assert audit(payload, trust, node=CertificateReader(node)).verdict == "genuine"

    def four(client: NodeClient) -> None:
        assert audit(payload, trust, node=client).verdict == "genuine"

    kept = Trust.from_json(trust.to_json())  # a light node's own trust list, which keeps the headers it checked

    def headers_kept(client: NodeClient) -> None:
        """One request, headers watched as the command line and the kiosk do: a header verified as final before
        (``Trust.headers``) is not verified again, so a warm check verifies no commit signature."""
        assert audit(payload, kept, node=HeaderWatch(CertificateReader(client), kept)).verdict == "genuine"

    def new_client() -> None:
        client = NodeClient(url, timeout=10)
        try:
            one(client)
        finally:
            client.close()

    known: dict[str, Trust] = {}

    def with_refresh(client: NodeClient, fast: bool) -> None:
        """The trust list brought up to date from the node, then the check, headers watched (what the command
        line does): through ``TrustReader`` and ``CertificateReader``, or the single questions."""
        if "trust" not in known:  # a trust list kept from an earlier run (its file), as the command line has
            known["trust"] = refresh(Trust(trust.chain_id, {}, list(trust.validators), {}), client)[0]
        fresh, _ = refresh(known["trust"], TrustReader(client) if fast else client)
        reader = CertificateReader(client) if fast else client
        assert audit(payload, fresh, node=HeaderWatch(reader, fresh)).verdict == "genuine"

    assert audit(payload, trust, bundle=bundle).verdict == "genuine"
    signature = w.intermediary.sign(b"greencert bench message")
    public = w.intermediary.public
    samples: dict[str, list[float]] = {}
    blockcerts: dict[str, Any] = {}
    with NodeClient(url, timeout=10) as client, LightNode(url, timeout=10) as light_node:
        one(client)  # warm: the connection is open, the code paths have run once
        light(light_node)
        headers_kept(client)
        four(client)
        # In segments, Blockcerts' verifier after each: a drift in the machine's load weighs on both sides.
        for _ in range(SEGMENTS):
            found = together({"one_request": lambda: one(client),
                              "one_request_headers_kept": lambda: headers_kept(client),
                              "one_request_light_node": lambda: light(light_node),
                              "four_requests": lambda: four(client),
                              "new_client_per_check": new_client,
                              "refresh_and_check": lambda: with_refresh(client, True),
                              "refresh_and_check_single_questions": lambda: with_refresh(client, False),
                              "offline": lambda: audit(payload, trust, bundle=bundle)}, RUNS // SEGMENTS)
            found["ed25519"] = together({"ed25519": lambda: public.verify(signature, b"greencert bench message")},
                                        3000 // SEGMENTS)["ed25519"]
            for name, taken in found.items():
                samples.setdefault(name, []).extend(taken)
            if blockcerts.get("peer", {}) is not None:
                blockcerts = merged(blockcerts, peer(RUNS // SEGMENTS))
    timed = {name: summary(taken) for name, taken in samples.items()}
    sizes = {"one_request": per_check(url, one), "four_requests": per_check(url, four),
             "refresh_and_check": per_check(url, lambda c: with_refresh(c, True)),
             "refresh_and_check_single_questions": per_check(url, lambda c: with_refresh(c, False))}
    return {"timed": timed, "bytes": sizes,
            "cli": cli(url, payload), "peer": finished(blockcerts)}


def merged(so_far: dict[str, Any], segment: dict[str, Any]) -> dict[str, Any]:
    """The peer's segments so far with one more (its samples joined); a failed segment ends the peer's part."""
    if segment.get("peer") is None:
        return segment
    if not so_far:
        return segment
    joined = dict(so_far["peer"])
    for name in ("anchored", "mocknet"):
        joined["samples_ms"][name] = so_far["peer"]["samples_ms"][name] + segment["peer"]["samples_ms"][name]
    joined["runs"] += segment["peer"]["runs"]
    return {"peer": joined}


def finished(blockcerts: dict[str, Any]) -> dict[str, Any]:
    """The peer's figures over every segment (p50, p99 of all its samples), its samples dropped."""
    found = blockcerts.get("peer")
    if found is None:
        return blockcerts
    out = {k: v for k, v in found.items() if k != "samples_ms"}
    for key, name in (("verify_ms", "anchored"), ("verify_ms_mocknet", "mocknet")):
        p50, p99 = summary([ms / 1e3 for ms in found["samples_ms"][name]])
        out[key] = {"p50": round(p50, 3), "p99": round(p99, 3)}
    out["segments"] = SEGMENTS
    return {"peer": out}


def busy_block_ms(url: str, payload: str, trust: Trust) -> dict[str, Any]:
    """The one-request check of a certificate issued in a block of ``BUSY_READINGS`` readings: the first check
    (the node reads and hashes the whole block) and warm (its leaves kept: ``ledger.block_leaves``)."""
    with NodeClient(url, timeout=10) as client:
        def check() -> None:
            assert audit(payload, trust, node=CertificateReader(client)).verdict == "genuine"

        began = time.perf_counter()
        check()
        first = (time.perf_counter() - began) * 1e3
        p50, p99 = timed_ms(check)
    return {"first_check_ms": round(first, 3), "one_request_ms": {"p50": round(p50, 3), "p99": round(p99, 3)}}


def cli(url: str, payload: str) -> dict[str, Any]:
    """``greencert verify PAYLOAD --node URL`` as it is (``greencert.verify.verify``), warm: its trust list kept
    in a file from the first run. Not this benchmark's to change; measured so the report says what it costs."""
    try:
        from greencert.verify import verify

        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "trust.json"

            def check() -> None:
                verdict = verify(payload, node_url=url, offline=False, trust_cache=cache).verdict
                assert verdict == "genuine", verdict

            check()
            p50, p99 = timed_ms(check, runs=CLI_RUNS)
    except Exception as exc:  # the CLI's own failure: say so, measure the rest
        return {"cli_verify_ms": None, "cli_reason": f"{type(exc).__name__}: {str(exc)[:300]}"}
    return {"cli_verify_ms": {"p50": round(p50, 3), "p99": round(p99, 3), "runs": CLI_RUNS}}


def report(found: dict[str, Any], bundle: AuditBundle, keys: int) -> None:
    timed: dict[str, tuple[float, float]] = found["timed"]
    verify_ms = timed["ed25519"][0]
    one = timed["one_request"][0]
    blockcerts: dict[str, Any] = found["peer"]
    state_proof = len(bundle.state["proof"]["siblings"]) * HASH + 2 * HASH + HASH  # siblings, bitmap, leaf
    inclusion = len(bundle.tx["proof"]["hashes"]) * HASH
    # At 10 M keys the expected number of non-empty siblings on a path is about log2(10 M) + 1; a full block's
    # inclusion path is ⌈log2(2,000)⌉ hashes. Both plus the bitmap and the terminal leaf (path, value hash).
    at_10m = (math.ceil(math.log2(10_000_000)) + 1) * HASH + 3 * HASH + math.ceil(math.log2(2000)) * HASH

    def ms(name: str) -> dict[str, float]:
        return {"p50": round(timed[name][0], 3), "p99": round(timed[name][1], 3)}

    online = ("one_request", "one_request_headers_kept", "one_request_light_node", "four_requests",
              "new_client_per_check", "refresh_and_check", "refresh_and_check_single_questions")
    result: dict[str, Any] = {
        "bench": "verification", "runs": RUNS, "node": "its own process, HTTP on a loopback port",
        "offline_ms": ms("offline"),
        "online_ms": {name: ms(name) for name in online},
        "online_bytes": found["bytes"],
        "ed25519_verify_ms": round(verify_ms, 4),
        "offline_ratio": round(timed["offline"][0] / verify_ms, 1),
        "online_ratio": {name: round(timed[name][0] / verify_ms, 1) for name in online},
        "one_request_speedup_over_four": round(timed["four_requests"][0] / one, 2),
        "goal_ms": {"offline": 10, "online": 100, "online_warm_issue17": 20},
        "proof_bytes": {"state": state_proof, "inclusion": inclusion, "keys_in_state": keys},
        "proof_bytes_at_10M": at_10m, "goal_proof_bytes": 2048,
        "online_busy_block": found["busy"],
        **found["cli"],
        **blockcerts,
    }
    checked = blockcerts.get("peer")
    if checked is not None:  # p50 ratios; issue 17's goal: the peer's full check ≥ 2.5 × GreenCert's one request
        result["peer_over_one_request"] = round(checked["verify_ms"]["p50"] / one, 2)
        result["peer_mocknet_over_one_request"] = round(checked["verify_ms_mocknet"]["p50"] / one, 2)
        result["peer_ratio"] = round(checked["verify_ms"]["p50"] / verify_ms, 1)
        result["peer_over_headers_kept"] = round(checked["verify_ms"]["p50"] / timed["one_request_headers_kept"][0], 2)
        result["peer_over_light_node"] = round(checked["verify_ms"]["p50"] / timed["one_request_light_node"][0], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(Path(sys.argv[2]))
    else:
        main()
