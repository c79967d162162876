"""``backend_client.tls``: a client of plain ``http://`` nodes never loads the certificate store; clients of
``https://`` servers share one verifying context (issue 17: ~40 ms per client before)."""

from __future__ import annotations

import ssl

import httpx
import pytest

from backend_client import IntermediaryClient, NodeClient
from backend_client.tls import context_for, refusing_context, verifying_context


def test_plain_http_clients_never_load_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_store(*args: object, **kwargs: object) -> ssl.SSLContext:
        raise AssertionError("the certificate store was loaded for a plain-http client")

    verifying_context.cache_clear()
    monkeypatch.setattr(httpx, "create_ssl_context", no_store)
    NodeClient(["http://127.0.0.1:1", "HTTP://127.0.0.1:2"]).close()
    IntermediaryClient("http://127.0.0.1:3").close()
    with pytest.raises(AssertionError, match="store was loaded"):
        NodeClient(["http://127.0.0.1:1", "https://node.example"])
    verifying_context.cache_clear()


def test_the_unused_context_refuses_every_server() -> None:
    context = refusing_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.get_ca_certs() == []


def test_https_clients_share_one_verifying_context() -> None:
    first, second = context_for(["https://a.example"]), context_for(["http://b.example", "https://c.example"])
    assert first is second is verifying_context()
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    assert context_for(["http://a.example"]) is not first
