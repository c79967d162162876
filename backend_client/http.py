"""One place where httpx is called: requests, error mapping and JSON decoding."""

from __future__ import annotations

from typing import Any, Self

import httpx

from backend_client.errors import (
    AlreadyIssued,
    ApiError,
    BadRequest,
    ClientError,
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    ProtocolError,
    ServerError,
    Unauthorized,
    Unreachable,
)

MAX_MESSAGE = 500  # characters of a server's error message kept in an ApiError


class HttpBase:
    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, transport=transport, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, *, token: str | None = None, json: Any = None,
                content: bytes | None = None, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, timeout: float | None = None) -> httpx.Response:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._http.request(method, path, json=json, content=content, params=params,
                                          headers=all_headers,
                                          timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)
        except httpx.TimeoutException as exc:
            raise Unreachable(f"{self.base_url} did not answer {method} {path} in time") from exc
        except httpx.TransportError as exc:
            raise Unreachable(f"cannot reach {self.base_url}: {exc}") from exc
        if response.status_code >= 400:
            raise map_error(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise ProtocolError(f"expected JSON from {method} {path}, found {response.text[:80]!r}") from exc


def map_error(response: httpx.Response) -> ClientError:
    """Turn an error response with body ``{error, message}`` into the matching ``ApiError``."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return ProtocolError(f"expected a JSON error body with status {status}, found {response.text[:80]!r}")
    code = body["error"]
    message = str(body.get("message", ""))
    if len(message) > MAX_MESSAGE:  # a hostile or broken server must not fill logs and screens (issue #9)
        message = message[:MAX_MESSAGE] + "…"
    if status == 409 and code == "already_issued":
        return AlreadyIssued(status, code, message, str(body.get("certificate_id", "")))
    if status == 401:
        left = body.get("attempts_left")
        return Unauthorized(status, code, message,
                            left if isinstance(left, int) and not isinstance(left, bool) and left >= 0 else None)
    if status == 429:
        retry = response.headers.get("Retry-After")
        return Locked(status, code, message, int(retry) if retry and retry.isascii() and retry.isdigit() else None)
    kinds: dict[int, type[ApiError]] = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound,
                                        409: Conflict, 413: BadRequest, 422: BadRequest}
    if status >= 500:
        return ServerError(status, code, message)
    return kinds.get(status, ApiError)(status, code, message)
