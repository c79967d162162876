"""The shared ASGI guard (ledger_lite/http_guard.py, issue #9) in front of a tiny ASGI app, driven by hand
(tests/helpers/asgi_exchange.py: the test plays the server and counts the body chunks the app asked for)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ledger_lite.http_guard import HTML_CSP, HttpGuard, Message, Receive, Scope, Send
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


class Routed:
    """Answers a method it does not route with 405 and ``Allow``, as Starlette does; records what it was sent."""

    def __init__(self, allow: bytes | None) -> None:
        self.allow = allow
        self.seen: list[tuple[str, bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        self.seen.append((scope["method"], message.get("body", b"")))
        if self.allow is None:
            raise RuntimeError("no route")
        await send({"type": "http.response.start", "status": 405,
                    "headers": [(b"content-type", b"text/plain"), (b"allow", self.allow)]})
        await send({"type": "http.response.body", "body": b"Method Not Allowed"})


@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT", "trace"])
def test_trace_track_connect_are_405_with_the_apps_allow(method: str) -> None:
    app = Routed(b"POST, GET, HEAD")
    done = Exchange(guard(app), method=method, path="/thing", chunks=[b"secret"])
    assert done.status == 405 and done.error()["error"] == "method_not_allowed"
    assert done.headers["allow"] == "GET, HEAD, POST"
    assert done.reads == 0 and app.seen == [(method, b"")]  # the body is never passed on; the app's answer dropped
    assert done.headers["content-type"] == "application/json"


@pytest.mark.parametrize("allow", [None, b"", b"TRACE"])
def test_trace_where_the_app_names_no_methods_gets_a_general_list(allow: bytes | None) -> None:
    done = Exchange(guard(Routed(allow)), method="TRACE", path="/anything")
    assert done.status == 405 and done.headers["allow"] == "GET, HEAD, POST"


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


def test_the_protocol_package_does_not_load_the_guard() -> None:
    # The kiosk imports ledger_lite; the guard is for the services only.
    code = "import sys, ledger_lite; assert 'ledger_lite.http_guard' not in sys.modules, 'loaded'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
