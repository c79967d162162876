"""Issue 15, "Issuance": Modification 1 (the node side writes the certificate, S311a/S312a) gives the very bytes
of the intermediary's own path (S212a), and the printed verification link is this intermediary's own address."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest

from intermediary.config import Settings
from intermediary.documents import certificate_pdf
from intermediary.models import Certificate, Consumer
from ledger_lite.audit import payload_text
from printing import read_certificate_pdf
from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld
from tests.helpers.ledger_world import slot

PUBLIC_URL = "https://green.example.jp"


def issued(iw: IntermediaryWorld) -> tuple[Certificate, Consumer]:
    iw.allocate(3)
    http = iw.http()
    auth = iw.login(http)
    body = {"period": {"start": slot(0), "end": slot(3), "production_method": "solar"}, "type_id": TYPE_ID,
            "idempotency_key": uuid.uuid4().hex}
    answer = http.post(f"{API}/certificates", headers=auth, json=body)
    assert answer.status_code == 201, answer.text
    with iw.service.db() as db:
        cert = db.get(Certificate, answer.json()["certificate_id"])
        consumer = db.get(Consumer, "Ca")
        assert cert is not None and consumer is not None
        return cert, consumer


@pytest.mark.parametrize("reprint", [False, True])
def test_node_side_rendering_gives_the_same_bytes(iw: IntermediaryWorld, tmp_path: Path, reprint: bool) -> None:
    cert, consumer = issued(iw)
    pdfs = {}
    for where in ("intermediary", "node"):
        pdf_dir = tmp_path / f"pdf-{where}"
        pdf_dir.mkdir()
        pdfs[where] = certificate_pdf(cert, consumer, iw.service.institutions, pdf_dir, reprint=reprint,
                                      node=iw.service.node, public_url=PUBLIC_URL, render_at=where)
    assert pdfs["intermediary"].startswith(b"%PDF")
    assert pdfs["node"] == pdfs["intermediary"]


def test_the_node_side_writes_from_the_ledger_not_from_our_record(iw: IntermediaryWorld, tmp_path: Path) -> None:
    cert, consumer = issued(iw)
    cert.amount_wh, cert.profile = 1, [1]  # our record altered after issuance must not reach the node side's paper
    mine = certificate_pdf(cert, consumer, iw.service.institutions, tmp_path, reprint=False, render_at="node",
                           node=iw.service.node)
    path = tmp_path / "node.pdf"
    path.write_bytes(mine)
    assert read_certificate_pdf(path).amount_wh == 3 * 1_000


def test_the_qr_links_to_this_intermediarys_own_verify_page(iw: IntermediaryWorld, tmp_path: Path) -> None:
    iw.service.settings = dataclasses.replace(iw.service.settings, public_url=PUBLIC_URL)
    cert, _ = issued(iw)
    http = iw.http()
    pdf = http.get(f"{API}/certificates/{cert.certificate_id}/pdf", headers=iw.login(http))
    assert pdf.status_code == 200
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf.content)
    printed = read_certificate_pdf(path)
    assert printed.payload is not None and printed.payload.startswith(PUBLIC_URL.upper() + "/VERIFY/")
    assert payload_text(printed.payload) == cert.payload
    assert f"{PUBLIC_URL}/verify" in printed.text
    assert "example/" not in printed.text and ".example" not in printed.text.replace("green.example.jp", "")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("public_url", "ftp://green.example.jp", "public_url: verify link: expected an http"),
    ("public_url", "https://green.example.jp/?a=b", "public_url"),
    ("render_at", "elsewhere", "render_at must be 'intermediary' or 'node'"),
])
def test_bad_settings_are_refused_at_start(tmp_path: Path, field: str, value: str, message: str) -> None:
    from ledger_lite import SigningKey

    base = {"db_url": "sqlite://", "node_url": "http://node.test", "chain_id": "c", "key": SigningKey.derive("k"),
            "pdf_dir": tmp_path}
    with pytest.raises(ValueError, match=message.replace("?", r"\?")):
        Settings(**base, **{field: value})  # type: ignore[arg-type]
