"""``greencert certificate transfer|retire|show`` as a real process against the demo's real node (issue 15): the
holder moves part of a certificate to another consumer and retires the rest; a refusal or bad input is one plain
line and exit 2 and changes nothing; ``greencert verify`` then says the certificate is genuine and retired."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from backend_client import NodeClient
from greencert.demo import Demo
from ledger_lite import Claims, SigningKey, encode_payload, sign_tx
from ledger_lite.lifecycle import holdings, retired_wh
from tests.helpers.greencert_cli import greencert, key_file


def direct_certificate(demo: Demo, key: SigningKey, owner_name: str) -> tuple[str, str, int]:
    """A certificate the user ``key`` issues itself (direct mode) over its last three free allocations: (id, QR
    payload, Wh)."""
    with NodeClient(demo.node_url, timeout=30) as node:
        free = [a for a in node.assets(key.address, signer=key) if a["cert"] is None and a["trade"] == "completed"]
        method = free[-1]["method"]
        chosen = sorted(a["id"] for a in free if a["method"] == method)[-3:]
        tx = sign_tx(key, chain=demo.world.chain_id, type="cert.issue",
                     body={"owner": key.address, "assets": chosen, "institution": "jp-green-council"},
                     nonce=secrets.randbits(62), time=int(time.time()))
        node.submit(tx, wait=True, timeout=30)
        record = node.value(f"cert/{tx.tx_id}")["value"]
    claims = Claims(cid=tx.tx_id, chain=demo.world.chain_id, h=record["height"], own=owner_name, m=record["method"],
                    wh=record["wh"], ps=record["start"], pe=record["end"], inst=record["institution"],
                    iat=record["time"])
    return tx.tx_id, encode_payload(claims, key), int(record["wh"])


def record_of(demo: Demo, cid: str) -> dict[str, object]:
    with NodeClient(demo.node_url, timeout=30) as node:
        value: dict[str, object] = node.value(f"cert/{cid}")["value"]
        return value


def test_transfer_then_retire_through_the_command_line(demo: Demo, tmp_path: Path) -> None:
    cb, ca = demo.world.users["Cb"], demo.world.users["Ca"]
    cid, payload, total = direct_certificate(demo, cb, "Consumer Cb")
    assert total > 1_000
    cb_key, ca_key = key_file(tmp_path / "cb.key", cb), key_file(tmp_path / "ca.key", ca)
    node = ("--node", demo.node_url)

    moved = greencert("certificate", "transfer", cid, "--to", ca.address, "--wh", "1000", "--key", cb_key, *node)
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.startswith(f"transferred 1,000 Wh of certificate {cid} from {cb.address} to {ca.address}")
    assert f"{total - 1000:,} Wh left with the holder" in moved.stdout

    done = greencert("certificate", "retire", cid, "--wh", str(total - 1000), "--beneficiary", "Cb 株式会社",
                     "--purpose", "RE100 report", "--year", "2026", "--key", cb_key, *node)
    assert done.returncode == 0, done.stderr
    assert "for Cb 株式会社 (RE100 report, 2026)" in done.stdout and "; 0 Wh left" in done.stdout

    # Refusals: one plain line, exit 2, nothing changes.
    before = record_of(demo, cid)
    again = greencert("certificate", "retire", cid, "--wh", "1", "--beneficiary", "x", "--purpose", "y", "--year",
                      "2026", "--key", cb_key, *node)
    assert again.returncode == 2
    assert again.stderr.strip().startswith("greencert certificate retire: the ledger refused it (already_retired): ")
    assert len(again.stderr.strip().splitlines()) == 1
    greedy = greencert("certificate", "transfer", cid, "--to", cb.address, "--wh", "1001", "--key", ca_key, *node)
    assert greedy.returncode == 2
    assert greedy.stderr.strip() == (f"greencert certificate transfer: the ledger refused it (insufficient): expected "
                                     f"at most the 1000 Wh {ca.address} holds, found 1001")
    assert record_of(demo, cid) == before
    record = record_of(demo, cid)
    assert holdings(record) == {ca.address: 1_000} and retired_wh(record) == total - 1000

    shown = greencert("certificate", "show", cid, *node)
    assert shown.returncode == 0, shown.stderr
    assert f"held: {ca.address} 1,000 Wh; retired: {total - 1000:,} Wh" in shown.stdout

    # The original QR still verifies, as genuine, and the report says what became of its energy.
    verified = greencert("verify", payload, *node, "--trust", str(tmp_path / "trust.json"), "--json")
    report = json.loads(verified.stdout)
    assert verified.returncode == 0 and report["verdict"] == "genuine", verified.stdout + verified.stderr
    lifecycle = [s["detail"] for s in report["steps"] if s["name"] == "lifecycle"]
    assert lifecycle[0].startswith(f"transferred 1000 Wh to {ca.address}")
    assert lifecycle[1].startswith(f"retired for Cb 株式会社 ({total - 1000} Wh): RE100 report, reporting year 2026")
    assert lifecycle[2] == "1000 Wh not retired, held by 1 holder"


def test_bad_input_is_one_line_and_exit_2(demo: Demo, tmp_path: Path) -> None:
    node = ("--node", demo.node_url)
    bad_id = greencert("certificate", "transfer", "abc", "--to", "gc1x", "--wh", "5", "--key", "/nowhere", *node)
    assert (bad_id.returncode, bad_id.stderr.strip()) == (
        2, "greencert certificate transfer: expected a certificate id of 64 lower-case hex characters, found 'abc'")
    no_key = greencert("certificate", "retire", "ab" * 32, "--wh", "5", "--beneficiary", "b", "--purpose", "p",
                       "--year", "2026", "--key", str(tmp_path / "missing.key"), *node)
    assert no_key.returncode == 2
    assert no_key.stderr.strip() == (f"greencert certificate retire: expected a key file at "
                                     f"{tmp_path / 'missing.key'}, found none")
    unknown = greencert("certificate", "show", "ab" * 32, *node)
    assert (unknown.returncode, unknown.stderr.strip()) == (
        2, f"greencert certificate show: expected a certificate issued on the ledger, found no certificate "
           f"{'ab' * 32}")
    zero = greencert("certificate", "transfer", "ab" * 32, "--to", "gc1x", "--wh", "0", "--key", "k", *node)
    assert zero.returncode == 2 and "invalid positive int value: '0'" in zero.stderr
