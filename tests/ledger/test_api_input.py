"""The node refuses bad input early, with 4xx ``{error, message}`` (issue #9): body limits before reading, TRACE,
bounded path and query integers, tx ids, deeply nested JSON, clipped echoes; offline docs; security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ledger.api import BATCH_BODY_LIMIT, TX_BODY_LIMIT, create_app
from ledger.node import Node
from tests.helpers.asgi_exchange import Exchange
from tests.helpers.ledger_world import LedgerWorld, SyncASGITransport

MIB = b"\x00" * 2**20
JSON = {"content-type": "application/json"}


@pytest.fixture
def app(ledger_node: Node) -> FastAPI:
    return create_app(ledger_node)


@pytest.fixture
def client(app: FastAPI) -> Iterator[httpx.Client]:
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://node") as http:
        yield http


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == code and isinstance(body["message"], str) and body["message"], body
    message: str = body["message"]
    return message


# --- body limits: refused before the node reads them -------------------------------------------------------
@pytest.mark.parametrize(("path", "limit"), [("/v1/txs", TX_BODY_LIMIT), ("/v1/txs/batch", BATCH_BODY_LIMIT)])
def test_a_declared_body_over_the_limit_is_413_unread(app: FastAPI, path: str, limit: int) -> None:
    chunks = [MIB] * (limit // len(MIB) + 2)  # handed out lazily: nothing of it is held at once
    size = len(MIB) * len(chunks)
    done = Exchange(app, "POST", path, chunks=chunks,
                    headers=[(b"content-type", b"application/json"), (b"content-length", str(size).encode())])
    assert done.status == 413 and done.error()["error"] == "too_large"
    assert f"at most {limit} bytes, found Content-Length {size}" in done.error()["message"]
    assert done.reads == 0


def test_a_chunked_body_over_the_limit_is_413_without_reading_the_rest(app: FastAPI) -> None:
    done = Exchange(app, "POST", "/v1/txs", chunks=[MIB] * 50, headers=[(b"content-type", b"application/cbor")])
    assert done.status == 413 and done.error()["error"] == "too_large"
    assert done.reads == 1  # the first 1 MiB chunk passes the 129 KiB limit; 49 MiB stay unread


def test_the_largest_single_transaction_still_fits(client: httpx.Client) -> None:
    body = '{"tx": "' + "00" * (64 * 1024) + '"}'  # 64 KiB as hex: refused by admission (not CBOR), not by size
    assert len(body) < TX_BODY_LIMIT
    assert_error(client.post("/v1/txs", content=body, headers=JSON), 400, "bad_encoding")


# --- methods ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path", "allow"), [
    ("TRACE", "/v1/status", "GET"), ("TRACE", "/v1/txs", "POST"), ("TRACK", "/v1/blocks/1", "GET"),
    ("CONNECT", "/v1/state/a/b", "GET"), ("TRACE", "/docs", "GET"),
])
def test_trace_track_connect_are_405_with_the_path_methods(client: httpx.Client, method: str, path: str,
                                                           allow: str) -> None:
    response = client.request(method, path)
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allow


def test_another_wrong_method_is_405_with_allow(client: httpx.Client) -> None:
    response = client.delete("/v1/status")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


# --- path and query input -----------------------------------------------------------------------------------
@pytest.mark.parametrize("height", [str(2**63), str(2**64 + 5), "9" * 30, "9" * 5000, "-1", "1.5", "x"])
def test_block_heights_out_of_range_are_400(client: httpx.Client, height: str) -> None:
    message = assert_error(client.get(f"/v1/blocks/{height}"), 400, "bad_request")
    assert message.startswith("path.height:") and len(message) < 200


def test_the_largest_height_is_a_404(client: httpx.Client) -> None:
    assert_error(client.get(f"/v1/blocks/{2**63 - 1}"), 404, "not_found")


@pytest.mark.parametrize("tx_id", ["zz", "a" * 63, "a" * 65, "A" * 64, "g" * 64, "0x" + "a" * 62])
def test_tx_ids_must_be_64_lowercase_hex(client: httpx.Client, tx_id: str) -> None:
    assert_error(client.get(f"/v1/txs/{tx_id}"), 400, "bad_request")


def test_a_well_formed_unknown_tx_id_is_404(client: httpx.Client) -> None:
    assert_error(client.get(f"/v1/txs/{'ab' * 32}"), 404, "not_found")


@pytest.mark.parametrize("param", ["start", "end", "valid_at"])
@pytest.mark.parametrize("value", [str(2**63), "-1", "9" * 5000])
def test_asset_time_bounds_are_400(client: httpx.Client, ledger_world: LedgerWorld, param: str, value: str) -> None:
    params = {"owner": ledger_world.intermediary.address, param: value}
    headers = ledger_world.read_headers(ledger_world.intermediary, "/v1/assets", params)
    response = client.get("/v1/assets", params=params, headers=headers)
    assert_error(response, 400, "bad_request")


# --- JSON bodies ----------------------------------------------------------------------------------------------
def test_deeply_nested_json_tx_is_400(client: httpx.Client) -> None:
    depth = 60_000  # the body stays under the transaction body limit; json recurses once per level
    body = '{"tx": ' + "[" * depth + "]" * depth + "}"
    assert len(body) < TX_BODY_LIMIT
    message = assert_error(client.post("/v1/txs", content=body, headers=JSON), 400, "bad_request")
    assert "nesting too deep" in message


def test_deeply_nested_json_batch_is_400(client: httpx.Client) -> None:
    body = '{"txs": ' + "[" * 100_000 + "]" * 100_000 + "}"
    message = assert_error(client.post("/v1/txs/batch", content=body, headers=JSON), 400, "bad_request")
    assert "nesting too deep" in message


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/txs", b"{"), ("/v1/txs", b"\xff\xfe"), ("/v1/txs", b"[]"), ("/v1/txs", b'"tx"'), ("/v1/txs", b"null"),
    ("/v1/txs", b'{"tx": 5}'), ("/v1/txs", b'{"tx": "zz"}'), ("/v1/txs", b'{"tx": ["00"]}'),
    ("/v1/txs", b'{"tx": ' + b"1" * 5000 + b"}"),
    ("/v1/txs/batch", b"{"), ("/v1/txs/batch", b'{"txs": "00"}'), ("/v1/txs/batch", b'{"txs": {"00": 1}}'),
    ("/v1/txs/batch", b'{"txs": [5]}'), ("/v1/txs/batch", b'{"txs": ["zz"]}'), ("/v1/txs/batch", b"[]"),
])
def test_json_bodies_not_of_the_form_are_400(client: httpx.Client, path: str, body: bytes) -> None:
    message = assert_error(client.post(path, content=body, headers=JSON), 400, "bad_request")
    assert message.startswith("expected JSON {")


def test_too_many_transactions_in_a_batch_is_413(client: httpx.Client) -> None:
    body = '{"txs": [' + ",".join(['"00"'] * 5001) + "]}"
    message = assert_error(client.post("/v1/txs/batch", content=body, headers=JSON), 413, "too_large")
    assert message == "expected at most 5000 transactions, found 5001"


# --- echoes of input are clipped --------------------------------------------------------------------------------
def test_a_long_state_key_is_echoed_clipped(client: httpx.Client) -> None:
    message = assert_error(client.get("/v1/state/" + "k" * 10_000), 404, "not_found")
    assert message.count("k") <= 80 and "10000 characters" in message


def test_a_long_chain_id_is_echoed_clipped(client: httpx.Client, ledger_world: LedgerWorld) -> None:
    tx = ledger_world.sign(ledger_world.meter, "asset.generate", {}, chain="c" * 5000)
    response = client.post("/v1/txs", content=tx.encode(), headers={"content-type": "application/cbor"})
    message = assert_error(response, 400, "wrong_chain")
    assert "c" * 80 in message and "c" * 81 not in message and "5000 characters" in message


# --- offline docs and security headers --------------------------------------------------------------------------
def referenced(html: str) -> list[str]:
    return re.findall(r"""(?:src|href|spec-url)=["']([^"']+)["']|url: ["']([^"']+)["']""", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_elsewhere(client: httpx.Client, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert not re.findall(r"https?://", response.text), response.text
    urls = [a or b for a, b in referenced(response.text)]
    assert any(u.endswith(".js") for u in urls) and "/openapi.json" in urls
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_carry_the_html_security_headers(client: httpx.Client, page: str) -> None:
    headers = client.get(page).headers
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "http" not in csp


@pytest.mark.parametrize("path", ["/v1/status", "/v1/blocks/0", "/v1/blocks/99", "/openapi.json"])
def test_json_answers_carry_nosniff_only(client: httpx.Client, path: str) -> None:
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff" and "content-security-policy" not in headers


# --- the OpenAPI document declares what the routes answer -----------------------------------------------------
def operation(app: FastAPI, method: str, path: str) -> dict[str, Any]:
    found: dict[str, Any] = app.openapi()["paths"][path][method]
    return found


@pytest.mark.parametrize(("method", "path", "statuses"), [
    ("post", "/v1/txs", {"200", "400", "401", "403", "404", "409", "413", "422", "503", "504"}),
    ("post", "/v1/txs/batch", {"200", "400", "413", "503"}),
    ("get", "/v1/txs/{tx_id}", {"200", "400", "404", "503"}),
    ("get", "/v1/blocks/{height}", {"200", "400", "404", "503"}),
    ("get", "/v1/state/{key}", {"200", "400", "404"}),
    ("get", "/v1/assets", {"200", "400", "401", "403"}),
    ("get", "/v1/certificates", {"200", "400", "401", "403"}),
    ("get", "/v1/certificates/{certificate_id}/audit", {"200", "400", "404", "503"}),
    ("get", "/v1/status", {"200"}),
    ("get", "/v1/registry", {"200", "400", "503"}),
    ("get", "/v1/events", {"200"}),
])
def test_openapi_declares_every_status(app: FastAPI, method: str, path: str, statuses: set[str]) -> None:
    responses = operation(app, method, path)["responses"]
    assert set(responses) == statuses
    for status, response in responses.items():
        if status != "200":
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}


def test_openapi_error_schema_and_no_validation_422(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    assert schemas["ErrorBody"]["required"] == ["error", "message"]
    assert "HTTPValidationError" not in schemas


def test_openapi_request_bodies_and_content_types(app: FastAPI) -> None:
    submit = operation(app, "post", "/v1/txs")["requestBody"]["content"]
    assert set(submit) == {"application/json", "application/cbor"}
    assert submit["application/json"]["schema"]["required"] == ["tx"]
    assert submit["application/cbor"]["schema"]["format"] == "binary"
    batch = operation(app, "post", "/v1/txs/batch")["requestBody"]["content"]
    assert batch["application/json"]["schema"]["properties"]["txs"]["maxItems"] == 5000
    events = operation(app, "get", "/v1/events")["responses"]["200"]["content"]
    assert set(events) == {"text/event-stream"}
