"""The walking skeleton end to end: a running embedded demo, the real kiosk widgets, a real CUPS queue, and
``greencert verify`` on what came out of the printer."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from backend_client import IntermediaryClient
from kiosk import KioskConfig, build_window
from ledger_lite import peek_payload
from ledger_lite.audit import payload_text
from ledger_lite.reference import short_reference
from printing import load_institutions, read_certificate_pdf, render_certificate_pdf
from printing.document import CertificateDocument
from tests.helpers.cupsd import PrivateCups
from tests.helpers.demo import RunningDemo
from tests.helpers.kiosk_driver import KioskDriver


def greencert_verify(source: str, demo: RunningDemo, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "greencert.cli", "verify", source, "--node", demo.node_url,
                           "--trust", str(tmp_path / "trust.json")], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


def wait_for_file(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.exists() and path.stat().st_size > 0, f"nothing printed to {path}"


def test_public_contract_with_plain_http(demo_process: RunningDemo, tmp_path: Path) -> None:
    api = f"{demo_process.url}/api/v1"
    with httpx.Client(timeout=60) as http:
        token = http.post(f"{api}/sessions", json={"applicant_id": "demo", "password": "demo"}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        items = http.get(f"{api}/eligible-transactions", headers=auth).json()["items"]
        row = next(i for i in items if not i["issued"] and i["production_method"] == "solar")
        body = {"item_ids": [row["item_id"]], "type_id": "intl-rec-registry", "idempotency_key": uuid.uuid4().hex}
        created = http.post(f"{api}/certificates", headers=auth, json=body)
        assert created.status_code == 201
        again = http.post(f"{api}/certificates", headers=auth, json={**body, "idempotency_key": uuid.uuid4().hex})
        assert again.status_code == 409 and again.json()["certificate_id"] == created.json()["certificate_id"]
        pdf = http.get(f"{demo_process.url}{created.json()['pdf_url']}", headers=auth)
    path = tmp_path / "api.pdf"
    path.write_bytes(pdf.content)
    result = greencert_verify(str(path), demo_process, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verdict: GENUINE" in result.stdout


def _window(qtbot: Any, demo: RunningDemo, config: KioskConfig) -> tuple[KioskDriver, IntermediaryClient]:
    client = IntermediaryClient(demo.url, timeout=60)
    window = build_window(client, config)
    qtbot.addWidget(window)
    window.show()
    return KioskDriver(qtbot, window), client


def _first_open_row(kiosk: KioskDriver, method: str) -> int:
    model = kiosk.view.model()
    return next(r for r in range(model.rowCount()) if not model.item(r).issued  # type: ignore[attr-defined]
                and model.item(r).production_method == method)  # type: ignore[attr-defined]


def test_kiosk_issues_prints_and_refuses_a_second_certificate(
        qtbot: Any, demo_process: RunningDemo, cups: tuple[PrivateCups, Path], tmp_path: Path) -> None:
    server, printed = cups
    config = KioskConfig(demo_process.url, printer="kiosk", cups_server=server.server, save_dir=tmp_path / "saved",
                         language="en", timezone="Asia/Tokyo")
    first, client_a = _window(qtbot, demo_process, config)
    second, client_b = _window(qtbot, demo_process, config)
    try:
        first.login("demo", "demo")
        second.login("demo", "demo")  # a second kiosk, whose list is about to become stale
        row = _first_open_row(first, "wind")
        item = first.view.model().item(row)  # type: ignore[attr-defined]
        first.issue([row], expect="done", timeout_ms=60_000)
        # S214a: printed through the real CUPS queue; the printed page carries a QR that verifies.
        wait_for_file(printed)
        on_paper = read_certificate_pdf(printed)
        assert on_paper.payload is not None and on_paper.amount_wh == item.amount_wh
        assert on_paper.payload.upper().startswith("HTTP://127.0.0.1:"), "the QR links to this intermediary's /verify"
        certificate_id = peek_payload(payload_text(on_paper.payload)).claims.cid
        result = greencert_verify(str(printed), demo_process, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr

        # S208/S209b: the other kiosk still shows the row as open; the ledger refuses and names the certificate.
        stale_row = next(r for r in range(second.view.model().rowCount())
                         if second.view.model().item(r).item_id == item.item_id)  # type: ignore[attr-defined]
        second.issue([stale_row], expect="alreadyIssued", timeout_ms=60_000)
        assert any(short_reference(certificate_id) in text for text in second.visible_texts())
    finally:
        client_a.close()
        client_b.close()


def test_edited_amount_is_not_genuine(demo_process: RunningDemo, tmp_path: Path) -> None:
    """A forger reuses a genuine QR on a PDF that prints ten times the amount."""
    with IntermediaryClient(demo_process.url, timeout=60) as client:
        session = client.login("demo-cb", "demo")  # Consumer Cb: the other tests use Ca's rows
        row = next(r for r in client.eligible_transactions(session) if not r.issued)
        cert = client.issue_certificate(session, [row.item_id], "jp-green-council", uuid.uuid4().hex)
        record = client.certificate(session, cert.certificate_id)
    doc = CertificateDocument(certificate_id=cert.certificate_id, owner=record["owner"],
                              amount_wh=record["amount_wh"], period_start=record["period_start"],
                              period_end=record["period_end"], production_method=record["production_method"],
                              category=record["category"], issued_at=record["issued_at"],
                              institution_id=record["type_id"], chain_id=record["chain_id"],
                              block_height=record["block_height"], payload=cert.payload)
    genuine, forged = tmp_path / "genuine.pdf", tmp_path / "forged.pdf"
    fmt = load_institutions()[doc.institution_id]
    genuine.write_bytes(render_certificate_pdf(doc, fmt))
    forged.write_bytes(render_certificate_pdf(dataclasses.replace(doc, amount_wh=doc.amount_wh * 10), fmt))
    assert greencert_verify(str(genuine), demo_process, tmp_path).returncode == 0
    result = greencert_verify(str(forged), demo_process, tmp_path)
    assert result.returncode == 1
    assert "differs from the signed" in result.stdout and "NOT GENUINE" in result.stdout


def test_demo_printed_its_urls_and_applicant(demo_process: RunningDemo) -> None:
    text = "\n".join(demo_process.output)
    assert "Demo applicant: ID 'demo', password 'demo'" in text
    assert "Replaying 3 days of half-hourly meter data" in text
    assert (demo_process.data_dir / "demo.json").exists()
