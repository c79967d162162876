"""Serve an ASGI app with uvicorn on a background thread (the embedded demo runs everything in one process).

The listening socket is bound here, before uvicorn starts, with address reuse: a demo restarted after a crash
gets its ports back although the old connections linger in TIME_WAIT, and a port that another program really
holds is reported as such instead of being swapped silently for another one (clients keep the printed URLs).
"""

from __future__ import annotations

import errno
import random
import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

# How long an idle kept-alive connection is held open. Longer than our clients keep one (backend_client.http's
# KEEPALIVE_EXPIRY_S, 4 s): a client that sends on a connection the server is closing at that instant gets
# "Server disconnected without sending a response", and a POST cannot simply be sent again. uvicorn's own 5 s
# equals httpx's default expiry, so the two sides raced (seen once in CI, between two days of a simulation).
IDLE_KEEP_ALIVE_S = 20


class PortInUse(OSError):
    """A port that was asked for by number is held by another listening program."""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port`` 0: any free port), bound with SO_REUSEADDR."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it
    # every answer on a kept-alive connection waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(exc.errno, f"port {port} on {host} is already in use by another program: stop that "
                                       f"program or choose another port") from exc
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free now (for tests and tools that start a server in another process)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def free_port_range(count: int, low: int = 20_000, high: int = 32_000) -> int:
    """A base port such that base … base+count-1 are all free on loopback now (for a consortium's nodes and
    etcd members in tests and benchmarks; below Linux's ephemeral range, so no outgoing connection takes one)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(low, high - count)
        held: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise RuntimeError(f"found no {count} consecutive free loopback ports in {low}..{high}")


class BackgroundServer:
    def __init__(self, app: FastAPI, host: str, port: int, *, sock: socket.socket | None = None) -> None:
        """Serve ``app`` on ``host:port``, or on ``sock`` already bound there (see ``bind``)."""
        self._socket = sock if sock is not None else bind(host, port)
        self.port = int(self._socket.getsockname()[1])
        self.url = f"http://{host}:{self.port}"
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", access_log=False,
                                timeout_keep_alive=IDLE_KEEP_ALIVE_S)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"http-{self.port}", daemon=True)

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._socket.close()
                raise OSError(f"the server at {self.url} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
