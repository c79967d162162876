"""Several node URLs (the validators of a consortium): ``HttpBase`` fails over, ``NodeClient`` resolves a
resubmission's duplicate to the committed outcome. First with fake transports (the logic), then with real
servers on loopback ports: the real node app, a port nobody listens on, a node answering 503, a proxy that
delivers a submission and loses the answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from backend_client import (
    Conflict,
    IntermediaryClient,
    NodeClient,
    NotFound,
    ServerError,
    Unreachable,
    split_urls,
)
from greencert.servers import BackgroundServer, free_port
from ledger.api import create_app
from ledger.node import Node
from tests.helpers.ledger_world import LedgerWorld, slot

A, B, C = "http://a.test", "http://b.test", "http://c.test"
Handler = Callable[[httpx.Request], httpx.Response]


class Fleet:
    """A fake transport for several hosts: each host a handler; records (host, method, path) of every request."""

    def __init__(self, **hosts: Handler) -> None:
        self.hosts = hosts
        self.seen: list[tuple[str, str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host.removesuffix(".test")
        self.seen.append((host, request.method, request.url.path))
        return self.hosts[host](request)

    def client(self, *urls: str, cls: type[Any] = NodeClient) -> Any:
        return cls(list(urls), transport=httpx.MockTransport(self))


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def answer(status: int, body: Any) -> Handler:
    return lambda request: httpx.Response(status, json=body)


STATUS = answer(200, {"chain_id": "c", "height": 3})
UNAVAILABLE = answer(503, {"error": "store_unavailable", "message": "the store is read-only"})


# -- the URLs --------------------------------------------------------------------------------------------------
def test_urls_are_one_a_list_or_comma_separated() -> None:
    assert split_urls("http://a:1/") == ("http://a:1",)
    assert split_urls("http://a:1, http://b:2/ ,http://a:1") == ("http://a:1", "http://b:2")
    assert split_urls(["http://a:1", "http://b:2,http://c:3"]) == ("http://a:1", "http://b:2", "http://c:3")
    with pytest.raises(ValueError, match="at least one base URL"):
        split_urls(" , ")
    with NodeClient("http://a:1,http://b:2") as client:
        assert client.base_urls == ("http://a:1", "http://b:2") and client.base_url == "http://a:1"


# -- failover logic (fake transports) ----------------------------------------------------------------------
def test_a_refused_connection_goes_to_the_next_node_which_stays_preferred() -> None:
    fleet = Fleet(a=refused, b=STATUS, c=STATUS)
    with fleet.client(A, B, C) as client:
        assert client.status()["height"] == 3
        assert client.base_url == B
        client.status()
    assert fleet.seen == [("a", "GET", "/v1/status"), ("b", "GET", "/v1/status"), ("b", "GET", "/v1/status")]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_or_unavailable_status_goes_to_the_next_node(status: int) -> None:
    fleet = Fleet(a=answer(status, {"error": "unavailable", "message": "m"}), b=STATUS)
    with fleet.client(A, B) as client:
        assert client.status()["height"] == 3 and client.base_url == B


def test_a_gateways_html_page_goes_to_the_next_node_too() -> None:
    fleet = Fleet(a=lambda request: httpx.Response(502, text="<html>Bad Gateway</html>"), b=STATUS)
    with fleet.client(A, B) as client:
        assert client.status()["height"] == 3


@pytest.mark.parametrize(("status", "code"), [(404, "not_found"), (400, "bad_request"), (409, "duplicate"),
                                              (500, "internal")])
def test_an_answer_is_not_retried_elsewhere(status: int, code: str) -> None:
    fleet = Fleet(a=answer(status, {"error": code, "message": "m"}), b=STATUS)
    with fleet.client(A, B) as client:
        with pytest.raises(Exception, match=f"{status} {code}"):
            client.block(9)
        assert client.base_url == A  # it answered
    assert [host for host, _, _ in fleet.seen] == ["a"]


def test_a_read_timeout_on_a_get_goes_to_the_next_node() -> None:
    fleet = Fleet(a=read_timeout, b=answer(200, {"height": 1}))
    with fleet.client(A, B) as client:
        assert client.block(1) == {"height": 1}


def test_a_request_that_is_not_retry_safe_goes_on_only_when_nothing_was_sent() -> None:
    """The intermediary's POSTs: after a read timeout the first server may have acted; after a refused
    connection it cannot have."""
    fleet = Fleet(a=read_timeout, b=answer(200, {"items": []}))
    with fleet.client(A, B, cls=IntermediaryClient) as client, \
            pytest.raises(Unreachable, match=r"http://a\.test did not answer POST /api/v1/usage-reports in time"):
        client.usage_reports([])
    assert [host for host, _, _ in fleet.seen] == ["a"]
    fleet = Fleet(a=refused, b=answer(200, {"results": []}))
    with fleet.client(A, B, cls=IntermediaryClient) as client:
        assert client.usage_reports([]) == []
    fleet = Fleet(a=UNAVAILABLE, b=answer(200, {"results": []}))
    with fleet.client(A, B, cls=IntermediaryClient) as client, pytest.raises(ServerError, match="503"):
        client.usage_reports([])


def test_when_every_node_fails_one_error_names_each_and_why() -> None:
    fleet = Fleet(a=refused, b=UNAVAILABLE, c=read_timeout)
    with fleet.client(A, B, C) as client, pytest.raises(Unreachable) as caught:
        client.status()
    message = str(caught.value)
    assert message.startswith("no server answered GET /v1/status: ")
    assert "http://a.test: cannot connect (connection refused)" in message
    assert "http://b.test: 503 store_unavailable: the store is read-only" in message
    assert "http://c.test: no answer in time (ReadTimeout)" in message
    assert [url for url, _ in caught.value.failures] == [A, B, C]


def test_one_url_keeps_its_own_errors() -> None:
    with Fleet(a=UNAVAILABLE).client(A) as client, pytest.raises(ServerError, match="503 store_unavailable"):
        client.status()
    with Fleet(a=refused).client(A) as client, pytest.raises(Unreachable, match=r"cannot reach http://a\.test"):
        client.status()


# -- a resubmission the ledger calls a duplicate (fake transports) ------------------------------------------
TX_ID = "ab" * 32
COMMITTED = {"tx_id": TX_ID, "height": 7, "index": 2, "type": "cert.issue", "result": {"certificate_id": TX_ID},
             "raw": "00", "proof": {}}
DUPLICATE = {"error": "duplicate", "message": f"transaction {TX_ID} was already submitted"}


class FakeTx:
    tx_id = TX_ID

    def encode(self) -> bytes:
        return b"\xa0"


def ledger_b(committed: list[bool], submit: Handler | None = None) -> Handler:
    """Node b: refuses the submission as a duplicate; has it committed once ``committed[0]``."""
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return submit(request) if submit is not None else httpx.Response(409, json=DUPLICATE)
        if committed[0]:
            return httpx.Response(200, json=COMMITTED)
        committed[0] = True  # the next look finds it
        return httpx.Response(404, json={"error": "not_found", "message": "no committed transaction"})
    return handle


@pytest.mark.parametrize("first", [read_timeout, answer(504, {"error": "commit_timeout", "message": "m"})])
def test_a_resubmission_called_duplicate_is_the_committed_outcome(first: Handler) -> None:
    fleet = Fleet(a=first, b=ledger_b([False]))
    with fleet.client(A, B) as client:
        outcome = client.submit(FakeTx(), timeout=5)
    assert outcome == {"tx_id": TX_ID, "code": "ok", "status": 200, "height": 7, "index": 2,
                       "result": {"certificate_id": TX_ID}}
    paths = [(host, method) for host, method, _ in fleet.seen]
    assert paths == [("a", "POST"), ("b", "POST"), ("b", "GET"), ("b", "POST"), ("b", "GET")]


def test_a_duplicate_without_an_earlier_attempt_is_the_callers_own_conflict() -> None:
    fleet = Fleet(a=refused, b=ledger_b([True]))  # a refused connection sent nothing
    with fleet.client(A, B) as client, pytest.raises(Conflict, match="409 duplicate"):
        client.submit(FakeTx())


def test_a_resubmission_never_committed_in_time_is_a_commit_timeout() -> None:
    never = Fleet(a=read_timeout, b=lambda request: httpx.Response(409, json=DUPLICATE) if request.method == "POST"
                  else httpx.Response(404, json={"error": "not_found", "message": "m"}))
    with never.client(A, B) as client, pytest.raises(ServerError, match="504 commit_timeout") as caught:
        client.submit(FakeTx(), timeout=0.5)
    assert caught.value.code == "commit_timeout"


def test_without_wait_a_resubmitted_duplicate_is_accepted() -> None:
    fleet = Fleet(a=read_timeout, b=lambda request: httpx.Response(409, json=DUPLICATE) if request.method == "POST"
                  else httpx.Response(404, json={"error": "not_found", "message": "m"}))
    with fleet.client(A, B) as client:
        assert client.submit(FakeTx(), wait=False) == {"tx_id": TX_ID, "code": "accepted"}


def test_a_batch_resubmissions_duplicates_are_resolved() -> None:
    other = "cd" * 32

    class Other(FakeTx):
        tx_id = other

    def b(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json={"results": [{"code": "duplicate", "status": 409, "message": "m"},
                                                         {"tx_id": other, "code": "ok", "status": 200}]})
        return httpx.Response(200, json=COMMITTED)

    fleet = Fleet(a=UNAVAILABLE, b=b)
    with fleet.client(A, B) as client:
        results = client.submit_batch([FakeTx(), Other()])  # type: ignore[list-item]
    assert results[0]["code"] == "ok" and results[0]["height"] == 7
    assert results[1] == {"tx_id": other, "code": "ok", "status": 200}


# -- real servers on loopback ---------------------------------------------------------------------------------
@pytest.fixture
def serve() -> Iterator[Callable[[FastAPI], BackgroundServer]]:
    servers: list[BackgroundServer] = []

    def start(app: FastAPI) -> BackgroundServer:
        servers.append(BackgroundServer(app, "127.0.0.1", free_port()).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # free now: nothing listens there


def stub(status: int, body: dict[str, Any], hits: list[str]) -> FastAPI:
    app = FastAPI()

    @app.api_route("/{rest:path}", methods=["GET", "POST"])
    async def anything(request: Request) -> JSONResponse:
        hits.append(f"{request.method} {request.url.path}")
        return JSONResponse(body, status_code=status)

    return app


def test_first_node_down_the_second_serves(serve: Callable[[FastAPI], BackgroundServer], ledger_node: Node,
                                           ledger_world: LedgerWorld) -> None:
    node = serve(create_app(ledger_node))
    down = dead_url()
    with NodeClient([down, node.url], timeout=5) as client:
        assert client.submit(ledger_world.generate(slot(2), 1_000))["code"] == "ok"
        assert client.base_url == node.url
        assert client.status()["height"] == 1


def test_first_node_unavailable_the_second_serves(serve: Callable[[FastAPI], BackgroundServer],
                                                  ledger_node: Node, ledger_world: LedgerWorld) -> None:
    hits: list[str] = []
    sick = serve(stub(503, {"error": "not_final", "message": "missing signatures"}, hits))
    node = serve(create_app(ledger_node))
    with NodeClient(f"{sick.url},{node.url}", timeout=5) as client:
        outcome = client.submit(ledger_world.generate(slot(2), 1_000))
        assert outcome["code"] == "ok" and outcome["height"] == 1
        assert client.status()["height"] == 1  # sticky: the sick node is not asked again
    assert hits == ["POST /v1/txs"]


def test_a_4xx_is_an_answer_not_a_failure(serve: Callable[[FastAPI], BackgroundServer], ledger_node: Node) -> None:
    hits: list[str] = []
    node = serve(create_app(ledger_node))
    other = serve(stub(200, {"height": 9}, hits))
    with NodeClient([node.url, other.url], timeout=5) as client:
        with pytest.raises(NotFound, match="no block at height 9"):
            client.block(9)
        assert client.base_url == node.url
    assert hits == []


def test_every_node_down_names_each(serve: Callable[[FastAPI], BackgroundServer]) -> None:
    sick = serve(stub(503, {"error": "store_unavailable", "message": "disk full"}, []))
    down = [dead_url(), dead_url()]
    with NodeClient([down[0], sick.url, down[1]], timeout=5) as client, pytest.raises(Unreachable) as caught:
        client.status()
    assert [url for url, _ in caught.value.failures] == [down[0], sick.url, down[1]]
    for url in down:
        assert f"{url}: cannot connect" in str(caught.value)
    assert f"{sick.url}: 503 store_unavailable: disk full" in str(caught.value)


def test_preference_is_sticky_and_moves_on_when_the_preferred_node_goes(
        serve: Callable[[FastAPI], BackgroundServer], ledger_node: Node) -> None:
    first_hits: list[str] = []
    first = serve(stub(200, {"chain_id": "greencert-test", "height": 0}, first_hits))
    second = BackgroundServer(create_app(ledger_node), "127.0.0.1", free_port()).start()
    try:
        with NodeClient([first.url, second.url], timeout=5) as client:
            client.status()
            assert client.base_url == first.url
            first.stop()  # the preferred node goes away
            assert client.status()["chain_id"] == "greencert-test"
            assert client.base_url == second.url
            for _ in range(3):
                client.registry()
        assert first_hits == ["GET /v1/status"]
    finally:
        second.stop()


def test_a_submission_whose_answer_was_lost_resolves_to_the_committed_outcome(
        serve: Callable[[FastAPI], BackgroundServer], ledger_node: Node, ledger_world: LedgerWorld) -> None:
    """The first node (a proxy in front of the real one) delivers the transaction, then answers 504: the
    resubmission to the second is a duplicate, and the client answers with the committed outcome."""
    node = serve(create_app(ledger_node))
    proxy = FastAPI()

    @proxy.api_route("/{rest:path}", methods=["GET", "POST"])
    async def forward(request: Request) -> Response:
        async with httpx.AsyncClient() as http:
            await http.request(request.method, node.url + request.url.path, params=request.query_params,
                               content=await request.body(), headers={"content-type": "application/cbor"})
        return Response("<html>504 Gateway Time-out</html>", status_code=504, media_type="text/html")

    lossy = serve(proxy)
    tx = ledger_world.generate(slot(2), 1_000)
    with NodeClient([lossy.url, node.url], timeout=5) as client:
        outcome = client.submit(tx)
        assert outcome == {"tx_id": tx.tx_id, "code": "ok", "status": 200, "height": 1, "index": 0,
                           "result": {"asset_id": tx.tx_id}}
        with pytest.raises(Conflict, match="409 duplicate"):  # asked again on purpose: the caller's own replay
            client.submit(tx)


def test_a_nodes_own_timeout_is_reported_as_such_when_no_other_node_answers(
        serve: Callable[[FastAPI], BackgroundServer]) -> None:
    """A consortium node that took a transaction but saw no quorum in time answers 504 ``commit_timeout``: when
    the other nodes are down, that answer (the transaction may still become final) is what the caller hears."""
    slow = serve(stub(504, {"error": "commit_timeout", "message": "accepted but not committed within 1 s"}, []))
    with NodeClient([dead_url(), slow.url], timeout=5) as client, \
            pytest.raises(ServerError, match="504 commit_timeout"):
        client.status()
