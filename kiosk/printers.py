"""The printers an operator can choose from, with their state in words (no Qt here).

``ListPrinters`` is ``printing.list_printers``: the CUPS queues with their state ("idle", "printing",
"stopped") and ``printer-state-reasons`` (``media-empty-error``, ``toner-low-warning``, ...). It is passed to
``build_window`` so tests can use a fake; the real one is imported only when first called.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from kiosk.core.language import Language
from kiosk.i18n import has_message, tr

REASON_SUFFIXES = ("-error", "-warning", "-report")


class PrinterInfoLike(Protocol):
    """What ``printing.PrinterInfo`` carries."""

    @property
    def name(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def state_reasons(self) -> tuple[str, ...]: ...

    @property
    def is_default(self) -> bool: ...


ListPrinters = Callable[[str | None], Sequence[PrinterInfoLike]]


def cups_list_printers(server: str | None) -> Sequence[PrinterInfoLike]:
    """The real lister: ``printing.list_printers`` (raises ``printing.PrinterUnavailable``)."""
    from printing import list_printers

    printers: Sequence[PrinterInfoLike] = list_printers(server)
    return printers


def reason_words(lang: Language, reason: str) -> str:
    """One CUPS state reason in words ("media-empty-error" → "out of paper"); unknown ones as they came."""
    base = reason
    for suffix in REASON_SUFFIXES:
        base = base.removesuffix(suffix)
    key = f"printer.reason.{base}"
    return tr(lang, key) if has_message(key) else reason


def describe_state(lang: Language, printer: PrinterInfoLike) -> str:
    """"Ready", "Stopped: out of paper, door open", ... for the settings screen."""
    key = f"printer.state.{printer.state}"
    state = tr(lang, key) if has_message(key) else printer.state
    reasons = [reason_words(lang, r) for r in printer.state_reasons if r and r != "none"]
    if not reasons:
        return state
    return tr(lang, "printer.state_with_reasons", state=state, reasons=tr(lang, "list.separator").join(reasons))


def needs_attention(printer: PrinterInfoLike) -> bool:
    """Stopped, or a reason reported as an error: printing there would probably fail."""
    return printer.state == "stopped" or any(r.endswith("-error") for r in printer.state_reasons)
