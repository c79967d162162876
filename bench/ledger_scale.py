"""Benchmark: a node as its assets accumulate (issue #16, "The node over the years").

The node runs as its own process (``greencert node``, the way an operator runs it); this script is only its load
generator, so the memory reported is the node's own: ``node_rss_mb`` is the node process's resident memory
(``VmRSS`` in ``/proc``) after the readings of each step, ``node_peak_rss_mb`` its high-water mark and
``node_rss_median_mb`` the median of its resident memory sampled every second while they were sent (a tree write
holds its rows for seconds, so one reading of ``VmRSS`` may land on one or not). Readings are
signed here ahead of time, 200,000 at a time in worker processes (the meters' work, not the node's: it is left out
of the timing), and sent in batches over HTTP (``POST /v1/txs/batch?wait=true``); at each step (a number of assets)
the script measures, in the same run:

* ``ingest_ratio``: readings committed per second while they were being sent over this machine's single-core Ed25519
  verification rate (measured at the start), OpenSSL's (``cryptography``: the limit issue 16 names);
  ``ingest_ratio_libsodium`` over the rate of the check the node makes (libsodium, ``ledger.signatures``, about
  twice as fast here): how near the node comes to its own signature checks;
* ``node_cpu_us_per_reading``: the CPU time (user + system, ``/proc/<pid>/stat``) the node's process spent over the
  step's readings, per reading, idle chores between chunks included; ``admission_cpu_us_per_reading``, that of its
  admission worker processes (its descendants). A cost, not a rate: it moves less than ``ingest_ratio`` with what
  else the machine runs (a busy machine still slows each core some), so it compares code across runs better;
* ``issue_p99_ms`` against ``baseline_p99_ms``: certificate issuances (10 allocated assets each) one at a time
  (submit → committed outcome), against the commit of a single reading on the same node at the same time, and
  their ratio; ``issue_worst_ms`` and ``baseline_worst_ms``, the three slowest of each (their place in the round,
  ms): whether the p99 of a hundred is one stall or many (``--node-log`` with ``--slow-block-ms`` keeps the node's
  account of each block that slow: ``ledger.block_timing``); ``allocate_worst_ms``, the three slowest of the
  allocations committed one by one before them (untimed otherwise), the first commits a client waits on after the
  step's readings;
* ``restart_s``: stop the node (SIGTERM), start it again, time until its API serves;
* ``disk_bytes_per_reading`` of the node's SQLite files.

By default the readings span the 27 days before now, so none expires during the run. ``--days D`` spreads them
over D days instead (fewer meters, more readings each) and makes the node's clock follow them (``greencert node
--clock-file``: the end of the newest reading sent): over more than a month and the node's retention
(``ledger.rules.expiry``), the first readings expire and leave the state while the run goes on, as they would
over D days of a real node (``--days 208 --steps 300000,1000000``: about seven months of 100 meters).

The meters are as few as the last step needs over those days, so how many assets are live once the sweep runs (about
five weeks of their readings), which sets what a reading costs the node, follows the steps: ``--days 208 --steps
1000000,3000000,10000000`` has 1,002 meters (1.78 M assets live), ``--steps 2000000,3000000,4000000`` 401.
``--meters N`` sets their number instead, so that a shorter run reaches the steady state of N meters:
``--meters 1002 --days 70 --steps 2500000,3300000`` measures the issue's intermediary of a thousand producers from
2.5 M to 3.3 M readings, its assets swept as fast as they come from about 1.8 M on.

``--cache-mb`` gives the node that much memory for its state caches (``greencert node --cache-mb``, default: its
default caches), to measure what memory buys once the live state outgrows the default. ``--other-load SHARE`` runs a
process busy that share of one core beside the node from after the baseline is measured (one core's verifications,
the machine's own) to the end: issue 16's ingest goal is on "a machine with some other load".

Prints one JSON line: every step's figures (with the load average when they were taken: the machine is shared)
and, as the trend, each figure's change per 100,000 assets between the first and the last step. Steps stop early
once ``--budget-s`` is spent. ``--plot`` draws memory, restart time, ingest ratio and issuance p99 against the
number of assets as an SVG (``docs/ledger-scale.svg``, shown in the README); ``--replot`` draws it again from a
saved JSON line without running anything.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from ledger_ingest import verify_rate
from other_load import other_load
from proc_cpu import descendants, proc_stats

from ledger.genesis import Genesis, entry
from ledger_lite import SigningKey, Transaction, sign_tx

ROOT = Path(__file__).resolve().parents[1]
CHAIN = "scale"
SLOT = 1800
SLOTS_PER_METER = 1300  # 27 days of half hours: every reading is still unexpired (a month) when the run ends
BATCH = 2000
CHUNK = 200_000  # readings signed ahead, then sent and timed
RSS_SAMPLE_S = 1.0  # seconds between two samples of the node's resident memory (``node_rss_median_mb``)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


class NodeProcess:
    """``greencert node`` on a data directory, started and stopped by this script."""

    def __init__(self, data_dir: Path, genesis: Path, key: Path, clock: Path | None = None,
                 cache_mb: int | None = None, log: Path | None = None, slow_block_ms: float | None = None) -> None:
        self.data_dir, self.genesis, self.key, self.clock = data_dir, genesis, key, clock
        self.cache_mb, self.slow_block_ms = cache_mb, slow_block_ms
        self.log = log  # where the node's output goes, each line stamped with the time it came (None: nowhere)
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.rss_samples: list[float] = []  # the running process's VmRSS in MB, every RSS_SAMPLE_S

    def start(self) -> float:
        """Start the node; seconds until its API serves."""
        port = free_port()
        began = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "greencert.cli", "node", "--data-dir", str(self.data_dir),
                                      "--genesis", str(self.genesis), "--key", str(self.key), "--port", str(port),
                                      *(() if self.clock is None else ("--clock-file", str(self.clock))),
                                      *(() if self.cache_mb is None else ("--cache-mb", str(self.cache_mb))),
                                      *(() if self.slow_block_ms is None else
                                        ("--slow-block-ms", str(self.slow_block_ms)))],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        seen = []
        for line in self.proc.stdout:
            seen.append(line)
            self._keep(line)
            if "Ledger node API" in line:
                self.url = f"http://127.0.0.1:{port}"
                threading.Thread(target=self._drain, daemon=True).start()
                self.rss_samples = []
                threading.Thread(target=self._sample, args=(self.proc, self.rss_samples), daemon=True).start()
                return time.perf_counter() - began
        raise RuntimeError("the node did not start:\n" + "".join(seen))

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self._keep(line)

    def _keep(self, line: str) -> None:
        if self.log is not None:
            with self.log.open("a") as out:
                out.write(f"{datetime.now().strftime('%H:%M:%S.%f')[:-3]} {line}")

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=300)

    @staticmethod
    def _sample(proc: subprocess.Popen[str], into: list[float]) -> None:
        while proc.poll() is None:
            try:
                into.append(status_kb(proc.pid, "VmRSS") / 1024)
            except (OSError, RuntimeError):  # the process ended between the check and the read
                return
            time.sleep(RSS_SAMPLE_S)

    def rss_mb(self) -> tuple[float, float]:
        assert self.proc is not None
        return status_kb(self.proc.pid, "VmRSS") / 1024, status_kb(self.proc.pid, "VmHWM") / 1024

    def cpu(self) -> tuple[float, dict[int, float]]:
        """CPU seconds so far of the node's process and of each of its descendants (its admission workers)."""
        assert self.proc is not None
        stats = proc_stats()
        return stats[self.proc.pid][1], {pid: stats[pid][1] for pid in descendants(self.proc.pid, stats)}


