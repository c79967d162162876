"""Take a screenshot of every kiosk screen in Japanese and English: docs/screens/<screen>_<lang>.png.

Runs the real kiosk window (1024x600, the size of an MFP operation panel) on an X server. Without a display
it re-runs itself under ``xvfb-run``. By default it talks to the in-memory fake intermediary from
``tests/helpers``; with ``--url`` it signs in to a running intermediary (e.g. ``greencert demo``) instead and
walks the screens that need no failure to be provoked (error screens are still filled in directly). Both the
list flow and the manual flow (S201–S214) are walked, with the reprint, staff PIN and settings screens, the
on-screen keyboard, the date picker and the idle warning. The direct mode (modification 2) shows the same
screens; its own are the settings' connection section and three error screens, taken in every walk. With
``--node`` (and ``--kiosk-dir``, where the applicant database is) the walk runs in direct mode against a node.

    .venv/bin/python scripts/screenshots.py                 # fake backend, both languages
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8001 --applicant demo --password demo
    .venv/bin/python scripts/screenshots.py --node http://127.0.0.1:8701 --kiosk-dir ~/.local/share/greencert/demo/kiosk
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.core.config import Mode
    from kiosk.core.ports import IntermediaryPort

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1024, 600)  # the panel; --size chooses another (e.g. 800x1280 for a portrait panel)
KIOSK_SAVE_DIR = Path("/home/kiosk/GreenCert/certificates")  # shown on the "saved as PDF" screens


def ensure_display(argv: list[str]) -> None:
    """Re-exec under Xvfb when there is no X display (and we are not already the re-exec'd child)."""
    if os.environ.get("DISPLAY") or os.environ.get("GREENCERT_SCREENSHOTS_CHILD"):
        return
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        sys.exit("no DISPLAY and no xvfb-run: install the 'xvfb' package or run on a desktop")
    env = dict(os.environ, GREENCERT_SCREENSHOTS_CHILD="1")
    command = [xvfb_run, "-a", "-s", f"-screen 0 {SIZE[0]}x{SIZE[1]}x24", sys.executable, *argv]
    sys.exit(subprocess.call(command, env=env))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="intermediary base URL; default: the in-memory fake")
    parser.add_argument("--node", help="direct mode: the ledger node's base URL (needs --kiosk-dir)")
    parser.add_argument("--kiosk-dir", type=Path, help="direct mode: the kiosk dir with applicants.sqlite")
    parser.add_argument("--applicant", default="demo")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    parser.add_argument("--timezone", default="Asia/Tokyo")
    parser.add_argument("--size", default="1024x600", help="panel size WxH (1024x600, 1280x800, 800x1280)")
    args = parser.parse_args(argv[1:])
    global SIZE
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"expected --size as WxH such as 800x1280, found {args.size!r}")
    SIZE = (width, height)
    if args.node and not args.kiosk_dir:
        parser.error("--node needs --kiosk-dir (where the direct mode's applicant database is)")
    ensure_display(argv)
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    sys.path.insert(0, str(ROOT))

    from PySide6.QtWidgets import QApplication

    app = QApplication([argv[0]])
    app.setStyle("Fusion")
    walk = Walk(args)
    try:
        walk.run()
    finally:
        walk.window.close()  # stops the idle watcher, waits for the worker threads
        shutil.rmtree(walk.saved_dir, ignore_errors=True)
    app.processEvents()
    return 0


