"""One place where httpx is called: requests, failover across several servers, error mapping and JSON decoding.

A client may be given several base URLs (the validator nodes of a consortium, each serving the same API). A
request goes first to the *preferred* one — the last that answered — and on to the next when it fails at the
transport level (nothing listening, a connect timeout; for a retry-safe request also a read timeout or a
dropped connection) or is answered 502/503/504. A 4xx, or any other status, is an answer and is never retried
elsewhere. When every URL fails, ``Unreachable`` names each and why (``failures``)."""

from __future__ import annotations

from collections.abc import Sequence
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
from backend_client.lean_gets import LeanGets, TransportFailure, proxied
from backend_client.lean_gets import split_urls as split_urls  # named here since before lean_gets
from backend_client.tls import context_for

MAX_MESSAGE = 500  # characters of a server's error message kept in an ApiError
FAILOVER_STATUSES = frozenset({502, 503, 504})  # "this server cannot answer now": another one may
CONNECT_TIMEOUT_S = 3.0  # with several URLs, a silent host is given up this soon (a live one accepts at once)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# An idle kept connection is dropped by the client this soon, well before the servers drop theirs (20 s, see
# greencert.servers): otherwise a request sent as the server closes the connection is lost in flight.
KEEPALIVE_EXPIRY_S = 4.0


class HttpBase:
    """``base_url``: one URL, a comma-separated list, or a sequence of URLs serving the same API."""

    def __init__(self, base_url: str | Sequence[str], *, transport: httpx.BaseTransport | None = None,
                 timeout: float = 10.0) -> None:
        self.base_urls = split_urls(base_url)
        self._timeout = timeout
        self._preferred = 0
        # One httpx client for the object's life: its connections are kept alive between requests (httpx's default
        # limits of 100 connections and 20 kept, the kept ones for KEEPALIVE_EXPIRY_S rather than its 5 s).
        context = context_for(self.base_urls)
        self._http = httpx.Client(transport=transport, timeout=self._timeouts(timeout), verify=context,
                                  limits=httpx.Limits(max_connections=100, max_keepalive_connections=20,
                                                      keepalive_expiry=KEEPALIVE_EXPIRY_S))
        # Plain GETs (no query, no body) over keep-alive connections of the standard library (issue 17: httpx's
        # layers cost ~0.4 ms of a ~1 ms request on loopback); not with a transport given (the tests' own) or a
        # proxy set in the environment, which httpx honours.
        self._lean = LeanGets(context) if transport is None and not proxied() else None

    @property
    def base_url(self) -> str:
        """The URL tried first: the one that answered last (the first given until one did)."""
        return self.base_urls[self._preferred]

    def close(self) -> None:
        if self._lean is not None:
            self._lean.close()
            self._lean = None  # a closed client sends nothing: httpx refuses (RuntimeError), as before
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _timeouts(self, timeout: float) -> httpx.Timeout:
        if len(self.base_urls) == 1:
            return httpx.Timeout(timeout)
        return httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_S))

    def request(self, method: str, path: str, *, token: str | None = None, json: Any = None,
                content: bytes | None = None, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, timeout: float | None = None,
                retry_safe: bool | None = None) -> httpx.Response:
        """Send the request (see the module's docstring for where); raise the mapped error of a 4xx/5xx."""
        response, _ = self.exchange(method, path, token=token, json=json, content=content, params=params,
                                    headers=headers, timeout=timeout, retry_safe=retry_safe)
        if response.status_code >= 400:
            raise map_error(response)
        return response

    def exchange(self, method: str, path: str, *, token: str | None = None, json: Any = None,
                 content: bytes | None = None, params: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None, timeout: float | None = None,
                 retry_safe: bool | None = None) -> tuple[httpx.Response, bool]:
        """The first answer (of any status but 502/503/504, unless every server gave one of those) and whether
        an earlier attempt may have reached a server (timed out or failed after sending, or answered 5xx): a
        resubmission may then meet the effects of the first.

        ``retry_safe``: the request may be sent twice (GET by default; a transaction submission because the
        ledger refuses a replayed transaction id). A request that is not is sent on only when nothing was sent."""
        safe = method.upper() in SAFE_METHODS if retry_safe is None else retry_safe
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        wait = self._http.timeout if timeout is None else self._timeouts(timeout)
        count = len(self.base_urls)
        failures: list[tuple[str, str]] = []
        maybe_delivered = False
        last: httpx.Response | Unreachable | None = None
        answered: httpx.Response | None = None  # a server's own 504 {error, message}
        for step in range(count):
            index = (self._preferred + step) % count
            url = self.base_urls[index]
            try:
                if self._lean is not None and method == "GET" and json is None and content is None and not params:
                    response = _lean_get(self._lean, url, path, all_headers, wait)
                else:
                    response = self._http.request(method, url + path, json=json, content=content, params=params,
                                                  headers=all_headers, timeout=wait)
            except httpx.TransportError as exc:
                failures.append((url, _reason(exc)))
                last = _unreachable(url, method, path, exc)
                if not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):  # it may have been sent
                    if not safe:
                        raise last from exc
                    maybe_delivered = True
                last.__cause__ = exc
                continue
            if response.status_code not in FAILOVER_STATUSES:
                self._preferred = index  # it answered: asked first from now on
                return response, maybe_delivered
            failures.append((url, _status_reason(response)))
            last = response
            if response.status_code == 504 and _own_error(response):
                answered = response  # e.g. a node's commit_timeout: it took the request, which may still commit
            if not safe:  # a gateway may have passed it on: only a retry-safe request goes to the next server
                return response, maybe_delivered
            maybe_delivered = True
        if count == 1 and last is not None:  # one server: its own error, as it always was
            if isinstance(last, httpx.Response):
                return last, maybe_delivered
            raise last
        if answered is not None:  # a node said it took the request but could not finish in time: say that
            return answered, maybe_delivered
        raise Unreachable(f"no server answered {method} {path}: "
                          + "; ".join(f"{url}: {why}" for url, why in failures), failures)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return decode_json(self.request(method, path, **kwargs), method, path)


