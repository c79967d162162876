"""Issue #9: ids that go into a request path are checked and every segment is percent-encoded, so an id can
never add a query (``?x``), a fragment or another segment to the URL the server sees."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend_client import IntermediaryClient, InvalidId, NodeClient, Session

CERT = "ab" * 32
SESSION = Session(token="t0k3n", user_name="Consumer Ca", expires_at=1_790_900_000)
PDF = b"%PDF-1.7 test"


class Recorder:
    def __init__(self) -> None:
        self.raw_paths: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.raw_paths.append(request.url.raw_path.partition(b"?")[0])
        if request.url.path.endswith("/pdf"):
            return httpx.Response(200, content=PDF, headers={"content-type": "application/pdf"})
        return httpx.Response(200, json={"certificate_id": CERT, "value": {}, "height": 1})


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def intermediary(recorder: Recorder) -> Any:
    client = IntermediaryClient("http://intermediary.test", transport=httpx.MockTransport(recorder))
    yield client
    client.close()


@pytest.fixture
def node(recorder: Recorder) -> Any:
    client = NodeClient("http://node.test", transport=httpx.MockTransport(recorder))
    yield client
    client.close()


BAD_IDS = [CERT + "?x", CERT + "#x", CERT + "/pdf", CERT.upper(), CERT[:-1], CERT + "\x00", "../" + CERT[3:],
           "x" * 5_000_000, ""]


@pytest.mark.parametrize("bad", BAD_IDS, ids=lambda b: repr(b[:12]) + f"+{len(b)}")
def test_intermediary_client_refuses_a_malformed_certificate_id_without_sending(
        intermediary: IntermediaryClient, recorder: Recorder, bad: str) -> None:
    with pytest.raises(InvalidId, match="expected a certificate id of 64 lowercase hex characters") as caught:
        intermediary.certificate(SESSION, bad)
    with pytest.raises(InvalidId):
        intermediary.certificate_pdf(SESSION, bad)
    assert len(str(caught.value)) < 200  # a huge id is not echoed whole
    assert recorder.raw_paths == []


@pytest.mark.parametrize("bad", BAD_IDS, ids=lambda b: repr(b[:12]) + f"+{len(b)}")
def test_node_client_refuses_a_malformed_transaction_id_without_sending(node: NodeClient, recorder: Recorder,
                                                                       bad: str) -> None:
    with pytest.raises(InvalidId, match="expected a transaction id of 64 lowercase hex characters"):
        node.tx(bad)
    assert recorder.raw_paths == []


def test_good_ids_reach_the_expected_paths(intermediary: IntermediaryClient, node: NodeClient,
                                           recorder: Recorder) -> None:
    intermediary.certificate(SESSION, CERT)
    assert intermediary.certificate_pdf(SESSION, CERT) == PDF
    node.tx(CERT)
    node.value(f"cert/{CERT}")
    node.block(3)
    assert recorder.raw_paths == [f"/api/v1/certificates/{CERT}".encode(), f"/api/v1/certificates/{CERT}/pdf".encode(),
                                  f"/v1/txs/{CERT}".encode(), f"/v1/state/cert/{CERT}".encode(), b"/v1/blocks/3"]


@pytest.mark.parametrize(("key", "raw"), [("cert/x?y", b"/v1/state/cert/x%3Fy"), ("cert/a#b", b"/v1/state/cert/a%23b"),
                                          ("cert/%2e%2e", b"/v1/state/cert/%252e%252e"),
                                          ("cert/a\x00", b"/v1/state/cert/a%00")])
def test_state_key_segments_are_percent_encoded(node: NodeClient, recorder: Recorder, key: str, raw: bytes) -> None:
    node.value(key)
    node.proven_value(key)
    assert recorder.raw_paths == [raw, raw]


@pytest.mark.parametrize("key", ["", "cert/", "/cert/x", "cert//x"])
def test_state_keys_with_empty_segments_are_refused(node: NodeClient, recorder: Recorder, key: str) -> None:
    with pytest.raises(InvalidId, match="expected a state key"):
        node.value(key)
    assert recorder.raw_paths == []


@pytest.mark.parametrize("bad", [-1, True, "3", 1.5])
def test_block_heights_must_be_integers(node: NodeClient, recorder: Recorder, bad: Any) -> None:
    with pytest.raises(InvalidId, match="expected a block height"):
        node.block(bad)
    assert recorder.raw_paths == []
