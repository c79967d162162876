"""The manual flow (Modification 3's "manual" mode, S202-S214) against a real intermediary over a real node (issue
15, "Issuance"): a period that cuts a month certifies exactly the applicant's allocations inside it, whatever the
eligible list's month rows; then the same period again is the issued notice, naming the certificate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from backend_client import IntermediaryClient
from kiosk import KioskConfig, build_window
from ledger_lite.reference import short_reference
from tests.helpers.fake_intermediary import FakeDeliver
from tests.helpers.intermediary_world import PASSWORD, IntermediaryWorld
from tests.helpers.kiosk_driver import FakeClock, KioskDriver
from tests.helpers.ledger_world import SyncASGITransport, slot
from tests.helpers.matched_allocations import WH, allocate

MONTH_END_SLOT = 30 * 48 + 30  # slot(1470) = 2026-10-31 15:00 UTC = 2026-11-01 00:00 JST
OCTOBER_30_EVENING, OCTOBER_31_LATE = MONTH_END_SLOT - 60, [MONTH_END_SLOT - 2, MONTH_END_SLOT - 1]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[IntermediaryWorld]:
    iw = IntermediaryWorld.open(tmp_path / "world")
    iw.clock.set(slot(MONTH_END_SLOT + 10))
    yield iw
    iw.close()


@pytest.fixture
def client(world: IntermediaryWorld) -> Iterator[IntermediaryClient]:
    transport = SyncASGITransport(world.app(), client=("192.0.2.1", 50_000))
    client = IntermediaryClient("http://intermediary.test", transport=transport, timeout=60)
    yield client
    client.close()
    transport.close()


@pytest.fixture
def kiosk(qtbot: Any, client: IntermediaryClient, config: KioskConfig) -> Iterator[KioskDriver]:
    deliver = FakeDeliver()
    window = build_window(client, replace(config, mode="manual"), deliver, clock=FakeClock(),
                          now=lambda: slot(MONTH_END_SLOT + 10), list_printers=lambda server=None: [],
                          camera=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield KioskDriver(qtbot, window)
    window.close()


def test_a_period_that_cuts_a_month_certifies_exactly_its_allocations(world: IntermediaryWorld,
                                                                      kiosk: KioskDriver) -> None:
    before, inside = allocate(world, [OCTOBER_30_EVENING]), allocate(world, OCTOBER_31_LATE)
    november = allocate(world, [MONTH_END_SLOT])
    http = world.http()
    rows = world.open_rows(http, world.login(http))
    assert any(r["period_start"] < slot(OCTOBER_30_EVENING + 1) < r["period_end"] for r in rows)

    october_31 = date(2026, 10, 31)  # a day of October's row, 00:00-24:00 JST
    kiosk.request("ca", PASSWORD, october_31, october_31, "solar", expect="manualConfirm")
    assert kiosk.text("note").startswith("The period cuts transactions grouped by month")
    kiosk.click("manualIssue")
    kiosk.wait_screen("done", timeout_ms=30_000)

    auth = world.login(http)
    (certificate_id,) = [c["certificate_id"] for c in http.get("/api/v1/certificates", headers=auth).json()["items"]]
    record = world.service.node.value(f"cert/{certificate_id}")["value"]
    assert sorted(record["assets"]) == sorted(inside)  # not October 30's, not November's
    assert (record["start"], record["end"]) == (slot(OCTOBER_31_LATE[0]), slot(OCTOBER_31_LATE[1] + 1))
    assert kiosk.text("certificateId") == f"Reference: {short_reference(certificate_id)}"
    assert sum(r["amount_wh"] for r in world.open_rows(http, auth)) == len(before + november) * WH  # still open

    kiosk.click("printAnother")
    kiosk.wait_screen("manual")
    kiosk.type("password", PASSWORD)  # the form kept the rest of the request
    kiosk.click("manualOk")
    kiosk.wait_screen("alreadyIssued", timeout_ms=30_000)  # S209b: everything inside the period was certified
    assert kiosk.text("certificateId") == f"Reference: {short_reference(certificate_id)}"
