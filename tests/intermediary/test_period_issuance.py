"""Issue 15, "Issuance": the main embodiment (S203-S213a) certifies exactly the applicant's allocations of the
requested period and method, whatever the eligible list's month rows; bad or empty requests issue nothing."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from intermediary.errors import BadInput
from intermediary.period import Period, select
from ledger_lite import peek_payload
from ledger_lite.certificate import CHUNK, month_key
from tests.helpers.intermediary_world import API, PASSWORD, TYPE_ID, IntermediaryWorld
from tests.helpers.ledger_world import slot
from tests.helpers.matched_allocations import WH, allocate

MONTH_END_SLOT = 30 * 48 + 30  # slot(1470) = 2026-10-31 15:00 UTC = 2026-11-01 00:00 JST


def by_period(start: int, end: int, method: str = "solar", key: str | None = None) -> dict[str, Any]:
    return {"period": {"start": start, "end": end, "production_method": method}, "type_id": TYPE_ID,
            "idempotency_key": key or uuid.uuid4().hex}


def certified(iw: IntermediaryWorld, certificate_id: str) -> list[str]:
    record = iw.service.node.value(f"cert/{certificate_id}")["value"]
    return sorted(record["assets"])


@pytest.fixture
def six(iw: IntermediaryWorld) -> tuple[httpx.Client, dict[str, str], list[str]]:
    """Six half hours of solar allocated to Ca on 2026-10-01 (one month, one list row)."""
    ids = allocate(iw, list(range(6)))
    http = iw.http()
    return http, iw.login(http), ids


@pytest.mark.parametrize(("first", "last"), [(2, 6), (0, 2), (3, 4)], ids=["cuts-start", "cuts-end", "one-slot"])
def test_a_period_inside_a_month_certifies_exactly_its_allocations(
        iw: IntermediaryWorld, six: tuple[httpx.Client, dict[str, str], list[str]], first: int, last: int) -> None:
    http, auth, ids = six
    assert len(iw.open_rows(http, auth)) == 1  # the month is one row: picking rows could certify none of it
    answer = http.post(f"{API}/certificates", headers=auth, json=by_period(slot(first), slot(last)))
    assert answer.status_code == 201, answer.text
    cert = answer.json()
    assert certified(iw, cert["certificate_id"]) == sorted(ids[first:last])
    assert (cert["amount_wh"], cert["period_start"], cert["period_end"]) == ((last - first) * WH, slot(first),
                                                                            slot(last))
    left = iw.open_rows(http, auth)
    assert sum(r["amount_wh"] for r in left) == (6 - (last - first)) * WH


def test_a_period_across_a_month_boundary_takes_both_parts(iw: IntermediaryWorld) -> None:
    iw.clock.set(slot(MONTH_END_SLOT + 10))
    ids = allocate(iw, [MONTH_END_SLOT - 2, MONTH_END_SLOT - 1, MONTH_END_SLOT, MONTH_END_SLOT + 1])
    assert month_key(slot(MONTH_END_SLOT - 1)) != month_key(slot(MONTH_END_SLOT))
    http = iw.http()
    auth = iw.login(http)
    answer = http.post(f"{API}/certificates", headers=auth,
                       json=by_period(slot(MONTH_END_SLOT - 1), slot(MONTH_END_SLOT + 1)))
    assert answer.status_code == 201, answer.text
    assert certified(iw, answer.json()["certificate_id"]) == sorted(ids[1:3])


def test_a_period_with_no_allocations_is_404_and_issues_nothing(
        iw: IntermediaryWorld, six: tuple[httpx.Client, dict[str, str], list[str]]) -> None:
    http, auth, _ = six
    key = uuid.uuid4().hex
    for body in (by_period(slot(10), slot(20), key=key), by_period(slot(0), slot(6), "wind", key=key)):
        answer = http.post(f"{API}/certificates", headers=auth, json=body)
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"] == "no_allocations"
        assert "found none" in answer.json()["message"]
    assert iw.service.node.certificates(iw.ledger.user.address) == []
    assert len(iw.open_rows(http, auth)) == 1


def test_a_period_already_certified_is_409_naming_the_certificate(
        iw: IntermediaryWorld, six: tuple[httpx.Client, dict[str, str], list[str]]) -> None:
    http, auth, _ = six
    first = http.post(f"{API}/certificates", headers=auth, json=by_period(slot(0), slot(6))).json()
    again = http.post(f"{API}/certificates", headers=auth, json=by_period(slot(1), slot(3)))
    assert again.status_code == 409
    assert again.json()["error"] == "already_issued"
    assert again.json()["certificate_id"] == first["certificate_id"]


@pytest.mark.parametrize(("body", "code"), [
    (by_period(slot(4), slot(4)), "bad_period"),
    (by_period(slot(4), slot(2)), "bad_period"),
    (by_period(slot(0), slot(6), "moonlight"), "unknown_method"),
    ({**by_period(slot(0), slot(6)), "item_ids": ["x"]}, "bad_request"),
    ({"type_id": TYPE_ID, "idempotency_key": uuid.uuid4().hex}, "bad_request"),
])
def test_bad_period_requests_are_400_and_change_nothing(
        iw: IntermediaryWorld, six: tuple[httpx.Client, dict[str, str], list[str]], body: dict[str, Any],
        code: str) -> None:
    http, auth, _ = six
    answer = http.post(f"{API}/certificates", headers=auth, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == code
    assert iw.service.node.certificates(iw.ledger.user.address) == []


class ListingNode:
    """A node that lists ``count`` open solar allocations (for the cap: the real one would need 1,800 txs)."""

    def __init__(self, count: int) -> None:
        self.count = count

    def assets(self, owner: str, **_: Any) -> list[dict[str, Any]]:
        return [{"id": f"{n:064x}", "start": slot(n), "end": slot(n + 1), "wh": WH, "method": "solar",
                 "trade": "completed", "cert": None} for n in range(self.count)]


def test_more_than_one_transaction_of_allocations_is_a_clear_error() -> None:
    period = Period(slot(0), slot(CHUNK + 1), "solar")
    assert len(select(ListingNode(CHUNK), "owner", "Consumer Ca", period)) == CHUNK  # type: ignore[arg-type]
    with pytest.raises(BadInput, match=f"expected at most {CHUNK} allocations.*found {CHUNK + 1}.*shorter") as err:
        select(ListingNode(CHUNK + 1), "owner", "Consumer Ca", period)  # type: ignore[arg-type]
    assert err.value.code == "selection_too_large"


def test_the_certificate_states_its_time_matched_wh(iw: IntermediaryWorld, tmp_path: Path) -> None:
    allocate(iw, [0, 1, 2], matched=True)
    allocate(iw, [3], matched=False)
    http = iw.http()
    auth = iw.login(http)
    cert = http.post(f"{API}/certificates", headers=auth, json=by_period(slot(0), slot(4))).json()
    assert peek_payload(cert["payload"]).claims.tm == cert["time_matched_wh"] == 3 * WH
    pdf = http.get(f"{API}/certificates/{cert['certificate_id']}/pdf", headers=auth)
    assert pdf.status_code == 200
    from printing import read_certificate_pdf

    path = tmp_path / "c.pdf"
    path.write_bytes(pdf.content)
    printed = read_certificate_pdf(path)
    assert printed.amount_wh == 4 * WH  # the time-matched line does not take the amount's place
    assert "time-matched 3.000 kWh (75.0 %)" in printed.text
    assert "時間一致 3.000 kWh（75.0 %）" in printed.text


def test_the_kiosks_client_sends_a_period(iw: IntermediaryWorld) -> None:
    """``backend_client.IntermediaryClient.issue_for_period`` against the real app (ASGI, no sockets)."""
    from backend_client import AlreadyIssued, IntermediaryClient, NotFound
    from tests.helpers.ledger_world import SyncASGITransport

    ids = allocate(iw, [0, 1, 2])
    transport = SyncASGITransport(iw.app(), client=("192.0.2.1", 50_000))
    client = IntermediaryClient("http://intermediary.test", transport=transport)
    try:
        session = client.login("ca", PASSWORD)
        issued = client.issue_for_period(session, slot(1), slot(3), "solar", TYPE_ID, uuid.uuid4().hex)
        assert certified(iw, issued.certificate_id) == sorted(ids[1:])
        with pytest.raises(AlreadyIssued) as already:
            client.issue_for_period(session, slot(1), slot(3), "solar", TYPE_ID, uuid.uuid4().hex)
        assert already.value.certificate_id == issued.certificate_id
        with pytest.raises(NotFound, match="found none"):
            client.issue_for_period(session, slot(5), slot(9), "solar", TYPE_ID, uuid.uuid4().hex)
    finally:
        client.close()
        transport.close()
