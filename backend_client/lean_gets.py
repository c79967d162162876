"""Plain GET requests over the standard library's ``http.client``, connections kept alive (issues 16 and 17).
Standard library only: ``greencert verify`` reads a node through it without loading httpx (~0.1–0.3 s of a
command's start; ``backend_client.light_node``).

One online verification is one ``GET`` on a loopback or LAN node; httpx's request building, URL parsing,
transport and stream layers cost about 0.4 ms of a ~1 ms round trip. ``HttpBase`` sends a GET without query or
body here and everything else through httpx, turning the answer into an ``httpx.Response`` and a
``TransportFailure`` into the ``httpx.TransportError`` httpx would raise, so that failover and error mapping stay
as they are.

Each thread has its own connection per base URL (an ``http.client`` connection is not thread-safe). A kept
connection the server closed meanwhile is opened again once (a GET may be sent twice). TLS uses the caller's
context (``backend_client.tls``). Not used when a proxy is set in the environment (httpx would use it)."""

from __future__ import annotations

import http.client
import os
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
# What failed: the connection ("connect", "connect_timeout": nothing was sent) or the exchange ("read_timeout",
# "read", "protocol": the request may have reached the server).
CONNECT_KINDS = frozenset({"connect", "connect_timeout"})


def proxied() -> bool:
    """Whether the environment names a proxy (any case), which httpx would send requests through."""
    return any(os.environ.get(name) or os.environ.get(name.upper()) for name in PROXY_VARIABLES)


def split_urls(base_url: str | Sequence[str]) -> tuple[str, ...]:
    """The base URLs in ``base_url``: one URL, several separated by commas, or a sequence of either; each without
    its trailing ``/``, duplicates dropped, in the order given."""
    given = [base_url] if isinstance(base_url, str) else list(base_url)
    parts = [part.strip().rstrip("/") for url in given for part in url.split(",")]
    urls = tuple(dict.fromkeys(part for part in parts if part))
    if not urls:
        raise ValueError(f"expected at least one base URL, found {base_url!r}")
    return urls


def plain_context(urls: Sequence[str]) -> ssl.SSLContext | None:
    """For ``http://`` URLs only: a context that trusts no authority (never used, costs nothing); ``None`` when an
    ``https://`` URL needs the verifying one (``backend_client.tls``)."""
    if all(url.lower().startswith("http://") for url in urls):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return None


class TransportFailure(Exception):
    """No answer: ``kind`` says where it failed (see ``CONNECT_KINDS``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class LeanGets:
    """GETs over kept-alive ``http.client`` connections, one per thread and base URL."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._targets: dict[str, tuple[str, str, int | None, str]] = {}

    def fetch(self, base_url: str, path: str, headers: dict[str, str], connect_timeout: float | None,
              read_timeout: float | None) -> Answer:
        """``GET base_url + path``: the whole answer read, or ``TransportFailure``."""
        connections: dict[str, http.client.HTTPConnection] = self._local.__dict__.setdefault("connections", {})
        kept = connections.get(base_url)
        for attempt in (0, 1):
            connection = kept if kept is not None and attempt == 0 else self._open(base_url, connections)
            try:
                return self._exchange(connection, base_url, path, headers, connect_timeout, read_timeout)
            except _Stale:
                connection.close()
                if kept is None or attempt == 1:
                    raise TransportFailure("protocol", "the server closed the connection without answering") \
                        from None
            except BaseException:
                connection.close()
                raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:  # kept in the list: a thread's closed connection is connected again at its next GET
            found = list(self._all)
        for connection in found:
            connection.close()

    def _open(self, base_url: str, connections: dict[str, http.client.HTTPConnection]) -> http.client.HTTPConnection:
        scheme, host, port, _ = self._target(base_url)
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, port, context=self._context)
        else:
            connection = http.client.HTTPConnection(host, port)
        replaced = connections.get(base_url)
        connections[base_url] = connection
        with self._lock:
            self._all = [c for c in self._all if c is not replaced] + [connection]
        if replaced is not None:
            replaced.close()
        return connection

    def _target(self, base_url: str) -> tuple[str, str, int | None, str]:
        found = self._targets.get(base_url)
        if found is None:
            parts = urlsplit(base_url)
            found = (parts.scheme.lower(), parts.hostname or "", parts.port, parts.path.rstrip("/"))
            self._targets[base_url] = found
        return found

    def _exchange(self, connection: http.client.HTTPConnection, base_url: str, path: str, headers: dict[str, str],
                  connect_timeout: float | None, read_timeout: float | None) -> Answer:
        fresh = connection.sock is None
        if fresh:
            connection.timeout = connect_timeout
            try:
                connection.connect()
            except TimeoutError as exc:
                raise TransportFailure("connect_timeout", f"no connection to {base_url} in time") from exc
            except OSError as exc:  # refused, unreachable, a name that does not resolve, a TLS handshake refused
                raise TransportFailure("connect", str(exc) or type(exc).__name__) from exc
        assert connection.sock is not None
        connection.sock.settimeout(read_timeout)
        _, _, _, prefix = self._target(base_url)
        try:
            connection.request("GET", prefix + path, headers={"Accept": "*/*", **headers})
            answer = connection.getresponse()
            body = answer.read()
        except TimeoutError as exc:
            raise TransportFailure("read_timeout", f"no answer from {base_url} in time") from exc
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            if not fresh:
                raise _Stale from exc  # the server closed a kept connection: open another, send again
            raise TransportFailure("protocol", str(exc) or type(exc).__name__) from exc
        except http.client.HTTPException as exc:
            raise TransportFailure("protocol", str(exc) or type(exc).__name__) from exc
        except OSError as exc:
            raise TransportFailure("read", str(exc) or type(exc).__name__) from exc
        if answer.will_close:
            connection.close()
        return Answer(answer.status, answer.getheaders(), body)


class _Stale(Exception):
    """A kept connection the server had closed."""


__all__ = ["CONNECT_KINDS", "Answer", "LeanGets", "TransportFailure", "plain_context", "proxied", "split_urls"]
