"""A small client for the storage management server's API (``field.trading.storage_api``), used by the grid side
and the validators' side of the neighbourhood. Its answers' ``{error, message}`` become ``TradingError`` with the
server's code and status; a server that cannot be reached is ``LedgerRefused`` ``storage_unreachable`` (503)."""

from __future__ import annotations

from typing import Any

import httpx

from field.trading.errors import LedgerRefused, TradingError


class StorageClient:
    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(transport=transport, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = self._http.request(method, self.base_url + path, json=body)
        except httpx.TransportError as exc:
            raise LedgerRefused(f"cannot reach the storage server at {self.base_url}: {exc}",
                                code="storage_unreachable", status=503) from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise TradingError(f"expected JSON from {method} {path}, found {response.text[:80]!r}",
                               code="bad_answer", status=502)
        if response.status_code >= 400:
            extra = {k: v for k, v in answer.items() if k not in ("error", "message")}
            raise TradingError(str(answer.get("message", ""))[:500], code=str(answer.get("error", "error")),
                               status=response.status_code, **extra)
        return answer

    def receive(self, home: str, start: int, end: int, wh: int) -> dict[str, Any]:
        return self._call("POST", "/receptions", {"home": home, "start": start, "end": end, "wh": wh})

    def state(self) -> dict[str, Any]:
        return self._call("GET", "/state")

    def report(self, time: int | None = None) -> dict[str, Any]:
        return self._call("POST", "/reports", {} if time is None else {"time": time})

    def transmit(self, reservation: str, start: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"reservation": reservation}
        if start is not None:
            body["start"] = start
        return self._call("POST", "/transmissions", body)
