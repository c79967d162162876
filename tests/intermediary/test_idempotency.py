"""Issue #9 (2): one idempotency key, one answer — also when the requests race each other."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx
import pytest

from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld

THREADS = 8


def issue_body(iw: IntermediaryWorld, http: httpx.Client, auth: dict[str, str]) -> dict[str, Any]:
    row = iw.open_rows(http, auth)[0]
    return {"item_ids": [row["item_id"]], "type_id": TYPE_ID, "idempotency_key": uuid.uuid4().hex}


def test_concurrent_requests_with_one_key_all_get_the_same_201(iw: IntermediaryWorld) -> None:
    iw.allocate(2)
    app = iw.app()
    clients = [iw.http(app=app) for _ in range(THREADS)]
    auth = iw.login(clients[0])
    body = issue_body(iw, clients[0], auth)
    start = threading.Barrier(THREADS)
    answers: list[tuple[int, Any]] = [(0, None)] * THREADS

    def post(index: int) -> None:
        start.wait()
        response = clients[index].post(f"{API}/certificates", headers=auth, json=body)
        answers[index] = (response.status_code, response.json())

    threads = [threading.Thread(target=post, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {status for status, _ in answers} == {201}, answers
    assert len({str(b) for _, b in answers}) == 1
    later = clients[0].post(f"{API}/certificates", headers=auth, json=body)
    assert (later.status_code, later.json()) == answers[0]
    assert len(iw.service.node.certificates(iw.ledger.user.address)) == 1


def test_a_retry_after_already_issued_gets_the_same_409(iw: IntermediaryWorld) -> None:
    iw.allocate(2)
    http = iw.http()
    auth = iw.login(http)
    body = issue_body(iw, http, auth)
    first = http.post(f"{API}/certificates", headers=auth, json=body)
    assert first.status_code == 201
    other = {**body, "idempotency_key": uuid.uuid4().hex}
    refused = http.post(f"{API}/certificates", headers=auth, json=other)
    assert refused.status_code == 409 and refused.json()["certificate_id"] == first.json()["certificate_id"]
    again = http.post(f"{API}/certificates", headers=auth, json=other)
    assert (again.status_code, again.json()) == (409, refused.json())
    assert http.post(f"{API}/certificates", headers=auth, json=body).json() == first.json()


def test_a_key_reused_for_another_request_is_409(iw: IntermediaryWorld) -> None:
    iw.allocate(2)
    http = iw.http()
    auth = iw.login(http)
    body = issue_body(iw, http, auth)
    assert http.post(f"{API}/certificates", headers=auth, json=body).status_code == 201
    other = http.post(f"{API}/certificates", headers=auth, json={**body, "type_id": "intl-rec-registry"})
    assert other.status_code == 409 and other.json()["error"] == "idempotency_key_reused"


def test_keys_are_per_applicant(iw: IntermediaryWorld) -> None:
    iw.allocate(2, to="Ca")
    iw.allocate(2, to="Cb")
    http = iw.http()
    ca, cb = iw.login(http, "ca"), iw.login(http, "cb")
    key = uuid.uuid4().hex
    first = http.post(f"{API}/certificates", headers=ca, json={**issue_body(iw, http, ca), "idempotency_key": key})
    second = http.post(f"{API}/certificates", headers=cb, json={**issue_body(iw, http, cb), "idempotency_key": key})
    assert first.status_code == second.status_code == 201, second.text
    assert first.json()["certificate_id"] != second.json()["certificate_id"]
    assert second.json()["owner"] == "Consumer Cb"


def test_a_request_still_in_progress_is_409_in_progress_with_retry_after(
        iw: IntermediaryWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    from intermediary import issuance

    iw.allocate(2)
    http = iw.http()
    auth = iw.login(http)
    body = issue_body(iw, http, auth)
    with iw.service.db() as db:  # another worker claimed the key a moment ago and is talking to the node
        issuance.claim(db, applicant_pk=1, key=body["idempotency_key"], tx_id="cd" * 32,
                       item_ids=body["item_ids"], type_id=TYPE_ID, now=iw.clock())
    monkeypatch.setattr(issuance, "WAIT_FOR_OTHER_S", 0.0)
    response = http.post(f"{API}/certificates", headers=auth, json=body)
    assert response.status_code == 409 and response.json()["error"] == "in_progress"
    assert int(response.headers["Retry-After"]) > 0
    iw.clock.advance(issuance.STALE_S + 1)  # that worker died: the key is taken over and the request done
    done = http.post(f"{API}/certificates", headers=auth, json=body)
    assert done.status_code == 201, done.text
