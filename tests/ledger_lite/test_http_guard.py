"""The shared ASGI guard (ledger_lite/http_guard.py, issue #9) in front of a tiny ASGI app, driven by hand
(tests/helpers/asgi_exchange.py: the test plays the server and counts the body chunks the app asked for)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from ledger_lite.http_guard import HTML_CSP, HttpGuard, Message, Receive, Scope, Send, route_methods
from tests.helpers.asgi_exchange import Exchange

LIMIT = 1000


class EchoApp:
    """Reads the whole body, answers 200 with its length (``content_type`` chosen by the test)."""

    def __init__(self, content_type: bytes = b"application/json", swallow: bool = False) -> None:
        self.content_type = content_type
        self.swallow = swallow  # answer 400 itself when receive fails, as FastAPI's body parsing does
        self.called = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        body = b""
        try:
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    break
        except Exception:
            if not self.swallow:
                raise
            await send({"type": "http.response.start", "status": 400, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"There was an error parsing the body"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", self.content_type)]})
        await send({"type": "http.response.body", "body": str(len(body)).encode()})


def guard(app: Any, **kwargs: Any) -> HttpGuard:
    return HttpGuard(app, max_body=LIMIT, **kwargs)


def test_a_body_within_the_limit_reaches_the_app() -> None:
    app = EchoApp()
    done = Exchange(guard(app), chunks=[b"x" * 600, b"x" * 400], headers=[(b"content-length", b"1000")])
    assert done.status == 200 and done.body == b"1000"


def test_content_length_over_the_limit_is_413_before_the_app_runs() -> None:
    app = EchoApp()
    done = Exchange(guard(app), chunks=[b"x" * 1001], headers=[(b"content-length", b"50000000")])
    assert done.status == 413 and done.error()["error"] == "too_large"
    assert "at most 1000 bytes, found Content-Length 50000000" in done.error()["message"]
    assert not app.called and done.reads == 0
    assert done.headers["connection"] == "close" and done.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("swallow", [False, True])
def test_a_chunked_body_over_the_limit_is_413_and_the_rest_is_not_read(swallow: bool) -> None:
    app = EchoApp(swallow=swallow)
    done = Exchange(guard(app), chunks=[b"x" * 400] * 100)  # no Content-Length: 40,000 bytes in 100 chunks
    assert done.status == 413 and done.error()["error"] == "too_large"
    assert done.reads == 3  # the third chunk passes 1000 bytes; the other 97 stay unread
    assert app.called


def test_per_path_limits() -> None:
    app = EchoApp()
    bigger = guard(app, limits={"/batch": 5000})
    assert Exchange(bigger, path="/batch", chunks=[b"x" * 4000]).status == 200
    assert Exchange(bigger, path="/other", chunks=[b"x" * 4000]).status == 413


@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT", "trace"])
def test_trace_track_connect_are_405_with_allow(method: str) -> None:
    app = EchoApp()
    done = Exchange(guard(app, allow=lambda path: ["GET", "HEAD"] if path == "/thing" else []), method=method,
                    path="/thing")
    assert done.status == 405 and done.error()["error"] == "method_not_allowed"
    assert done.headers["allow"] == "GET, HEAD" and not app.called


def test_trace_without_known_methods_names_a_general_list() -> None:
    done = Exchange(guard(EchoApp()), method="TRACE", path="/anything")
    assert done.status == 405 and done.headers["allow"] == "GET, HEAD, POST"


def test_route_methods_reads_routes_by_their_path_regex() -> None:
    class Route:
        def __init__(self, pattern: str, methods: set[str] | None) -> None:
            self.path_regex = re.compile(pattern)
            if methods is not None:
                self.methods = methods

    allow = route_methods(lambda: [Route("^/v1/txs$", {"POST"}), Route("^/v1/txs/(?P<tx_id>[^/]+)$", {"GET", "HEAD"}),
                                   Route("^/static/(?P<path>.*)$", None)])
    assert list(allow("/v1/txs")) == ["POST"]
    assert list(allow("/v1/txs/ab")) == ["GET", "HEAD"]
    assert list(allow("/static/x.js")) == ["GET", "HEAD"]
    assert list(allow("/nowhere")) == []


def test_security_headers_on_every_response_and_more_on_html() -> None:
    json_done = Exchange(guard(EchoApp()), method="GET")
    assert json_done.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in json_done.headers
    html_done = Exchange(guard(EchoApp(b"text/html; charset=utf-8")), method="GET")
    assert html_done.headers["x-content-type-options"] == "nosniff"
    assert html_done.headers["content-security-policy"] == HTML_CSP
    assert html_done.headers["x-frame-options"] == "DENY" and html_done.headers["referrer-policy"] == "no-referrer"


def test_headers_the_app_sets_are_kept() -> None:
    class Framed(EchoApp):
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/html"), (b"x-frame-options", b"SAMEORIGIN")]})
            await send({"type": "http.response.body", "body": b"<p>"})

    done = Exchange(guard(Framed()), method="GET")
    assert done.headers["x-frame-options"] == "SAMEORIGIN"


def test_other_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def nothing() -> Message:
        return {"type": "lifespan.startup"}

    async def drop(message: Message) -> None:
        return None

    asyncio.run(guard(app)({"type": "lifespan"}, nothing, drop))
    assert seen == ["lifespan"]
