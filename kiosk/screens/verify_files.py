"""The certificates on a USB stick (issue #13): PDF, PNG and JPEG files under the configured roots, newest first,
in rows big enough to touch (no file dialog: it is made for a mouse). Touching a row checks that file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.core.language import Language
from kiosk.core.usb_files import Document
from kiosk.i18n import format_date
from kiosk.qt_compat import emit
from kiosk.screens.base import Screen
from kiosk.widgets.controls import TOUCH_MIN_PX, button_row, label, touch_button
from kiosk.widgets.scrolling import flick_to_scroll

ROW_HEIGHT = 72  # two lines: the file's name, then when and where


class VerifyFilesScreen(Screen):
    name = "verifyFiles"
    fileChosen = Signal(str)
    refreshRequested = Signal()
    backRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._documents: list[Document] = []
        self.title = label("title", role="title")
        self.hint = label("hint")
        self.empty = label("emptyNotice", role="notice")
        self.files = QListWidget()
        self.files.setObjectName("fileList")
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.files.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.files.setWordWrap(True)
        flick_to_scroll(self.files)
        self.back = touch_button("back")
        self.refresh = touch_button("verifyRefresh")

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.files, 1)
        layout.addWidget(self.empty)
        layout.addLayout(button_row(self.back, self.refresh))
        self.back.clicked.connect(self.backRequested)
        self.refresh.clicked.connect(self.refreshRequested)
        self.files.itemClicked.connect(self._touched)
        self.retranslate()

    def set_documents(self, documents: list[Document]) -> None:
        self._documents = list(documents)
        self._rebuild_rows()
        self.retranslate()

    def _rebuild_rows(self) -> None:
        """One row per document. Rows are taken out one by one rather than with ``QListWidget.clear()``, which
        crashed now and then (PySide6 6.11, offscreen) when the list had been laid out and shown."""
        self.files.setCurrentRow(-1)
        while self.files.count():
            taken = self.files.takeItem(self.files.count() - 1)
            del taken
        for document in self._documents:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, str(document.path))
            item.setSizeHint(QSize(0, max(ROW_HEIGHT, TOUCH_MIN_PX)))
            self.files.addItem(item)

    @property
    def documents(self) -> list[Document]:
        return list(self._documents)

    def clear(self) -> None:
        self.set_documents([])

    def retranslate(self) -> None:
        self.title.setText(self.t("verify_files.title"))
        self.hint.setText(self.t("verify_files.hint"))
        self.empty.setText(self.t("verify_files.empty"))
        self.empty.setVisible(not self._documents)
        self.back.setText(self.t("button.back"))
        self.refresh.setText(self.t("verify_files.refresh"))
        for row, document in enumerate(self._documents):
            item = self.files.item(row)
            if item is not None:
                item.setText(self.row_text(document))

    def row_text(self, document: Document) -> str:
        when = datetime.fromtimestamp(document.modified)
        stamp = f"{format_date(when.date(), self.lang)} {when:%H:%M}"
        folder = document.folder or self.t("verify_files.top")
        return self.t("verify_files.row", name=document.path.name, when=stamp, folder=folder)

    def _touched(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(path, str) and Path(path).name:
            emit(self.fileChosen, path)
