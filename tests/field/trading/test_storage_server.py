"""The storage management server 350's API against a fake ledger: receptions (Fig. 7A) signed as receipts,
state answers, reports, transmissions of reservations read on the ledger first; bad input → {error, message}
4xx and nothing changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from field.trading.battery import Battery, BatterySpec
from field.trading.storage_api import create_app
from field.trading.storage_server import StorageServer
from ledger_lite import SigningKey, decode_tx
from ledger_lite import trading as contract
from tests.field.trading.fakes import FakeNode
from tests.helpers.ledger_world import SyncASGITransport

T0 = 1_791_126_000  # 2026-10-05 00:00 JST
H = 1800
CHAIN = "greencert-test"
STORAGE = SigningKey.derive("test/storage/unit")
HOME = SigningKey.derive("test/home/unit")
STRANGER = SigningKey.derive("test/home/elsewhere")
SPEC = BatterySpec(capacity_wh=10_000, max_charge_w=4_000, max_discharge_w=4_000, efficiency_pct=90)
RESERVATION = "ab" * 32


@pytest.fixture
def node() -> FakeNode:
    fake = FakeNode()
    fake.state[f"registry/{HOME.address}"] = {"role": "home", "attrs": {"battery": "B1", "node": "F1/T1/H1"}}
    fake.state[f"registry/{STRANGER.address}"] = {"role": "home", "attrs": {"battery": "B9", "node": "F9/T1/H1"}}
    return fake


@pytest.fixture
def server(node: FakeNode) -> StorageServer:
    return StorageServer("B1", STORAGE, Battery(SPEC, time=T0), node, CHAIN, clock=lambda: T0 + 10 * H)  # type: ignore[arg-type]


@pytest.fixture
def api(server: StorageServer) -> Iterator[httpx.Client]:
    transport = SyncASGITransport(create_app(server))
    with httpx.Client(transport=transport, base_url="http://storage.test") as client:
        yield client
    transport.close()


def receive(api: httpx.Client, **changes: Any) -> httpx.Response:
    body = {"home": HOME.address, "start": T0 + 8 * H, "end": T0 + 9 * H, "wh": 1_500, **changes}
    return api.post("/receptions", json=body)


def test_reception_is_recorded_and_signed_as_a_receipt(api: httpx.Client, node: FakeNode) -> None:
    answer = receive(api)
    assert answer.status_code == 201
    record = answer.json()
    # Fig. 7A: address, date, amount — and what the ledger made of it
    assert {k: record[k] for k in ("home", "start", "end", "wh", "status")} == \
        {"home": HOME.address, "start": T0 + 8 * H, "end": T0 + 9 * H, "wh": 1_500, "status": "recorded"}
    [tx] = node.of_type(contract.STORAGE_RECEIPT)
    assert tx.signer_address == STORAGE.address  # mod 9: the server signs its own record
    assert tx.body == contract.receipt_body("B1", HOME.address, T0 + 8 * H, T0 + 9 * H, 1_500)
    assert record["receipt_tx"] == tx.tx_id
    decode_tx(tx.encode())  # a well-formed, verifiable envelope
    state = api.get("/state").json()
    assert state["stored_wh"] == 1_500
    assert [r["receipt_tx"] for r in state["receptions"]] == [tx.tx_id]
    assert api.get("/receptions").json()["items"][0]["wh"] == 1_500


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"wh": 0}, 400, "bad_request"),
    ({"wh": "1500"}, 400, "bad_request"),
    ({"wh": 1.5}, 400, "bad_request"),
    ({"home": "0x03547921"}, 422, "bad_home"),
    ({"home": STRANGER.address}, 422, "unknown_home"),
    ({"home": SigningKey.derive("nobody").address}, 422, "unknown_home"),
    ({"start": T0 + 8 * H + 1}, 422, "bad_request"),
    ({"extra": 1}, 400, "bad_request"),
    ({"wh": 2_001}, 409, "power_limit"),
    ({"start": T0, "end": T0 + 2 * 86_400}, 422, "bad_interval"),
])
def test_bad_reception_is_refused_and_changes_nothing(api: httpx.Client, node: FakeNode, changes: dict[str, Any],
                                                     status: int, code: str) -> None:
    answer = receive(api, **changes)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == code
    assert answer.json()["message"]
    assert node.sent == []
    state = api.get("/state").json()
    assert (state["stored_wh"], state["received_wh"], state["receptions"]) == (0, 0, [])


def test_full_battery_says_how_much_it_can_take(api: httpx.Client, server: StorageServer) -> None:
    server.battery.stored_wh = server.battery.initial_wh = 9_000
    answer = receive(api, wh=1_500)
    assert answer.status_code == 409
    assert answer.json()["error"] == "battery_full"
    assert answer.json()["accept_wh"] == 1_000


def test_receipt_refused_by_the_ledger_is_kept_with_the_reason(api: httpx.Client, node: FakeNode) -> None:
    node.refuse[contract.STORAGE_RECEIPT] = ("overlap", "expected a receipt after the previous one")
    record = receive(api).json()
    assert record["status"] == "refused"
    assert "overlap" in record["reason"]


def test_ledger_down_keeps_the_receipt_to_send_again(api: httpx.Client, node: FakeNode,
                                                     server: StorageServer) -> None:
    node.state[f"registry/{HOME.address}"] = {"role": "home", "attrs": {"battery": "B1"}}
    receive(api, start=T0, end=T0 + H, wh=100)  # the home is known from now on
    node.down = True
    assert receive(api).json()["status"] == "unsent"
    node.down = False
    assert server.resend() == 0
    assert len(node.of_type(contract.STORAGE_RECEIPT)) == 2


def test_report_signs_the_state_of_charge(api: httpx.Client, node: FakeNode) -> None:
    receive(api)
    answer = api.post("/reports", json={"time": T0 + 10 * H})
    assert answer.status_code == 201
    [tx] = node.of_type(contract.STORAGE_REPORT)
    assert tx.body == contract.report_body("B1", T0 + 10 * H, 1_500)
    assert answer.json()["report_tx"] == tx.tx_id
    assert api.post("/reports").status_code == 201  # without a time: the server's clock
    stale = api.post("/reports", json={"time": T0})
    assert (stale.status_code, stale.json()["error"]) == (422, "stale_time")


def reservation(**changes: Any) -> dict[str, Any]:
    return {"request": RESERVATION, "battery": "B1", "home": HOME.address, "wh": 900, "draw_wh": 1_000,
            "efficiency_pct": 90, "price": 26, "pay": "yen", "points": 0, "end": T0 + 14 * H, "time": T0 + 10 * H,
            "status": "reserved", "delivery": None, **changes}


def test_transmission_executes_a_recorded_reservation(api: httpx.Client, node: FakeNode) -> None:
    receive(api)
    node.state[f"trade/reservation/{RESERVATION}"] = reservation()
    answer = api.post("/transmissions", json={"reservation": RESERVATION})
    assert answer.status_code == 201, answer.text
    done = answer.json()
    assert (done["wh"], done["drawn_wh"], done["start"], done["status"]) == (900, 1_000, T0 + 10 * H, "recorded")
    [tx] = node.of_type(contract.STORAGE_DELIVERY)
    assert tx.body == contract.delivery_body("B1", RESERVATION, T0 + 10 * H, T0 + 11 * H, 900)
    assert api.get("/state").json()["stored_wh"] == 500
    again = api.post("/transmissions", json={"reservation": RESERVATION})
    assert (again.status_code, again.json()["error"]) == (409, "already_delivered")


@pytest.mark.parametrize(("held", "body", "status", "code"), [
    (None, {"reservation": RESERVATION}, 404, "unknown_reservation"),
    (reservation(battery="B2"), {"reservation": RESERVATION}, 422, "wrong_battery"),
    (reservation(status="lapsed"), {"reservation": RESERVATION}, 409, "already_settled"),
    (reservation(wh=5_000), {"reservation": RESERVATION}, 409, "battery_empty"),
    (reservation(), {"reservation": "xyz"}, 422, "bad_reservation"),
    (reservation(), {"reservation": RESERVATION, "start": T0}, 422, "outside_window"),
    (reservation(), {"reservation": RESERVATION, "start": T0 + 10 * H + 5}, 422, "bad_interval"),
    (reservation(), {"reservation": RESERVATION, "wh": 1}, 400, "bad_request"),
])
def test_bad_transmission_is_refused_and_changes_nothing(api: httpx.Client, node: FakeNode,
                                                        held: dict[str, Any] | None, body: dict[str, Any],
                                                        status: int, code: str) -> None:
    receive(api)
    if held is not None:
        node.state[f"trade/reservation/{RESERVATION}"] = held
    answer = api.post("/transmissions", json=body)
    assert (answer.status_code, answer.json()["error"]) == (status, code), answer.text
    assert node.of_type(contract.STORAGE_DELIVERY) == []
    state = api.get("/state").json()
    assert (state["stored_wh"], state["delivered_wh"], state["deliveries"]) == (1_500, 0, [])


def test_errors_are_json_everywhere(api: httpx.Client) -> None:
    for answer in (api.get("/nowhere"), api.delete("/state"), api.post("/receptions", content=b"{not json",
                                                                        headers={"content-type": "application/json"}),
                   api.post("/receptions", content=b"x" * 20_000, headers={"content-type": "application/json"})):
        assert 400 <= answer.status_code < 500
        assert set(answer.json()) == {"error", "message"}
