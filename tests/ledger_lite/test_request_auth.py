"""Signed reads (issue #12, ``ledger_lite.request_auth``): one canonical string for the client and the node."""

from __future__ import annotations

import pytest

from ledger_lite import SigningKey
from ledger_lite.request_auth import (
    KEY_HEADER,
    SIGNATURE_HEADER,
    TIME_HEADER,
    RequestAuthError,
    canonical_request,
    sign_request,
    verify_request,
)

KEY = SigningKey.derive("test/request-auth")
NOW = 1_790_812_800
QUERY = [("owner", "gc1abc"), ("method", "solar & wind")]


def check(headers: dict[str, str], *, path: str = "/v1/assets", query: list[tuple[str, str]] | None = None,
          chain: str = "c", now: int = NOW) -> str:
    public = verify_request(headers.get(KEY_HEADER), headers.get(TIME_HEADER), headers.get(SIGNATURE_HEADER),
                            method="GET", path=path, query=QUERY if query is None else query, chain_id=chain, now=now)
    return public.address


def refusal(headers: dict[str, str], **kwargs: object) -> str:
    with pytest.raises(RequestAuthError) as caught:
        check(headers, **kwargs)  # type: ignore[arg-type]
    return caught.value.code


def test_canonical_string_is_fixed_and_order_free() -> None:
    text = canonical_request("get", "/v1/assets", QUERY, NOW, "c")
    assert text == b"greencert/read/v1\nGET\n/v1/assets\nmethod=solar%20%26%20wind&owner=gc1abc\n1790812800\nc"
    assert canonical_request("GET", "/v1/assets", list(reversed(QUERY)), NOW, "c") == text


def test_a_signed_request_verifies_for_exactly_what_was_signed() -> None:
    headers = sign_request(KEY, method="GET", path="/v1/assets", query=QUERY, chain_id="c", now=NOW)
    assert check(headers) == KEY.address
    assert check(headers, now=NOW + 300) == KEY.address
    assert refusal(headers, now=NOW + 301) == "stale_request"
    assert refusal(headers, now=NOW - 301) == "stale_request"
    assert refusal(headers, chain="d") == "bad_signature"
    assert refusal(headers, path="/v1/certificates") == "bad_signature"
    assert refusal(headers, query=[("owner", "gc1other")]) == "bad_signature"


@pytest.mark.parametrize(("header", "value", "code"), [
    (KEY_HEADER, None, "unsigned_read"), (TIME_HEADER, None, "unsigned_read"), (SIGNATURE_HEADER, None,
                                                                                 "unsigned_read"),
    (KEY_HEADER, "zz" * 32, "bad_signature"), (KEY_HEADER, "00", "bad_signature"),
    (SIGNATURE_HEADER, "0" * 127, "bad_signature"), (TIME_HEADER, "-5", "bad_signature"),
    (TIME_HEADER, "١٢٣", "bad_signature"), (TIME_HEADER, "9" * 13, "bad_signature"),
    (SIGNATURE_HEADER, "00" * 64, "bad_signature"),
])
def test_missing_or_malformed_headers_are_refused(header: str, value: str | None, code: str) -> None:
    headers = sign_request(KEY, method="GET", path="/v1/assets", query=QUERY, chain_id="c", now=NOW)
    if value is None:
        del headers[header]
    else:
        headers[header] = value
    assert refusal(headers) == code
