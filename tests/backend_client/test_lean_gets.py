"""Plain GETs over ``http.client`` (``backend_client.lean_gets``, issue 17), against real servers on loopback
ports: the same answers and errors as through httpx, a kept connection reused and, once the server dropped it,
opened again; a port nobody listens on fails over; a silent server times out; each thread its own connection."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.requests import Request

from backend_client import NodeClient, NotFound, Unreachable
from backend_client.lean_gets import LeanGets
from greencert.servers import BackgroundServer, free_port


def app() -> FastAPI:
    made = FastAPI()
    seen: list[tuple[str, int]] = []

    @made.get("/v1/status")
    def status(request: Request) -> dict[str, Any]:
        assert request.client is not None
        seen.append((request.url.path, request.client.port))
        return {"chain_id": "test", "ja": "検証", "auth": request.headers.get("authorization")}

    @made.get("/v1/blocks/{height}")
    def block(height: int) -> JSONResponse:
        return JSONResponse({"error": "not_found", "message": f"no block at height {height}"}, status_code=404)

    @made.get("/v1/closing")
    def closing() -> JSONResponse:
        return JSONResponse({"ok": True}, headers={"Connection": "close"})

    made.state.seen = seen
    return made


SEEN: dict[int, list[tuple[str, int]]] = {}  # server port → (path, client port) of each request it answered


@pytest.fixture
def server() -> Iterator[BackgroundServer]:
    made = app()
    running = BackgroundServer(made, "127.0.0.1", 0).start()
    SEEN[running.port] = made.state.seen
    try:
        yield running
    finally:
        running.stop()


def ports(server: BackgroundServer) -> list[int]:
    return [port for _, port in SEEN[server.port]]


def test_an_answer_is_the_server_s_and_one_connection_is_kept(server: BackgroundServer) -> None:
    with NodeClient(server.url) as client:
        assert client._lean is not None  # the lean path is the one taken
        first = client.json("GET", "/v1/status", token="t0ken")
        second = client.status()
    assert first == {"chain_id": "test", "ja": "検証", "auth": "Bearer t0ken"}
    assert second["auth"] is None
    assert len(set(ports(server))) == 1  # keep-alive: the second request came on the first's connection


def test_an_error_answer_is_mapped_as_before(server: BackgroundServer) -> None:
    with NodeClient(server.url) as client, pytest.raises(NotFound, match="no block at height 7"):
        client.block(7)


def test_a_connection_the_server_closed_is_opened_again(server: BackgroundServer) -> None:
    with NodeClient(server.url) as client:
        assert client.json("GET", "/v1/closing") == {"ok": True}
        assert client.status()["chain_id"] == "test"
        server.stop()  # every kept connection dropped
        again = BackgroundServer(app(), "127.0.0.1", server.port).start()
        try:
            assert client.status()["chain_id"] == "test"
        finally:
            again.stop()


def test_a_port_nobody_listens_on_fails_over_to_the_next(server: BackgroundServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with NodeClient([dead, server.url]) as client:
        assert client.status()["chain_id"] == "test"
        assert client.base_url == server.url
    with NodeClient(dead) as alone, pytest.raises(Unreachable, match="cannot reach"):
        alone.status()


def test_a_silent_server_times_out() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with NodeClient(url, timeout=0.3) as client, pytest.raises(Unreachable, match="did not answer"):
            client.status()
    finally:
        listener.close()


def test_each_thread_has_its_own_connection(server: BackgroundServer) -> None:
    answers: list[str] = []
    with NodeClient(server.url) as client:
        def ask() -> None:
            for _ in range(5):
                answers.append(client.status()["chain_id"])

        threads = [threading.Thread(target=ask) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers == ["test"] * 15
    assert len(set(ports(server))) == 3


def test_a_proxy_in_the_environment_leaves_it_to_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    with NodeClient("http://127.0.0.1:9") as client:
        assert client._lean is None


def test_after_close_a_request_opens_a_new_connection(server: BackgroundServer) -> None:
    lean = LeanGets(ssl.create_default_context())
    assert json.loads(lean.fetch(server.url, "/v1/status", {}, 5, 5).body)["chain_id"] == "test"
    lean.close()
    assert json.loads(lean.fetch(server.url, "/v1/status", {}, 5, 5).body)["chain_id"] == "test"
    lean.close()
    assert len(set(ports(server))) == 2


def test_a_closed_client_sends_nothing(server: BackgroundServer) -> None:
    client = NodeClient(server.url)
    assert client.status()["chain_id"] == "test"
    client.close()
    with pytest.raises(RuntimeError):  # httpx's refusal, as before the lean path
        client.status()
    assert len(ports(server)) == 1
