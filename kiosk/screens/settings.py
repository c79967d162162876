"""Staff settings (behind the PIN): mode, language, idle timeout, whether each issued certificate is also shown on
the panel and the folders the auditor's file list looks in (issue #13); the connection (certificate server, or a ledger
node directly: modification 2) and its URLs; printer with its state and paper size; and a new PIN. Four sections
so that every row fits a 1024x600 panel with the keyboard open.

The auditor's folders are edited on a page of their own ("Edit folders" in the general section): the list with a
way to remove one, and the drives mounted under /media, /mnt and /run/media to add one by touch, no keyboard
(``kiosk.core.usb_files.mounted_folders``). Its texts are ``kiosk.core.verify_messages.PANEL_TEXTS``.

The screen only collects and checks what was entered (``saveRequested(KioskSettings, new_pin | None)``); the
flow saves it (``kiosk.core.settings.SettingsStore``) and applies it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QBoxLayout,
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.config import BACKENDS, DEFAULT_VERIFY_ROOTS, MODES, PAPER_SIZES, Backend, Mode
from kiosk.core.language import LANGUAGES, Language
from kiosk.core.messages import counted
from kiosk.core.settings import (
    DEFAULT_PIN,
    MAX_VERIFY_ROOTS,
    KioskSettings,
    RootRefused,
    check_pin_format,
    check_setting,
    is_http_urls,
    with_verify_root,
    without_verify_root,
)
from kiosk.core.usb_files import mounted_folders
from kiosk.core.verify_messages import panel_text
from kiosk.i18n import format_duration
from kiosk.printers import PrinterInfoLike, describe_state, needs_attention
from kiosk.qt_compat import emit
from kiosk.screens.base import Screen
from kiosk.screens.pin import pin_field
from kiosk.widgets.controls import TOUCH_MIN_PX, button_row, label, named, touch_button
from kiosk.widgets.scrolling import flick_to_scroll

IDLE_CHOICES_S = (30, 60, 120, 180, 300, 600)
SECTIONS = ("general", "connection", "printer", "pin")
PAGES = (*SECTIONS, "folders")  # "folders": the auditor's folders, reached from the general section
FolderRole = Qt.ItemDataRole.UserRole + 2
REFUSALS = {"not_a_folder": "settings.folders.not_a_folder", "listed": "settings.folders.listed_already",
            "too_many": "settings.folders.too_many", "last": "settings.folders.last",
            "not_listed": "settings.folders.choose_first"}
ON_OFF = ("off", "on")
PrinterRole = Qt.ItemDataRole.UserRole + 1
ATTENTION = QColor("#8a3b00")


def _choices(names: Sequence[str], prefix: str, group: QButtonGroup) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(8)
    for name in names:
        button = touch_button(f"{prefix}{name[:1].upper()}{name[1:]}")
        button.setCheckable(True)
        button.setProperty("role", "choice")
        button.setProperty("value", name)
        group.addButton(button)
        row.addWidget(button)
    row.addStretch(1)
    return row


def _checked(group: QButtonGroup) -> str:
    button = group.checkedButton()
    return str(button.property("value")) if button is not None else ""


def _check(group: QButtonGroup, value: object) -> None:
    for button in group.buttons():
        button.setChecked(button.property("value") == value)


@dataclass(frozen=True)
class DirectStatus:
    """What the connection section says about the direct mode: enrolled applicants, the pinned validators."""

    applicants: int = 0
    validators: int = 0  # pinned keys (0: not pinned yet)
    chain_id: str = ""
    problem: str | None = None  # the pin file cannot be read


class SettingsScreen(Screen):
    name = "settings"
    saveRequested = Signal(object, object)  # KioskSettings, new PIN or None
    backRequested = Signal()
    refreshRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._settings: KioskSettings | None = None
        self._default_pin = True
        self._problem: str | None = None
        self._notice: tuple[str, dict[str, object]] | None = None
        self._printers: list[PrinterInfoLike] | None = None
        self._printer_error: str | None = None
        self._direct = DirectStatus()
        self._roots: tuple[str, ...] = DEFAULT_VERIFY_ROOTS
        self._default_roots: tuple[str, ...] = DEFAULT_VERIFY_ROOTS
        self._mounts: list[Path] = []
        self._panel_notice: tuple[str, dict[str, object]] | None = None  # a PANEL_TEXTS notice
        self.find_mounts: Callable[[], list[Path]] = mounted_folders  # tests give their own drives
        self.title = label("title", role="title")
        self.section_group = QButtonGroup(self)
        sections = _choices(SECTIONS, "section", self.section_group)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._general_page())
        self.pages.addWidget(self._connection_page())
        self.pages.addWidget(self._printer_page())
        self.pages.addWidget(self._pin_page())
        self.pages.addWidget(self._folders_page())
        self.notice = label("notice", role="notice")
        self.back = touch_button("back")
        self.save = touch_button("settingsSave", primary=True)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addLayout(sections)
        layout.addLayout(title_row)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.notice)
        layout.addLayout(button_row(self.back, self.save))
        self.section_group.buttonClicked.connect(self._section_touched)
        self.back.clicked.connect(self.backRequested)
        self.save.clicked.connect(self._save)
        self.show_section("general")

    # -- pages ------------------------------------------------------------------------------------
    def _form(self) -> tuple[QWidget, QGridLayout]:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 8, 0, 0)
        grid.setHorizontalSpacing(20)
        grid.setVerticalSpacing(10)
        grid.setColumnStretch(1, 1)
        return page, grid

    def _row(self, grid: QGridLayout, key: str, item: QWidget | QBoxLayout, *, narrow: bool = False) -> None:
        row = grid.rowCount()
        grid.addWidget(self.labels.setdefault(key, label(f"{key}Label")), row, 0,
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if isinstance(item, QWidget):
            grid.addWidget(item, row, 1, Qt.AlignmentFlag.AlignLeft if narrow else Qt.AlignmentFlag(0))
        else:
            grid.addLayout(item, row, 1)

    def _general_page(self) -> QWidget:
        self.labels: dict[str, QLabel] = {}
        page, grid = self._form()
        self.mode_group = QButtonGroup(self)
        self.language_group = QButtonGroup(self)
        self.idle = named(QComboBox(), "idleTimeout")
        self.idle.setView(QListView())
        self.idle.setMinimumHeight(TOUCH_MIN_PX)
        self.idle.setMinimumWidth(220)
        idle_row = QHBoxLayout()
        idle_row.addWidget(self.idle)
        idle_row.addStretch(1)
        self._row(grid, "mode", _choices(MODES, "mode", self.mode_group))
        self._row(grid, "language", _choices(LANGUAGES, "lang", self.language_group))
        self._row(grid, "idle", idle_row)
        grid.setVerticalSpacing(6)  # five rows of touch targets on a 1024x600 panel
        self.on_screen_group = QButtonGroup(self)
        self._row(grid, "onScreen", _choices(ON_OFF, "showOnScreen", self.on_screen_group))
        self.roots_text = label("verifyRoots", role="detail")  # the folders, one after the other
        self.reset_roots = touch_button("resetVerifyRoots")
        self.edit_roots = touch_button("editVerifyRoots")
        roots_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)  # top to bottom on a portrait panel
        roots_row.setSpacing(12)
        roots_row.addWidget(self.roots_text, 1)
        for button in (self.edit_roots, self.reset_roots):  # their words whole; the folders' text wraps
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            roots_row.addWidget(button)
        self.roots_row = roots_row
        self._row(grid, "verifyRoots", roots_row)
        grid.setRowStretch(grid.rowCount(), 1)
        self.reset_roots.clicked.connect(self._reset_roots)
        self.edit_roots.clicked.connect(self._edit_roots)
        return page

    def _touch_list(self, object_name: str) -> QListWidget:
        listed = named(QListWidget(), object_name)
        listed.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        listed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        listed.setUniformItemSizes(True)
        listed.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a long path keeps its drive's name in sight
        listed.setMinimumHeight(2 * TOUCH_MIN_PX + 4)
        flick_to_scroll(listed)
        return listed

    def _folders_page(self) -> QWidget:
        """The auditor's folders: the list (remove one) beside the mounted drives (add one)."""
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 8, 0, 0)
        self.root_list = self._touch_list("verifyRootList")
        self.mount_list = self._touch_list("mountList")
        self.listed_heading = label("verifyRootsListed", role="detail")
        self.mounted_heading = label("mountsHeading", role="detail")
        self.mounts_empty = label("mountsEmpty", role="notice")
        self.remove_root = touch_button("removeVerifyRoot")
        self.refresh_mounts = touch_button("refreshMounts")
        self.add_root = touch_button("addVerifyRoot", primary=True)
        self.folders_done = touch_button("foldersDone")
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self.listed_heading)
        left.addWidget(self.root_list, 1)
        left.addLayout(button_row(self.folders_done, self.remove_root))
        right.addWidget(self.mounted_heading)
        right.addWidget(self.mount_list, 1)
        right.addWidget(self.mounts_empty)
        right.addLayout(button_row(self.refresh_mounts, self.add_root))
        lists = QHBoxLayout()
        lists.setSpacing(20)
        lists.addLayout(left, 1)
        lists.addLayout(right, 1)
        column.addLayout(lists, 1)
        self.remove_root.clicked.connect(self._remove_root)
        self.add_root.clicked.connect(self._add_root)
        self.refresh_mounts.clicked.connect(self._refresh_mounts)
        self.folders_done.clicked.connect(lambda: self.show_section("general"))
        self.root_list.itemSelectionChanged.connect(self._show_folder_buttons)
        self.mount_list.itemSelectionChanged.connect(self._show_folder_buttons)
        return page

    def _url_field(self, object_name: str) -> QLineEdit:
        field = named(QLineEdit(), object_name)
        field.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly | Qt.InputMethodHint.ImhNoAutoUppercase)
        field.setMaxLength(300)
        field.setMinimumHeight(TOUCH_MIN_PX)
        return field

    def _connection_page(self) -> QWidget:
        page, grid = self._form()
        self.backend_group = QButtonGroup(self)
        self.url = self._url_field("intermediaryUrl")  # the text fields stay above the keyboard when it opens
        self.node_url = self._url_field("nodeUrl")
        self.direct_status = label("directStatus", role="detail")
        self._row(grid, "backend", _choices(BACKENDS, "backend", self.backend_group))
        self._row(grid, "url", self.url)
        self._row(grid, "nodeUrl", self.node_url)
        grid.addWidget(self.direct_status, grid.rowCount(), 1)
        grid.setRowStretch(grid.rowCount(), 1)
        self.backend_group.buttonClicked.connect(lambda _: self._show_backend())
        return page

    def _printer_page(self) -> QWidget:
        page, grid = self._form()
        self.printer_list = named(QListWidget(), "printerList")
        self.printer_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.printer_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.printer_list.setUniformItemSizes(True)
        flick_to_scroll(self.printer_list)
        self.printer_list.setMinimumHeight(2 * TOUCH_MIN_PX + 4)
        self.printer_status = label("printerStatus", role="detail")
        self.refresh = touch_button("refreshPrinters")
        self.paper = named(QComboBox(), "paperSize")
        self.paper.setView(QListView())
        self.paper.setMinimumHeight(TOUCH_MIN_PX)
        self.paper.setMinimumWidth(220)
        for size in PAPER_SIZES:
            self.paper.addItem(size, size)
        self.labels["printer"] = label("printerLabel", wrap=False)
        status = QHBoxLayout()
        status.addWidget(self.labels["printer"])
        status.addSpacing(12)
        status.addWidget(self.printer_status, 1)
        status.addWidget(self.refresh)
        paper_row = QHBoxLayout()
        paper_row.addWidget(self.paper)
        paper_row.addStretch(1)
        grid.addLayout(status, 0, 0, 1, 2)
        grid.addWidget(self.printer_list, 1, 0, 1, 2)  # the whole width: a queue's state may be long
        self._row(grid, "paper", paper_row)
        grid.setRowStretch(1, 1)
        self.refresh.clicked.connect(self.refreshRequested)
        return page

    def _pin_page(self) -> QWidget:
        page, grid = self._form()
        self.new_pin = pin_field("newPin")
        self.repeat_pin = pin_field("repeatPin")
        for field in (self.new_pin, self.repeat_pin):
            field.setFixedWidth(320)
        self._row(grid, "newPin", self.new_pin, narrow=True)
        self._row(grid, "repeatPin", self.repeat_pin, narrow=True)
        self.pin_hint = label("pinHint", role="detail")
        self.default_pin = label("defaultPin", role="notice")
        grid.addWidget(self.pin_hint, grid.rowCount(), 1)
        grid.addWidget(self.default_pin, grid.rowCount(), 1)
        grid.setRowStretch(grid.rowCount(), 1)
        return page

    def resizeEvent(self, event: QResizeEvent) -> None:
        portrait = event.size().width() < event.size().height()
        self.roots_row.setDirection(QBoxLayout.Direction.TopToBottom if portrait
                                    else QBoxLayout.Direction.LeftToRight)
        super().resizeEvent(event)

    # -- content ----------------------------------------------------------------------------------
    def show_settings(self, settings: KioskSettings, *, default_pin: bool, problem: str | None = None,
                      direct: DirectStatus | None = None,
                      default_roots: tuple[str, ...] = DEFAULT_VERIFY_ROOTS) -> None:
        """``default_roots``: the start-up configuration's folders, what "Reset to defaults" sets."""
        self._settings = settings
        self._roots = tuple(settings.verify_roots)
        self._default_roots = tuple(default_roots)
        self._default_pin = default_pin
        self._problem = problem
        self._direct = direct or DirectStatus()
        self._notice = ("settings.file_problem", {"reason": problem}) if problem else None
        self._panel_notice = None
        self.url.setText(settings.intermediary_url)
        self.node_url.setText(settings.node_url or "")
        _check(self.backend_group, settings.backend)
        _check(self.mode_group, settings.mode)
        _check(self.language_group, settings.language)
        _check(self.on_screen_group, "on" if settings.show_on_screen else "off")
        self.paper.setCurrentIndex(max(0, self.paper.findData(settings.paper_size)))
        self.new_pin.clear()
        self.repeat_pin.clear()
        self.idle.clear()  # refilled from ``settings`` by retranslate
        self.printer_list.clear()
        self._printers, self._printer_error = None, None
        self.show_section("general")
        self.retranslate()

    def set_printers(self, printers: Sequence[PrinterInfoLike] | None, error: str | None = None) -> None:
        """The CUPS queues (None while looking for them, or with ``error`` when the print server failed)."""
        self._printers = list(printers) if printers is not None else None
        self._printer_error = error
        self.retranslate()

    def show_section(self, section: str) -> None:
        """One of ``SECTIONS``, or ``"folders"`` (the auditor's folders, no section button of its own)."""
        _check(self.section_group, section if section in SECTIONS else "general")
        self.pages.setCurrentIndex(PAGES.index(section))

    def current_section(self) -> str:
        return PAGES[self.pages.currentIndex()]

    def select_printer(self, name: str | None) -> None:
        for row in range(self.printer_list.count()):
            item = self.printer_list.item(row)
            if item.data(PrinterRole) == name:
                self.printer_list.setCurrentItem(item)

    def selected_printer(self) -> str | None:
        item = self.printer_list.currentItem()
        if item is None:
            return self._settings.printer if self._settings else None
        value = item.data(PrinterRole)
        return value if isinstance(value, str) else None

    def show_notice(self, message_id: str | None, **params: object) -> None:
        self._notice = (message_id, params) if message_id else None
        self._panel_notice = None
        self.retranslate()

    def _show_panel_notice(self, message_id: str | None, **params: object) -> None:
        self._panel_notice = (message_id, params) if message_id else None
        self._notice = None
        self.retranslate()

    def clear(self) -> None:
        """Leaving the settings: no PIN may stay in a field."""
        self.new_pin.clear()
        self.repeat_pin.clear()
        self._notice = None
        self._panel_notice = None

    def retranslate(self) -> None:
        self.title.setText(self.t("settings.title"))
        texts = {"url": "settings.url", "mode": "settings.mode", "language": "settings.language",
                 "idle": "settings.idle", "printer": "settings.printer", "paper": "settings.paper",
                 "newPin": "settings.new_pin", "repeatPin": "settings.repeat_pin", "backend": "settings.backend",
                 "nodeUrl": "settings.node_url", "onScreen": "settings.show_on_screen",
                 "verifyRoots": "settings.verify_roots"}
        for key, message_id in texts.items():
            self.labels[key].setText(self.t(message_id))
        for button in self.section_group.buttons():
            button.setText(self.t(f"settings.section.{button.property('value')}"))
        for button in self.mode_group.buttons():
            button.setText(self.t(f"settings.mode.{button.property('value')}"))
        for button in self.backend_group.buttons():
            button.setText(self.t(f"settings.backend.{button.property('value')}"))
        self._show_backend()
        for button in self.on_screen_group.buttons():
            button.setText(self.t(f"settings.show_on_screen.{button.property('value')}"))
        self.reset_roots.setText(self.t("settings.verify_roots_reset"))
        self._show_roots()
        for button in self.language_group.buttons():
            button.setText(self.t(f"lang.name.{button.property('value')}"))
        self._fill_idle()
        self._fill_printers()
        self.refresh.setText(self.t("settings.refresh"))
        self.pin_hint.setText(self.t("settings.pin_hint"))
        self.default_pin.setText(self.t("settings.default_pin", pin=DEFAULT_PIN))
        self.default_pin.setVisible(self._default_pin)
        self.back.setText(self.t("button.back"))
        self.save.setText(self.t("settings.save"))
        self._translate_folders()
        if self._panel_notice is not None:
            self.notice.setText(panel_text(self.lang, self._panel_notice[0], **self._panel_notice[1]))
        else:
            self.notice.setText(self.t(self._notice[0], **self._notice[1]) if self._notice else "")
        self.notice.setVisible(self._notice is not None or self._panel_notice is not None)

    def _show_backend(self) -> None:
        """The direct mode's state under the URLs while "Ledger node (direct)" is chosen."""
        direct = self._direct
        if direct.problem:
            trust = self.t("settings.trust_problem", reason=direct.problem)
        elif direct.validators:
            trust = self.t("settings.trust_pinned", count=direct.validators, chain=direct.chain_id)
        else:
            trust = self.t("settings.trust_unpinned")
        self.direct_status.setText(self.t("settings.direct_applicants", count=direct.applicants) + "\n" + trust)
        self.direct_status.setVisible(_checked(self.backend_group) == "direct")

    def _fill_idle(self) -> None:
        current = self.idle.currentData()
        if current is None and self._settings is not None:
            current = self._settings.idle_timeout_s
        choices: list[float] = list(IDLE_CHOICES_S)
        if isinstance(current, int | float) and current not in choices:
            choices = sorted([*choices, current])  # e.g. the start-up configuration's own value
        self.idle.clear()
        for seconds in choices:
            self.idle.addItem(format_duration(seconds, self.lang), seconds)
        self.idle.setCurrentIndex(max(0, self.idle.findData(current)))

    def _fill_printers(self) -> None:
        chosen = self.selected_printer()
        self.printer_list.clear()
        rows: list[tuple[str, str | None]] = [(self.t("settings.printer_none"), None)]
        names = set()
        for printer in self._printers or []:
            name = self.t("settings.printer_default", name=printer.name) if printer.is_default else printer.name
            rows.append((self.t("settings.printer_row", name=name, state=describe_state(self.lang, printer)),
                         printer.name))
            names.add(printer.name)
        if chosen is not None and chosen not in names:  # keep the configured queue choosable while it is away
            rows.append((self.t("settings.printer_missing", name=chosen), chosen))
        attention = {p.name for p in self._printers or [] if needs_attention(p)}
        for text, value in rows:
            item = QListWidgetItem(text)
            item.setData(PrinterRole, value)
            if value in attention or (value is not None and value not in names):
                item.setForeground(QBrush(ATTENTION))  # stopped, out of paper, or not found
            item.setSizeHint(QSize(0, TOUCH_MIN_PX))
            self.printer_list.addItem(item)
        self.select_printer(chosen)
        if self._printer_error:
            self.printer_status.setText(self.t("settings.printers_failed", reason=self._printer_error))
        elif self._printers is None:
            self.printer_status.setText(self.t("settings.printers_loading"))
        else:
            self.printer_status.setText(self.t(counted("settings.printers_found", len(self._printers)),
                                               count=len(self._printers)))

    # -- reactions --------------------------------------------------------------------------------
    def verify_roots(self) -> tuple[str, ...]:
        """The folders the auditor's file list will look in once saved."""
        return self._roots

    def _show_roots(self) -> None:
        self.roots_text.setText(", ".join(self._roots))  # one line where it fits: no room for 3 at 1024x600
        self.reset_roots.setEnabled(self._roots != self._default_roots)

    def _reset_roots(self) -> None:
        self._roots = self._default_roots
        self._show_roots()

    # -- the auditor's folders ----------------------------------------------------------------------
    def mounted(self) -> list[Path]:
        """The drives offered to add, as last looked for."""
        return list(self._mounts)

    def _edit_roots(self) -> None:
        self._panel_notice = None
        self._refresh_mounts()
        self.show_section("folders")

    def _refresh_mounts(self) -> None:
        self._mounts = self.find_mounts()
        self._fill_folders()

    def _fill_folders(self) -> None:
        for listed, paths in ((self.root_list, list(self._roots)), (self.mount_list, [str(m) for m in self._mounts])):
            listed.clear()
            for path in paths:
                item = QListWidgetItem(path)
                item.setData(FolderRole, path)
                item.setSizeHint(QSize(0, TOUCH_MIN_PX))
                listed.addItem(item)
        self.mounts_empty.setVisible(not self._mounts)
        self._show_folder_buttons()

    def _show_folder_buttons(self) -> None:
        self.remove_root.setEnabled(self.root_list.currentItem() is not None and len(self._roots) > 1)
        self.add_root.setEnabled(self.mount_list.currentItem() is not None)

    def _translate_folders(self) -> None:
        for widget, message_id in ((self.edit_roots, "settings.verify_roots_edit"),
                                   (self.listed_heading, "settings.folders.listed"),
                                   (self.mounted_heading, "settings.folders.mounted"),
                                   (self.mounts_empty, "settings.folders.none_mounted"),
                                   (self.remove_root, "settings.folders.remove"),
                                   (self.refresh_mounts, "settings.folders.refresh"),
                                   (self.add_root, "settings.folders.add"),
                                   (self.folders_done, "settings.folders.done")):
            widget.setText(panel_text(self.lang, message_id))

    @staticmethod
    def _chosen(listed: QListWidget) -> str | None:
        item = listed.currentItem()
        value = item.data(FolderRole) if item is not None else None
        return value if isinstance(value, str) else None

    def _change_roots(self, change: Callable[[tuple[str, ...], str], tuple[str, ...]], folder: str | None,
                      done: str) -> None:
        """Apply ``change`` (``with_verify_root`` / ``without_verify_root``) or say plainly why not; the list
        is what it was when a change is refused."""
        if folder is None:
            self._show_panel_notice("settings.folders.choose_first")
            return
        try:
            self._roots = change(self._roots, folder)
        except RootRefused as refused:
            self._show_panel_notice(REFUSALS[refused.reason], folder=folder, count=MAX_VERIFY_ROOTS)
            return
        self._fill_folders()
        self._show_roots()
        self._show_panel_notice(done, folder=folder)

    def _remove_root(self) -> None:
        self._change_roots(without_verify_root, self._chosen(self.root_list), "settings.folders.removed")

    def _add_root(self) -> None:
        self._change_roots(with_verify_root, self._chosen(self.mount_list), "settings.folders.added")

    def _section_touched(self, button: QAbstractButton) -> None:
        self.show_section(str(button.property("value")))

    def _save(self) -> None:
        if self._settings is None:
            return
        url, node_url = self.url.text().strip(), self.node_url.text().strip() or None
        backend = cast(Backend, _checked(self.backend_group))
        try:
            check_setting("intermediary_url", url)
        except ValueError:
            self.show_section("connection")
            self.show_notice("settings.bad_url")
            return
        if (node_url is not None or backend == "direct") and not is_http_urls(node_url):
            self.show_section("connection")
            self.show_notice("settings.bad_node_url")
            return
        new_pin, repeat = self.new_pin.text(), self.repeat_pin.text()
        if new_pin or repeat:
            problem = None
            try:
                check_pin_format(new_pin)
            except ValueError:
                problem = "settings.pin_format"
            if problem is None and new_pin != repeat:
                problem = "settings.pin_mismatch"
            if problem is not None:
                self.show_section("pin")
                self.show_notice(problem)
                return
        idle = self.idle.currentData()
        settings = replace(self._settings, mode=cast(Mode, _checked(self.mode_group)), intermediary_url=url,
                           backend=backend, node_url=node_url,
                           printer=self.selected_printer(), paper_size=str(self.paper.currentData()),
                           language=cast(Language, _checked(self.language_group)),
                           show_on_screen=_checked(self.on_screen_group) == "on", verify_roots=self._roots,
                           idle_timeout_s=idle if isinstance(idle, int | float) else self._settings.idle_timeout_s)
        emit(self.saveRequested, settings, new_pin or None)

