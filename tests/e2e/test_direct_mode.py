"""Modification 2 end to end: ``greencert demo --mode direct`` (headless) enrols demo/demo in the kiosk's own
applicant database; the real kiosk widgets in direct mode sign in against it, issue over the demo's ledger node
with Consumer Ca's user key, save the PDF, and ``greencert.verify`` finds it genuine; the same row issued again
from a second kiosk is refused by the node and shown as already issued."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from greencert.verify import GENUINE, verify
from kiosk import KioskConfig, build_window
from kiosk.app import connect_backend
from kiosk.core.settings import KioskSettings
from kiosk.direct import ApplicantDB
from kiosk.direct.backend import DirectBackend
from ledger_lite.reference import short_reference
from tests.helpers.demo import RunningDemo, demo_process
from tests.helpers.kiosk_driver import KioskDriver


@pytest.fixture(scope="module")
def direct_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    with demo_process(tmp_path_factory.mktemp("direct-demo"), "--mode", "direct", days=2) as running:
        yield running


def open_kiosk(qtbot: Any, config: KioskConfig) -> KioskDriver:
    client = connect_backend(KioskSettings.from_config(config), config)
    assert isinstance(client, DirectBackend)
    window = build_window(client, config)
    qtbot.addWidget(window)
    window.show()
    return KioskDriver(qtbot, window)


def close_kiosk(kiosk: KioskDriver) -> None:
    """Close the window and its backend's HTTP connections (as ``run_kiosk`` does on exit)."""
    flow = kiosk.window.flow
    kiosk.window.close()
    if flow is not None and isinstance(flow.client, DirectBackend):
        flow.client.close()


def row_of(kiosk: KioskDriver, item_id: str) -> int:
    model = kiosk.view.model()
    return next(r for r in range(model.rowCount()) if model.item(r).item_id == item_id)  # type: ignore[attr-defined]


def test_the_demo_enrolled_the_applicant_with_consumer_cas_key(direct_demo: RunningDemo) -> None:
    from greencert.world import load_world

    path = direct_demo.data_dir / "kiosk" / "applicants.sqlite"
    assert any(line.startswith(f"Direct-mode kiosk: applicant database {path}") for line in direct_demo.output)
    applicant = ApplicantDB(path).authenticate("demo", "demo")
    assert applicant.user_name == "Consumer Ca"
    assert applicant.owner == load_world(direct_demo.data_dir).users["Ca"].address


def test_direct_mode_issues_a_genuine_certificate_and_the_node_refuses_it_twice(
        qtbot: Any, direct_demo: RunningDemo, tmp_path: Path) -> None:
    config = KioskConfig(direct_demo.url, save_dir=tmp_path / "saved", language="en", timezone="Asia/Tokyo",
                         config_dir=direct_demo.data_dir / "kiosk", backend="direct", node_url=direct_demo.node_url)
    first, second = open_kiosk(qtbot, config), open_kiosk(qtbot, config)
    try:
        check_direct_mode(first, second, direct_demo, tmp_path, config)
    finally:
        for kiosk in (first, second):
            close_kiosk(kiosk)


def check_direct_mode(first: KioskDriver, second: KioskDriver, direct_demo: RunningDemo, tmp_path: Path,
                      config: KioskConfig) -> None:
    first.login("demo", "demo")  # S401–S403: checked against the kiosk's own applicant database
    assert first.text("userName") == "Signed in: Consumer Ca"
    second.login("demo", "demo")  # a second kiosk, whose list is about to become stale
    model = first.view.model()
    row = next(r for r in range(model.rowCount()) if not model.item(r).issued)  # type: ignore[attr-defined]
    item = model.item(row)  # type: ignore[attr-defined]
    # S404–S412: signed with the user key, verified by the light node
    first.issue([row], expect="done", timeout_ms=60_000)

    outcome = first.window.done.outcome
    assert outcome is not None and outcome.kind == "saved" and outcome.path is not None
    report = verify(str(outcome.path), node_url=direct_demo.node_url, offline=False,
                    trust_cache=tmp_path / "trust.json")
    assert report.exit_code == GENUINE, report.to_json()
    assert report.claims is not None and report.claims["wh"] == item.amount_wh
    assert report.claims["cid"] == outcome.certificate_id and report.claims["own"] == "Consumer Ca"
    assert {s.name for s in report.steps if s.ok} >= {"signature", "printed", "inclusion", "record", "revocation"}
    assert (config.trust_path).exists(), "the validators were pinned on first use"

    # S407/S408b: the second kiosk still offers the row; the node refuses and names the certificate
    second.issue([row_of(second, item.item_id)], expect="alreadyIssued", timeout_ms=60_000)
    assert second.window.already_issued.certificate_id == outcome.certificate_id
    assert any(short_reference(outcome.certificate_id) in text for text in second.visible_texts())

    # and the first kiosk's list now shows the row certified
    first.click("printAnother")
    first.wait_screen("list", timeout_ms=30_000)
    again = first.view.model().item(row_of(first, item.item_id))  # type: ignore[attr-defined]
    assert again.issued and again.certificate_id == outcome.certificate_id
