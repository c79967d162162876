"""One HTTP exchange with an ASGI app, driven by hand: the test plays the server. ``receive`` hands out the body
chunks lazily and counts how many the app asked for; ``send`` records the answer.

    done = Exchange(app, "POST", "/v1/txs", chunks=[b"x" * 2**20] * 50, headers=[(b"content-length", b"52428800")])
    assert done.status == 413 and done.reads == 0
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

Message = dict[str, Any]


class Exchange:
    def __init__(self, app: Any, method: str = "POST", path: str = "/", chunks: Sequence[bytes] = (),
                 headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
        self.scope: dict[str, Any] = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                                      "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
                                      "query_string": b"", "root_path": "", "server": ("node", 80),
                                      "client": ("127.0.0.1", 123), "headers": [(b"host", b"node"), *headers]}
        self.chunks = chunks
        self.reads = 0
        self.sent: list[Message] = []
        asyncio.run(app(self.scope, self.receive, self.send))

    async def receive(self) -> Message:
        self.reads += 1
        if self.reads > len(self.chunks):
            if self.reads > len(self.chunks) + 1:
                return {"type": "http.disconnect"}
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": self.chunks[self.reads - 1], "more_body": self.reads < len(self.chunks)}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        starts = [m for m in self.sent if m["type"] == "http.response.start"]
        assert len(starts) == 1, self.sent
        return int(starts[0]["status"])

    @property
    def headers(self) -> dict[str, str]:
        start = next(m for m in self.sent if m["type"] == "http.response.start")
        return {bytes(k).decode().lower(): bytes(v).decode() for k, v in start["headers"]}

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")

    def error(self) -> dict[str, Any]:
        """The ``{error, message}`` JSON of the answer (asserting that is its form)."""
        assert self.headers["content-type"] == "application/json"
        found: dict[str, Any] = json.loads(self.body)
        assert isinstance(found.get("error"), str) and isinstance(found.get("message"), str) and found["message"]
        return found
