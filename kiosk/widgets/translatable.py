"""The one way a kiosk widget follows the window's language: the screens, the overlays and the window's header.

The window announces a switch (``kiosk.i18n.announce_language``): Qt sends every widget in it a
``QEvent.LanguageChange``; a ``Translatable`` widget then reads the window's language (``language_of``) and
calls its ``retranslate()``. ``set_language`` switches one widget on its own (a screen in a test).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QWidget

from kiosk.core.language import Language
from kiosk.i18n import language_of, tr

if TYPE_CHECKING:
    _Widget = QWidget
else:
    _Widget = object  # a mixin: the Qt class comes after it in the bases (``class Screen(Translatable, QWidget)``)


class Translatable(_Widget):
    """Mixin of a widget with texts in the current language; the widget's ``__init__`` sets ``_lang``."""

    _lang: Language

    @property
    def lang(self) -> Language:
        return self._lang

    def t(self, message_id: str, **params: object) -> str:
        return tr(self._lang, message_id, **params)

    def set_language(self, lang: Language) -> None:
        """Switch this widget on its own (in a window, ``MainWindow.set_language`` switches every one)."""
        self._lang = lang
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:  # the window switched language (kiosk.i18n)
            self._lang = language_of(self, self._lang)
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set every visible text for the current language."""
