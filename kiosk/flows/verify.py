"""The auditor's verification mode (issue #13), reached from the idle screen without a log-in.

    login ─Verify a certificate→ verify ─scanner (Enter)→ progress ─→ verifyResult ─Finish→ login
                                   │ ─Files on a USB stick→ progress ─→ verifyFiles ─touch a file→ progress ─┘
                                   │ ─Scan with the camera→ verifyCamera ─a certificate's QR code→ progress ─┘
                                   │   (only where there is one)  └─Back→ verify
    verify ─a GCT1: trust anchor (scanner or camera)→ verify, "checks use your anchor" ─Stop using it→ verify
    verifyResult ─Verify another→ verify (verifyCamera after the camera's read)
                 ─Show the certificate (a PDF)→ certificateView ─Back→ verifyResult

The check itself is ``kiosk.core.auditor`` (the light node's ``ledger_lite.audit``) on the worker thread, so
the screen stays live and the progress screen shows it; the idle timeout wipes every screen on the way (the flow's
reset), as for an applicant.

The auditor's own trust anchor is held by the verify screen (``VerifyScreen.anchor``) and handed to every check's
``Auditor`` while it is loaded (``kiosk.core.auditor_anchor``); the screen's ``clear`` — Finish, Back to sign-in,
the idle timeout, all through the flow's reset — forgets it. It is never written to disk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.core.auditor import Auditor, Verification
from kiosk.core.usb_files import Document, find_documents
from kiosk.flows.common import SharedFlow
from kiosk.flows.view import ViewFlow


class VerifyFlow:
    def __init__(self, flow: SharedFlow, auditor: Callable[[], Auditor], viewer: ViewFlow,
                 *, camera: bool = False) -> None:
        self.flow = flow
        self.auditor = auditor
        self.viewer = viewer
        self._another: Callable[[], None] = self.open  # "Verify another": back to where the last one came from
        # Asked each time the mode opens (a camera plugged in later appears); None: ``camera`` was decided
        self.find_camera: Callable[[], bool] | None = None
        w = flow.window
        w.verify.set_camera_available(camera)
        w.login.verifyRequested.connect(self.open)
        w.manual.verifyRequested.connect(self.open)  # the main embodiment's start screen
        w.verify.backRequested.connect(flow.logout)
        w.verify.scanned.connect(self.check_scan)
        w.verify.filesRequested.connect(self.find_files)
        w.verify.cameraRequested.connect(self.open_camera)
        w.verify_camera.backRequested.connect(self.open)
        w.verify_camera.scanned.connect(self.check_camera)
        w.verify_camera.anchorScanned.connect(self.load_anchor)
        w.verify_files.backRequested.connect(self.open)
        w.verify_files.refreshRequested.connect(self.find_files)
        w.verify_files.fileChosen.connect(lambda path: self.check_file(Path(path)))
        w.verify_result.finishRequested.connect(flow.logout)
        w.verify_result.anotherRequested.connect(lambda: self._another())
        w.verify_result.showPageRequested.connect(self.show_page)

    def open(self) -> None:
        screen = self.flow.window.verify
        screen.start_over()  # the auditor's anchor stays for their next check
        if self.find_camera is not None:
            screen.set_camera_available(self.find_camera())
        self._another = self.open
        self.flow.window.show_screen("verify")

    def open_camera(self) -> None:
        """The camera screen, with the camera on (it goes off again whenever the screen is left)."""
        screen = self.flow.window.verify_camera
        screen.clear()
        self._another = self.open_camera
        self.flow.window.show_screen("verifyCamera")
        screen.start()

    def load_anchor(self, text: str) -> None:
        """A trust anchor read by the camera: loaded (or refused) on the verify screen, which then says so."""
        self.open()
        self.flow.window.verify.load_anchor(text)

    def _auditor(self) -> Auditor:
        """The auditor for one check, with the auditor's own anchor while one is loaded."""
        auditor = self.auditor()
        auditor.anchor = self.flow.window.verify.anchor
        return auditor

    def check_camera(self, payload: str) -> None:
        """A certificate read by the camera: the same check as the scanner's, then the same result screen."""
        self._another = self.open_camera
        auditor = self._auditor()
        self._check(lambda: auditor.check_scan(payload, camera=True), retry=lambda: self.check_camera(payload))

    def check_scan(self, payload: str) -> None:
        auditor = self._auditor()
        self._check(lambda: auditor.check_scan(payload), retry=lambda: self.check_scan(payload))

    def check_file(self, path: Path) -> None:
        auditor = self._auditor()
        self._check(lambda: auditor.check_file(path), retry=lambda: self.check_file(path))

    def _check(self, job: Callable[[], Verification], *, retry: Callable[[], None]) -> None:
        flow = self.flow
        flow.show_progress("progress.verifying", on_cancel=self.open)
        flow.run(job, self._show, retry=retry)

    def _show(self, verification: Verification) -> None:
        self.flow.window.verify_result.show_verification(verification)
        self.flow.window.show_screen("verifyResult")

    def find_files(self) -> None:
        flow = self.flow
        roots = flow.settings.verify_roots
        flow.show_progress("progress.finding_files", on_cancel=self.open)
        flow.run(lambda: find_documents(roots), self._files_found, retry=self.find_files)

    def _files_found(self, documents: list[Document]) -> None:
        self.flow.window.verify_files.set_documents(documents)
        self.flow.window.show_screen("verifyFiles")

    def show_page(self) -> None:
        verification = self.flow.window.verify_result.verification
        if verification is None or verification.pdf is None:
            return
        cid = (verification.report.claims or {}).get("cid", "")
        self.viewer.show(verification.pdf, certificate_id=cid if isinstance(cid, str) else "",
                         back=lambda: self.flow.window.show_screen("verifyResult"))
