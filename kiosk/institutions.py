"""An issuing institution and its certificate in the screen's language (issue #10, item 8).

The intermediary sends each certificate type with English and Japanese names (``institution_en``, ``name_en``,
``institution_ja``, ``name_ja``); an older server sends only ``institution`` and ``name`` (those fields are then
empty strings), and they are shown in every language. Every screen that names an institution or a certificate
type asks here, and relabels on a language switch (``relabel``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from backend_client import CertificateType
from kiosk.core.language import Language

if TYPE_CHECKING:
    from PySide6.QtWidgets import QComboBox


def institution_name(cert_type: CertificateType | str, lang: Language) -> str:
    """The institution's name in ``lang`` (a plain string, e.g. an unknown type id, is shown as it is)."""
    if isinstance(cert_type, str):
        return cert_type
    named = cert_type.institution_ja if lang == "ja" else cert_type.institution_en
    return named or cert_type.institution


def certificate_name(cert_type: CertificateType, lang: Language) -> str:
    """The certificate type's name in ``lang`` ("Green electricity certificate" / "グリーン電力証明書")."""
    named = cert_type.name_ja if lang == "ja" else cert_type.name_en
    return named or cert_type.name


def type_of(types: Sequence[CertificateType], type_id: str) -> CertificateType | str:
    """The type ``type_id`` among ``types``, or the id itself when the kiosk does not know it."""
    return next((t for t in types if t.type_id == type_id), type_id)


def relabel(combo: QComboBox, types: Sequence[CertificateType], lang: Language) -> None:
    """Fill ``combo`` with the institutions of ``types`` in ``lang`` (the type id as each item's data), keeping
    the current choice; on a language switch only the texts change."""
    if [combo.itemData(i) for i in range(combo.count())] == [t.type_id for t in types]:
        for index, cert_type in enumerate(types):
            combo.setItemText(index, institution_name(cert_type, lang))
        return
    current = combo.currentData()
    combo.clear()
    for cert_type in types:
        combo.addItem(institution_name(cert_type, lang), cert_type.type_id)
    if current is not None and (index := combo.findData(current)) >= 0:
        combo.setCurrentIndex(index)