class Walk:
    def __init__(self, args: argparse.Namespace) -> None:
        from kiosk import KioskConfig, build_window
        from tests.helpers.fake_intermediary import (
            BILINGUAL_TYPES,
            FAKE_NOW,
            FakeDeliver,
            FakeIntermediary,
            FakePrinter,
            FakePrinters,
            make_items,
        )

        self.args = args
        self.out: Path = args.out
        self.out.mkdir(parents=True, exist_ok=True)
        self.saved_dir = Path(tempfile.mkdtemp(prefix="greencert-shots-"))
        self.fake: FakeIntermediary | None = None
        self.lang = "ja"
        client: IntermediaryPort
        if args.node:
            from kiosk.core.config import APPLICANTS_FILE, TRUST_FILE
            from kiosk.direct.backend import DirectBackend

            kiosk_dir = Path(args.kiosk_dir).expanduser()
            client = DirectBackend(args.node, kiosk_dir / APPLICANTS_FILE, kiosk_dir / TRUST_FILE)
        elif args.url:
            from backend_client import IntermediaryClient

            client = IntermediaryClient(args.url)
        else:
            # Rows like the real demo's: per month and production method, one of them already certified.
            # Like the real list, each row says how many allocations it holds and up to when the list goes;
            # institutions come with English and Japanese names.
            self.items = make_items(12, certified=(2,))
            self.fake = FakeIntermediary(self.items, types=BILINGUAL_TYPES)
            client = self.fake
        self.deliver = FakeDeliver()
        self.make_items = make_items
        # The fake printer writes PDFs to a temp dir, but the screen shows where a kiosk would keep them.
        self.config = KioskConfig(args.url or "http://fake-intermediary", printer="MFP-3F-Kiosk",
                                  backend="direct" if args.node else "intermediary", node_url=args.node,
                                  save_dir=KIOSK_SAVE_DIR, timezone=args.timezone, idle_timeout_s=3600,
                                  config_dir=self.saved_dir / "config")
        self.printers = FakePrinters([FakePrinter("MFP-3F-Kiosk", is_default=True, info="3F kiosk printer"),
                                      FakePrinter("MFP-2F", "stopped", ("media-empty-error", "door-open-report")),
                                      FakePrinter("MFP-1F-Color", "printing", ("toner-low-warning",))])
        self.window = build_window(client, self.config, self.deliver_to_temp_dir, now=lambda: FAKE_NOW,
                                   list_printers=self.printers)
        self.window.move(0, 0)
        self.window.show()
        self.window.setFixedSize(*SIZE)
        self.taken: list[Path] = []

    def deliver_to_temp_dir(self, pdf: bytes, filename: str, *, save_dir: Path, printer: str | None,
                            server: str | None = None, media: str = "A4") -> Any:
        delivery = self.deliver(pdf, filename, save_dir=self.saved_dir, printer=printer, server=server, media=media)
        return dataclasses.replace(delivery, path=save_dir / filename) if delivery.path else delivery

    # -- helpers -------------------------------------------------------------------------------------------
    def wait(self, predicate: Callable[[], bool], timeout_s: float = 20.0) -> None:
        from PySide6.QtWidgets import QApplication

        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"screen {self.window.current_screen_name()!r} did not change in time")
            QApplication.processEvents()
            time.sleep(0.01)

    def settle(self, seconds: float = 0.25) -> None:
        deadline = time.monotonic() + seconds
        self.wait(lambda: time.monotonic() > deadline)

    def shoot(self, name: str) -> None:
        self.settle()
        pixmap = self.window.screen().grabWindow(self.window.winId())
        if pixmap.isNull() or pixmap.width() < SIZE[0]:
            pixmap = self.window.grab()  # fall back to rendering the widget tree
        path = self.out / f"{name}_{self.window.language}.png"
        pixmap.save(str(path))
        self.taken.append(path)
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    def touch(self, widget: Any, pos: Any = None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos if pos is not None else widget.rect().center())

    def touch_row(self, row: int) -> None:
        view = self.window.items_list.view
        index = view.model().index(row, 0)
        view.scrollTo(index)
        self.touch(view.viewport(), view.visualRect(index).center())

    def go(self, screen: str) -> None:
        self.wait(lambda: self.window.current_screen_name() == screen)

    def set_mode(self, mode: Mode) -> None:
        """Switch between the list and the manual flow for the walk (not saved: the file is a temp one)."""
        flow = self.window.flow
        assert flow is not None
        flow.store.settings = dataclasses.replace(flow.store.settings, mode=mode)
        self.logout()

    def logout(self) -> None:
        """Sign out; the kiosk then returns to its default language, so switch back to the walk's."""
        flow = self.window.flow
        assert flow is not None
        flow.logout()
        self.window.set_language(self.lang)  # type: ignore[arg-type]

    # -- the walk ------------------------------------------------------------------------------------------
    def run(self) -> None:
        for lang in ("ja", "en"):
            self.lang = lang
            self.set_mode("list")
            self.walk_list()
            self.walk_errors()
            self.walk_operator()
            self.set_mode("manual")
            self.walk_manual()
            self.set_mode("list")
            self.walk_verify()
        print(f"{len(self.taken)} screenshots in {self.out}")

    def walk_verify(self) -> None:
        """The auditor's mode (issue #13) against a real node and intermediary in this process, with one issued
        certificate: a scan online, a tampered scan, a scan offline, a PDF from a "USB stick" offline, its page."""
        import shutil

        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        from tests.kiosk.verify_world import open_verify_world, tampered

        if not hasattr(self, "verify_world"):
            self.verify_world = open_verify_world(self.saved_dir / "verify-world")
            stick = self.saved_dir / "media" / "kiosk" / "GREENCERT"
            stick.mkdir(parents=True)
            shutil.copy(self.verify_world.pdf, stick / "certificate-2026-10.pdf")
        world, flow, window = self.verify_world, self.window.flow, self.window
        assert flow is not None
        roots = flow.store.settings.verify_roots  # put back afterwards: the settings screen shows the defaults
        flow.store.settings = dataclasses.replace(flow.store.settings,
                                                  verify_roots=(str(self.saved_dir / "media"),))
        cache = self.saved_dir / f"trust-{self.lang}.json"

        def scan(text: str, auditor: Any) -> None:
            flow.verifier.auditor = auditor
            self.touch(window.login.verify) if window.current_screen_name() == "login" else flow.verifier.open()
            self.go("verify")
            QTest.keyClicks(window.verify, text)
            QTest.keyClick(window.verify, Qt.Key.Key_Return)
            self.go("verifyResult")

        self.logout()
        self.touch(window.login.verify)
        self.go("verify")
        self.shoot("verify")
        scan(world.payload, world.online(cache))
        self.shoot("verify-result")
        scan(tampered(world.payload), world.online(cache))
        self.shoot("verify-result-tampered")
        scan(world.payload, world.offline(cache))
        self.shoot("verify-result-offline")
        flow.verifier.open()
        self.touch(window.verify.files)
        self.go("verifyFiles")
        self.shoot("verify-files")
        files = window.verify_files.files
        self.touch(files.viewport(), files.visualItemRect(files.item(0)).center())
        self.go("verifyResult")
        self.shoot("verify-result-pdf")
        self.touch(window.verify_result.show_page)
        self.wait(lambda: window.certificate_view.state == "shown")
        self.shoot("certificate-view")
        self.touch(window.certificate_view.qr)
        self.shoot("certificate-view-qr")
        flow.store.settings = dataclasses.replace(flow.store.settings, verify_roots=roots)
        self.logout()

    def walk_list(self) -> None:
        w, flow = self.window, self.window.flow
        assert flow is not None
        self.logout()
        if self.fake is not None:  # the same rows in each language (the walk below certifies two of them)
            self.fake.items = list(self.items)
        self.shoot("login")
        w.login.applicant_id.setText(self.args.applicant)
        w.login.password.setText("x" * len(self.args.password))
        self.shoot("login-filled")
        self.touch(w.login.password)
        self.shoot("login-keyboard")
        assert w.keyboard is not None
        w.keyboard.done()
        w.login.password.clear()
        w.login.show_notice("login.idle_logout")
        self.shoot("login-idle")
        w.login.clear()

        if self.fake is not None:
            self.fake.hold("login")
        flow.lists.login(self.args.applicant, self.args.password)
        self.go("progress")
        self.shoot("progress")
        if self.fake is not None:
            self.fake.release("login")
        self.go("list")
        model, view = w.items_list.model, w.items_list.view
        free = model.open_rows()
        issued = [r for r in range(model.rowCount()) if r not in free]
        if free:  # two rows of the first open row's method; one certificate covers one production method
            method = model.item(free[0]).production_method
            for row in model.open_rows(method)[:2]:
                view.selectRow(row)
            view.scrollToTop()
            self.shoot("list")
            others = [r for r in free if model.item(r).production_method != method]
            if others:  # touching a row of another method explains why it cannot be added
                self.touch_row(others[0])
                view.scrollToTop()
                self.shoot("list-other-method")
        w.items_list.next.click()
        self.go("confirm")
        self.shoot("confirm")

        if self.fake is not None or os.environ.get("GREENCERT_SCREENSHOTS_ISSUE"):
            w.confirm.issue.click()
            self.go("done")
            self.shoot("done")
            w.done.print_another.click()
            self.go("list")
        if issued:
            flow.show_already_issued([w.items_list.model.item(issued[0]).certificate_id or ""], stale=False)
            self.go("alreadyIssued")
            self.shoot("already-issued")

        if self.fake is not None:  # variants that need a failure the fake can provoke
            self.deliver.printer_broken = True
            flow.reprint(w.already_issued.certificate_id)
            self.go("notPrinted")  # issue #10: a printer failure has its own screen
            self.wait(lambda: w.not_printed.printer_state.text() != w.not_printed.t("not_printed.printer_checking"))
            self.shoot("done-printer-problem")
            self.deliver.printer_broken = False
            w.not_printed.next.click()
            self.go("list")
            # 18 rows or more: filters by production method and month above the list
            w.items_list.set_items(self.make_items(36, certified=(2,)))
            self.shoot("list-filters")
            w.items_list.set_items(self.fake.items)

        # Reprint of earlier certificates: the list, one chosen, and the done screen saying it is a reprint.
        w.items_list.reprint.click()
        self.go("reprint")
        w.reprint.view.selectRow(0)
        self.shoot("reprint")
        if w.reprint.selected_record() is not None:
            w.reprint.reprint.click()
            self.go("done")
            self.shoot("done-reprint")
        self.idle_warning()

    def idle_warning(self) -> None:
        self.window.idle_warning.show_countdown(17)
        self.shoot("idle-warning")
        self.window.idle_warning.close_overlay()

    def walk_errors(self) -> None:
        from kiosk.screens.error import ErrorInfo

        w = self.window
        w.error.show_error(ErrorInfo("print", {"cid": "3f7a" * 16}, can_retry=True))
        w.show_screen("error")
        self.shoot("error-print")
        self.logout()  # the other errors happen while nobody is signed in (or wipe the session first)
        errors = {
            "error-unreachable": ErrorInfo("unreachable", can_retry=True, back_to_login=True),
            "error-credentials": ErrorInfo("credentials", {"count": 3}, back_to_login=True),
            "error-credentials-last": ErrorInfo("credentials", {"count": 1}, back_to_login=True),
            "error-locked": ErrorInfo("locked", {"time": "14:35"}, back_to_login=True),
            "error-expired": ErrorInfo("expired", back_to_login=True),
            "error-mixed-methods": ErrorInfo("mixed_methods", reload_list=True),
            # direct mode (modification 2): the ledger node instead of the certificate server
            "error-node-unreachable": ErrorInfo("node_unreachable", can_retry=True, back_to_login=True),
            "error-unverified": ErrorInfo("unverified", can_retry=True),
            "error-applicant-record": ErrorInfo("applicant_record", back_to_login=True),
        }
        for name, info in errors.items():
            w.error.show_error(info)
            w.show_screen("error")
            self.shoot(name)

    def walk_operator(self) -> None:
        w, flow = self.window, self.window.flow
        assert flow is not None
        self.logout()
        w.settings_button.click()
        self.go("pin")
        self.shoot("pin")
        assert w.keyboard is not None
        w.keyboard.done()
        w.pin.ask_new_pin()  # the first staff use: the default PIN must be replaced
        self.shoot("pin-first-use")
        w.pin.clear()
        flow.operator.open_settings()
        self.wait(lambda: w.settings.printer_status.text() != w.settings.t("settings.printers_loading"))
        for section in ("general", "connection", "printer", "pin"):
            w.settings.show_section(section)
            self.shoot(f"settings-{section}")
        # The connection section with the direct mode chosen (modification 2): the node URL and what the kiosk holds.
        w.settings.show_section("connection")
        w.settings.backend_group.buttons()[1].click()
        w.settings.node_url.setText("http://10.0.0.7:8701")
        self.shoot("settings-connection-direct")
        flow.operator.leave()

    def walk_manual(self) -> None:
        from datetime import date

        w, flow = self.window, self.window.flow
        assert flow is not None
        self.wait(lambda: w.manual.types_loaded)
        self.shoot("manual")
        w.manual.applicant_id.setText(self.args.applicant)
        w.manual.password.setText("x" * len(self.args.password))
        w.manual.select_method("solar")
        w.manual.set_period(date(2026, 9, 1), date(2026, 10, 31))
        self.shoot("manual-filled")
        w.date_picker.pick_for(w.manual.first_day)
        self.shoot("manual-date-picker")
        w.date_picker.close_overlay()
        self.touch(w.manual.applicant_id)
        self.shoot("manual-keyboard")
        assert w.keyboard is not None
        w.keyboard.done()
        if self.fake is not None or os.environ.get("GREENCERT_SCREENSHOTS_ISSUE"):
            w.manual.password.setText(self.args.password)
            w.manual.set_period(date(2026, 9, 1), date(2026, 9, 30))  # one row (the list walk issued October)
            w.manual.ok.click()
            self.go("manualConfirm")  # issue #10: what will be issued, confirmed first
            self.shoot("manual-confirm")
            w.manual_confirm.issue.click()
            self.go("done")
            self.shoot("manual-done")
            w.done.print_another.click()
            self.go("manual")
            w.manual.password.setText(self.args.password)
            w.manual.set_period(date(2026, 6, 1), date(2026, 6, 30))
            w.manual.ok.click()
            self.go("error")
            self.shoot("error-no-match")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
