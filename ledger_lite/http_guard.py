"""A pure-ASGI guard in front of the node's and the intermediary's HTTP services (issue #9).

Standard library only, so both services share it without ``ledger_lite`` depending on a web framework; it is not
imported by ``ledger_lite/__init__`` (the kiosk never loads it). It

* refuses a request body over a byte limit with 413 ``{error: "too_large", message}``: at once when
  ``Content-Length`` says so (the application never runs), and while streaming when a chunked body passes the
  limit (the rest is never read; the application's own answer, if any, is replaced);
* answers TRACE, TRACK and CONNECT with 405 ``{error: "method_not_allowed", message}`` and an ``Allow`` header
  naming the methods the path supports, as the application names them in its own 405 (its answer is dropped);
* adds ``X-Content-Type-Options: nosniff`` to every response and, to HTML ones (the local Swagger UI and ReDoc
  pages), a Content-Security-Policy, ``X-Frame-Options: DENY`` and ``Referrer-Policy: no-referrer``.

    app.add_middleware(HttpGuard, max_body=1 << 20, limits={"/api/v1/usage-reports": 8 << 20})
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REFUSED_METHODS = frozenset({"TRACE", "TRACK", "CONNECT"})
GENERAL_ALLOW = ("GET", "HEAD", "POST")  # when the application names no methods for the path (e.g. it is unknown)
# Swagger UI and ReDoc from local assets: their pages start with an inline script and inline styles, ReDoc runs
# a worker from a blob: URL, both draw icons from data: URLs; nothing may come from elsewhere or frame the page.
HTML_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
ALL_HEADERS = ((b"x-content-type-options", b"nosniff"),)
HTML_HEADERS = ((b"content-security-policy", HTML_CSP.encode()), (b"x-frame-options", b"DENY"),
                (b"referrer-policy", b"no-referrer"))


class BodyTooLarge(Exception):
    """Raised by the guarded ``receive`` once a streamed body passes its limit; the guard answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"expected a request body of at most {limit} bytes, found more")
        self.limit = limit


class _LimitedReceive:
    """``receive`` that counts body bytes and refuses to hand over more than ``limit``."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self._limit = limit
        self.received = 0
        self.tripped = False

    async def __call__(self) -> Message:
        if self.tripped:
            raise BodyTooLarge(self._limit)
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self._limit:
                self.tripped = True
                raise BodyTooLarge(self._limit)
        return message


def _with_security_headers(message: Message) -> Message:
    headers = [(bytes(k).lower(), bytes(v)) for k, v in message.get("headers", ())]
    present = {k for k, _ in headers}
    content_type = next((v for k, v in headers if k == b"content-type"), b"")
    extra = ALL_HEADERS + (HTML_HEADERS if content_type.lower().startswith(b"text/html") else ())
    headers.extend((k, v) for k, v in extra if k not in present)
    return {**message, "headers": headers}


async def _send_error(send: Send, status: int, code: str, message: str,
                      headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": code, "message": message}).encode()
    start: Message = {"type": "http.response.start", "status": status,
                      "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                  *headers]}
    await send(_with_security_headers(start))
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if bytes(name).lower() == b"content-length":
            text = bytes(value).decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


class HttpGuard:
    """The guard as ASGI middleware: ``max_body`` bytes for any path, ``limits`` per exact path."""

    def __init__(self, app: ASGIApp, *, max_body: int, limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.limits = dict(limits or {})

    def limit_for(self, path: str) -> int:
        return self.limits.get(path, self.max_body)

    async def allowed(self, scope: Scope) -> list[str]:
        """The methods the application supports on the request's path: the ``Allow`` header of its own 405 to the
        refused method (Starlette routes answer one for a known path). It is given an empty body; its answer is
        only read, never sent; an application that fails or answers otherwise names none."""
        names: list[str] = []
        given = False

        async def empty() -> Message:
            nonlocal given
            if given:
                return {"type": "http.disconnect"}
            given = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def read(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 405:
                for name, value in message.get("headers", ()):
                    if bytes(name).lower() == b"allow":
                        names.extend(m.strip().upper() for m in bytes(value).decode("latin-1").split(","))

        with contextlib.suppress(Exception):
            await self.app(dict(scope), empty, read)
        return sorted({m for m in names if m} - REFUSED_METHODS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET").upper()
        if method in REFUSED_METHODS:
            allowed = await self.allowed(scope) or list(GENERAL_ALLOW)
            await _send_error(send, 405, "method_not_allowed",
                              f"expected one of {', '.join(allowed)} on this path, found {method}",
                              [(b"allow", ", ".join(allowed).encode())])
            return
        limit = self.limit_for(path)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _send_error(send, 413, "too_large", f"expected a request body of at most {limit} bytes, "
                                                      f"found Content-Length {declared}", [(b"connection", b"close")])
            return
        limited = _LimitedReceive(receive, limit)
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if limited.tripped and not started:
                return  # the application's answer to a body cut short: the guard's 413 replaces it
            if message["type"] == "http.response.start":
                started = True
                message = _with_security_headers(message)
            await send(message)

        try:
            await self.app(scope, limited, guarded_send)
        except Exception:
            if not limited.tripped or started:
                raise
        if limited.tripped and not started:
            await _send_error(send, 413, "too_large", f"expected a request body of at most {limit} bytes, found "
                                                      f"more", [(b"connection", b"close")])
