"""The kiosk window: a header (title, signed-in name, staff settings, language) over a stack of screens, and
the overlays drawn above them (on-screen keyboard, date picker, idle warning).

Navigation only; what happens when a button is touched is decided by ``kiosk.flow.KioskFlow``.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from PySide6.QtCore import QRect, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.core.language import Language, other_language
from kiosk.core.period import previous_month
from kiosk.i18n import LANGUAGE_PROPERTY, announce_language, tr
from kiosk.qt_compat import emit
from kiosk.screens.already_issued import AlreadyIssuedScreen
from kiosk.screens.base import Screen
from kiosk.screens.certificate_view import CertificateViewScreen
from kiosk.screens.confirm import ConfirmScreen
from kiosk.screens.done import DoneScreen
from kiosk.screens.error import ErrorScreen
from kiosk.screens.items_list import ItemsListScreen
from kiosk.screens.login import LoginScreen
from kiosk.screens.manual import ManualScreen
from kiosk.screens.manual_confirm import ManualConfirmScreen
from kiosk.screens.not_printed import NotPrintedScreen
from kiosk.screens.pin import PinScreen
from kiosk.screens.progress import ProgressScreen
from kiosk.screens.reprint import ReprintScreen
from kiosk.screens.settings import SettingsScreen
from kiosk.screens.verify import VerifyScreen
from kiosk.screens.verify_camera import VerifyCameraScreen
from kiosk.screens.verify_files import VerifyFilesScreen
from kiosk.screens.verify_result import VerifyResultScreen
from kiosk.widgets.controls import label, named, touch_button
from kiosk.widgets.date_picker import DateField, DatePicker
from kiosk.widgets.idle_warning import IdleWarning
from kiosk.widgets.keyboard import OnScreenKeyboard
from kiosk.widgets.overlay import Overlay
from kiosk.widgets.translatable import Translatable

PANEL_SIZE = (1024, 600)  # a typical MFP operation panel
IDLE_SCREENS = ("login", "manual")  # where the kiosk waits for the next applicant


class Driver(Protocol):
    """What drives the window (``kiosk.flow.KioskFlow``, which imports this module, never the reverse)."""

    def shutdown(self) -> None: ...


class MainWindow(Translatable, QWidget):
    screenChanged = Signal(str)
    languageChanged = Signal(str)

    def __init__(self, lang: Language = "ja", *, timezone: str | None = None, today: date | None = None,
                 keyboard: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskWindow")
        self._lang: Language = lang
        self.setProperty(LANGUAGE_PROPERTY, lang)  # what the screens read on QEvent.LanguageChange
        self._user_name: str | None = None
        self._user_name_ja: str | None = None  # shown instead in Japanese, when there is one
        self.flow: Driver | None = None  # the KioskFlow, set by kiosk.app.build_window

        self.header = named(QFrame(), "header")
        self.app_title = label("appTitle", role="appTitle", wrap=False)
        self.user_name = label("userName", role="userName", wrap=False)
        self.language_toggle = touch_button("languageToggle")
        self.language_toggle.setMinimumWidth(140)
        self.settings_button = touch_button("settingsButton")
        header_row = QHBoxLayout(self.header)
        header_row.setContentsMargins(24, 4, 12, 4)
        header_row.addWidget(self.app_title)
        header_row.addStretch(1)
        header_row.addWidget(self.user_name)
        header_row.addSpacing(16)
        header_row.addWidget(self.settings_button)
        header_row.addWidget(self.language_toggle)

        self.login = LoginScreen(lang)
        self.items_list = ItemsListScreen(lang, timezone=timezone)
        self.confirm = ConfirmScreen(lang, timezone=timezone)
        self.progress = ProgressScreen(lang)
        self.done = DoneScreen(lang)
        self.already_issued = AlreadyIssuedScreen(lang)
        self.not_printed = NotPrintedScreen(lang)
        self.error = ErrorScreen(lang)
        self.manual = ManualScreen(lang, default_period=previous_month(today or date.today()))
        self.manual_confirm = ManualConfirmScreen(lang, timezone=timezone)
        self.reprint = ReprintScreen(lang, timezone=timezone)
        self.pin = PinScreen(lang)
        self.settings = SettingsScreen(lang)
        self.verify = VerifyScreen(lang)  # the auditor's mode (issue #13)
        self.verify_files = VerifyFilesScreen(lang)
        self.verify_camera = VerifyCameraScreen(lang)  # only reached where there is a camera
        self.verify_result = VerifyResultScreen(lang)
        self.certificate_view = CertificateViewScreen(lang)  # S214a on the screen
        self._screens: dict[str, Screen] = {}
        self.stack = named(QStackedWidget(), "stack")
        for screen in (self.login, self.items_list, self.confirm, self.progress, self.done,
                       self.already_issued, self.error, self.manual, self.reprint, self.pin, self.settings,
                       self.not_printed, self.manual_confirm, self.verify, self.verify_files, self.verify_result,
                       self.certificate_view, self.verify_camera):
            self._screens[screen.name] = screen
            screen_layout = screen.layout()
            if screen_layout is not None:
                screen_layout.setContentsMargins(32, 16, 32, 20)
            self.stack.addWidget(screen)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)

        self.date_picker = DatePicker(self, lang)
        for field in self.findChildren(DateField):
            self._connect_date_field(field)
        self.idle_warning = IdleWarning(self, lang)
        self.keyboard = OnScreenKeyboard(self, lang) if keyboard else None

        self.language_toggle.clicked.connect(self.toggle_language)
        self.resize(*PANEL_SIZE)
        self.retranslate()
        self._update_settings_button()

    def _connect_date_field(self, field: DateField) -> None:
        field.pickRequested.connect(lambda: self.date_picker.pick_for(field))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        for overlay in self.overlays():
            if overlay.isVisible():
                overlay.place()

    def fill_screen(self) -> None:
        """Cover the whole panel, whatever its size or orientation, with or without a window manager.

        ``showFullScreen`` alone only asks a window manager; on X without one (a kiosk) the window would stay
        at its development size in the corner. So the window takes the screen's geometry itself, and follows it
        when the panel is rotated or changes mode.
        """
        screen = self.screen() or QGuiApplication.primaryScreen()
        self.setGeometry(screen.geometry())
        screen.geometryChanged.connect(self._follow_screen)
        self.showFullScreen()

    def _follow_screen(self, geometry: QRect) -> None:
        if self.isFullScreen():
            self.setGeometry(geometry)

    def overlays(self) -> list[Overlay]:
        return [o for o in (self.keyboard, self.date_picker, self.idle_warning) if o is not None]

    # -- navigation -------------------------------------------------------------------------------
    def screen_names(self) -> list[str]:
        return list(self._screens)

    def screen_named(self, name: str) -> Screen:
        return self._screens[name]

    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    def current_screen_name(self) -> str:
        return self.current_screen().name

    def show_screen(self, name: str) -> None:
        screen = self._screens[name]
        if self.stack.currentWidget() is not screen:
            self.stack.setCurrentWidget(screen)
            if self.keyboard is not None:
                self.keyboard.hide_keyboard()
            self.date_picker.close_overlay()
        self._update_settings_button()
        emit(self.screenChanged, name)

    # -- language and header ----------------------------------------------------------------------
    @property
    def language(self) -> Language:
        return self._lang

    def set_language(self, lang: Language) -> None:
        """Every screen, overlay and the header switch to ``lang`` (through ``QEvent.LanguageChange``)."""
        self._lang = lang
        announce_language(self, lang)
        emit(self.languageChanged, lang)

    def toggle_language(self) -> None:
        self.set_language(other_language(self._lang))

    def set_user_name(self, name: str | None, name_ja: str | None = None) -> None:
        """The signed-in user's name (None: nobody), and their Japanese name if they have one: the header shows
        that one while the kiosk is in Japanese, else ``name``."""
        self._user_name = name
        self._user_name_ja = name_ja if name is not None and name_ja else None
        self.retranslate()
        self._update_settings_button()

    def _update_settings_button(self) -> None:
        """Staff settings only from the idle screen, with nobody signed in."""
        self.settings_button.setVisible(self._user_name is None and self.current_screen_name() in IDLE_SCREENS)

    def retranslate(self) -> None:
        """The header's texts and the window title (each screen and overlay retranslates itself)."""
        self.app_title.setText(tr(self._lang, "app.title"))
        self.language_toggle.setText(tr(self._lang, "lang.toggle"))
        self.settings_button.setText(tr(self._lang, "header.settings"))
        shown = self._user_name_ja if self._lang == "ja" and self._user_name_ja else self._user_name
        self.user_name.setText(tr(self._lang, "header.user", name=shown) if self._user_name else "")
        self.setWindowTitle(tr(self._lang, "app.title"))

    def clear_personal_data(self) -> None:
        """Logout / idle timeout: no name, id, amount or password may stay on any screen."""
        for screen in self._screens.values():
            screen.clear()
        for overlay in (self.keyboard, self.date_picker, self.idle_warning):
            if overlay is not None:
                overlay.close_overlay()
        self.set_user_name(None)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.flow is not None:
            self.flow.shutdown()
        super().closeEvent(event)