def set_clock(path: Path, now: int) -> None:
    """Set the node's clock file to ``now`` (written whole, then renamed: the node never reads half a number)."""
    part = path.with_suffix(".part")
    part.write_text(str(now))
    part.replace(path)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def slowest(seconds: list[float], count: int = 3) -> list[list[float]]:
    """The ``count`` longest of ``seconds``, longest first: [place, milliseconds]."""
    places = sorted(range(len(seconds)), key=seconds.__getitem__)[-count:][::-1]
    return [[n, round(seconds[n] * 1e3, 2)] for n in places]


def commit(http: httpx.Client, tx: Transaction) -> float:
    began = time.perf_counter()
    outcome = http.post("/v1/txs", params={"wait": "true"}, json={"tx": tx.encode().hex()}).json()
    elapsed = time.perf_counter() - began
    if outcome.get("code") != "ok":
        raise RuntimeError(f"{tx.type} not committed: {outcome}")
    return elapsed


def sign_batch(seeds: list[bytes], owner: str, todo: list[tuple[int, int]]) -> bytes:
    """The request body of one ``POST /v1/txs/batch``: the readings ``todo`` (meter, slot) signed by the meters
    whose seeds are given (runs in a worker process)."""
    keys = {m: SigningKey.from_seed(seeds[m]) for m in {m for m, _ in todo}}
    txs = [sign_tx(keys[m], chain=CHAIN, type="asset.generate",
                   body={"provider": f"P{m}", "method": "wind", "start": s * SLOT, "end": (s + 1) * SLOT,
                         "wh": 10_000, "owner": owner}, nonce=s, time=(s + 1) * SLOT) for m, s in todo]
    return json.dumps({"txs": [t.encode().hex() for t in txs]}).encode()


