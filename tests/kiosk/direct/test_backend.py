"""``DirectBackend`` (modification 2, S401–S412) against a real ledger node running in-process: the kiosk signs
with the applicant's user key, the node judges, the light node checks the answer before a PDF is made."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from backend_client import AlreadyIssued, BadRequest, Locked, NotFound, Unauthorized, Unreachable
from greencert.servers import BackgroundServer, free_port
from kiosk.direct import LedgerUnverified, NodeUnreachable, TrustStore
from kiosk.direct.applicants import MAX_FAILED_LOGINS
from kiosk.direct.backend import DirectBackend
from ledger.api import create_app
from ledger.node import Node
from ledger_lite import SigningKey, canonical, decode, decode_payload
from ledger_lite.audit import AuditBundle
from printing import read_certificate_pdf
from tests.helpers.ledger_world import LedgerWorld, SyncASGITransport
from tests.kiosk.direct.conftest import APPLICANT, PASSWORD

TYPE = "jp-green-council"


@pytest.fixture
def assets(ledger_world: LedgerWorld, ledger_node: Node) -> dict[str, list[str]]:
    """Three solar half-hours and one oil half-hour allocated to Consumer Ca, one to Consumer Cb."""
    w = ledger_world
    solar = [w.allocated_asset(ledger_node, n, 10_000) for n in range(3)]
    oil = [w.allocated_asset(ledger_node, 4, 50_000, meter=w.meter_oil)]
    theirs = [w.allocated_asset(ledger_node, 5, 7_000, to=w.user2)]
    return {"solar": solar, "oil": oil, "theirs": theirs}


def issue(backend: DirectBackend, method: str = "solar", key: str | None = None) -> tuple[Any, Any]:
    session = backend.login(APPLICANT, PASSWORD)
    row = next(i for i in backend.eligible_transactions(session) if i.production_method == method and not i.issued)
    return session, backend.issue_certificate(session, [row.item_id], TYPE, key or uuid.uuid4().hex)


def test_sign_in_is_checked_by_the_kiosk_itself(backend, wall):
    session = backend.login(APPLICANT, PASSWORD)
    assert session.user_name == "Consumer Ca" and session.expires_at > wall()
    with pytest.raises(Unauthorized) as wrong:
        backend.login(APPLICANT, "wrong")
    assert wrong.value.code == "invalid_credentials"
    for _ in range(MAX_FAILED_LOGINS - 2):
        with pytest.raises(Unauthorized):
            backend.login(APPLICANT, "wrong")
    with pytest.raises(Locked) as locked:
        backend.login(APPLICANT, "wrong")
    assert locked.value.retry_after == 300


def test_sign_in_needs_no_node(tmp_path, applicants):
    """S403 happens in the kiosk; only the transactions need the node (closed port: nobody answers)."""
    offline = DirectBackend("http://127.0.0.1:9", applicants, TrustStore(tmp_path / "v.json"))
    try:
        session = offline.login(APPLICANT, PASSWORD)
        with pytest.raises(NodeUnreachable, match="did not answer"):
            offline.eligible_transactions(session)
    finally:
        offline.close()


def test_a_validator_node_that_is_down_is_passed_over(tmp_path, applicants, ledger_node, assets, wall):
    """A consortium's nodes, the first down (nothing listens): sign-in, the list and an issuance, verified by the
    light node, go to the second over HTTP."""
    server = BackgroundServer(create_app(ledger_node), "127.0.0.1", free_port()).start()
    down = f"http://127.0.0.1:{free_port()}"
    direct = DirectBackend([down, server.url], applicants, TrustStore(tmp_path / "kiosk" / "validators.json"),
                           clock=wall)
    try:
        session, issued = issue(direct)
        assert issued.certificate_id and direct.node.base_url == server.url
        assert [c.certificate_id for c in direct.certificates(session)] == [issued.certificate_id]
    finally:
        direct.close()
        server.stop()
    nowhere = DirectBackend(f"{down},http://127.0.0.1:9", applicants, TrustStore(tmp_path / "v2.json"))
    try:
        with pytest.raises(NodeUnreachable, match=rf"the ledger nodes at {down}, http://127\.0\.0\.1:9 did not "
                                                  rf"answer") as caught:
            nowhere.eligible_transactions(nowhere.login(APPLICANT, PASSWORD))
        assert [url for url, _ in caught.value.failures] == [down, "http://127.0.0.1:9"]
        assert isinstance(caught.value.__cause__, Unreachable)
    finally:
        nowhere.close()


def test_sessions_end_at_logout_and_expire(backend, wall):
    session = backend.login(APPLICANT, PASSWORD)
    backend.logout(session)
    with pytest.raises(Unauthorized, match="session_expired"):
        backend.eligible_transactions(session)
    session = backend.login(APPLICANT, PASSWORD)
    wall.advance(31 * 60)
    with pytest.raises(Unauthorized, match="session_expired"):
        backend.certificates(session)


def test_the_list_shows_the_owners_assets_by_month_and_method(backend, assets):
    session = backend.login(APPLICANT, PASSWORD)
    items = backend.eligible_transactions(session)
    assert sorted((i.production_method, i.amount_wh, i.issued) for i in items) == [("oil", 50_000, False),
                                                                                   ("solar", 30_000, False)]
    assert {t.type_id for t in backend.certificate_types()} == {"jp-green-council", "intl-rec-registry"}


def test_issuing_signs_with_the_user_key_verifies_and_renders(backend, assets, ledger_world, ledger_node, tmp_path):
    trust_file = tmp_path / "kiosk" / "validators.json"
    session = backend.login(APPLICANT, PASSWORD)
    assert not trust_file.exists(), "the validators are pinned at first use, not at sign-in"
    session, cert = issue(backend)
    # S404/S408a: the ledger's record was issued by the user key, for Consumer Ca's own assets
    record = ledger_node.state.get(f"cert/{cert.certificate_id}")
    assert record["issuer"] == ledger_world.user.address and record["owner"] == ledger_world.user.address
    assert sorted(record["assets"]) == sorted(assets["solar"]) and record["wh"] == 30_000
    # trust on first use: the node's validator, pinned
    pinned = json.loads(trust_file.read_text())
    assert pinned["chain_id"] == "greencert-test"
    assert pinned["validators"] == [ledger_world.validator.public.hex()]
    # S410: the QR payload is signed with the user key (a trusted issuer in the registry)
    decoded = decode_payload(cert.payload, {ledger_world.user.public.kid: ledger_world.user.public})
    claims = decoded.claims
    assert (claims.cid, claims.own, claims.wh, claims.m, claims.inst, claims.chain) == (
        cert.certificate_id, "Consumer Ca", 30_000, "solar", TYPE, "greencert-test")
    assert claims.h == record["height"] and claims.iat == record["time"]
    # S412: the PDF the kiosk rendered carries that payload and amount
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(backend.certificate_pdf(session, cert.certificate_id))
    printed = read_certificate_pdf(pdf)
    assert printed.payload == cert.payload and printed.amount_wh == 30_000
    assert printed.certificate_id == cert.certificate_id
    # and its audit bundle: the node's proofs of this issuance (issue #13, verified offline from the paper)
    assert printed.bundle is not None
    assert AuditBundle.decode(printed.bundle).certificate_id == cert.certificate_id
    # the row is certified now
    items = backend.eligible_transactions(session)
    assert [i.certificate_id for i in items if i.issued] == [cert.certificate_id]


def test_already_issued_comes_from_the_node_and_names_the_certificate(make_backend, assets):
    first, second = make_backend(), make_backend()
    stale = second.login(APPLICANT, PASSWORD)
    row = next(i for i in second.eligible_transactions(stale) if i.production_method == "solar")
    _, cert = issue(first)
    with pytest.raises(AlreadyIssued) as caught:  # S407/S408b: judged by the node, not by the kiosk's list
        second.issue_certificate(stale, [row.item_id], TYPE, uuid.uuid4().hex)
    assert caught.value.certificate_id == cert.certificate_id


def test_a_retry_with_the_same_key_does_not_issue_twice(backend, assets, ledger_node):
    key = uuid.uuid4().hex
    session, cert = issue(backend, key=key)
    height = ledger_node.head.height
    row = next(i for i in backend.eligible_transactions(session) if i.issued)
    again = backend.issue_certificate(session, [row.item_id], TYPE, key)  # e.g. the answer was lost
    assert again.certificate_id == cert.certificate_id and again.payload == cert.payload
    assert ledger_node.head.height == height, "nothing new on the ledger"


def test_requests_the_ledger_would_refuse_are_refused_first(backend, assets):
    session = backend.login(APPLICANT, PASSWORD)
    items = backend.eligible_transactions(session)
    with pytest.raises(BadRequest, match="mixed_methods"):
        backend.issue_certificate(session, [i.item_id for i in items], TYPE, "k1")
    with pytest.raises(NotFound, match="reload the list"):
        backend.issue_certificate(session, ["not-a-row"], TYPE, "k2")
    with pytest.raises(BadRequest, match="unknown_type"):
        backend.issue_certificate(session, [items[0].item_id], "no-such-institution", "k3")


def test_reprint_of_an_earlier_certificate_in_a_new_session(make_backend, assets, tmp_path):
    _, cert = issue(make_backend())
    later = make_backend()  # another day: the kiosk knows nothing but the ledger
    session = later.login(APPLICANT, PASSWORD)
    records = later.certificates(session)
    assert [(r.certificate_id, r.amount_wh, r.type_id) for r in records] == [(cert.certificate_id, 30_000, TYPE)]
    pdf = tmp_path / "reprint.pdf"
    pdf.write_bytes(later.certificate_pdf(session, cert.certificate_id, reprint=True))
    printed = read_certificate_pdf(pdf)
    assert printed.payload == cert.payload, "the same claims, signed again with the same key"
    assert printed.certificate_id == cert.certificate_id


def test_someone_elses_certificate_is_not_reprinted(backend, assets, ledger_world, ledger_node):
    theirs = ledger_world.commit(ledger_node, ledger_world.issue(assets["theirs"], owner=ledger_world.user2.address,
                                                                 institution=TYPE))["result"]["certificate_id"]
    session = backend.login(APPLICANT, PASSWORD)
    assert backend.certificates(session) == []
    with pytest.raises(NotFound, match="no certificate"):
        backend.certificate_pdf(session, theirs)


def test_a_revoked_certificate_is_not_offered_for_reprint(backend, assets, ledger_world, ledger_node):
    _, cert = issue(backend)
    ledger_world.commit(ledger_node, ledger_world.revoke(cert.certificate_id, signer=ledger_world.user))
    session = backend.login(APPLICANT, PASSWORD)
    assert backend.certificates(session) == []
    with pytest.raises(LedgerUnverified, match="revoked"):
        backend.certificate_pdf(session, cert.certificate_id)


# -- the light node: answers that do not verify are not printed --------------------------------------
class Tampering(httpx.BaseTransport):
    """Passes requests to the real node and lets ``edit(path, body)`` change the JSON answers."""

    def __init__(self, inner: httpx.BaseTransport, edit: Callable[[str, Any], Any]) -> None:
        self.inner, self.edit = inner, edit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not response.headers.get("content-type", "").startswith("application/json"):
            return response
        body = self.edit(request.url.path, json.loads(response.content))
        return httpx.Response(response.status_code, json=body, request=request)


def lie(make_backend: Callable[..., DirectBackend], transport: SyncASGITransport,
        edit: Callable[[str, Any], Any]) -> DirectBackend:
    return make_backend(transport=Tampering(transport, edit))


def test_a_record_that_does_not_match_its_proof_is_refused(make_backend, node_transport, assets):
    def more_energy(path: str, body: Any) -> Any:
        if path.startswith("/v1/state/cert/") and body.get("present"):
            record = decode(bytes.fromhex(body["value_cbor"]))
            body["value_cbor"] = canonical({**record, "wh": record["wh"] * 10}).hex()
        return body

    backend = lie(make_backend, node_transport, more_energy)
    session = backend.login(APPLICANT, PASSWORD)
    row = next(i for i in backend.eligible_transactions(session) if i.production_method == "solar")
    with pytest.raises(LedgerUnverified) as caught:
        backend.issue_certificate(session, [row.item_id], TYPE, "k")
    assert caught.value.step == "record"


def test_an_inclusion_proof_that_does_not_lead_to_the_block_is_refused(make_backend, node_transport, assets):
    def other_position(path: str, body: Any) -> Any:
        if path.startswith("/v1/txs/") and "proof" in body:
            body["proof"]["hashes"] = ["00" * 32, *body["proof"]["hashes"]]
            body["proof"]["tree_size"] += 1
        return body

    backend = lie(make_backend, node_transport, other_position)
    with pytest.raises(LedgerUnverified) as caught:
        issue(backend)
    assert caught.value.step == "inclusion"


def test_blocks_not_signed_by_the_pinned_validators_are_refused(backend, assets, tmp_path):
    stranger = SigningKey.derive("test/not-the-validator")
    (tmp_path / "kiosk" / "validators.json").write_text(json.dumps({
        "version": 1, "chain_id": "greencert-test", "validators": [stranger.public.hex()],
        "pinned_from": "elsewhere", "pinned_at": 0}))
    with pytest.raises(LedgerUnverified) as caught:
        issue(backend)
    assert caught.value.step == "inclusion"


def test_a_pin_is_never_replaced_by_what_the_node_says_later(backend, assets, tmp_path):
    path = tmp_path / "kiosk" / "validators.json"
    issue(backend)
    first = path.read_text()
    issue(backend, "oil")
    assert path.read_text() == first
    assert TrustStore(path).pinned() is not None
