"""A small typed client of etcd's v3 JSON gateway (etcd 3.4, Debian's ``etcd-server``) over httpx.

The gateway speaks JSON over HTTP/1.1 under ``/v3/``: keys and values are base64, 64-bit numbers are strings, and
fields equal to their default are left out (no ``kvs`` in an empty range, no ``type`` on a PUT event, no
``succeeded`` in a failed txn). Python's grpc ``etcd3`` package breaks with protobuf ≥ 4 (shared/ENVIRONMENT.md).

Failover: the client talks to one endpoint at a time and moves to the next when one does not answer (connection
refused, timeout) or answers that it cannot serve (5xx, e.g. a member without a leader); it cycles through them for
``retry_for`` seconds. A member that has lost its leader holds a write until the request times out (etcd drops the
proposal silently), so the per-request ``timeout`` bounds how long a leader change stalls a client.

TLS (issue #12: each company's node talks to etcd with its own client certificate): with ``tls=TlsFiles(ca, cert,
key)`` (:mod:`ledger.consortium.tls`) every endpoint must be ``https://``; the KV requests and every watch stream
trust only that CA and present that certificate. A TLS failure (etcd refused the certificate, or its certificate is
not the CA's) is not worth retrying: when every endpoint refuses that way the client raises :class:`EtcdTlsError` at
once instead of cycling for ``retry_for``.

Every write this module offers is safe to repeat on another member after an ambiguous failure: a put writes the
same value again, and a create-once txn compares before it writes.

    Error
    └── EtcdError           etcd could not be used; ``code`` names why
        ├── EtcdUnavailable no endpoint answered (each endpoint's failure is in the message)
        ├── EtcdTlsError    every endpoint refused the TLS handshake (no or a foreign client certificate, an
        │                   untrusted server certificate)
        ├── EtcdRejected    etcd answered with an error (a future revision, a compacted one, a bad request)
        │   └── EtcdCompacted   the revision asked for was compacted away
        └── EtcdProtocolError   an answer that is not what the gateway documents (expected vs found)
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import httpx

from ledger.errors import Error, shown

if TYPE_CHECKING:  # not at run time: ledger.consortium's modules import this one
    from ledger.consortium.tls import TlsFiles

DEFAULT_TIMEOUT = 1.5
DEFAULT_RETRY_FOR = 5.0


class EtcdError(Error):
    code = "etcd_error"
    status = 503


class EtcdUnavailable(EtcdError):
    code = "etcd_unavailable"


class EtcdTlsError(EtcdError):
    code = "etcd_tls"


class EtcdRejected(EtcdError):
    code = "etcd_rejected"

    def __init__(self, message: str, grpc_code: int | None = None) -> None:
        super().__init__(message)
        self.grpc_code = grpc_code


class EtcdCompacted(EtcdRejected):
    code = "etcd_compacted"

    def __init__(self, message: str, compact_revision: int) -> None:
        super().__init__(message)
        self.compact_revision = compact_revision


class EtcdProtocolError(EtcdError):
    code = "etcd_protocol"


def _tls_failure(error: BaseException) -> ssl.SSLError | None:
    """The TLS error at the root of a transport error (httpx wraps httpcore's, which wraps the ssl module's)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


_TLS_REFUSED = "TLS handshake refused"


def _failure(endpoint: str, error: BaseException) -> str:
    """One endpoint's failure for an error message. A certificate the other side refused is marked
    ``_TLS_REFUSED`` (not worth retrying); any other TLS error (e.g. an EOF from a member going away) is an ordinary
    transport failure."""
    tls = _tls_failure(error)
    if tls is not None:
        reason = str(getattr(tls, "reason", None) or tls)
        if "CERTIFICATE_VERIFY_FAILED" in reason:
            return f"{endpoint}: {_TLS_REFUSED}: the server's certificate is not one of the trusted CA ({reason})"
        if "ALERT" in reason and ("CERTIFICATE" in reason or "UNKNOWN_CA" in reason):
            return (f"{endpoint}: {_TLS_REFUSED}: etcd refused this client's certificate (none, or not one of the "
                    f"CA etcd trusts) ({reason})")
    return f"{endpoint}: {type(error).__name__} {error}"


def _all_tls_refused(failures: Sequence[str]) -> bool:
    return bool(failures) and all(_TLS_REFUSED in f for f in failures)


