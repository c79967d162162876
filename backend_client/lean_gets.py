"""Plain GET requests over the standard library's ``http.client``, connections kept alive (issue 17).

One online verification is one ``GET`` on a loopback or LAN node; httpx's request building, URL parsing,
transport and stream layers cost about 0.4 ms of a ~1 ms round trip. ``HttpBase`` sends a GET without query or
body here and everything else through httpx. The answer is an ``httpx.Response`` (status, headers, body), and a
failure is raised as the ``httpx.TransportError`` httpx would raise (``ConnectError``, ``ConnectTimeout``,
``ReadTimeout``, ``ReadError``, ``RemoteProtocolError``), so that failover and error mapping stay as they are.

Each thread has its own connection per base URL (an ``http.client`` connection is not thread-safe). A kept
connection the server closed meanwhile is opened again once (a GET may be sent twice). TLS uses the client's own
context (``backend_client.tls``). Not used when a proxy is set in the environment (httpx would use it)."""

from __future__ import annotations

import http.client
import os
import ssl
import threading
from urllib.parse import urlsplit

import httpx

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


def proxied() -> bool:
    """Whether the environment names a proxy (any case), which httpx would send requests through."""
    return any(os.environ.get(name) or os.environ.get(name.upper()) for name in PROXY_VARIABLES)


class LeanGets:
    """GETs over kept-alive ``http.client`` connections, one per thread and base URL."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._targets: dict[str, tuple[str, str, int | None, str]] = {}

    def get(self, base_url: str, path: str, headers: dict[str, str], timeout: httpx.Timeout) -> httpx.Response:
        """``GET base_url + path``: the whole answer read, or the ``httpx.TransportError`` httpx would raise."""
        connections: dict[str, http.client.HTTPConnection] = self._local.__dict__.setdefault("connections", {})
        kept = connections.get(base_url)
        for attempt in (0, 1):
            connection = kept if kept is not None and attempt == 0 else self._open(base_url, connections)
            try:
                return self._exchange(connection, base_url, path, headers, timeout)
            except _Stale:
                connection.close()
                connections.pop(base_url, None)
                if kept is None or attempt == 1:
                    raise httpx.RemoteProtocolError("the server closed the connection without answering") from None
            except BaseException:
                connection.close()
                connections.pop(base_url, None)
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
                  timeout: httpx.Timeout) -> httpx.Response:
        fresh = connection.sock is None
        if fresh:
            connection.timeout = timeout.connect
            try:
                connection.connect()
            except TimeoutError as exc:
                raise httpx.ConnectTimeout(f"no connection to {base_url} in time") from exc
            except OSError as exc:  # refused, unreachable, a name that does not resolve, a TLS handshake refused
                raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        assert connection.sock is not None
        connection.sock.settimeout(timeout.read)
        _, _, _, prefix = self._target(base_url)
        try:
            connection.request("GET", prefix + path, headers={"Accept": "*/*", **headers})
            answer = connection.getresponse()
            body = answer.read()
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"no answer from {base_url} in time") from exc
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            if not fresh:
                raise _Stale from exc  # the server closed a kept connection: open another, send again
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from exc
        except http.client.HTTPException as exc:
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
        if answer.will_close:
            connection.close()
        return httpx.Response(answer.status, headers=answer.getheaders(), content=body)


class _Stale(Exception):
    """A kept connection the server had closed."""


__all__ = ["LeanGets", "proxied"]
