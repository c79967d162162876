"""What every screen shares: its name, language switching (``kiosk.widgets.translatable``), clearing personal
data. The touch-sized buttons and labels the screens are built of are in ``kiosk.widgets.controls``."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QWidget

from kiosk.core.language import Language
from kiosk.widgets.translatable import Translatable


class Screen(Translatable, QWidget):
    """Base of the screens. ``name`` is what ``MainWindow.show_screen`` and the tests use."""

    name: ClassVar[str] = ""

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{self.name}Screen")
        self._lang: Language = lang

    def retranslate(self) -> None:
        """Set every visible text from the translations for the current language."""
        raise NotImplementedError

    def clear(self) -> None:
        """Forget personal data (names, ids, amounts) shown here; called at logout and idle timeout."""

    def has_input(self) -> bool:
        """Something was typed or chosen here that an idle timeout must wipe."""
        return False
