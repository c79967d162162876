"""The ``/verify`` page's 413 as a page: ``HttpGuard`` refuses a body over ``VERIFY_BODY`` before the page's code
runs, with its JSON ``{error: "too_large"}``; this wrapper, outside the guard, turns that answer into the page a
person on a phone can read (in the page's language, with the page's headers). Every other path is untouched."""

from __future__ import annotations

from urllib.parse import parse_qs

from intermediary.web.page import Language, language_of, too_large_page
from intermediary.web.verify_page import HEADERS, MAX_UPLOAD_MB, PATH
from ledger_lite.http_guard import ASGIApp, Message, Receive, Scope, Send

_DROPPED = {b"content-type", b"content-length"}


class TooLargePage:
    def __init__(self, app: ASGIApp, *, path: str = PATH) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        replaced = False

        async def page_send(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message.get("status") == 413:
                headers = [(bytes(k).lower(), bytes(v)) for k, v in message.get("headers", ())]
                if dict(headers).get(b"content-type", b"").startswith(b"application/json"):
                    replaced = True
                    body = too_large_page(_language(scope), max_mb=MAX_UPLOAD_MB).encode()
                    kept = [(k, v) for k, v in headers if k not in _DROPPED]
                    present = {k for k, _ in kept}
                    extra = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
                    await send({**message, "headers": [*kept, (b"content-type", b"text/html; charset=utf-8"),
                                                        (b"content-length", str(len(body)).encode()),
                                                        *((k, v) for k, v in extra if k not in present)]})
                    await send({"type": "http.response.body", "body": body})
                    return
            if replaced:
                return  # the guard's JSON body
            await send(message)

        await self.app(scope, receive, page_send)


def _language(scope: Scope) -> Language:
    query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1")[:200]).get("lang", [None])[0]
    accept = next((bytes(v).decode("latin-1") for k, v in scope.get("headers", ())
                   if bytes(k).lower() == b"accept-language"), None)
    return language_of(query, accept)
