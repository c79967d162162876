"""The kiosk's two languages (no Qt here; the texts and their formatting are in ``kiosk.i18n``)."""

from __future__ import annotations

from typing import Literal

Language = Literal["ja", "en"]
LANGUAGES: tuple[Language, ...] = ("ja", "en")


def other_language(lang: Language) -> Language:
    return "en" if lang == "ja" else "ja"
