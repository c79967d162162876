"""The kiosk's real widgets in direct mode, against a real ledger node in-process: the flows are unchanged."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kiosk import KioskConfig, build_window
from kiosk.direct import LedgerUnverified, NodeUnreachable, RecordDamaged, TrustError
from kiosk.direct.backend import DirectBackend
from kiosk.failures import describe_error
from kiosk.screens.error import ErrorInfo
from tests.helpers.fake_intermediary import FakeDeliver
from tests.helpers.kiosk_driver import KioskDriver
from tests.kiosk.direct.conftest import APPLICANT, PASSWORD


@pytest.fixture
def config(tmp_path: Path) -> KioskConfig:
    return KioskConfig("http://unused-intermediary", save_dir=tmp_path / "saved", language="en",
                       timezone="Asia/Tokyo", config_dir=tmp_path / "kiosk", backend="direct",
                       node_url="http://node")


@pytest.fixture
def open_kiosk(qtbot: Any, config: KioskConfig, make_backend: Any) -> Any:
    windows = []

    def open_one(deliver: FakeDeliver | None = None) -> KioskDriver:
        window = build_window(make_backend(), config, deliver or FakeDeliver())
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return KioskDriver(qtbot, window)

    yield open_one
    for window in windows:
        window.close()


@pytest.fixture
def assets(ledger_world: Any, ledger_node: Any) -> None:
    for n in range(3):
        ledger_world.allocated_asset(ledger_node, n, 10_000)
    ledger_world.allocated_asset(ledger_node, 4, 50_000, meter=ledger_world.meter_oil)


def solar_row(kiosk: KioskDriver) -> int:
    model = kiosk.view.model()
    return next(r for r in range(model.rowCount())
                if model.item(r).production_method == "solar")  # type: ignore[attr-defined]


def test_list_flow_issues_and_saves_the_pdf_then_the_node_refuses_a_second_time(open_kiosk, assets, tmp_path):
    deliver = FakeDeliver()
    first, second = open_kiosk(deliver), open_kiosk()
    first.login(APPLICANT, PASSWORD)
    assert first.text("userName") == "Signed in: Consumer Ca"
    second.login(APPLICANT, PASSWORD)  # a second kiosk whose list is about to be stale
    first.issue([solar_row(first)], expect="done")
    outcome = first.window.done.outcome
    assert outcome is not None and outcome.kind == "saved"
    assert Path(outcome.path).read_bytes().startswith(b"%PDF")
    assert isinstance(first.window.flow.client, DirectBackend)
    # S408b: the other kiosk still offers the row; the node refuses and names the certificate
    second.issue([solar_row(second)], expect="alreadyIssued")
    assert second.window.already_issued.certificate_id == outcome.certificate_id
    # reprint from the already-issued screen: rebuilt from the verified ledger record
    second.click("reprint")
    second.wait_screen("done", timeout_ms=10_000)
    assert second.window.done.outcome.reprint
    # the first kiosk's list shows the row certified after "print another"
    first.click("printAnother")
    first.wait_screen("list")
    model = first.view.model()
    issued = [model.item(r) for r in range(model.rowCount()) if model.item(r).issued]  # type: ignore[attr-defined]
    assert [i.certificate_id for i in issued] == [outcome.certificate_id]


def test_a_wrong_password_is_said_as_in_the_intermediary_mode(open_kiosk):
    kiosk = open_kiosk()
    kiosk.login(APPLICANT, "wrong", expect="error")
    assert kiosk.text("title") == "Wrong ID or password"


@pytest.mark.parametrize(("error", "kind", "title"), [
    (NodeUnreachable("down"), "node_unreachable", "Cannot reach the ledger node"),
    (LedgerUnverified("inclusion", "bad proof"), "unverified", "The ledger's answer did not verify"),
    (TrustError("bad file"), "unverified", "The ledger's answer did not verify"),
    (RecordDamaged("tampered"), "applicant_record", "Your sign-in record has a problem"),
])
def test_the_direct_modes_failures_in_words(open_kiosk, error, kind, title, caplog):
    info = describe_error(error, during_login=True)
    assert info.kind == kind
    kiosk = open_kiosk()
    kiosk.window.error.show_error(info)
    kiosk.window.show_screen("error")
    assert kiosk.text("title") == title
    kiosk.click("languageToggle")
    assert kiosk.text("title") != title
    assert ErrorInfo(kind).message_id() == f"error.{kind}.message"


def test_manual_flow_in_direct_mode(open_kiosk, assets, ledger_world, ledger_node):
    """S201/S202 form, S403 at the kiosk, S404–S412 over the node: October 2026's solar half-hours."""
    from datetime import date

    kiosk = open_kiosk()
    kiosk.window.flow.store.settings = replace(kiosk.window.flow.store.settings, mode="manual")
    kiosk.window.flow.show_idle()
    kiosk.request(APPLICANT, PASSWORD, date(2026, 10, 1), date(2026, 10, 31), "solar")
    outcome = kiosk.window.done.outcome
    record = ledger_node.state.get(f"cert/{outcome.certificate_id}")
    assert record["wh"] == 30_000 and record["issuer"] == ledger_world.user.address
