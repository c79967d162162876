"""``IntermediaryClient``: request shapes of the public intermediary API (DESIGN.md "Public contract") and the
typed parsing of its answers, against a scripted ``httpx.MockTransport``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from backend_client import (
    AlreadyIssued,
    CertificateType,
    EligibleItem,
    IntermediaryClient,
    IssuedCertificate,
    Locked,
    ProtocolError,
    Session,
    Unauthorized,
)

C1 = "c1" * 32
SESSION = Session(token="t0k3n", user_name="Consumer Ca", expires_at=1_790_900_000)
ITEM: dict[str, Any] = {"item_id": "i1", "period_start": 1_790_812_800, "period_end": 1_790_814_600,
                        "production_method": "solar", "amount_wh": 12_000, "issued": False, "certificate_id": None}


class Script:
    """Answers by (method, path); records every request."""

    def __init__(self, routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.routes[(request.method, request.url.path)](request)


def client_for(routes: dict[str, Callable[[httpx.Request], httpx.Response]]) -> tuple[IntermediaryClient, Script]:
    """``routes``: ``"METHOD /path under /api/v1"`` → answer."""
    script = Script({(k.split()[0], "/api/v1" + k.split()[1]): v for k, v in routes.items()})
    return IntermediaryClient("http://intermediary.test", transport=httpx.MockTransport(script)), script


def ok(body: Any, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body)


def test_login_posts_credentials_and_parses_the_session() -> None:
    client, script = client_for({"POST /sessions": ok({"token": "t0k3n", "user_name": "Consumer Ca",
                                                       "expires_at": 1_790_900_000})})
    assert client.login("demo", "demo") == SESSION
    assert json.loads(script.requests[0].content) == {"applicant_id": "demo", "password": "demo"}
    assert "authorization" not in script.requests[0].headers


@pytest.mark.parametrize(("sent", "parsed"), [("需要家Ca", "需要家Ca"), (None, None), ("", None), (7, None)])
def test_login_parses_the_optional_japanese_name(sent: Any, parsed: str | None) -> None:
    client, _ = client_for({"POST /sessions": ok({"token": "t0k3n", "user_name": "Consumer Ca",
                                                  "expires_at": 1_790_900_000, "user_name_ja": sent})})
    session = client.login("demo", "demo")
    assert (session.user_name, session.user_name_ja) == ("Consumer Ca", parsed)


def test_login_errors() -> None:
    client, _ = client_for({"POST /sessions": lambda r: httpx.Response(
        401, json={"error": "invalid_credentials", "message": "unknown applicant or wrong password"})})
    with pytest.raises(Unauthorized, match="401 invalid_credentials"):
        client.login("demo", "wrong")
    client, _ = client_for({"POST /sessions": lambda r: httpx.Response(
        429, json={"error": "locked", "message": "try later"}, headers={"Retry-After": "120"})})
    with pytest.raises(Locked) as caught:
        client.login("demo", "wrong")
    assert caught.value.retry_after == 120


@pytest.mark.parametrize("body", [{"token": "t", "user_name": "u"}, {"token": 1, "user_name": "u", "expires_at": 1},
                                  [], {"token": "t", "user_name": "u", "expires_at": "soon"}])
def test_login_answer_missing_or_mistyped_fields_is_a_protocol_error(body: Any) -> None:
    client, _ = client_for({"POST /sessions": ok(body)})
    with pytest.raises(ProtocolError, match="expected field"):
        client.login("demo", "demo")


def test_calls_with_a_session_send_the_bearer_token() -> None:
    second: dict[str, Any] = {**ITEM, "item_id": "i2", "issued": True, "certificate_id": "c1"}
    client, script = client_for({"GET /eligible-transactions": ok({"items": [ITEM, second]}),
                                 "DELETE /sessions/current": lambda r: httpx.Response(204)})
    items = client.eligible_transactions(SESSION)
    assert items == [EligibleItem(**ITEM), EligibleItem(**second)]
    client.logout(SESSION)
    assert [r.headers["authorization"] for r in script.requests] == ["Bearer t0k3n"] * 2


def test_eligible_item_with_a_wrong_type_is_a_protocol_error() -> None:
    client, _ = client_for({"GET /eligible-transactions": ok({"items": [{**ITEM, "amount_wh": "12 kWh"}]})})
    with pytest.raises(ProtocolError, match="expected field 'amount_wh' of type int"):
        client.eligible_transactions(SESSION)


def test_certificate_types() -> None:
    types = [{"type_id": "jgca", "institution": "JGCA", "name": "Green"}]
    client, _ = client_for({"GET /certificate-types": ok({"items": types})})
    assert client.certificate_types() == [CertificateType("jgca", "JGCA", "Green")]


def test_issue_certificate() -> None:
    answer = {"certificate_id": "c1", "payload": "GC1:XYZ", "pdf_url": "/api/v1/certificates/c1/pdf"}
    client, script = client_for({"POST /certificates": ok(answer, 201)})
    assert client.issue_certificate(SESSION, ("i1", "i2"), "jgca", "key-1") == IssuedCertificate(**answer)
    assert json.loads(script.requests[0].content) == {"item_ids": ["i1", "i2"], "type_id": "jgca",
                                                      "idempotency_key": "key-1"}


def test_issue_certificate_already_issued() -> None:
    client, _ = client_for({"POST /certificates": lambda r: httpx.Response(
        409, json={"error": "already_issued", "message": "item i1 is certified", "certificate_id": "c0"})})
    with pytest.raises(AlreadyIssued) as caught:
        client.issue_certificate(SESSION, ["i1"], "jgca", "key-2")
    assert caught.value.certificate_id == "c0"


def test_certificate_and_trust_must_be_objects() -> None:
    client, _ = client_for({f"GET /certificates/{C1}": ok({"certificate_id": C1}), "GET /trust": ok([1, 2])})
    assert client.certificate(SESSION, C1) == {"certificate_id": C1}
    with pytest.raises(ProtocolError, match="expected a trust object"):
        client.trust()


def test_certificate_pdf_and_reprint_flag() -> None:
    client, script = client_for({f"GET /certificates/{C1}/pdf": lambda r: httpx.Response(200, content=b"%PDF-1.7")})
    assert client.certificate_pdf(SESSION, C1).startswith(b"%PDF")
    assert client.certificate_pdf(SESSION, C1, reprint=True).startswith(b"%PDF")
    assert [r.url.params.get("reprint") for r in script.requests] == [None, "true"]


def test_certificate_pdf_that_is_not_a_pdf_is_a_protocol_error() -> None:
    client, _ = client_for({f"GET /certificates/{C1}/pdf": lambda r: httpx.Response(200, content=b"<html>")})
    with pytest.raises(ProtocolError, match=f"expected a PDF for certificate {C1}, found b'<html>'"):
        client.certificate_pdf(SESSION, C1)


def test_certificates_lists_the_applicants_earlier_certificates() -> None:
    from backend_client.intermediary import CertificateRecord

    record = {"certificate_id": "c1", "owner": "Consumer Ca", "amount_wh": 12_000, "period_start": 1_790_812_800,
              "period_end": 1_790_814_600, "production_method": "solar", "category": "renewable",
              "type_id": "jgca", "issued_at": 1_790_900_000, "pdf_url": "/api/v1/certificates/c1/pdf"}
    client, script = client_for({"GET /certificates": ok({"items": [record]})})
    assert client.certificates(SESSION) == [CertificateRecord("c1", 12_000, 1_790_812_800, 1_790_814_600, "solar",
                                                              "jgca", 1_790_900_000)]
    assert script.requests[0].headers["authorization"] == "Bearer t0k3n"


def test_certificate_record_with_a_missing_field_is_a_protocol_error() -> None:
    client, _ = client_for({"GET /certificates": ok({"items": [{"certificate_id": "c1", "amount_wh": 1}]})})
    with pytest.raises(ProtocolError, match="expected field 'period_start' of type int"):
        client.certificates(SESSION)
