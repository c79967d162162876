"""Kept-alive connections between our clients (``backend_client.http``) and our servers (``greencert.servers``):
the client lets an idle connection go before the server does, so no request is sent on a connection the server
is closing at that moment (a POST lost that way cannot be sent again)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.requests import Request

from backend_client.http import KEEPALIVE_EXPIRY_S, HttpBase
from greencert.servers import IDLE_KEEP_ALIVE_S, BackgroundServer


@pytest.fixture
def server() -> Iterator[tuple[BackgroundServer, list[int]]]:
    app = FastAPI()
    client_ports: list[int] = []

    @app.post("/echo")
    def echo(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        assert request.client is not None
        client_ports.append(request.client.port)
        return body

    running = BackgroundServer(app, "127.0.0.1", 0).start()
    try:
        yield running, client_ports
    finally:
        running.stop()


def _raw_post(sock: socket.socket, port: int) -> bytes:
    body = b'{"n": 0}'
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (port, len(body), body))
    answer = b""
    while not answer.endswith(b'{"n":0}'):  # the body as the server writes it back
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer


def test_the_client_lets_an_idle_connection_go_before_the_server_does(
        server: tuple[BackgroundServer, list[int]]) -> None:
    running, client_ports = server
    assert KEEPALIVE_EXPIRY_S < IDLE_KEEP_ALIVE_S
    with HttpBase(running.url) as client, socket.create_connection(("127.0.0.1", running.port)) as raw:
        assert client.json("POST", "/echo", json={"n": 1}) == {"n": 1}
        assert client.json("POST", "/echo", json={"n": 2}) == {"n": 2}
        assert _raw_post(raw, running.port).startswith(b"HTTP/1.1 200")
        time.sleep(KEEPALIVE_EXPIRY_S + 0.5)
        # The server still holds a connection idle this long ...
        assert _raw_post(raw, running.port).startswith(b"HTTP/1.1 200")
        # ... while the client has let its own go and connects again.
        assert client.json("POST", "/echo", json={"n": 3}) == {"n": 3}
    assert client_ports[0] == client_ports[1]  # kept alive between requests close together
    assert client_ports[4] != client_ports[0]
