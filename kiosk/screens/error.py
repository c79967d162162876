"""Errors in plain words, each with a way forward (try again, back, or back to sign-in).

When the server refused something, its own reason is shown too (``server_message``), under a plain sentence
for the codes the kiosk knows (``error.code.<code>``), in the language on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.core.language import Language
from kiosk.core.messages import counted
from kiosk.i18n import has_message
from kiosk.screens.base import Screen
from kiosk.widgets.controls import button_row, label, touch_button

KINDS = ("unreachable", "credentials", "locked", "expired", "print", "server", "rejected", "mixed_methods",
         "no_match", "unexpected", "node_unreachable", "unverified", "applicant_record")


@dataclass(frozen=True)
class ErrorInfo:
    kind: str  # one of KINDS
    params: dict[str, object] = field(default_factory=dict)
    can_retry: bool = False
    back_to_login: bool = False
    reload_list: bool = False  # "back" reloads the list (and so clears the selection) instead of just showing it
    back_id: str | None = None  # words on the back button instead of "Back" / "Back to sign-in"
    server_code: str = ""  # the server's {error, message} answer, when it refused
    server_message: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown error kind {self.kind!r}, expected one of {KINDS}")

    def message_id(self) -> str:
        if self.kind == "locked":
            return "error.locked.until" if self.params.get("time") else "error.locked.later"
        if self.server_code and has_message(f"error.code.{self.server_code}"):
            return f"error.code.{self.server_code}"
        count = self.params.get("count")
        if self.kind == "credentials" and isinstance(count, int) and count > 0:  # the server said attempts left
            return "error.credentials.last" if count == 1 else "error.credentials.attempts"
        if self.kind == "no_match" and isinstance(count, int) and count:
            return counted("error.no_match.partial", count)
        if self.kind == "no_match" and "method" not in self.params:
            return "error.no_match.any"  # no method was chosen and the period holds none
        return f"error.{self.kind}.message"


class ErrorScreen(Screen):
    name = "error"
    retryRequested = Signal()
    backRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._info: ErrorInfo | None = None
        self.title = label("title", role="title")
        self.message = label("message", role="summary")
        self.reason = label("serverReason", role="detail")
        self.back = touch_button("back")
        self.retry = touch_button("retry", primary=True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.reason)
        layout.addStretch(1)
        layout.addLayout(button_row(self.back, self.retry))
        self.back.clicked.connect(self.backRequested)
        self.retry.clicked.connect(self.retryRequested)
        self.retranslate()

    def show_error(self, info: ErrorInfo) -> None:
        self._info = info
        self.retranslate()

    @property
    def info(self) -> ErrorInfo | None:
        return self._info

    def clear(self) -> None:
        self._info = None
        self.retranslate()

    def retranslate(self) -> None:
        info = self._info
        self.retry.setText(self.t("button.retry"))
        self.retry.setVisible(bool(info and info.can_retry))
        if info is not None and info.back_id:
            self.back.setText(self.t(info.back_id))
        else:
            self.back.setText(self.t("button.to_login" if info and info.back_to_login else "button.back"))
        if info is None:
            self.title.setText("")
            self.message.setText("")
            self.reason.setText("")
            self.reason.hide()
            return
        self.title.setText(self.t(f"error.{info.kind}.title"))
        # A parameter may be given per language ({"ja": ..., "en": ...}), so that switching language works here.
        params = {k: v.get(self.lang, "") if isinstance(v, dict) else v for k, v in info.params.items()}
        self.message.setText(self.t(info.message_id(), **params))
        self.reason.setText(self.t("error.server_said", message=info.server_message) if info.server_message else "")
        self.reason.setVisible(bool(info.server_message))