class Load:
    """The readings of ``meters`` meters, slot by slot, ending before ``now``; with ``clock``, a file that the
    node reads its time from: it is set to the end of the newest reading sent.

    Meters sign their readings on their own hardware, not on the node's machine: ``ingest`` signs a chunk of
    readings first (in worker processes, untimed), then times only sending them, so the generator's signing
    does not take the node's CPU while it is measured (it shares this machine's cores)."""

    def __init__(self, meters: list[SigningKey], owner: str, first_slot: int, clock: Path | None = None) -> None:
        self.seeds = [m.seed() for m in meters]
        self.owner, self.slot = owner, first_slot
        self.clock = clock
        self.clock_at = 0
        self.next_meter = 0
        self.failure: Exception | None = None
        self.lock = threading.Lock()
        self.newest: list[str] = []  # ids of the latest readings (to allocate and certify)
        self.batches: list[tuple[int, bytes]] = []  # (end of the newest reading, request body), to send

    def take(self, count: int) -> list[tuple[int, int]]:
        """The next ``count`` readings as (meter, slot), meter by meter within a slot."""
        todo = []
        while len(todo) < count:
            todo.append((self.next_meter, self.slot))
            self.next_meter += 1
            if self.next_meter == len(self.seeds):
                self.next_meter, self.slot = 0, self.slot + 1
        return todo

    def prepare(self, count: int, pool: ProcessPoolExecutor) -> None:
        """Sign the next ``count`` readings into request bodies of ``BATCH`` readings (untimed)."""
        todos = []
        while count > 0:
            todos.append(self.take(min(BATCH, count)))
            count -= len(todos[-1])
        bodies = pool.map(sign_batch, [self.seeds] * len(todos), [self.owner] * len(todos), todos, chunksize=4)
        self.batches = [((max(s for _, s in todo) + 1) * SLOT, body) for todo, body in zip(todos, bodies,
                                                                                            strict=True)]

    def send(self, url: str) -> None:
        try:
            self._send(url)
        except Exception as exc:
            self.failure = exc
            raise

    def _send(self, url: str) -> None:
        with httpx.Client(base_url=url, timeout=600) as http:
            while True:
                with self.lock:
                    if not self.batches or self.failure is not None:
                        return
                    end, body = self.batches.pop(0)
                    if self.clock is not None and end > self.clock_at:
                        set_clock(self.clock, end)
                        self.clock_at = end
                answer = http.post("/v1/txs/batch", params={"wait": "true", "timeout": 30}, content=body,
                                   headers={"Content-Type": "application/json"})
                if answer.status_code != 200:
                    raise RuntimeError(f"batch refused: {answer.status_code} {answer.text[:300]}")
                results = answer.json()["results"]
                bad = [r for r in results if r.get("code") != "ok"]
                if bad:
                    raise RuntimeError(f"{len(bad)} readings not committed, first: {bad[0]}")
                with self.lock:
                    self.newest = (self.newest + [r["tx_id"] for r in results])[-20_000:]

    def ingest(self, url: str, count: int, senders: int = 2) -> float:
        """Send ``count`` readings from ``senders`` threads, signed ``CHUNK`` at a time beforehand; seconds spent
        sending."""
        self.failure = None
        spent = 0.0
        with ProcessPoolExecutor(max(1, os.cpu_count() or 1)) as pool:
            while count > 0:
                self.prepare(min(CHUNK, count), pool)
                count -= min(CHUNK, count)
                began = time.perf_counter()
                threads = [threading.Thread(target=self.send, args=(url,)) for _ in range(senders)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                spent += time.perf_counter() - began
                if self.failure is not None:
                    raise RuntimeError(f"a sender failed: {self.failure}")
        return spent


def issuance_figures(url: str, load: Load, keys: dict[str, SigningKey], user: str, rounds: int, step: int,
                     baseline_slot: int) -> dict[str, Any]:
    """Issue ``rounds`` certificates one by one, each after a single reading's commit (the baseline)."""
    intermediary, meter = keys["intermediary"], keys["baseline"]
    parts = [load.newest[-10 * (i + 1):len(load.newest) - 10 * i] for i in range(rounds)]
    allocate, issue, baseline = [], [], []
    with httpx.Client(base_url=url, timeout=120) as http:
        for n, group in enumerate(parts):
            allocation = sign_tx(intermediary, chain=CHAIN, type="asset.allocate",
                                 body={"to": user, "usage_start": baseline_slot * SLOT,
                                       "usage_end": (baseline_slot + 1) * SLOT,
                                       "parts": [{"asset": a, "wh": 10_000} for a in group]},
                                 nonce=step * 100_000 + n, time=baseline_slot * SLOT)
            allocate.append(commit(http, allocation))
        for n, group in enumerate(parts):
            slot = baseline_slot - step * rounds - n
            baseline.append(commit(http, sign_tx(meter, chain=CHAIN, type="asset.generate",
                                                 body={"provider": "PB", "method": "wind", "start": slot * SLOT,
                                                       "end": (slot + 1) * SLOT, "wh": 5,
                                                       "owner": intermediary.address},
                                                 nonce=slot, time=(slot + 1) * SLOT)))
            issue.append(commit(http, sign_tx(intermediary, chain=CHAIN, type="cert.issue",
                                              body={"owner": user, "assets": sorted(group), "institution": "bench"},
                                              nonce=step * 100_000 + n, time=baseline_slot * SLOT)))
    p99, base = percentile(issue, 0.99), percentile(baseline, 0.99)
    return {"issue_p99_ms": round(p99 * 1e3, 2), "baseline_p99_ms": round(base * 1e3, 2),
            "p99_ratio": round(p99 / base, 2),
            "issue_worst_ms": slowest(issue), "baseline_worst_ms": slowest(baseline),
            "allocate_worst_ms": slowest(allocate)}


def trend(points: list[dict[str, Any]], name: str) -> float | None:
    if len(points) < 2:
        return None
    first, last = points[0], points[-1]
    return round((last[name] - first[name]) / (last["assets"] - first["assets"]) * 100_000, 3)


PANELS = (  # (title, [(figure, legend, colour)], unit)
    ("Node memory / ノードのメモリ (MB)", [("node_rss_mb", "after ingest / 取込後", colors.HexColor("#1f77b4")),
                                         ("node_rss_after_restart_mb", "after restart / 再起動後",
                                          colors.HexColor("#ff7f0e"))]),
    ("Restart / 再起動 (s)", [("restart_s", "until the API serves / API 応答まで", colors.HexColor("#2ca02c"))]),
    ("Ingest ratio / 取込率 (× one core's Ed25519)", [("ingest_ratio", "readings/s ÷ verifications/s",
                                                    colors.HexColor("#9467bd"))]),
    ("Issuance p99 / 証書発行 p99 (ms)", [("issue_p99_ms", "issuance / 発行", colors.HexColor("#d62728")),
                                      ("baseline_p99_ms", "one reading (baseline) / 計量1件",
                                       colors.HexColor("#7f7f7f"))]),
)


def plot(points: list[dict[str, Any]], path: Path, note: str) -> None:
    """Memory, restart time, ingest ratio and issuance p99 against the number of assets, two panels a row."""
    width, height, cols = 760, 560, 2
    drawing = Drawing(width, height)
    title = "GreenCert node as assets accumulate / 資産の蓄積とノード (bench/ledger_scale.py)"
    drawing.add(String(20, height - 24, title, fontSize=13))
    drawing.add(String(20, height - 40, note, fontSize=8, fillColor=colors.HexColor("#555555")))
    xs = [p["assets"] / 1e6 for p in points]
    for n, (title, series) in enumerate(PANELS):
        col, row = n % cols, n // cols
        left, bottom = 60 + col * 370, 290 - row * 250
        chart = LinePlot()
        chart.x, chart.y, chart.width, chart.height = left, bottom, 280, 170
        chart.data = [[(x, float(p[name])) for x, p in zip(xs, points, strict=True)] for name, _, _ in series]
        for i, (_, _, colour) in enumerate(series):
            chart.lines[i].strokeColor = colour
            chart.lines[i].strokeWidth = 1.5
            chart.lines[i].symbol = makeMarker("FilledCircle", size=3)
        chart.joinedLines = 1
        chart.xValueAxis.valueMin = 0
        chart.xValueAxis.valueMax = max(xs) * 1.05
        chart.yValueAxis.valueMin = 0
        chart.yValueAxis.valueMax = max(max(y for _, y in line) for line in chart.data) * 1.15 or 1
        chart.xValueAxis.labels.fontSize = chart.yValueAxis.labels.fontSize = 7
        drawing.add(chart)
        drawing.add(String(left, bottom + 182, title, fontSize=9))
        drawing.add(String(left + 90, bottom - 24, "million assets / 百万資産", fontSize=7))
        for i, (_, legend, colour) in enumerate(series):
            y = bottom + 160 - 11 * i
            drawing.add(Line(left + 8, y + 3, left + 22, y + 3, strokeColor=colour, strokeWidth=1.5))
            drawing.add(String(left + 26, y, legend, fontSize=7))
    renderSVG.drawToFile(drawing, str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", default="100000,300000,1000000",
                        help="asset counts to measure at, comma-separated, increasing")
    parser.add_argument("--issuances", type=int, default=100, help="certificates issued at each step")
    parser.add_argument("--budget-s", type=float, default=600, help="start no further step after this many seconds")
    parser.add_argument("--keep", type=Path, help="keep the node's data in this (new) directory")
    parser.add_argument("--plot", type=Path, help="draw the figures against the number of assets into this SVG")
    parser.add_argument("--days", type=int, help="spread the readings over this many days, the node's clock "
                                                  "following them (module docstring); default: 27 days, wall clock")
    parser.add_argument("--meters", type=int, help="meters reporting (module docstring); default: as few as spread "
                                                    "the last step over --days")
    parser.add_argument("--cache-mb", type=int, help="the node's --cache-mb (default: its default caches)")
    parser.add_argument("--senders", type=int, default=2,
                        help="threads sending batches at once, each waiting for its batch's outcomes")
    parser.add_argument("--node-log", type=Path, help="append the node's output to this file, each line stamped "
                                                      "with the time it came")
    parser.add_argument("--slow-block-ms", type=float, help="the node's --slow-block-ms: log each block a client "
                                                             "waited on that took this long, with its parts")
    parser.add_argument("--other-load", type=float, default=0.0, metavar="SHARE",
                        help="run a process busy SHARE (0 to 1) of one core beside the node from after the baseline "
                             "to the end: the issue's machine with some other load")
    parser.add_argument("--replot", type=Path, help="only draw --plot from this file's JSON line (a saved run)")
    args = parser.parse_args()
    if args.replot:
        if not args.plot:
            parser.error("expected --plot with --replot")
        saved = json.loads(args.replot.read_text().strip().splitlines()[-1])
        plot(saved["points"], args.plot, note(saved))
        return
    steps = [int(s) for s in args.steps.split(",")]
    if steps != sorted(steps) or steps[0] <= 0:
        parser.error(f"expected increasing positive --steps, found {args.steps}")
    if not 0 <= args.other_load <= 1:
        parser.error(f"expected --other-load between 0 and 1, found {args.other_load}")
    slots = SLOTS_PER_METER if args.days is None else args.days * 86_400 // SLOT
    fewest = math.ceil(steps[-1] / slots)
    if args.meters is not None and args.meters < fewest:
        parser.error(f"expected --meters of at least {fewest:,} for {steps[-1]:,} readings over "
                     f"{slots * SLOT // 86_400} days, found {args.meters}")
    run_began = time.perf_counter()
    verify_per_s, sodium_per_s = verify_rate(), verify_rate(libsodium=True)
    meters = [SigningKey.generate() for _ in range(args.meters or fewest)]
    keys = {name: SigningKey.generate() for name in ("validator", "intermediary", "user", "baseline")}
    genesis = Genesis(CHAIN, 0, (entry(keys["validator"].public, "validator", "V"),
                                 entry(keys["intermediary"].public, "intermediary", "Da"),
                                 entry(keys["user"].public, "user", "Consumer"),
                                 entry(keys["baseline"].public, "meter", "mb", provider="PB", method="wind",
                                       capacity_w=100_000),
                                 *(entry(k.public, "meter", f"m{i}", provider=f"P{i}", method="wind",
                                         capacity_w=100_000) for i, k in enumerate(meters))))
    now_slot = int(time.time()) // SLOT
    points: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        clock = None if args.days is None else tmp / "clock"
        load = Load(meters, keys["intermediary"].address, now_slot - slots - 2, clock)
        if clock is not None:
            set_clock(clock, load.slot * SLOT)
        genesis.save(tmp / "genesis.json")
        (tmp / "validator.key").write_text(keys["validator"].seed().hex())
        node = NodeProcess(tmp / "node", tmp / "genesis.json", tmp / "validator.key", clock, args.cache_mb,
                           args.node_log, args.slow_block_ms)
        node.start()
        done = 0
        with other_load(1, args.other_load):
            try:
                for number, assets in enumerate(steps):
                    if points and time.perf_counter() - run_began > args.budget_s:
                        break
                    sampled = len(node.rss_samples)
                    node_before, workers_before = node.cpu()
                    seconds = load.ingest(node.url, assets - done, args.senders)
                    node_after, workers_after = node.cpu()
                    readings = assets - done
                    rate = readings / seconds
                    done = assets
                    # a worker started during the step counts from 0; one that ended is lost (none do in a healthy node)
                    workers_s = sum(after - workers_before.get(pid, 0.0) for pid, after in workers_after.items())
                    rss, peak = node.rss_mb()
                    while_sent = node.rss_samples[sampled:] or [rss]
                    figures = issuance_figures(node.url, load, keys, keys["user"].address, args.issuances, number,
                                               now_slot - 1 if clock is None else load.slot - 1)
                    node.stop()
                    disk = sum(f.stat().st_size for f in (tmp / "node").glob("ledger.sqlite*"))
                    restart_s = node.start()
                    points.append({"assets": assets, "node_rss_mb": round(rss), "node_peak_rss_mb": round(peak),
                                   "node_rss_median_mb": round(statistics.median(while_sent)),
                                   "node_rss_after_restart_mb": round(node.rss_mb()[0]),
                                   "restart_s": round(restart_s, 2),
                                   "ingest_per_s": round(rate), "ingest_ratio": round(rate / verify_per_s, 2),
                                   "ingest_ratio_libsodium": round(rate / sodium_per_s, 2),
                                   "node_cpu_us_per_reading": round((node_after - node_before) / readings * 1e6, 1),
                                   "admission_cpu_us_per_reading": round(workers_s / readings * 1e6, 1),
                                   **figures, "disk_bytes_per_reading": round(disk / assets),
                                   "load_avg_1m": round(os.getloadavg()[0], 2)})
                    print(json.dumps(points[-1]), file=sys.stderr, flush=True)
            finally:
                node.stop()
    result = {"bench": "ledger_scale", "verify_per_s_one_core": round(verify_per_s),
              "verify_per_s_one_core_libsodium": round(sodium_per_s), "cpus": os.cpu_count(),
              "meters": len(meters), "node_cache_mb": args.cache_mb, "senders": args.senders,
              "other_load": args.other_load, "points": points,
              "trend_per_100k_assets": {name: trend(points, name) for name in
                                        ("node_rss_mb", "restart_s", "ingest_ratio", "issue_p99_ms", "p99_ratio")},
              "seconds": round(time.perf_counter() - run_began)}
    print(json.dumps(result))
    if args.plot and points:
        plot(points, args.plot, note(result))


def note(result: dict[str, Any]) -> str:
    loads = [p["load_avg_1m"] for p in result["points"] if "load_avg_1m" in p]
    shown = f", load average {min(loads)}–{max(loads)}" if loads else ""
    return (f"{result['cpus']} CPUs shared with other work{shown}; one core verifies "
            f"{result['verify_per_s_one_core']:,} Ed25519 signatures/s in the same run")


if __name__ == "__main__":
    main()
