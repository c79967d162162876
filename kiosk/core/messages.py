"""The catalogue of every text the kiosk shows: its message ids, in screen order.

The texts themselves are in Qt Linguist files, ``resources/translations/greencert_ja.ts`` and ``greencert_en.ts``
(context ``kiosk``, source text = the message id), compiled to the ``.qm`` files next to them, which
``kiosk.i18n`` loads with ``QTranslator``. The ids are listed here with ``QT_TRANSLATE_NOOP`` so that Qt's own
tool finds them; after adding one, update both ``.ts`` files, translate, and compile (see
``resources/translations/README.md``)::

    .venv/bin/pyside6-lupdate kiosk/core/messages.py -locations none \
        -ts resources/translations/greencert_ja.ts resources/translations/greencert_en.ts
    .venv/bin/pyside6-lrelease resources/translations/greencert_ja.ts resources/translations/greencert_en.ts

A test checks that both files hold every id here (and nothing else) with the same ``{placeholders}``, and
that the committed ``.qm`` files are what ``lrelease`` makes of the ``.ts`` files. No Qt here.
"""

from __future__ import annotations

from kiosk.core.verify_messages import VERIFY_MESSAGE_IDS

CONTEXT = "kiosk"  # the Qt translation context of every kiosk text


def QT_TRANSLATE_NOOP(context: str, message_id: str) -> str:  # the name pyside6-lupdate looks for
    """Mark ``message_id`` for the translation tools; returns it unchanged."""
    return message_id


