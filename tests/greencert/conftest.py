from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend_client import IntermediaryClient, NodeClient
from greencert.demo import Demo
from ledger_lite import Claims, encode_payload, sign_tx
from tests.helpers.demo import running_demo


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("demo"), days=2) as running:
        yield running


@pytest.fixture(scope="package")
def issued(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A freshly issued certificate (through the intermediary, Consumer Ca): its payload and its PDF."""
    with IntermediaryClient(demo.url, timeout=30) as client:
        session = client.login("demo", "demo")
        row = next(r for r in client.eligible_transactions(session) if not r.issued)
        cert = client.issue_certificate(session, [row.item_id], "intl-rec-registry", uuid.uuid4().hex)
        pdf = client.certificate_pdf(session, cert.certificate_id)
    path = tmp_path_factory.mktemp("pdf") / "certificate.pdf"
    path.write_bytes(pdf)
    return cert.payload, path


@dataclass(frozen=True)
class UserIssued:
    """A direct-mode certificate (modification 2, S404/S410): Consumer Cb's user key signed the issuance and the
    payload."""

    payload: str
    claims: Claims
    issuer: str  # the user's address


@pytest.fixture(scope="package")
def user_issued(demo: Demo) -> UserIssued:
    key = demo.world.users["Cb"]
    with NodeClient(demo.node_url, timeout=30) as node:
        free = [a for a in node.assets(key.address, signer=key) if a["cert"] is None and a["trade"] == "completed"]
        method = free[0]["method"]
        body = {"owner": key.address, "assets": sorted(a["id"] for a in free if a["method"] == method)[:4],
                "institution": "jp-green-council"}
        tx = sign_tx(key, chain=demo.world.chain_id, type="cert.issue", body=body, nonce=secrets.randbits(62),
                     time=int(time.time()))
        node.submit(tx, wait=True, timeout=20)
        record = node.value(f"cert/{tx.tx_id}")["value"]
    claims = Claims(cid=tx.tx_id, chain=demo.world.chain_id, h=record["height"], own="Consumer Cb",
                    m=record["method"], wh=record["wh"], ps=record["start"], pe=record["end"],
                    inst=record["institution"], iat=record["time"])
    return UserIssued(encode_payload(claims, key), claims, key.address)