def _lean_get(lean: LeanGets, url: str, path: str, headers: dict[str, str], wait: httpx.Timeout) -> httpx.Response:
    """``lean``'s GET as httpx would answer it: an ``httpx.Response``, or the ``httpx.TransportError`` of each
    failure."""
    try:
        answer = lean.fetch(url, path, headers, wait.connect, wait.read)
    except TransportFailure as exc:
        kinds: dict[str, type[httpx.TransportError]] = {
            "connect": httpx.ConnectError, "connect_timeout": httpx.ConnectTimeout, "read_timeout": httpx.ReadTimeout,
            "read": httpx.ReadError, "protocol": httpx.RemoteProtocolError}
        raise kinds[exc.kind](str(exc)) from exc
    return httpx.Response(answer.status, headers=answer.headers, content=answer.body)


def _own_error(response: httpx.Response) -> bool:
    """A 5xx our own server gave (JSON ``{error, message}``), not a gateway's page."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), str)


def decode_json(response: httpx.Response, method: str, path: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ProtocolError(f"expected JSON from {method} {path}, found {response.text[:80]!r}") from exc


def _unreachable(url: str, method: str, path: str, exc: httpx.TransportError) -> Unreachable:
    if isinstance(exc, httpx.TimeoutException):
        return Unreachable(f"{url} did not answer {method} {path} in time", [(url, _reason(exc))])
    return Unreachable(f"cannot reach {url}: {exc}", [(url, _reason(exc))])


def _reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection in time ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer in time ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc})"
    return f"{type(exc).__name__} ({exc})"


def _status_reason(response: httpx.Response) -> str:
    error = map_error(response)
    return str(error) if isinstance(error, ApiError) else f"{response.status_code} {response.reason_phrase}".strip()


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