MESSAGE_IDS: tuple[str, ...] = (
    # Header bar (every screen)
    QT_TRANSLATE_NOOP("kiosk", "app.title"),
    QT_TRANSLATE_NOOP("kiosk", "lang.toggle"),
    QT_TRANSLATE_NOOP("kiosk", "header.user"),
    # Common buttons
    QT_TRANSLATE_NOOP("kiosk", "button.ok"),
    QT_TRANSLATE_NOOP("kiosk", "button.cancel"),
    QT_TRANSLATE_NOOP("kiosk", "button.back"),
    QT_TRANSLATE_NOOP("kiosk", "button.logout"),
    QT_TRANSLATE_NOOP("kiosk", "button.next"),
    QT_TRANSLATE_NOOP("kiosk", "button.retry"),
    QT_TRANSLATE_NOOP("kiosk", "button.to_login"),
    # S501/S502: applicant information input screen (Fig. 33A)
    QT_TRANSLATE_NOOP("kiosk", "login.title"),
    QT_TRANSLATE_NOOP("kiosk", "login.prompt"),
    QT_TRANSLATE_NOOP("kiosk", "login.applicant_id"),
    QT_TRANSLATE_NOOP("kiosk", "login.password"),
    QT_TRANSLATE_NOOP("kiosk", "login.missing"),
    QT_TRANSLATE_NOOP("kiosk", "login.idle_logout"),
    # S510: certificate issuance screen (Fig. 33B)
    QT_TRANSLATE_NOOP("kiosk", "list.title"),
    QT_TRANSLATE_NOOP("kiosk", "list.col.period"),
    QT_TRANSLATE_NOOP("kiosk", "list.col.method"),
    QT_TRANSLATE_NOOP("kiosk", "list.col.amount"),
    QT_TRANSLATE_NOOP("kiosk", "list.col.status"),
    QT_TRANSLATE_NOOP("kiosk", "list.status.available"),
    QT_TRANSLATE_NOOP("kiosk", "list.status.issued"),
    QT_TRANSLATE_NOOP("kiosk", "list.hint"),
    QT_TRANSLATE_NOOP("kiosk", "list.summary"),
    QT_TRANSLATE_NOOP("kiosk", "list.summary_method"),
    QT_TRANSLATE_NOOP("kiosk", "list.empty"),
    QT_TRANSLATE_NOOP("kiosk", "list.select_all"),
    QT_TRANSLATE_NOOP("kiosk", "list.select_all_method"),
    QT_TRANSLATE_NOOP("kiosk", "list.hint_method"),
    QT_TRANSLATE_NOOP("kiosk", "list.other_method"),
    QT_TRANSLATE_NOOP("kiosk", "list.clear"),
    QT_TRANSLATE_NOOP("kiosk", "list.method_fossil"),
    QT_TRANSLATE_NOOP("kiosk", "list.method_not_renewable"),
    QT_TRANSLATE_NOOP("kiosk", "list.full"),
    QT_TRANSLATE_NOOP("kiosk", "list.select_some"),
    QT_TRANSLATE_NOOP("kiosk", "list.select_some.one"),
    QT_TRANSLATE_NOOP("kiosk", "list.capacity"),
    QT_TRANSLATE_NOOP("kiosk", "list.capacity_allocations"),
    QT_TRANSLATE_NOOP("kiosk", "list.as_of"),
    QT_TRANSLATE_NOOP("kiosk", "list.filter_all_methods"),
    QT_TRANSLATE_NOOP("kiosk", "list.filter_all_months"),
    QT_TRANSLATE_NOOP("kiosk", "list.filter_older"),
    QT_TRANSLATE_NOOP("kiosk", "list.filter_newer"),
    # S511: confirm selection and certificate type
    QT_TRANSLATE_NOOP("kiosk", "confirm.title"),
    QT_TRANSLATE_NOOP("kiosk", "confirm.summary"),
    QT_TRANSLATE_NOOP("kiosk", "confirm.summary.one"),
    QT_TRANSLATE_NOOP("kiosk", "confirm.institution"),
    QT_TRANSLATE_NOOP("kiosk", "confirm.issue"),
    QT_TRANSLATE_NOOP("kiosk", "confirm.no_types"),
    # Progress while the background work runs
    QT_TRANSLATE_NOOP("kiosk", "progress.login"),
    QT_TRANSLATE_NOOP("kiosk", "progress.loading"),
    QT_TRANSLATE_NOOP("kiosk", "progress.issuing"),
    QT_TRANSLATE_NOOP("kiosk", "progress.printing"),
    QT_TRANSLATE_NOOP("kiosk", "progress.reprinting"),
    QT_TRANSLATE_NOOP("kiosk", "progress.wait"),
    # S214a / S520: output done
    QT_TRANSLATE_NOOP("kiosk", "done.title"),
    QT_TRANSLATE_NOOP("kiosk", "done.title_reprint"),
    QT_TRANSLATE_NOOP("kiosk", "done.printed"),
    QT_TRANSLATE_NOOP("kiosk", "done.printed_here"),
    QT_TRANSLATE_NOOP("kiosk", "done.saved"),
    QT_TRANSLATE_NOOP("kiosk", "done.certificate_id"),
    QT_TRANSLATE_NOOP("kiosk", "done.print_another"),
    # S209b / S210b: issued notification
    QT_TRANSLATE_NOOP("kiosk", "already.title"),
    QT_TRANSLATE_NOOP("kiosk", "already.message"),
    QT_TRANSLATE_NOOP("kiosk", "already.reprint"),
    # Error screens
    QT_TRANSLATE_NOOP("kiosk", "error.unreachable.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.unreachable.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.credentials.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.credentials.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.credentials.attempts"),
    QT_TRANSLATE_NOOP("kiosk", "error.credentials.last"),
    QT_TRANSLATE_NOOP("kiosk", "error.locked.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.locked.until"),
    QT_TRANSLATE_NOOP("kiosk", "error.locked.later"),
    QT_TRANSLATE_NOOP("kiosk", "error.expired.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.expired.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.print.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.print.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.server.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.server.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.rejected.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.rejected.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.mixed_methods.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.mixed_methods.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.unexpected.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.unexpected.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.server_said"),
    QT_TRANSLATE_NOOP("kiosk", "error.code.selection_too_large"),
    QT_TRANSLATE_NOOP("kiosk", "error.code.not_found"),
    QT_TRANSLATE_NOOP("kiosk", "error.code.in_progress"),
    # Production methods in words (S510)
    QT_TRANSLATE_NOOP("kiosk", "method.solar"),
    QT_TRANSLATE_NOOP("kiosk", "method.wind"),
    QT_TRANSLATE_NOOP("kiosk", "method.hydro"),
    QT_TRANSLATE_NOOP("kiosk", "method.geothermal"),
    QT_TRANSLATE_NOOP("kiosk", "method.biomass"),
    QT_TRANSLATE_NOOP("kiosk", "method.oil"),
    QT_TRANSLATE_NOOP("kiosk", "method.coal"),
    QT_TRANSLATE_NOOP("kiosk", "method.gas"),
    QT_TRANSLATE_NOOP("kiosk", "method.lng"),
    QT_TRANSLATE_NOOP("kiosk", "method.nuclear"),
    # Header: staff settings (shown on the idle screen only)
    QT_TRANSLATE_NOOP("kiosk", "header.settings"),
    QT_TRANSLATE_NOOP("kiosk", "list.separator"),
    QT_TRANSLATE_NOOP("kiosk", "lang.name.ja"),
    QT_TRANSLATE_NOOP("kiosk", "lang.name.en"),
    # S201/S202: the certificate issuance screen of the main embodiment (Fig. 21A)
    QT_TRANSLATE_NOOP("kiosk", "manual.title"),
    QT_TRANSLATE_NOOP("kiosk", "manual.period"),
    QT_TRANSLATE_NOOP("kiosk", "manual.period_to"),
    QT_TRANSLATE_NOOP("kiosk", "manual.method"),
    QT_TRANSLATE_NOOP("kiosk", "manual.institution"),
    QT_TRANSLATE_NOOP("kiosk", "manual.reprint"),
    QT_TRANSLATE_NOOP("kiosk", "manual.missing_method"),
    QT_TRANSLATE_NOOP("kiosk", "manual.missing_institution"),
    QT_TRANSLATE_NOOP("kiosk", "manual.bad_period"),
    QT_TRANSLATE_NOOP("kiosk", "manual.institutions_loading"),
    QT_TRANSLATE_NOOP("kiosk", "manual.institutions_failed"),
    # Touch date picker
    QT_TRANSLATE_NOOP("kiosk", "date.format"),
    QT_TRANSLATE_NOOP("kiosk", "date.month"),
    QT_TRANSLATE_NOOP("kiosk", "date.months"),
    QT_TRANSLATE_NOOP("kiosk", "date.months_short"),
    QT_TRANSLATE_NOOP("kiosk", "date.weekdays"),
    QT_TRANSLATE_NOOP("kiosk", "date.pick_first"),
    QT_TRANSLATE_NOOP("kiosk", "date.pick_last"),
    # Reprint of earlier certificates
    QT_TRANSLATE_NOOP("kiosk", "list.reprint"),
    QT_TRANSLATE_NOOP("kiosk", "reprint.title"),
    QT_TRANSLATE_NOOP("kiosk", "reprint.hint"),
    QT_TRANSLATE_NOOP("kiosk", "reprint.hint_filtered"),
    QT_TRANSLATE_NOOP("kiosk", "reprint.col.issued"),
    QT_TRANSLATE_NOOP("kiosk", "reprint.col.period"),
    QT_TRANSLATE_NOOP("kiosk", "reprint.col.method"),
    QT_TRANSLATE_NOOP("kiosk", "reprint.col.amount"),
    QT_TRANSLATE_NOOP("kiosk", "reprint.col.institution"),
    QT_TRANSLATE_NOOP("kiosk", "reprint.empty"),
    QT_TRANSLATE_NOOP("kiosk", "reprint.selected"),
    QT_TRANSLATE_NOOP("kiosk", "progress.certificates"),
    QT_TRANSLATE_NOOP("kiosk", "progress.manual"),
    QT_TRANSLATE_NOOP("kiosk", "done.reprint_another"),
    QT_TRANSLATE_NOOP("kiosk", "done.new_request"),
    QT_TRANSLATE_NOOP("kiosk", "done.reprint_note"),
    QT_TRANSLATE_NOOP("kiosk", "done.skipped"),
    QT_TRANSLATE_NOOP("kiosk", "done.skipped.one"),
    QT_TRANSLATE_NOOP("kiosk", "already.message_many"),
    QT_TRANSLATE_NOOP("kiosk", "error.no_match.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.no_match.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.no_match.partial"),
    QT_TRANSLATE_NOOP("kiosk", "error.no_match.partial.one"),
    QT_TRANSLATE_NOOP("kiosk", "error.no_match.any"),
    # Staff PIN and settings
    QT_TRANSLATE_NOOP("kiosk", "pin.title"),
    QT_TRANSLATE_NOOP("kiosk", "pin.prompt"),
    QT_TRANSLATE_NOOP("kiosk", "pin.label"),
    QT_TRANSLATE_NOOP("kiosk", "pin.wrong"),
    QT_TRANSLATE_NOOP("kiosk", "pin.locked"),
    QT_TRANSLATE_NOOP("kiosk", "pin.change_prompt"),
    QT_TRANSLATE_NOOP("kiosk", "pin.not_default"),
    QT_TRANSLATE_NOOP("kiosk", "settings.title"),
    QT_TRANSLATE_NOOP("kiosk", "settings.section.general"),
    QT_TRANSLATE_NOOP("kiosk", "settings.section.printer"),
    QT_TRANSLATE_NOOP("kiosk", "settings.section.pin"),
    QT_TRANSLATE_NOOP("kiosk", "settings.mode"),
    QT_TRANSLATE_NOOP("kiosk", "settings.mode.list"),
    QT_TRANSLATE_NOOP("kiosk", "settings.mode.manual"),
    QT_TRANSLATE_NOOP("kiosk", "settings.language"),
    QT_TRANSLATE_NOOP("kiosk", "settings.idle"),
    QT_TRANSLATE_NOOP("kiosk", "settings.seconds"),
    QT_TRANSLATE_NOOP("kiosk", "settings.minutes"),
    QT_TRANSLATE_NOOP("kiosk", "settings.url"),
    QT_TRANSLATE_NOOP("kiosk", "settings.printer"),
    QT_TRANSLATE_NOOP("kiosk", "settings.printer_none"),
    QT_TRANSLATE_NOOP("kiosk", "settings.printer_row"),
    QT_TRANSLATE_NOOP("kiosk", "settings.printer_default"),
    QT_TRANSLATE_NOOP("kiosk", "settings.printers_loading"),
    QT_TRANSLATE_NOOP("kiosk", "settings.printers_failed"),
    QT_TRANSLATE_NOOP("kiosk", "settings.printers_found"),
    QT_TRANSLATE_NOOP("kiosk", "settings.printers_found.one"),
    QT_TRANSLATE_NOOP("kiosk", "settings.printer_missing"),
    QT_TRANSLATE_NOOP("kiosk", "settings.refresh"),
    QT_TRANSLATE_NOOP("kiosk", "settings.paper"),
    QT_TRANSLATE_NOOP("kiosk", "settings.new_pin"),
    QT_TRANSLATE_NOOP("kiosk", "settings.repeat_pin"),
    QT_TRANSLATE_NOOP("kiosk", "settings.pin_hint"),
    QT_TRANSLATE_NOOP("kiosk", "settings.default_pin"),
    QT_TRANSLATE_NOOP("kiosk", "settings.pin_mismatch"),
    QT_TRANSLATE_NOOP("kiosk", "settings.pin_format"),
    QT_TRANSLATE_NOOP("kiosk", "settings.bad_url"),
    QT_TRANSLATE_NOOP("kiosk", "settings.save"),
    QT_TRANSLATE_NOOP("kiosk", "settings.saved"),
    QT_TRANSLATE_NOOP("kiosk", "settings.save_failed"),
    QT_TRANSLATE_NOOP("kiosk", "settings.file_problem"),
    # Printer state in words (CUPS printer-state and printer-state-reasons)
    QT_TRANSLATE_NOOP("kiosk", "printer.state.idle"),
    QT_TRANSLATE_NOOP("kiosk", "printer.state.printing"),
    QT_TRANSLATE_NOOP("kiosk", "printer.state.stopped"),
    QT_TRANSLATE_NOOP("kiosk", "printer.state_with_reasons"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.media-empty"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.media-needed"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.media-low"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.media-jam"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.toner-low"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.toner-empty"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.marker-supply-low"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.marker-supply-empty"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.door-open"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.cover-open"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.input-tray-missing"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.output-area-full"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.offline"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.timed-out"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.connecting-to-device"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.paused"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.moving-to-paused"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.shutdown"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.spool-area-full"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.cups-missing-filter"),
    QT_TRANSLATE_NOOP("kiosk", "printer.reason.other"),
    # Idle timeout warning (before the logout)
    QT_TRANSLATE_NOOP("kiosk", "idle.title"),
    QT_TRANSLATE_NOOP("kiosk", "idle.message"),
    QT_TRANSLATE_NOOP("kiosk", "idle.continue"),
    # On-screen keyboard
    QT_TRANSLATE_NOOP("kiosk", "keyboard.space"),
    QT_TRANSLATE_NOOP("kiosk", "keyboard.enter"),
    QT_TRANSLATE_NOOP("kiosk", "keyboard.done"),
    QT_TRANSLATE_NOOP("kiosk", "keyboard.symbols"),
    QT_TRANSLATE_NOOP("kiosk", "keyboard.letters"),
    QT_TRANSLATE_NOOP("kiosk", "keyboard.shift"),
    QT_TRANSLATE_NOOP("kiosk", "keyboard.backspace"),
    # Staff settings: the connection (direct mode, modification 2 / S401–S412)
    QT_TRANSLATE_NOOP("kiosk", "settings.section.connection"),
    QT_TRANSLATE_NOOP("kiosk", "settings.backend"),
    QT_TRANSLATE_NOOP("kiosk", "settings.backend.intermediary"),
    QT_TRANSLATE_NOOP("kiosk", "settings.backend.direct"),
    QT_TRANSLATE_NOOP("kiosk", "settings.node_url"),
    QT_TRANSLATE_NOOP("kiosk", "settings.bad_node_url"),
    QT_TRANSLATE_NOOP("kiosk", "settings.direct_applicants"),
    QT_TRANSLATE_NOOP("kiosk", "settings.trust_pinned"),
    QT_TRANSLATE_NOOP("kiosk", "settings.trust_unpinned"),
    QT_TRANSLATE_NOOP("kiosk", "settings.trust_problem"),
    # Errors of the direct mode
    QT_TRANSLATE_NOOP("kiosk", "error.node_unreachable.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.node_unreachable.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.unverified.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.unverified.message"),
    QT_TRANSLATE_NOOP("kiosk", "error.applicant_record.title"),
    QT_TRANSLATE_NOOP("kiosk", "error.applicant_record.message"),
    # S214a when the printer failed: not printed (issue #10)
    QT_TRANSLATE_NOOP("kiosk", "not_printed.title"),
    QT_TRANSLATE_NOOP("kiosk", "not_printed.message"),
    QT_TRANSLATE_NOOP("kiosk", "not_printed.message_reprint"),
    QT_TRANSLATE_NOOP("kiosk", "not_printed.printer"),
    QT_TRANSLATE_NOOP("kiosk", "not_printed.printer_checking"),
    QT_TRANSLATE_NOOP("kiosk", "not_printed.printer_missing"),
    QT_TRANSLATE_NOOP("kiosk", "not_printed.printer_unreachable"),
    QT_TRANSLATE_NOOP("kiosk", "not_printed.ask_staff"),
    QT_TRANSLATE_NOOP("kiosk", "not_printed.print_again"),
    # S202: the manual request's summary, confirmed before it is issued (issue #10)
    QT_TRANSLATE_NOOP("kiosk", "manual_confirm.title"),
    QT_TRANSLATE_NOOP("kiosk", "manual_confirm.prompt"),
    QT_TRANSLATE_NOOP("kiosk", "manual_confirm.institution"),
    QT_TRANSLATE_NOOP("kiosk", "manual_confirm.too_large"),
    QT_TRANSLATE_NOOP("kiosk", "manual_confirm.skipped"),
    QT_TRANSLATE_NOOP("kiosk", "manual_confirm.skipped.one"),
)

# The auditor's verification mode and the on-screen certificate have a catalogue of their own (issue #13).
KNOWN_IDS = frozenset(MESSAGE_IDS) | frozenset(VERIFY_MESSAGE_IDS)

ONE = ".one"  # suffix of a text's singular form ("1 transaction"); Japanese has the same text in both


def counted(message_id: str, count: int) -> str:
    """The id of the form for ``count``: ``<id>.one`` for exactly one when the catalogue has it, else ``id``."""
    singular = message_id + ONE
    return singular if count == 1 and singular in KNOWN_IDS else message_id
