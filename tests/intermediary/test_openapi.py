"""Issue #9 (6): the OpenAPI document declares every status and content type the routes answer, and TRACE is
refused with 405 and an Allow header."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.intermediary_world import API, IntermediaryWorld

DECLARED = {  # (method, path) → the statuses besides 413/422 that each route must declare
    ("post", "/sessions"): {201, 400, 401, 429},
    ("delete", "/sessions/current"): {204, 401},
    ("get", "/eligible-transactions"): {200, 401, 503},
    ("get", "/certificate-types"): {200},
    ("post", "/certificates"): {201, 400, 401, 404, 409, 503},
    ("get", "/certificates"): {200, 401},
    ("get", "/certificates/{certificate_id}"): {200, 400, 401, 404},
    ("get", "/certificates/{certificate_id}/pdf"): {200, 400, 401, 404},
    ("get", "/trust"): {200, 503},
    ("post", "/usage-reports"): {200, 400, 503},
}


@pytest.fixture
def doc(iw: IntermediaryWorld) -> dict[str, Any]:
    response = iw.http().get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(("method", "path"), sorted(DECLARED))
def test_each_route_declares_its_statuses_with_the_error_schema(doc: dict[str, Any], method: str, path: str) -> None:
    responses = doc["paths"][API + path][method]["responses"]
    assert {int(s) for s in responses} >= DECLARED[(method, path)] | {413, 422}
    for status, answer in responses.items():
        if int(status) >= 400:
            assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert set(doc["components"]["schemas"]["ErrorOut"]["required"]) == {"error", "message"}


def test_the_pdf_route_declares_application_pdf(doc: dict[str, Any]) -> None:
    ok = doc["paths"][f"{API}/certificates/{{certificate_id}}/pdf"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["application/pdf"]


def test_certificate_ids_are_declared_as_64_hex(doc: dict[str, Any]) -> None:
    params = doc["paths"][f"{API}/certificates/{{certificate_id}}"]["get"]["parameters"]
    assert params[0]["schema"]["pattern"] == "^[0-9a-f]{64}$"


def test_success_answers_have_response_models(doc: dict[str, Any]) -> None:
    for (method, path), statuses in DECLARED.items():
        ok = doc["paths"][API + path][method]["responses"][str(min(statuses))]
        if min(statuses) != 204 and not path.endswith("/pdf"):
            assert "$ref" in ok["content"]["application/json"]["schema"], (method, path)


@pytest.mark.parametrize("path", ["/trust", "/sessions", "/certificates", f"/certificates/{'ab' * 32}/pdf"])
def test_trace_is_405_with_allow(iw: IntermediaryWorld, path: str) -> None:
    response = iw.http().request("TRACE", API + path)
    assert response.status_code == 405
    assert response.headers["Allow"]
    assert "TRACE" not in response.headers["Allow"]
    assert response.json()["error"] == "method_not_allowed"
