"""A certificate transferred and retired still verifies as genuine, and the report says what became of its energy
(issue 15; ``ledger_lite.lifecycle_steps``), against a real node in-process; every new message id has Japanese and
English text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend_client import NodeClient
from ledger.api import create_app
from ledger.node import Node
from ledger_lite import Claims, encode_payload
from ledger_lite.audit import GENUINE, Report, audit
from ledger_lite.detail_ids import DETAIL_PARAMS
from ledger_lite.lifecycle import sign_retire, sign_transfer
from ledger_lite.verification import Trust
from printing.step_texts import detail_text, has_text
from tests.helpers.ledger_world import (  # noqa: F401 - fixtures
    LedgerWorld,
    SyncASGITransport,
    ledger_clock,
    ledger_node,
    ledger_world,
)


@pytest.fixture
def client(ledger_node: Node) -> Iterator[NodeClient]:  # noqa: F811
    with NodeClient("http://node", transport=SyncASGITransport(create_app(ledger_node))) as node_client:
        yield node_client


def issued(w: LedgerWorld, node: Node, client: NodeClient) -> tuple[str, str]:
    """A certificate of 10,000 Wh issued by the intermediary for Ca: (its id, its QR payload)."""
    asset = w.allocated_asset(node, 2)
    cid: str = w.commit(node, w.issue([asset]))["result"]["certificate_id"]
    record = client.value(f"cert/{cid}")["value"]
    claims = Claims(cid=cid, chain=w.chain_id, h=record["height"], own="Consumer Ca", m=record["method"],
                    wh=record["wh"], ps=record["start"], pe=record["end"], inst=record["institution"],
                    iat=record["time"])
    return cid, encode_payload(claims, w.intermediary)


def lifecycle(report: Report) -> list[tuple[str, str]]:
    return [(s.code, s.detail) for s in report.steps if s.name == "lifecycle"]


def test_transferred_then_retired_in_full_stays_genuine_and_says_so(ledger_world: LedgerWorld,  # noqa: F811
                                                                    ledger_node: Node,  # noqa: F811
                                                                    client: NodeClient) -> None:
    w, node = ledger_world, ledger_node
    cid, payload = issued(w, node, client)
    trust = Trust.from_registry(w.chain_id, client.registry())
    untouched = audit(payload, trust, node=client)
    assert untouched.exit_code == GENUINE and lifecycle(untouched) == []
    now = w.genesis_time + 86_400
    moved = w.commit(node, sign_transfer(w.user, chain=w.chain_id, certificate=cid, holder=w.user.address,
                                         to=w.user2.address, wh=4_000, nonce=901, time=now))
    partly = audit(payload, trust, node=client)
    assert partly.exit_code == GENUINE
    assert lifecycle(partly) == [
        ("lifecycle.transferred", f"transferred 4000 Wh to {w.user2.address} (block {moved['height']})"),
        ("lifecycle.held", "10000 Wh not retired, held by 2 holders")]
    w.commit(node, sign_retire(w.user2, chain=w.chain_id, certificate=cid, holder=w.user2.address, wh=4_000,
                               beneficiary="Cb 株式会社", purpose="RE100", year=2026, nonce=902, time=now))
    w.commit(node, sign_retire(w.intermediary, chain=w.chain_id, certificate=cid, holder=w.user.address, wh=6_000,
                               beneficiary="Consumer Ca", purpose="CDP report", year=2026, nonce=903, time=now))
    retired = audit(payload, trust, node=client)
    assert retired.exit_code == GENUINE and retired.verdict == "genuine"
    codes = [code for code, _ in lifecycle(retired)]
    assert codes == ["lifecycle.transferred", "lifecycle.retired", "lifecycle.retired", "lifecycle.all_retired"]
    assert lifecycle(retired)[1][1].startswith("retired for Cb 株式会社 (4000 Wh): RE100, reporting year 2026")
    assert retired.note_id(retired.notes[-1])[0] == "note.fully_retired"
    # Every lifecycle detail reads in Japanese too.
    ja = [detail_text(s.code, s.params, "ja") for s in retired.steps if s.name == "lifecycle"]
    assert ja[1].startswith("Cb 株式会社 のために 4.000 kWh を償却しました"), ja[1]
    assert all(ja)


def test_every_lifecycle_id_has_japanese_and_english() -> None:
    ids = [code for code in DETAIL_PARAMS if code.startswith("lifecycle.")] + ["note.fully_retired"]
    assert len(ids) == 6
    assert all(has_text(code) for code in ids)
