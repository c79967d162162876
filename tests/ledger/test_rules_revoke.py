"""cert.revoke: "revocation by the issuer with a reason" (DESIGN.md "The ledger"). A revoked certificate stays on
the ledger and reads as revoked; its assets stay certified, so the same energy is never certified again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backend_client import NodeClient
from greencert.verify import Report, Trust, check_ledger
from ledger.api import create_app
from ledger.node import Node
from ledger_lite import Claims, SigningKey
from tests.helpers.ledger_world import DAY_ONE_END, LedgerWorld, SyncASGITransport
from tests.ledger.support import assert_rejected, fingerprint


def certified(w: LedgerWorld, node: Node, *slots: int, signer: SigningKey | None = None) -> tuple[str, list[str]]:
    """Allocate a reading of each half hour in ``slots`` to the user Ca and certify them; (certificate id, assets)."""
    assets = [w.allocated_asset(node, n) for n in slots]
    signer = signer or w.intermediary
    out = w.commit(node, w.issue(assets, signer=signer))
    certificate_id: str = out["result"]["certificate_id"]
    return certificate_id, assets


def test_issuer_revokes_and_the_record_stays_readable_as_revoked(ledger_world: LedgerWorld,
                                                                 ledger_node: Node) -> None:
    w = ledger_world
    cid, assets = certified(w, ledger_node, 2, 3)
    before = ledger_node.value(f"cert/{cid}")
    tx = w.revoke(cid, "meter Aa was miscalibrated")
    out = w.commit(ledger_node, tx)
    assert out["result"] == {"certificate_id": cid, "revoked_at": DAY_ONE_END}
    record = ledger_node.value(f"cert/{cid}")
    assert record["revoked"] == {"reason": "meter Aa was miscalibrated", "time": DAY_ONE_END,
                                 "height": out["height"], "tx": tx.tx_id}
    # Everything else of the record is unchanged, and the assets still name the certificate.
    assert {k: v for k, v in record.items() if k != "revoked"} == {k: v for k, v in before.items() if k != "revoked"}
    assert all(ledger_node.value(f"asset/{a}")["cert"] == cid for a in assets)
    listed = ledger_node.certificates(w.user.address)
    assert [(c["id"], c["revoked"]) for c in listed] == [(cid, record["revoked"])]
    assert ledger_node.tx(tx.tx_id)["result"] == {"certificate_id": cid, "revoked_at": DAY_ONE_END}


def test_revocation_never_makes_the_energy_certifiable_again(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    cid, assets = certified(w, ledger_node, 2, 3)
    w.commit(ledger_node, w.revoke(cid))
    before = fingerprint(ledger_node)
    for selection in (assets, assets[:1], assets[::-1]):
        outcome = w.submit_wait(ledger_node, w.issue(selection))
        assert_rejected(outcome, "already_issued", 409, f"is already certified by certificate {cid}")
        assert outcome["certificate_id"] == cid
    outcome = w.submit_wait(ledger_node, w.issue(assets, signer=w.user))
    assert_rejected(outcome, "already_issued", 409, f"certificate {cid}")
    assert fingerprint(ledger_node) == before


def test_user_key_revokes_a_certificate_it_issued(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    # Modification 2 (S401-S412): the kiosk issued with the applicant's user key, so that key is the issuer.
    w = ledger_world
    cid, _ = certified(w, ledger_node, 2, signer=w.user)
    outcome = w.submit_wait(ledger_node, w.revoke(cid, signer=w.intermediary))
    assert_rejected(outcome, "not_issuer", 403, f"only the issuer {w.user.address} may revoke certificate {cid}, "
                                                f"found signer {w.intermediary.address}")
    w.commit(ledger_node, w.revoke(cid, "printed for the wrong period", signer=w.user))
    assert ledger_node.value(f"cert/{cid}")["revoked"]["reason"] == "printed for the wrong period"


@pytest.mark.parametrize("signer", ["intermediary2", "user", "user2", "validator", "meter"])
def test_only_the_issuer_may_revoke(ledger_world: LedgerWorld, ledger_node: Node, signer: str) -> None:
    w = ledger_world
    cid, _ = certified(w, ledger_node, 2)
    key: SigningKey = getattr(w, signer)
    before = fingerprint(ledger_node)
    outcome = w.submit_wait(ledger_node, w.revoke(cid, signer=key))
    assert_rejected(outcome, "not_issuer", 403, f"only the issuer {w.intermediary.address} may revoke certificate "
                                                f"{cid}, found signer {key.address}")
    assert fingerprint(ledger_node) == before
    assert ledger_node.value(f"cert/{cid}")["revoked"] is None


def test_unknown_certificate(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.allocated_asset(ledger_node, 2)
    # Neither an id nobody issued nor an asset id (a transaction, but not an issuance) is a certificate.
    for cid in ("ab" * 32, a):
        outcome = w.submit_wait(ledger_node, w.revoke(cid))
        assert_rejected(outcome, "unknown_certificate", 404, f"expected an issued certificate, found no "
                                                             f"certificate {cid}")


def test_already_revoked_keeps_the_first_revocation(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    cid, _ = certified(w, ledger_node, 2)
    first = w.revoke(cid, "first")
    out = w.commit(ledger_node, first)
    before = fingerprint(ledger_node)
    outcome = w.submit_wait(ledger_node, w.revoke(cid, "second"))
    assert_rejected(outcome, "already_revoked", 409, f"certificate {cid} was already revoked at height "
                                                     f"{out['height']} by transaction {first.tx_id}")
    assert fingerprint(ledger_node) == before
    assert ledger_node.value(f"cert/{cid}")["revoked"]["reason"] == "first"


def test_two_revocations_in_one_block_apply_once(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    cid, _ = certified(w, ledger_node, 2)
    ledger_node.stop()
    first, second = w.revoke(cid, "first"), w.revoke(cid, "second")
    pendings = [ledger_node.submit(t.encode()) for t in (first, second)]
    ledger_node.start()
    outcomes = [p.wait(10) for p in pendings]
    assert outcomes[0] is not None and outcomes[0]["code"] == "ok"
    assert outcomes[1] is not None
    assert_rejected(outcomes[1], "already_revoked", 409, f"by transaction {first.tx_id}")
    assert ledger_node.value(f"cert/{cid}")["revoked"]["tx"] == first.tx_id


@pytest.mark.parametrize(("body", "match"), [
    ({"reason": "x"}, "expected body field 'certificate' of type str, found nothing"),
    ({"certificate": "CID"}, "expected body field 'reason' of type str, found nothing"),
    ({"certificate": "CID", "reason": 7}, "expected body field 'reason' of type str, found int"),
    ({"certificate": "CID", "reason": ""}, "expected a reason of 1 to 500 characters .*, found 0 characters"),
    ({"certificate": "CID", "reason": " \n\t"}, r"expected a reason of 1 to 500 characters \(not only blanks\)"),
    ({"certificate": "CID", "reason": "x" * 501}, "expected a reason of 1 to 500 characters .*, found 501"),
    ({"certificate": "AB" * 32, "reason": "x"}, "expected a certificate id of 64 lowercase hex digits"),
    ({"certificate": "ab" * 31, "reason": "x"}, "expected a certificate id of 64 lowercase hex digits"),
    ({"certificate": b"\xab" * 32, "reason": "x"}, "expected body field 'certificate' of type str, found bytes"),
])
def test_malformed_body_is_rejected(ledger_world: LedgerWorld, ledger_node: Node, body: dict[str, Any],
                                    match: str) -> None:
    w = ledger_world
    cid, _ = certified(w, ledger_node, 2)
    body = {k: cid if v == "CID" else v for k, v in body.items()}
    outcome = w.submit_wait(ledger_node, w.sign(w.intermediary, "cert.revoke", body))
    assert_rejected(outcome, "bad_body", 400, match)
    assert ledger_node.value(f"cert/{cid}")["revoked"] is None


def test_reason_of_500_characters_is_accepted(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    cid, _ = certified(w, ledger_node, 2)
    reason = "理" * 500  # characters, not bytes
    w.commit(ledger_node, w.revoke(cid, reason))
    assert ledger_node.value(f"cert/{cid}")["revoked"]["reason"] == reason


@pytest.fixture
def node_client(ledger_node: Node) -> Iterator[NodeClient]:
    with NodeClient("http://node", transport=SyncASGITransport(create_app(ledger_node))) as client:
        yield client


def test_online_verification_reads_the_certificate_as_revoked(ledger_world: LedgerWorld, ledger_node: Node,
                                                              node_client: NodeClient) -> None:
    # DESIGN.md "The certificate": online, the light node checks "that the certificate is not revoked".
    w = ledger_world
    cid, _ = certified(w, ledger_node, 2)
    record = node_client.value(f"cert/{cid}")["value"]
    claims = Claims(cid=cid, chain=w.chain_id, h=record["height"], own="Consumer Ca", m=record["method"],
                    wh=record["wh"], ps=record["start"], pe=record["end"], inst=record["institution"],
                    iat=record["time"])
    trust = Trust.from_registry(w.chain_id, node_client.registry())

    def steps() -> dict[str, tuple[bool | None, str]]:
        report = Report()
        check_ledger(claims, node_client, trust, report)
        return {s.name: (s.ok, s.detail) for s in report.steps}

    assert steps()["revocation"] == (True, "not revoked")
    w.commit(ledger_node, w.revoke(cid, "duplicate meter feed"))
    found = steps()
    assert found["inclusion"][0] is True and found["record"][0] is True
    ok, detail = found["revocation"]
    assert ok is False and "duplicate meter feed" in detail