# -- encoding -----------------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise EtcdProtocolError(f"{what}: expected a base64 string, found {shown(text)}")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as e:
        raise EtcdProtocolError(f"{what}: expected base64, found {shown(text)} ({e})") from None


def _int(value: object, what: str) -> int:
    """A 64-bit number of the gateway: a decimal string, absent when 0."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise EtcdProtocolError(f"{what}: expected a decimal number, found {shown(value)}")
    try:
        return int(value)
    except ValueError:
        raise EtcdProtocolError(f"{what}: expected a decimal number, found {shown(value)}") from None


def _object(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise EtcdProtocolError(f"{what}: expected a JSON object, found {shown(value)}")
    return value


def prefix_end(prefix: bytes) -> bytes:
    """The ``range_end`` that makes a range cover every key starting with ``prefix`` (etcd's rule: the prefix with
    its last byte below 0xff incremented; ``b"\\0"`` — every key — when there is none)."""
    for i in range(len(prefix) - 1, -1, -1):
        if prefix[i] < 0xFF:
            return prefix[:i] + bytes([prefix[i] + 1])
    return b"\0"


# -- results ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyValue:
    key: bytes
    value: bytes
    create_revision: int
    mod_revision: int
    version: int

    @classmethod
    def parse(cls, raw: object, what: str = "kv") -> KeyValue:
        kv = _object(raw, what)
        return cls(key=_unb64(kv.get("key"), f"{what}.key"),
                   value=_unb64(kv.get("value", ""), f"{what}.value"),
                   create_revision=_int(kv.get("create_revision"), f"{what}.create_revision"),
                   mod_revision=_int(kv.get("mod_revision"), f"{what}.mod_revision"),
                   version=_int(kv.get("version"), f"{what}.version"))


@dataclass(frozen=True)
class RangeResult:
    kvs: tuple[KeyValue, ...]
    count: int
    more: bool
    revision: int  # the store's revision the range was read at


@dataclass(frozen=True)
class TxnResult:
    succeeded: bool
    revision: int  # the revision after the txn (the put's revision when it succeeded)
    current: KeyValue | None  # after a failed compare: the key as it is (None when it does not exist)


@dataclass(frozen=True)
class WatchEvent:
    type: Literal["PUT", "DELETE"]
    kv: KeyValue


def _header_revision(answer: Mapping[str, Any], what: str) -> int:
    return _int(_object(answer.get("header", {}), f"{what}.header").get("revision"), f"{what}.header.revision")


def _range_result(answer: Mapping[str, Any], what: str) -> RangeResult:
    raw_kvs = answer.get("kvs", [])
    if not isinstance(raw_kvs, list):
        raise EtcdProtocolError(f"{what}.kvs: expected a list, found {shown(raw_kvs)}")
    return RangeResult(kvs=tuple(KeyValue.parse(kv, f"{what}.kvs[{i}]") for i, kv in enumerate(raw_kvs)),
                       count=_int(answer.get("count"), f"{what}.count"), more=bool(answer.get("more", False)),
                       revision=_header_revision(answer, what))


# -- the client ---------------------------------------------------------------------------------------------------


class EtcdClient:
    """etcd's KV and watch API on ``endpoints`` (client URLs such as ``http://127.0.0.1:2379``, or
    ``https://...`` with ``tls``)."""

    def __init__(self, endpoints: Sequence[str], *, tls: TlsFiles | None = None, timeout: float = DEFAULT_TIMEOUT,
                 retry_for: float = DEFAULT_RETRY_FOR) -> None:
        """``tls``: the CA to trust and this client's certificate and key (then every endpoint is https);
        ``timeout``: per request to one endpoint (a member without a leader holds a write until it times out,
        so keep it short); ``retry_for``: how long to keep cycling through the endpoints before giving up."""
        if not endpoints:
            raise ValueError("an etcd client needs at least one endpoint")
        scheme = "https://" if tls is not None else "http://"
        wrong = [e for e in endpoints if not e.startswith(scheme)]
        if wrong:
            raise ValueError(f"expected {scheme} endpoints {'with' if tls else 'without'} tls, found {wrong}")
        self.endpoints = [e.rstrip("/") for e in endpoints]
        self.timeout = timeout
        self.retry_for = retry_for
        self.tls = tls
        # One context for the KV client and every watch (it loads the files once; TlsError when they are unusable)
        self._verify: ssl.SSLContext | bool = tls.ssl_context() if tls is not None else True
        self._current = 0
        self._lock = threading.Lock()
        self._http = self._http_client(httpx.Timeout(timeout))

    def _http_client(self, timeout: httpx.Timeout) -> httpx.Client:
        return httpx.Client(timeout=timeout, verify=self._verify)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EtcdClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def endpoint(self) -> str:
        """The endpoint the next request goes to first."""
        return self.endpoints[self._current]

    def _order(self) -> list[int]:
        with self._lock:
            start = self._current
        return [(start + i) % len(self.endpoints) for i in range(len(self.endpoints))]

    def _prefer(self, index: int) -> None:
        with self._lock:
            self._current = index

    def _call(self, path: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        deadline = time.monotonic() + self.retry_for
        while True:
            failures: list[str] = []
            answer = self._call_once(path, body, failures)
            if answer is not None:
                return answer
            if len(failures) == len(self.endpoints) and _all_tls_refused(failures):
                raise EtcdTlsError(f"POST {path}: every etcd endpoint refused the TLS handshake "
                                   f"({'; '.join(failures)})")
            if time.monotonic() >= deadline:
                raise EtcdUnavailable(f"POST {path}: no etcd endpoint answered ({'; '.join(failures)})")
            time.sleep(0.05)  # e.g. every member between leaders: an election takes about a second

    def _call_once(self, path: str, body: Mapping[str, Any], failures: list[str]) -> Mapping[str, Any] | None:
        for index in self._order():
            url = f"{self.endpoints[index]}{path}"
            try:
                answer = self._http.post(url, json=body)
            except httpx.TransportError as e:
                failures.append(_failure(self.endpoints[index], e))
                continue
            if answer.status_code >= 500:
                failures.append(f"{self.endpoints[index]}: HTTP {answer.status_code} {answer.text[:200]}")
                continue
            self._prefer(index)
            try:
                parsed = answer.json()
            except ValueError:
                raise EtcdProtocolError(f"POST {path} on {self.endpoints[index]}: expected JSON, found HTTP "
                                        f"{answer.status_code} {shown(answer.text)}") from None
            data = _object(parsed, f"POST {path}")
            if answer.status_code != 200 or "error" in data:
                _raise_rejected(path, data, answer.status_code)
            return data
        return None

    # -- KV -------------------------------------------------------------------------------------------------------

    def put(self, key: bytes, value: bytes) -> int:
        """Write ``value`` under ``key``; returns the revision of the write."""
        answer = self._call("/v3/kv/put", {"key": _b64(key), "value": _b64(value)})
        return _header_revision(answer, "put")

    def delete(self, key: bytes, range_end: bytes | None = None, *, prefix: bool = False) -> int:
        """Delete ``key`` (or the range / prefix); returns how many keys were deleted (safe to repeat)."""
        if prefix:
            if range_end is not None:
                raise ValueError("give range_end or prefix=True, not both")
            range_end = prefix_end(key)
        body: dict[str, Any] = {"key": _b64(key)}
        if range_end is not None:
            body["range_end"] = _b64(range_end)
        answer = self._call("/v3/kv/deleterange", body)
        return _int(answer.get("deleted", "0"), "deleterange.deleted")

    def get(self, key: bytes, *, revision: int = 0) -> KeyValue | None:
        found = self.range(key, revision=revision)
        return found.kvs[0] if found.kvs else None

    def range(self, key: bytes, range_end: bytes | None = None, *, prefix: bool = False, revision: int = 0,
              limit: int = 0, min_create_revision: int = 0, max_create_revision: int = 0,
              sort: Literal["key", "create", "mod"] | None = None, descending: bool = False,
              keys_only: bool = False) -> RangeResult:
        """Keys in ``[key, range_end)`` (one key when ``range_end`` is None; every key starting with ``key`` when
        ``prefix``) as of ``revision`` (0: the latest), optionally filtered by creation revision and sorted."""
        if prefix:
            if range_end is not None:
                raise ValueError("give range_end or prefix=True, not both")
            range_end = prefix_end(key)
        body: dict[str, Any] = {"key": _b64(key)}
        if range_end is not None:
            body["range_end"] = _b64(range_end)
        for name, number in (("revision", revision), ("limit", limit), ("min_create_revision", min_create_revision),
                             ("max_create_revision", max_create_revision)):
            if number:
                body[name] = str(number)
        if keys_only:
            body["keys_only"] = True
        if sort is not None or descending:
            body["sort_target"] = {"key": "KEY", "create": "CREATE", "mod": "MOD", None: "KEY"}[sort]
            body["sort_order"] = "DESCEND" if descending else "ASCEND"
        return _range_result(self._call("/v3/kv/range", body), "range")

    def compare_and_put(self, key: bytes, value: bytes, *, create_revision: int | None = None,
                        mod_revision: int | None = None) -> TxnResult:
        """Put ``value`` under ``key`` only if the key's creation (or last modification) revision is the one given;
        ``create_revision=0`` means "only if the key does not exist". When the compare fails nothing is written
        and :attr:`TxnResult.current` is the key as it is."""
        if (create_revision is None) == (mod_revision is None):
            raise ValueError("compare_and_put compares exactly one of create_revision or mod_revision")
        if create_revision is not None:
            compare = {"result": "EQUAL", "target": "CREATE", "key": _b64(key),
                       "create_revision": str(create_revision)}
        else:
            compare = {"result": "EQUAL", "target": "MOD", "key": _b64(key), "mod_revision": str(mod_revision)}
        answer = self._call("/v3/kv/txn", {
            "compare": [compare],
            "success": [{"request_put": {"key": _b64(key), "value": _b64(value)}}],
            "failure": [{"request_range": {"key": _b64(key)}}],
        })
        succeeded = bool(answer.get("succeeded", False))
        revision = _header_revision(answer, "txn")
        if succeeded:
            return TxnResult(True, revision, None)
        responses = answer.get("responses", [])
        if not isinstance(responses, list) or len(responses) != 1:
            raise EtcdProtocolError(f"txn on {shown(key)}: expected one failure response (a range), found "
                                    f"{shown(responses)}")
        found = _object(_object(responses[0], "txn.responses[0]").get("response_range"),
                        "txn.responses[0].response_range")
        kvs = _range_result({**found, "header": answer.get("header", {})}, "txn.responses[0].response_range").kvs
        return TxnResult(False, revision, kvs[0] if kvs else None)

    def create(self, key: bytes, value: bytes) -> TxnResult:
        """Write ``key`` once: succeeds only if it does not exist; otherwise ``current`` is what is there."""
        return self.compare_and_put(key, value, create_revision=0)

    # -- watch ----------------------------------------------------------------------------------------------------

    def watch(self, key: bytes, range_end: bytes | None = None, *, prefix: bool = False,
              start_revision: int = 0) -> Watch:
        """Events on ``key`` (or the range / prefix) from ``start_revision`` (0: from now on). Iterate the result;
        :meth:`Watch.stop` (from any thread) or leaving its ``with`` block ends the iteration."""
        if prefix:
            if range_end is not None:
                raise ValueError("give range_end or prefix=True, not both")
            range_end = prefix_end(key)
        return Watch(self, key, range_end, start_revision)


def _raise_rejected(path: str, data: Mapping[str, Any], status: int) -> None:
    message = str(data.get("message") or data.get("error") or data)
    grpc_code = data.get("code")
    raise EtcdRejected(f"POST {path}: etcd refused (HTTP {status}): {message}",
                       grpc_code if isinstance(grpc_code, int) else None)


class _StreamBroken(Exception):
    """A watch stream the member ended with an "unavailable" error: re-open it on the next endpoint."""


class Watch:
    """A streaming ``/v3/watch``: one JSON object per line. Re-opens on the next endpoint (from the revision after
    the last event seen) when the member it reads from goes away."""

    def __init__(self, client: EtcdClient, key: bytes, range_end: bytes | None, start_revision: int) -> None:
        self._client = client
        self._key = key
        self._range_end = range_end
        self._next_revision = start_revision
        self._stopped = threading.Event()
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._http = client._http_client(httpx.Timeout(client.timeout, read=None))
        self.created = threading.Event()  # set once etcd confirmed the watch (events after it are delivered)

    def stop(self) -> None:
        """End the iteration (safe from another thread: it shuts the stream's socket down)."""
        self._stopped.set()
        with self._lock:
            if self._socket is not None:
                with contextlib.suppress(OSError):  # already closed
                    self._socket.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
        self._http.close()

    def __iter__(self) -> Iterator[WatchEvent]:
        failures: list[str] = []
        while not self._stopped.is_set():
            progressed = False
            for index in self._client._order():
                if self._stopped.is_set():
                    return
                endpoint = self._client.endpoints[index]
                try:
                    for event in self._stream(endpoint):
                        progressed = True
                        yield event
                    if self._stopped.is_set():
                        return
                    failures.append(f"{endpoint}: the stream ended")
                except (httpx.TransportError, httpx.StreamError, _StreamBroken) as e:
                    if self._stopped.is_set():
                        return
                    failures.append(_failure(endpoint, e))
            if not progressed:
                last = failures[-len(self._client.endpoints):]
                if _all_tls_refused(last):
                    raise EtcdTlsError(f"watch on {shown(self._key)}: every etcd endpoint refused the TLS handshake "
                                       f"({'; '.join(last)})")
                raise EtcdUnavailable(f"watch on {shown(self._key)}: no etcd endpoint answered "
                                      f"({'; '.join(failures[-len(self._client.endpoints):])})")

    def _stream(self, endpoint: str) -> Iterator[WatchEvent]:
        create: dict[str, Any] = {"key": _b64(self._key)}
        if self._range_end is not None:
            create["range_end"] = _b64(self._range_end)
        if self._next_revision:
            create["start_revision"] = str(self._next_revision)
        with self._http.stream("POST", f"{endpoint}/v3/watch", json={"create_request": create}) as answer:
            if answer.status_code != 200:
                raise httpx.StreamError(f"HTTP {answer.status_code}")
            stream = answer.extensions.get("network_stream")
            with self._lock:
                self._socket = stream.get_extra_info("socket") if stream is not None else None
            if self._stopped.is_set():
                return
            for line in answer.iter_lines():
                if not line.strip():
                    continue
                yield from self._events(line)
                if self._stopped.is_set():
                    return

    def _events(self, line: str) -> Iterator[WatchEvent]:
        try:
            message = _object(json.loads(line), "watch message")
        except ValueError:
            raise EtcdProtocolError(f"watch: expected one JSON object per line, found {shown(line)}") from None
        if "error" in message:  # the gateway's in-stream error: {grpc_code, http_code, message, http_status}
            error = _object(message["error"], "watch.error")
            http_code = _int(error.get("http_code"), "watch.error.http_code")
            # The member is going away: 5xx / Unavailable (14), or its gateway's own connection closing as it shuts
            # down ("grpc: the client connection is closing": Canceled (1), HTTP 408). Fail over to another member.
            if http_code >= 500 or http_code == 408 or error.get("grpc_code") in (1, 14):
                raise _StreamBroken(str(error.get("message", error)))
            _raise_rejected("/v3/watch", {**error, "code": error.get("grpc_code")}, 200)
        result = _object(message.get("result"), "watch.result")
        compacted = _int(result.get("compact_revision"), "watch.result.compact_revision")
        if compacted:
            raise EtcdCompacted(f"watch on {shown(self._key)} from revision {self._next_revision}: etcd compacted "
                                f"its history up to revision {compacted}", compacted)
        if result.get("canceled"):
            raise EtcdRejected(f"watch on {shown(self._key)} canceled by etcd: {result.get('cancel_reason', '')}")
        if result.get("created"):
            if not self._next_revision:  # a watch "from now on": a re-opened stream resumes after this point
                self._next_revision = _header_revision(result, "watch.result") + 1
            self.created.set()
        events = result.get("events", [])
        if not isinstance(events, list):
            raise EtcdProtocolError(f"watch.result.events: expected a list, found {shown(events)}")
        for i, raw in enumerate(events):
            event = _object(raw, f"watch.events[{i}]")
            kind = event.get("type", "PUT")
            if kind not in ("PUT", "DELETE"):
                raise EtcdProtocolError(f"watch.events[{i}].type: expected PUT or DELETE, found {shown(kind)}")
            kv = KeyValue.parse(event.get("kv"), f"watch.events[{i}].kv")
            self._next_revision = kv.mod_revision + 1
            yield WatchEvent("DELETE" if kind == "DELETE" else "PUT", kv)
