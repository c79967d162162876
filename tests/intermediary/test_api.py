"""The intermediary's public contract (DESIGN.md "Intermediary API") against a running embedded demo."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from greencert.demo import Demo
from intermediary.models import Consumer
from ledger_lite import PublicKey, decode_payload
from tests.helpers.intermediary_world import PASSWORD, IntermediaryWorld

API = "/api/v1"


@pytest.fixture
def http(demo: Demo) -> httpx.Client:
    with httpx.Client(base_url=demo.url, timeout=30) as client:
        yield client


def login(http: httpx.Client, applicant: str = "demo", password: str = "demo") -> dict[str, str]:
    response = http.post(f"{API}/sessions", json={"applicant_id": applicant, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def open_row(http: httpx.Client, auth: dict[str, str], method: str | None = None) -> dict[str, Any]:
    items = http.get(f"{API}/eligible-transactions", headers=auth).json()["items"]
    rows = [i for i in items if not i["issued"] and (method is None or i["production_method"] == method)]
    assert rows, f"no open row in {items}"
    return rows[0]


def test_login_returns_token_name_and_expiry(http: httpx.Client, demo: Demo) -> None:
    body = http.post(f"{API}/sessions", json={"applicant_id": "demo", "password": "demo"}).json()
    assert body["user_name"] == "Consumer Ca"
    assert body["user_name_ja"] == "需要家Ca", "the demo's consumers have Japanese names (greencert.world)"
    assert len(body["token"]) >= 32
    assert body["expires_at"] > demo.service.clock()


def test_the_japanese_name_is_sent_when_the_consumer_has_one_and_null_when_not(iw: IntermediaryWorld) -> None:
    with iw.service.db() as db:
        consumer = db.get(Consumer, "Cb")
        assert consumer is not None
        consumer.name_ja = "需要家Cb"
        db.commit()
    http = iw.http()
    for applicant, english, japanese in (("ca", "Consumer Ca", None), ("cb", "Consumer Cb", "需要家Cb")):
        response = http.post(f"{API}/sessions", json={"applicant_id": applicant, "password": PASSWORD})
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["user_name"], body["user_name_ja"]) == (english, japanese)
        listed = http.get(f"{API}/eligible-transactions", headers={"Authorization": f"Bearer {body['token']}"})
        assert (listed.json()["user_name"], listed.json()["user_name_ja"]) == (english, japanese)


def test_the_japanese_name_is_declared_optional_in_the_openapi_document(iw: IntermediaryWorld) -> None:
    schemas = iw.http().get("/openapi.json").json()["components"]["schemas"]
    for model in ("LoginOut", "EligibleOut"):
        assert "user_name_ja" in schemas[model]["properties"]
        assert "user_name_ja" not in schemas[model].get("required", []), model


@pytest.mark.parametrize("payload", [{"applicant_id": "demo", "password": "nope"},
                                     {"applicant_id": "nobody", "password": "demo"}])
def test_bad_credentials_are_401_without_saying_which(http: httpx.Client, payload: dict[str, str]) -> None:
    response = http.post(f"{API}/sessions", json=payload)
    assert response.status_code == 401
    body = response.json()
    assert {k: body[k] for k in ("error", "message")} == {"error": "invalid_credentials",
                                                         "message": "applicant ID or password is wrong"}
    assert set(body) == {"error", "message", "attempts_left"} and isinstance(body["attempts_left"], int)


def test_malformed_login_is_400_json(http: httpx.Client) -> None:
    response = http.post(f"{API}/sessions", json={"applicant_id": ""})
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_lockout_after_five_failures_then_429_even_with_right_password(http: httpx.Client) -> None:
    for _ in range(4):
        assert http.post(f"{API}/sessions", json={"applicant_id": "demo-cb", "password": "x"}).status_code == 401
    locked = http.post(f"{API}/sessions", json={"applicant_id": "demo-cb", "password": "x"})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    again = http.post(f"{API}/sessions", json={"applicant_id": "demo-cb", "password": "demo"})
    assert again.status_code == 429 and again.json()["error"] == "locked"


def test_eligible_transactions_need_a_token(http: httpx.Client) -> None:
    assert http.get(f"{API}/eligible-transactions").status_code == 401
    bad = http.get(f"{API}/eligible-transactions", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.json()["error"] == "session_expired"


def test_eligible_rows_are_grouped_and_show_the_sample_certificate(http: httpx.Client) -> None:
    items = http.get(f"{API}/eligible-transactions", headers=login(http)).json()["items"]
    assert 0 < len(items) < 20  # grouped per month and method, not one row per half-hour
    assert {"solar", "wind", "oil"} >= {i["production_method"] for i in items}
    issued = [i for i in items if i["issued"]]
    assert issued and all(len(i["certificate_id"]) == 64 for i in issued)
    assert all(i["amount_wh"] > 0 and i["period_start"] < i["period_end"] for i in items)


def test_issue_then_again_is_already_issued_naming_the_certificate(http: httpx.Client, demo: Demo) -> None:
    auth = login(http)
    row = open_row(http, auth, "wind")
    first = http.post(f"{API}/certificates", headers=auth,
                      json={"item_ids": [row["item_id"]], "type_id": "jp-green-council",
                            "idempotency_key": uuid.uuid4().hex})
    assert first.status_code == 201, first.text
    cert = first.json()
    assert cert["pdf_url"] == f"{API}/certificates/{cert['certificate_id']}/pdf"
    trust = http.get(f"{API}/trust").json()
    keys = {bytes.fromhex(k["kid"]): PublicKey.from_hex(k["public_key"]) for k in trust["issuers"]}
    claims = decode_payload(cert["payload"], keys).claims
    assert (claims.cid, claims.wh, claims.m, claims.own) == (cert["certificate_id"], row["amount_wh"], "wind",
                                                             "Consumer Ca")
    second = http.post(f"{API}/certificates", headers=auth,
                       json={"item_ids": [row["item_id"]], "type_id": "jp-green-council",
                             "idempotency_key": uuid.uuid4().hex})
    assert second.status_code == 409
    assert second.json()["error"] == "already_issued"
    assert second.json()["certificate_id"] == cert["certificate_id"]
    rows = http.get(f"{API}/eligible-transactions", headers=auth).json()["items"]
    assert any(r["issued"] and r["certificate_id"] == cert["certificate_id"] for r in rows)


def test_same_idempotency_key_returns_the_same_certificate(http: httpx.Client) -> None:
    auth = login(http)
    row = open_row(http, auth, "solar")
    body = {"item_ids": [row["item_id"]], "type_id": "intl-rec-registry", "idempotency_key": uuid.uuid4().hex}
    first = http.post(f"{API}/certificates", headers=auth, json=body)
    second = http.post(f"{API}/certificates", headers=auth, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json()["certificate_id"] == second.json()["certificate_id"]


def test_pdf_and_record_are_only_for_the_owner(http: httpx.Client) -> None:
    auth = login(http)
    cert_id = next(i["certificate_id"] for i in http.get(f"{API}/eligible-transactions", headers=auth).json()["items"]
                   if i["issued"])
    pdf = http.get(f"{API}/certificates/{cert_id}/pdf", headers=auth)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert http.get(f"{API}/certificates/{cert_id}", headers=auth).json()["certificate_id"] == cert_id
    other = http.post(f"{API}/sessions", json={"applicant_id": "demo-cb", "password": "demo"})
    if other.status_code == 201:  # demo-cb may be locked by the lockout test
        cb = {"Authorization": f"Bearer {other.json()['token']}"}
        assert http.get(f"{API}/certificates/{cert_id}/pdf", headers=cb).status_code == 404
    assert http.get(f"{API}/certificates/{cert_id}/pdf").status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"item_ids": [], "type_id": "jp-green-council", "idempotency_key": "k" * 10}, 400, "bad_request"),
        ({"item_ids": ["nope"], "type_id": "jp-green-council", "idempotency_key": "k" * 10}, 404, "not_found"),
        ({"item_ids": ["nope"], "type_id": "no-such", "idempotency_key": "k" * 10}, 400, "unknown_type"),
        ({"item_ids": ["x"], "type_id": "jp-green-council"}, 400, "bad_request"),
    ],
)
def test_bad_issuance_requests_change_nothing(http: httpx.Client, demo: Demo, body: dict[str, Any], status: int,
                                              code: str) -> None:
    auth = login(http)
    height = demo.node.status()["height"]
    response = http.post(f"{API}/certificates", headers=auth, json=body)
    assert response.status_code == status
    assert response.json()["error"] == code and response.json()["message"]
    assert demo.node.status()["height"] == height


def test_certificate_types_list_both_institutions(http: httpx.Client) -> None:
    items = http.get(f"{API}/certificate-types").json()["items"]
    assert {i["type_id"] for i in items} == {"jp-green-council", "intl-rec-registry"}
    assert all(i["institution"] and i["name"] for i in items)


def test_trust_lists_issuer_and_validator_keys(http: httpx.Client, demo: Demo) -> None:
    trust = http.get(f"{API}/trust").json()
    assert trust["chain_id"] == demo.world.chain_id
    assert demo.world.intermediary.public.kid.hex() in {k["kid"] for k in trust["issuers"]}
    assert [v["public_key"] for v in trust["validators"]] == [demo.world.validator.public.hex()]


def test_usage_reports_reject_a_foreign_signature(http: httpx.Client, demo: Demo) -> None:
    from field.meter import SmartMeter
    from field.sites import CONSUMER_CA
    from ledger_lite import SigningKey

    forged = SmartMeter(CONSUMER_CA, demo.world.chain_id, key=SigningKey.generate()).usage_tx(0, 1000)
    response = http.post(f"{API}/usage-reports", json={"reports": [forged.encode().hex()]})
    assert response.status_code == 400
    assert response.json()["error"] == "wrong_meter"


def test_retry_after_a_lost_ledger_answer_returns_the_committed_certificate(
        http: httpx.Client, demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger commits but its answer is lost: the kiosk's retry with the same key gets that certificate."""
    from backend_client import Unreachable

    node = demo.service.node
    real_submit = node.submit

    def submit_then_lose_answer(tx: Any, **kwargs: Any) -> Any:
        real_submit(tx, **kwargs)
        raise Unreachable("connection reset")

    auth = login(http)
    row = open_row(http, auth)
    body = {"item_ids": [row["item_id"]], "type_id": "jp-green-council", "idempotency_key": uuid.uuid4().hex}
    monkeypatch.setattr(node, "submit", submit_then_lose_answer)
    lost = http.post(f"{API}/certificates", headers=auth, json=body)
    assert lost.status_code == 503 and lost.json()["error"] == "ledger_unavailable"
    monkeypatch.setattr(node, "submit", real_submit)
    retry = http.post(f"{API}/certificates", headers=auth, json=body)
    assert retry.status_code == 201, retry.text
    certified = [r for r in http.get(f"{API}/eligible-transactions", headers=auth).json()["items"]
                 if r["certificate_id"] == retry.json()["certificate_id"]]
    assert len(certified) == 1 and certified[0]["amount_wh"] == row["amount_wh"]


def test_a_repeated_usage_report_is_answered_duplicate_and_changes_nothing(http: httpx.Client, demo: Demo) -> None:
    from field.meter import SmartMeter
    from field.sites import CONSUMER_CA

    first_interval = demo.node.genesis.time  # the demo's first half-hour, reported during seeding
    report = SmartMeter(CONSUMER_CA, demo.world.chain_id, demo.world.meters["Ca"]).usage_tx(first_interval, 1000)
    height = demo.node.status()["height"]
    response = http.post(f"{API}/usage-reports", json={"reports": [report.encode().hex()]})
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["duplicate"]
    assert demo.node.status()["height"] == height
