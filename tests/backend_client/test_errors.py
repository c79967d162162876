"""``backend_client.http``: every status → exception mapping (``map_error``), and transport failures → Unreachable."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend_client import (
    AlreadyIssued,
    ApiError,
    BadRequest,
    ClientError,
    Conflict,
    Forbidden,
    IntermediaryClient,
    Locked,
    NodeClient,
    NotFound,
    ProtocolError,
    ServerError,
    Unauthorized,
    Unreachable,
)
from backend_client.http import MAX_MESSAGE, HttpBase, map_error


def error_response(status: int, body: Any = None, *, headers: dict[str, str] | None = None,
                   text: str | None = None) -> httpx.Response:
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    return httpx.Response(status, json=body if body is not None else {"error": f"code_{status}",
                                                                       "message": f"message {status}"},
                          headers=headers)


@pytest.mark.parametrize(("status", "kind"), [
    (400, BadRequest), (401, Unauthorized), (403, Forbidden), (404, NotFound), (409, Conflict), (413, BadRequest),
    (422, BadRequest), (429, Locked), (500, ServerError), (502, ServerError), (503, ServerError),
    (504, ServerError), (405, ApiError), (410, ApiError), (418, ApiError),
])
def test_status_maps_to_its_exception(status: int, kind: type[ApiError]) -> None:
    error = map_error(error_response(status))
    assert type(error) is kind
    assert isinstance(error, ApiError) and isinstance(error, ClientError)
    assert (error.status, error.code, error.message) == (status, f"code_{status}", f"message {status}")
    assert str(error) == f"{status} code_{status}: message {status}"


def test_already_issued_carries_the_certificate_id() -> None:
    error = map_error(error_response(409, {"error": "already_issued", "message": "asset x is already certified",
                                           "certificate_id": "c0ffee"}))
    assert type(error) is AlreadyIssued and isinstance(error, Conflict)
    assert error.certificate_id == "c0ffee" and error.code == "already_issued"


def test_already_issued_without_a_certificate_id() -> None:
    error = map_error(error_response(409, {"error": "already_issued", "message": "m"}))
    assert type(error) is AlreadyIssued and error.certificate_id == ""


def test_already_issued_code_with_another_status_is_not_already_issued() -> None:
    error = map_error(error_response(422, {"error": "already_issued", "message": "m", "certificate_id": "c"}))
    assert type(error) is BadRequest


@pytest.mark.parametrize(("header", "retry_after"), [
    ({"Retry-After": "300"}, 300), ({"Retry-After": "0"}, 0), (None, None),
    ({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, None), ({"Retry-After": "-5"}, None),
    ({"Retry-After": "1.5"}, None),
])
def test_locked_carries_retry_after(header: dict[str, str] | None, retry_after: int | None) -> None:
    error = map_error(error_response(429, {"error": "locked", "message": "too many attempts"}, headers=header))
    assert type(error) is Locked
    assert error.retry_after == retry_after and error.code == "locked"


@pytest.mark.parametrize(("left", "expected"), [(1, 1), (0, 0), (None, None), (-1, None), (True, None), ("2", None)])
def test_invalid_credentials_carry_the_attempts_left(left: object, expected: int | None) -> None:
    body = {"error": "invalid_credentials", "message": "m", **({} if left is None else {"attempts_left": left})}
    error = map_error(error_response(401, body))
    assert type(error) is Unauthorized and error.attempts_left == expected


def test_locked_with_a_non_ascii_digit_retry_after() -> None:
    response = httpx.Response(429, json={"error": "locked", "message": "m"}, headers=[(b"Retry-After", b"\xb2")])
    error = map_error(response)
    assert type(error) is Locked and error.retry_after is None


@pytest.mark.parametrize(("status", "kwargs"), [
    (502, {"text": "<html><body>Bad Gateway</body></html>"}),
    (500, {"text": ""}),
    (404, {"body": ["not", "an", "object"]}),
    (400, {"body": {"message": "no error code"}}),
    (400, {"body": {"error": 5, "message": "code is not text"}}),
    (409, {"body": {"detail": "FastAPI default"}}),
])
def test_non_json_or_undocumented_error_body_is_a_protocol_error(status: int, kwargs: dict[str, Any]) -> None:
    error = map_error(error_response(status, **kwargs))
    assert type(error) is ProtocolError
    assert f"expected a JSON error body with status {status}, found" in str(error)


def test_missing_message_is_empty() -> None:
    error = map_error(error_response(404, {"error": "not_found"}))
    assert type(error) is NotFound and error.message == ""


def mock_client(handler: Any, cls: type[HttpBase] = NodeClient) -> Any:
    return cls("http://node.test/", transport=httpx.MockTransport(handler))


def test_request_raises_the_mapped_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"error": "wrong_role", "message": "expected a meter"})

    with mock_client(handler) as client, pytest.raises(Forbidden, match="403 wrong_role: expected a meter"):
        client.status()


def test_success_that_is_not_json_is_a_protocol_error() -> None:
    with mock_client(lambda request: httpx.Response(200, text="<html>proxy login</html>")) as client, \
            pytest.raises(ProtocolError, match="expected JSON from GET /v1/status, found '<html>proxy login"):
        client.status()


def test_connection_refused_is_unreachable() -> None:
    client = NodeClient("http://127.0.0.1:1", timeout=2)
    try:
        with pytest.raises(Unreachable, match=r"cannot reach http://127\.0\.0\.1:1"):
            client.status()
    finally:
        client.close()


@pytest.mark.parametrize("timeout", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.WriteTimeout, httpx.PoolTimeout])
def test_timeout_is_unreachable(timeout: type[httpx.TimeoutException]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise timeout("timed out", request=request)

    with mock_client(handler) as client, \
            pytest.raises(Unreachable, match=r"http://node\.test did not answer GET /v1/blocks/3 in time") as caught:
        client.block(3)
    assert isinstance(caught.value.__cause__, timeout)


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError])
def test_transport_errors_are_unreachable(failure: type[httpx.TransportError]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure("boom", request=request)

    with mock_client(handler, IntermediaryClient) as client, \
            pytest.raises(Unreachable, match=r"cannot reach http://node\.test: boom"):
        client.certificate_types()


def test_base_url_trailing_slash_is_dropped() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"chain_id": "c"})

    with mock_client(handler) as client:
        assert client.base_url == "http://node.test"
        assert client.status() == {"chain_id": "c"}
    assert seen == ["http://node.test/v1/status"]


def test_a_huge_server_message_is_cut() -> None:
    error = map_error(httpx.Response(400, json={"error": "bad_request", "message": "x" * 5_000_000}))
    assert isinstance(error, ApiError) and len(error.message) == MAX_MESSAGE + 1 and error.message.endswith("…")
