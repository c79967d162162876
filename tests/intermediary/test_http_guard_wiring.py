"""The intermediary behind the shared ASGI guard (ledger_lite/http_guard.py, issue #9): body limits before reading,
TRACE answered 405 with Allow, security headers, and Swagger UI/ReDoc from local assets."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from field.meter import SmartMeter
from field.sites import CONSUMER_CA
from intermediary.api.app import MAX_BODY, USAGE_REPORTS_BODY
from ledger_lite import SigningKey
from tests.helpers.asgi_exchange import Exchange
from tests.helpers.intermediary_world import API, IntermediaryWorld

MIB = b"\x00" * 2**20


@pytest.mark.parametrize(("path", "limit"), [(f"{API}/sessions", MAX_BODY),
                                             (f"{API}/usage-reports", USAGE_REPORTS_BODY)])
def test_a_declared_body_over_the_limit_is_413_unread(iw: IntermediaryWorld, path: str, limit: int) -> None:
    chunks = [MIB] * (limit // len(MIB) + 1)
    size = len(MIB) * len(chunks)
    done = Exchange(iw.app(), "POST", path, chunks=chunks,
                    headers=[(b"content-type", b"application/json"), (b"content-length", str(size).encode())])
    assert done.status == 413 and done.error()["error"] == "too_large" and done.reads == 0


def test_a_chunked_body_over_the_limit_is_413_without_reading_the_rest(iw: IntermediaryWorld) -> None:
    done = Exchange(iw.app(), "POST", f"{API}/sessions", chunks=[MIB] * 20,
                    headers=[(b"content-type", b"application/json")])
    assert done.status == 413 and done.error()["error"] == "too_large"
    assert done.reads == 2  # 2 MiB passes the 1 MiB limit; 18 MiB stay unread


def test_the_largest_simulator_post_fits_the_usage_reports_limit() -> None:
    # field/simulator.py posts a day of usage reports at once; the route takes at most 5,000 (ReportsIn).
    meter = SmartMeter(CONSUMER_CA, "greencert-demo", SigningKey.derive("test/usage-meter"))
    report = meter.usage_tx(1_790_812_800, 650_000).encode().hex()
    body = json.dumps({"reports": [report] * 5000}).encode()
    assert MAX_BODY < len(body) < USAGE_REPORTS_BODY // 3


def test_trace_is_405_with_allow(iw: IntermediaryWorld) -> None:
    with iw.http() as http:
        response = http.request("TRACE", f"{API}/sessions")
    assert response.status_code == 405 and response.json()["error"] == "method_not_allowed"
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_elsewhere(iw: IntermediaryWorld, page: str) -> None:
    with iw.http() as http:
        response = http.get(page)
        assert response.status_code == 200 and not re.findall(r"https?://", response.text), response.text
        urls = [a or b for a, b in re.findall(r"""(?:src|href|spec-url)=["']([^"']+)["']|url: ["']([^"']+)["']""",
                                               response.text)]
        assert any(u.endswith(".js") for u in urls) and "/openapi.json" in urls
        for url in urls:
            assert http.get(url).status_code == 200, url
    assert response.headers["x-frame-options"] == "DENY" and response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_json_answers_carry_nosniff(iw: IntermediaryWorld) -> None:
    with iw.http() as http:
        response: httpx.Response = http.get("/openapi.json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers
