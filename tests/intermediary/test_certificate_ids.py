"""Issue #9 (1, 4): certificate ids from a URL are checked at the boundary, a GET never creates or signs a
record, and no error message echoes a large input whole."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from intermediary.models import Certificate
from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld


def certificate_count(iw: IntermediaryWorld) -> int:
    with iw.service.db() as db:
        return int(db.scalar(select(func.count()).select_from(Certificate)) or 0)


def issued(iw: IntermediaryWorld) -> tuple[object, dict[str, str], str]:
    iw.allocate(2)
    http = iw.http()
    auth = iw.login(http)
    row = iw.open_rows(http, auth)[0]
    response = http.post(f"{API}/certificates", headers=auth, json={"item_ids": [row["item_id"]], "type_id": TYPE_ID,
                                                                    "idempotency_key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return http, auth, response.json()["certificate_id"]


@pytest.mark.parametrize("suffix", ["%3Fx", "%3F", "%23x", "%00", "%0A", "%7F", "%01x", "%20"])
def test_a_real_id_with_a_suffix_is_refused_and_creates_nothing(iw: IntermediaryWorld, suffix: str) -> None:
    http, auth, cid = issued(iw)
    for path in (f"{API}/certificates/{cid}{suffix}", f"{API}/certificates/{cid}{suffix}/pdf"):
        response = http.get(path, headers=auth)  # type: ignore[attr-defined]
        assert response.status_code == 400, response.text
        assert response.json()["error"] in ("bad_request", "bad_certificate_id")
        assert set(response.json()) == {"error", "message"}
    assert certificate_count(iw) == 1


@pytest.mark.parametrize("bad", ["AB" * 32, "ab" * 31, "ab" * 33, "g" * 64, "%C3%A9" * 32, "..", "x" * 60_000])
def test_malformed_ids_are_400_with_a_short_message(iw: IntermediaryWorld, bad: str) -> None:
    http = iw.http()
    auth = iw.login(http)
    for path in (f"{API}/certificates/{bad}", f"{API}/certificates/{bad}/pdf"):
        response = http.get(path, headers=auth)
        assert response.status_code in (400, 404), response.text  # ".." is resolved away by the URL
        assert response.json()["error"] in ("bad_request", "bad_certificate_id", "not_found")
        assert len(response.text) < 400


def test_a_certificate_only_the_ledger_knows_is_404_on_get_and_nothing_is_signed(iw: IntermediaryWorld) -> None:
    """GET never creates records: a certificate issued on the ledger but missing from our DB stays missing."""
    asset = iw.allocate(1)[0]
    outcome = iw.ledger.commit(iw.node, iw.ledger.issue([asset]))
    cid = outcome["result"]["certificate_id"]
    http = iw.http()
    auth = iw.login(http)
    assert http.get(f"{API}/certificates/{cid}", headers=auth).status_code == 404
    assert http.get(f"{API}/certificates/{cid}/pdf", headers=auth).status_code == 404
    assert certificate_count(iw) == 0


def test_an_unknown_id_is_404(iw: IntermediaryWorld) -> None:
    http = iw.http()
    auth = iw.login(http)
    response = http.get(f"{API}/certificates/{'ab' * 32}", headers=auth)
    assert response.status_code == 404 and response.json()["error"] == "not_found"


@pytest.mark.parametrize("body", [
    {"item_ids": ["x" * 1_000_000], "type_id": TYPE_ID, "idempotency_key": "k" * 10},
    {"item_ids": ["ab" * 16], "type_id": "t" * 1_000_000, "idempotency_key": "k" * 10},
    {"item_ids": ["ab" * 16], "type_id": TYPE_ID, "idempotency_key": "k" * 1_000_000},
    {"item_ids": ["ab" * 16] * 1000, "type_id": TYPE_ID, "idempotency_key": "k" * 10},
])
def test_issuance_never_echoes_a_large_input(iw: IntermediaryWorld, body: dict[str, object]) -> None:
    http = iw.http()
    auth = iw.login(http)
    response = http.post(f"{API}/certificates", headers=auth, json=body)
    assert 400 <= response.status_code < 500
    assert len(response.text) < 400, response.text[:200]


def test_login_never_echoes_a_large_input(iw: IntermediaryWorld) -> None:
    response = iw.http().post(f"{API}/sessions", json={"applicant_id": "a" * 1_000_000, "password": "x"})
    assert response.status_code == 400 and len(response.text) < 400


def test_a_crash_after_the_ledger_commit_is_recovered_by_the_post_retry(iw: IntermediaryWorld,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The node committed but our DB write failed: the retry with the same key returns that certificate."""
    from intermediary import issuance
    from intermediary.errors import LedgerUnavailable

    iw.allocate(2)
    http = iw.http()
    auth = iw.login(http)
    row = iw.open_rows(http, auth)[0]
    body = {"item_ids": [row["item_id"]], "type_id": TYPE_ID, "idempotency_key": uuid.uuid4().hex}
    real = issuance.record_from_ledger

    def lost(*args: object, **kwargs: object) -> object:
        raise LedgerUnavailable("simulated crash before our DB write")

    monkeypatch.setattr(issuance, "record_from_ledger", lost)
    assert http.post(f"{API}/certificates", headers=auth, json=body).status_code == 503
    assert certificate_count(iw) == 0
    monkeypatch.setattr(issuance, "record_from_ledger", real)
    retry = http.post(f"{API}/certificates", headers=auth, json=body)
    assert retry.status_code == 201, retry.text
    assert [c["id"] for c in iw.service.node.certificates(iw.ledger.user.address)] == [retry.json()["certificate_id"]]
