"""Staff settings behind the operator PIN (issue 5): header button → PIN → settings → save and apply.

Only reachable from the idle screen with nobody signed in. The PIN is checked by ``SettingsStore`` (scrypt
hash, lock-out after repeated wrong PINs); the printers are read from CUPS off the GUI thread. While the PIN is
the default one, the right PIN first asks for a new one, entered twice, and stores it (hashed) before the
settings open (issue #10).
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Sequence

from kiosk.core.config import KioskConfig
from kiosk.core.settings import DEFAULT_PIN, KioskSettings, SettingsError, check_pin_format
from kiosk.flows.common import SharedFlow
from kiosk.printers import ListPrinters, PrinterInfoLike
from kiosk.screens.settings import DirectStatus

log = logging.getLogger(__name__)


class OperatorFlow:
    def __init__(self, flow: SharedFlow, list_printers: ListPrinters) -> None:
        self.flow = flow
        self.list_printers = list_printers
        w = flow.window
        w.settings_button.clicked.connect(self.ask_pin)
        w.pin.submitted.connect(self.check_pin)
        w.pin.newPinChosen.connect(self.change_pin)
        w.pin.backRequested.connect(self.leave)
        w.settings.saveRequested.connect(self.save)
        w.settings.backRequested.connect(self.leave)
        w.settings.refreshRequested.connect(self.refresh_printers)

    def ask_pin(self) -> None:
        if self.flow.session is not None:
            return
        window = self.flow.window
        window.pin.clear()
        self._say_if_locked()
        window.show_screen("pin")
        if window.keyboard is not None:  # the only thing to do here is to type digits: show the number pad
            window.keyboard.show_for(window.pin.pin)

    def check_pin(self, pin: str) -> None:
        store = self.flow.store
        if store.check_pin(pin):
            if store.uses_default_pin and store.problem is None:  # a bad file is shown on the settings screen
                self.flow.window.pin.ask_new_pin()
            else:
                self.open_settings()
        elif not self._say_if_locked():
            log.warning("wrong staff PIN entered at the kiosk")
            self.flow.window.pin.show_notice("pin.wrong")
        keyboard = self.flow.window.keyboard
        if keyboard is not None and self.flow.window.current_screen_name() == "pin":
            keyboard.show_for(self.flow.window.pin.pin)

    def change_pin(self, pin: str, repeat: str) -> None:
        """The first staff use: store the new PIN (hashed), then open the settings."""
        screen, store = self.flow.window.pin, self.flow.store
        if pin != repeat:
            screen.show_notice("settings.pin_mismatch")
        elif pin == DEFAULT_PIN:
            screen.show_notice("pin.not_default", pin=DEFAULT_PIN)
        elif not pin_format_ok(pin):
            screen.show_notice("settings.pin_format")
        else:
            try:
                store.save(store.settings, new_pin=pin)
            except SettingsError as exc:
                log.error("the new staff PIN could not be stored: %s", exc)
                screen.show_notice("settings.save_failed", reason=str(exc))
            else:
                log.info("staff PIN changed from the default at first use; stored in %s", store.path)
                screen.clear()
                self.open_settings()
                return
        keyboard = self.flow.window.keyboard
        if keyboard is not None and self.flow.window.current_screen_name() == "pin":
            keyboard.show_for(screen.pin)

    def _say_if_locked(self) -> bool:
        locked_for = self.flow.store.locked_for()
        if locked_for > 0:
            self.flow.window.pin.show_notice("pin.locked", minutes=math.ceil(locked_for / 60))
        return locked_for > 0

    def open_settings(self) -> None:
        store = self.flow.store
        if store.problem:
            log.error("kiosk settings file problem: %s", store.problem)
        self.flow.window.settings.show_settings(store.settings, default_pin=store.uses_default_pin,
                                                problem=store.problem, direct=direct_status(self.flow.config),
                                                default_roots=self.flow.config.verify_roots)
        self.flow.window.show_screen("settings")
        self.refresh_printers()

    def refresh_printers(self) -> None:
        screen, server, list_printers = self.flow.window.settings, self.flow.config.cups_server, self.list_printers

        def found(printers: Sequence[PrinterInfoLike]) -> None:
            screen.set_printers(printers)

        def failed(exc: Exception) -> None:
            log.warning("could not list the printers: %s", exc)
            reason = getattr(exc, "message_ja" if screen.lang == "ja" else "message", None) or str(exc)
            screen.set_printers([], error=reason)

        screen.set_printers(None)
        self.flow.worker.submit(lambda: list_printers(server), found, failed)

    def save(self, settings: KioskSettings, new_pin: str | None) -> None:
        store, old = self.flow.store, self.flow.store.settings
        try:
            store.save(settings, new_pin=new_pin)
        except SettingsError as exc:
            log.error("could not save the kiosk settings: %s", exc)
            self.flow.window.settings.show_notice("settings.save_failed", reason=str(exc))
            return
        log.info("kiosk settings saved to %s%s", store.path, " with a new PIN" if new_pin else "")
        self.flow.window.settings.clear()
        self.flow.apply_settings(old, settings)
        self.flow.show_idle(notice="settings.saved")

    def leave(self) -> None:
        self.flow.worker.cancel_all()  # a printer search still running is not wanted any more
        self.flow.window.settings.clear()
        self.flow.window.pin.clear()
        self.flow.show_idle()


def pin_format_ok(pin: str) -> bool:
    try:
        check_pin_format(pin)
    except SettingsError:
        return False
    return True


def direct_status(config: KioskConfig) -> DirectStatus:
    """The direct mode's files in the config dir, for the connection section (two small local reads)."""
    from kiosk.direct import ApplicantDB, TrustError, TrustStore

    try:
        applicants = ApplicantDB(config.applicants_path).count()
    except sqlite3.Error as exc:
        log.error("direct mode: the applicant database %s cannot be read: %s", config.applicants_path, exc)
        applicants = 0
    try:
        pinned = TrustStore(config.trust_path).pinned()
    except TrustError as exc:
        return DirectStatus(applicants, problem=str(exc))
    if pinned is None:
        return DirectStatus(applicants)
    return DirectStatus(applicants, len(pinned.validators), pinned.chain_id)
