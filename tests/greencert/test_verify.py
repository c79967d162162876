"""``greencert verify`` on payloads, PDFs and images: genuine, forged, tampered, and unreachable ledgers."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from greencert.cli import main
from greencert.demo import Demo
from greencert.verify import GENUINE, NOT_GENUINE, UNCHECKED, verify
from intermediary.documents import document_of
from intermediary.models import Certificate, Consumer
from ledger_lite import Claims, SigningKey, encode_payload, peek_payload
from printing import load_institutions, render_certificate_pdf


def run(source: str, demo: Demo, tmp_path: Path, *, offline: bool = False) -> tuple[int, list[str]]:
    report = verify(source, node_url=None if offline else demo.node_url, offline=offline,
                    trust_cache=tmp_path / "trust.json")
    return report.exit_code, [f"{s.name}:{s.ok}" for s in report.steps]


def test_genuine_pdf(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    code, steps = run(str(issued[1]), demo, tmp_path)
    assert code == GENUINE
    assert steps == ["read:True", "signature:True", "printed:True", "inclusion:True", "record:True",
                     "revocation:True", "time_matched:True"]


def test_genuine_payload_text(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    assert run(issued[0], demo, tmp_path)[0] == GENUINE


def test_png_of_the_page(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(issued[1]), str(tmp_path / "page")],
                   check=True)
    assert run(str(tmp_path / "page.png"), demo, tmp_path)[0] == GENUINE


def test_pdf_with_edited_amount_is_not_genuine(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    """A forger keeps the genuine QR but prints a larger amount."""
    claims = peek_payload(issued[0]).claims
    with demo.service.db() as db:
        cert = db.get(Certificate, claims.cid)
        consumer = db.get(Consumer, cert.consumer_id)
        doc = document_of(cert, consumer, reprint=False)
    forged = dataclasses.replace(doc, amount_wh=doc.amount_wh * 10)
    path = tmp_path / "forged.pdf"
    path.write_bytes(render_certificate_pdf(forged, load_institutions()[doc.institution_id]))
    report = verify(str(path), node_url=demo.node_url, offline=False, trust_cache=tmp_path / "t.json")
    assert report.exit_code == NOT_GENUINE
    printed = next(s for s in report.steps if s.name == "printed")
    assert printed.ok is False and "differs from the signed" in printed.detail


def test_payload_signed_by_an_unknown_key_is_not_genuine(issued: tuple[str, Path], demo: Demo,
                                                          tmp_path: Path) -> None:
    claims = peek_payload(issued[0]).claims
    forged = encode_payload(dataclasses.replace(claims, wh=claims.wh * 2), SigningKey.generate())
    code, steps = run(forged, demo, tmp_path)
    assert code == NOT_GENUINE and steps[-1] == "signature:False"


def test_certificate_unknown_to_the_ledger_is_not_genuine(demo: Demo, tmp_path: Path) -> None:
    claims = Claims(cid="ab" * 32, chain=demo.world.chain_id, h=1, own="Consumer Ca", m="solar", wh=1000, ps=0,
                    pe=1800, inst="jp-green-council", iat=0)
    forged = encode_payload(claims, demo.world.intermediary)  # even with the issuer's real key
    report = verify(forged, node_url=demo.node_url, offline=False, trust_cache=tmp_path / "t.json")
    assert report.exit_code == NOT_GENUINE
    assert any(s.name == "ledger" and s.ok is False for s in report.steps)


def test_offline_uses_the_cached_trust_list(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    assert run(issued[0], demo, tmp_path, offline=True)[0] == UNCHECKED  # no cache yet
    assert run(issued[0], demo, tmp_path)[0] == GENUINE  # online run caches the trust list
    code, steps = run(issued[0], demo, tmp_path, offline=True)
    assert code == GENUINE and steps == ["signature:True"]


def test_unreachable_node_cannot_check(issued: tuple[str, Path], tmp_path: Path) -> None:
    report = verify(issued[0], node_url="http://127.0.0.1:1", offline=False, trust_cache=tmp_path / "none.json")
    assert report.exit_code == UNCHECKED


def test_garbage_is_not_genuine(demo: Demo, tmp_path: Path) -> None:
    run("GC1:!!!", demo, tmp_path)  # fetches the trust list
    code, steps = run("GC1:!!!", demo, tmp_path)
    assert code == NOT_GENUINE and steps[-1] == "payload:False"


def test_cli_json_and_exit_code(issued: tuple[str, Path], demo: Demo, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", str(issued[1]), "--node", demo.node_url, "--trust", str(tmp_path / "t.json"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["verdict"] == "genuine" and out["claims"]["inst"] == "intl-rec-registry"


@pytest.mark.parametrize("name", ["missing.pdf", "notes.txt"])
def test_unreadable_sources_cannot_be_checked(name: str, demo: Demo, tmp_path: Path) -> None:
    if name == "notes.txt":
        (tmp_path / name).write_text("hello")
    report = verify(str(tmp_path / name), node_url=demo.node_url, offline=False, trust_cache=tmp_path / "t.json")
    assert report.exit_code == UNCHECKED
    assert report.steps[0].name == "read" and report.steps[0].ok is None


def test_image_without_a_qr_cannot_be_checked(demo: Demo, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (200, 200), "white").save(tmp_path / "blank.png")
    report = verify(str(tmp_path / "blank.png"), node_url=demo.node_url, offline=False,
                    trust_cache=tmp_path / "t.json")
    assert report.exit_code == UNCHECKED and "no QR code found" in report.steps[0].detail


def test_demo_refuses_a_tampered_ledger_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            demo: Demo) -> None:
    import shutil
    import sqlite3

    from ledger.compact import pack_value, unpack_key, unpack_value
    from ledger.state import encode_state

    data_dir = tmp_path / "copy"
    shutil.copytree(demo.data_dir, data_dir)  # with the WAL: the running demo has not checkpointed it
    with sqlite3.connect(data_dir / "node" / "ledger.sqlite") as db:
        key_blob, value_blob = db.execute("SELECT key, value FROM state WHERE length(key) = 33 LIMIT 1").fetchone()
        key = unpack_key(bytes(key_blob))  # an asset: someone doubles its amount
        _, asset = unpack_value(key, bytes(value_blob))
        doubled = {**asset, "wh": asset["wh"] * 2}
        db.execute("UPDATE state SET value = ? WHERE key = ?", (pack_value(key, doubled, encode_state(doubled)),
                                                                key_blob))
    db.close()
    assert main(["demo", "--headless", "--data-dir", str(data_dir), "--port", "0", "--node-port", "0"]) == 2
    err = capsys.readouterr().err
    assert "cannot be used" in err and "changed outside the node" in err


def test_field_command_feeds_a_running_demo(demo: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    """``greencert field`` sends the demo sites' readings and usage for a day: a day the demo already replayed
    is refused reading by reading (overlap) and its usage answered as duplicate — nothing is counted twice."""
    from datetime import UTC, datetime, timedelta

    first_day = (datetime.fromtimestamp(demo.node.genesis.time, UTC) + timedelta(hours=9)).strftime("%Y-%m-%d")
    height = demo.node.status()["height"]
    code = main(["field", "--node", demo.node_url, "--intermediary", demo.url, "--start", first_day, "--days", "1",
                 "--keys", str(demo.data_dir / "keys")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(f"{first_day}: 0 readings committed,")
    assert "0 usage intervals allocated" in out
    assert demo.node.status()["height"] == height


def test_kiosk_command_refuses_a_bad_url_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kiosk", "--url", "ftp://example"]) == 2
    assert "greencert kiosk:" in capsys.readouterr().err
