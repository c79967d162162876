"""``greencert storage`` as a real process against a real node process: receptions acknowledged survive a SIGKILL,
a restart on the same record file carries on (same battery, numbering and nonces), SIGTERM stops it cleanly, and
bad options or a missing key file are one plain line and exit 2."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend_client import NodeClient
from ledger_lite.certificate import INTERVAL_S
from tests.helpers.greencert_cli import greencert
from tests.helpers.trading_procs import TradingProcs, wait_answers


@pytest.fixture(scope="module")
def procs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TradingProcs]:
    with TradingProcs(tmp_path_factory.mktemp("trading")) as running:
        running.start_node()
        yield running



def test_acknowledged_receptions_survive_sigkill_and_a_restart_carries_on(procs: TradingProcs) -> None:
    storage = procs.start_storage()
    homes = [procs.key(h.id).address for h in procs.homes[:2]]
    now = int(time.time())
    first = now - now % INTERVAL_S - 6 * INTERVAL_S
    acknowledged = []
    with httpx.Client(base_url=procs.storage_url, timeout=30) as api:
        for i in range(4):
            start = first + i * INTERVAL_S
            answer = api.post("/receptions", json={"home": homes[i % 2], "start": start, "end": start + INTERVAL_S,
                                                   "wh": 1_000 + 100 * i})
            assert answer.status_code == 201, answer.text
            assert answer.json()["status"] == "recorded"
            acknowledged.append(answer.json())
        before = api.get("/state").json()
    storage.kill()  # SIGKILL right after the last answer: nothing acknowledged may be lost
    assert stat.S_IMODE(procs.records.stat().st_mode) == 0o600

    procs.start_storage()
    with httpx.Client(base_url=procs.storage_url, timeout=30) as api:
        after = api.get("/state").json()
        assert api.get("/receptions").json()["items"] == acknowledged
        assert (after["stored_wh"], after["received_wh"]) == (before["stored_wh"], before["received_wh"]) == \
            (4_600, 4_600)
        # It carries on: the next reception is numbered 5 and its receipt (a new nonce) is recorded.
        start = first + 4 * INTERVAL_S
        answer = api.post("/receptions", json={"home": homes[0], "start": start, "end": start + INTERVAL_S,
                                               "wh": 500})
        assert answer.status_code == 201, answer.text
        assert (answer.json()["number"], answer.json()["status"]) == (5, "recorded")
    with NodeClient(procs.node_url, timeout=30) as node:
        battery = node.value("trade/battery/battery-300")["value"]
        assert battery["received_wh"] == 5_100  # every acknowledged receipt is on the ledger, once
        for record in acknowledged:
            assert node.value(f"trade/receipt/{record['receipt_tx']}")["value"]["wh"] == record["wh"]


def test_sigterm_stops_it_cleanly_and_keeps_its_records(procs: TradingProcs) -> None:
    if procs.started and procs.started[-1].name == "storage" and procs.started[-1].popen.poll() is None:
        storage = procs.started[-1]
    else:
        storage = procs.start_storage()
    assert storage.terminate() == 0
    assert "Storage management server 350 for battery battery-300" in storage.output()
    again = procs.start_storage()
    assert httpx.get(f"{procs.storage_url}/state", timeout=10).json()["battery"] == "battery-300"
    assert again.terminate() == 0


def test_help_and_bad_options(tmp_path: Path, procs: TradingProcs) -> None:
    helped = greencert("storage", "--help")
    assert helped.returncode == 0 and "--data" in helped.stdout and "--report-every" in helped.stdout
    missing = greencert("storage", "--node", procs.node_url, "--key", str(tmp_path / "none.key"), "--data",
                        str(tmp_path / "s.db"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"greencert storage: expected a key file at {tmp_path / 'none.key'}, found none"
    assert not (tmp_path / "s.db").exists()  # nothing made
    unregistered = tmp_path / "other.key"
    unregistered.write_text("11" * 32 + "\n")
    refused = greencert("storage", "--node", procs.node_url, "--key", str(unregistered), "--data",
                        str(tmp_path / "s.db"), "--port", "0")
    assert refused.returncode == 2
    assert "registered as 'storage' on the ledger, found it not registered" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    bad = greencert("storage", "--node", procs.node_url, "--key", str(unregistered), "--data", "x",
                    "--report-every", "0")
    assert bad.returncode == 2 and "--report-every: invalid positive float value: '0'" in bad.stderr
    wrong_file = tmp_path / "not-sqlite.db"
    wrong_file.write_text("this is not a database " * 100)
    args = procs.storage_args()
    args[args.index("--data") + 1] = str(wrong_file)
    args[args.index("--port") + 1] = "0"
    broken = greencert(*args)
    assert broken.returncode == 2 and broken.stderr.startswith("greencert storage: expected a storage record file")


def test_a_new_record_file_starts_from_what_the_ledger_counts_in_the_battery(procs: TradingProcs) -> None:
    running = [p for p in procs.started if p.name == "storage" and p.popen.poll() is None]
    storage = running[0] if running else procs.start_storage()
    now = int(time.time())
    start = now - now % INTERVAL_S - 12 * INTERVAL_S  # before what the other tests received
    answer = httpx.post(f"{procs.storage_url}/receptions", timeout=30, json={
        "home": procs.key(procs.homes[2].id).address, "start": start, "end": start + INTERVAL_S, "wh": 700})
    assert answer.status_code == 201 and answer.json()["status"] == "recorded", answer.text
    assert storage.terminate() == 0
    with NodeClient(procs.node_url, timeout=30) as node:
        counted = node.value("trade/battery/battery-300")["value"]["stored_wh"]
        assert counted > 0
        args = procs.storage_args()
        args[args.index("--data") + 1] = str(procs.root / "replacement.db")
        replacement = procs.start("storage", args)
        wait_answers(f"{procs.storage_url}/state", replacement)
        state = httpx.get(f"{procs.storage_url}/state", timeout=10).json()
        assert counted - 1 <= state["stored_wh"] <= counted  # at most a Wh of self-discharge since
        report = node.value("trade/battery/battery-300")["value"]["report"]
        assert report["written_off_wh"] <= 1  # its first report finds the battery as the ledger counted it
    assert replacement.terminate() == 0
