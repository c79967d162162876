"""Issue #10, layout part: every screen, at every panel size, in both languages, shows all of its texts.

The window is sized like a 1024x600 MFP panel, a 1280x800 one and the same turned to portrait (800x1280);
each screen is filled the way the flow fills it, and every visible label, button, table header and table cell
is measured against the room it has, and no two labels or buttons may be drawn on top of each other
(``tests.helpers.clipping``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from kiosk.screens.done import Outcome
from kiosk.screens.error import KINDS, ErrorInfo
from kiosk.screens.manual_confirm import ManualSummary
from kiosk.screens.not_printed import PrinterCheck
from ledger_lite import SigningKey
from ledger_lite.trust_anchor import encode_anchor
from ledger_lite.verification import Step
from tests.helpers.clipping import clipped_texts, overlapping_texts
from tests.helpers.fake_intermediary import FakeIntermediary, FakePrinter, FakePrinters, make_items

SIZES = [(1024, 600), (1280, 800), (800, 1280)]
SECTIONS = ("general", "connection", "printer", "pin")
ERROR_PARAMS = {"locked": {"minutes": 5}, "print": {"cid": "3f7a" * 16}}


@pytest.fixture
def fake() -> FakeIntermediary:
    return FakeIntermediary(make_items(24, certified=(2,)))  # enough rows for the filters and a scroll bar


def views(window, fake) -> Iterator[tuple[str, QWidget]]:
    """Show each screen (and overlay) with real content; yield its name and what to measure."""
    items = fake.items
    window.show_screen("login")
    yield "login", window.login
    window.items_list.set_items(items)
    window.set_user_name("Demo Applicant 1")
    window.show_screen("list")
    window.items_list.view.selectRow(0)
    yield "list", window.items_list  # 24 rows: with the filter row (method toggles, month stepper)
    window.items_list.view.clearSelection()
    window.items_list.older_month.click()
    yield "list-filtered", window.items_list
    window.items_list.set_items(items[:6])
    yield "list-few", window.items_list  # no filters
    window.items_list.set_items(items)
    window.confirm.set_selection([items[0], items[3]], fake.types)
    window.show_screen("confirm")
    yield "confirm", window.confirm
    window.progress.set_stage("progress.issuing", cancellable=True)
    window.show_screen("progress")
    yield "progress", window.progress
    for name, outcome in {
        "done-printed": Outcome("3f7a" * 16, "printed", "MFP-3F-Kiosk", None, True, False),
        "done-saved": Outcome("3f7a" * 16, "saved", "MFP-3F-Kiosk",
                              Path("/home/kiosk/GreenCert/certificates/greencert-3f7a3f7a3f7a.pdf"), True, False,
                              "media-empty-error", "用紙切れ"),
        "done-reprint": Outcome("3f7a" * 16, "printed", "MFP-3F-Kiosk", None, True, True, skipped=2),
    }.items():
        window.done.show_outcome(outcome)
        window.show_screen("done")
        yield name, window.done
    window.not_printed.show_failure("3f7a" * 16, reprint=False)
    window.not_printed.set_printer_check(PrinterCheck("found", FakePrinters([
        FakePrinter("MFP-3F-Kiosk", "stopped", ("media-empty-error", "door-open-report"))]).printers[0]))
    window.show_screen("notPrinted")
    yield "notPrinted", window.not_printed
    window.already_issued.show_certificate("3f7a" * 16)
    window.show_screen("alreadyIssued")
    yield "alreadyIssued", window.already_issued
    for kind in KINDS:
        window.error.show_error(ErrorInfo(kind, ERROR_PARAMS.get(kind, {}), can_retry=True,
                                          back_to_login=kind in ("credentials", "unreachable")))
        window.show_screen("error")
        yield f"error-{kind}", window.error
    window.reprint.set_certificates(fake.certificates(fake.login("demo", "demo")), fake.types)
    window.show_screen("reprint")
    window.reprint.view.selectRow(0)
    yield "reprint", window.reprint
    window.set_user_name(None)
    window.manual.set_types(fake.types)
    window.manual.applicant_id.setText("demo")
    window.manual.select_method("solar")
    window.show_screen("manual")
    yield "manual", window.manual
    window.manual_confirm.show_summary(ManualSummary(2, 45_765_881, items[0].period_start, items[3].period_end,
                                                     "oil", "Japan Green Certificate Agency", skipped=1))
    window.show_screen("manualConfirm")
    yield "manualConfirm", window.manual_confirm
    window.show_screen("manual")
    window.date_picker.pick_for(window.manual.first_day)
    yield "datePicker", window.date_picker
    window.date_picker.close_overlay()
    window.pin.show_notice("pin.wrong")
    window.show_screen("pin")
    yield "pin", window.pin
    window.settings.show_settings(window.flow.store.settings, default_pin=True)
    window.settings.set_printers(FakePrinters([
        FakePrinter("MFP-3F-Kiosk", is_default=True),
        FakePrinter("MFP-2F", "stopped", ("media-empty-error", "door-open-report")),
        FakePrinter("MFP-1F-Color", "printing", ("toner-low-warning",))]).printers)
    window.show_screen("settings")
    for section in SECTIONS:
        window.settings.show_section(section)
        yield f"settings-{section}", window.settings
    # The auditor's mode (issue #13) and the certificate on the screen
    from tests.kiosk.test_language_switch import sample_documents, sample_verification

    window.show_screen("verify")
    window.verify.show_notice("verify.not_payload")
    yield "verify", window.verify
    window.verify.set_camera_available(True)  # the widest button row
    window.verify.load_anchor(encode_anchor("greencert-kanto-area-2026-" + "x" * 40,
                                            [SigningKey.derive(f"fit/{n}").public for n in range(7)]))
    assert window.verify.anchor_note.isVisible() and window.verify.stop_anchor.isVisible()
    yield "verify-anchor", window.verify
    window.verify.set_camera_available(False)
    window.verify_files.set_documents(sample_documents())
    window.show_screen("verifyFiles")
    yield "verifyFiles", window.verify_files
    window.verify_files.set_documents([])
    yield "verifyFiles-empty", window.verify_files
    window.verify_result.show_verification(sample_verification())
    window.show_screen("verifyResult")
    yield "verifyResult", window.verify_result
    window.verify_result.show_verification(anchored_verification())
    yield "verifyResult-anchor", window.verify_result
    window.show_screen("certificateView")
    window.certificate_view.show_loading("ab" * 32)
    yield "certificateView", window.certificate_view
    window.show_screen("login")
    window.idle_warning.show_countdown(17)
    yield "idleWarning", window.idle_warning
    window.idle_warning.close_overlay()
    keyboard = window.keyboard
    assert keyboard is not None
    for page in (keyboard.letters, keyboard.symbols, keyboard.digits):
        keyboard.show_for(window.login.applicant_id)
        keyboard.show_page(page)
        yield f"keyboard-{keyboard.current_page()}", keyboard
    keyboard.hide_keyboard()


def anchored_verification():
    """A result checked with the auditor's own anchor: its trust step's words are shown though it passed."""
    from tests.kiosk.test_language_switch import sample_verification

    v = sample_verification()
    v.report.steps[1] = Step("trust", True, "the auditor's trust anchor was used", "trust.anchor",
                             {"chain": "greencert-kanto-area-2026-xxxxxxxxxxxxxxxxxxxx", "validators": 7,
                              "issuers": 12})
    v.trust_from = "anchor"
    return v


def shown(window, fake, qtbot, size, lang) -> Iterator[tuple[str, list[QWidget]]]:
    """Each view at ``size`` in ``lang``: its name and the parts of the window it shows (an overlay alone)."""
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    window.set_language(lang)
    for name, root in views(window, fake):
        qtbot.wait(1)  # layouts settle
        assert (window.width(), window.height()) == size, f"{name} does not fit {size}: {window.size()}"
        yield name, [root] if root in window.overlays() else [window.header, root]


def settled(qtbot, problems, *, tries: int = 40) -> list[str]:
    """``problems()`` once the layouts have settled: a word-wrapped label inside a scroll area takes several
    passes of the event loop to get its height, and a loaded machine may measure between them. What is still
    wrong after ``tries`` waits of 50 ms is a real fault and is returned."""
    found = problems()
    for _ in range(tries):
        if not found:
            break
        qtbot.wait(50)
        found = problems()
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_text_is_clipped(window, fake, qtbot, size, lang):
    clipped = []
    for name, parts in shown(window, fake, qtbot, size, lang):
        clipped += [f"{name}: {problem}" for problem in settled(qtbot, lambda parts=parts: [
            problem for part in parts for problem in clipped_texts(part)])]
    assert not clipped, "\n".join(clipped)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_texts_overlap(window, fake, qtbot, size, lang):
    """No two labels or buttons of a view are drawn on top of each other (e.g. a row that went onto two lines
    on a portrait panel while the layout kept the room of one)."""
    overlapping = []
    for name, parts in shown(window, fake, qtbot, size, lang):
        overlapping += [f"{name}: {problem}" for problem in settled(
            qtbot, lambda parts=parts: overlapping_texts(parts))]
    assert not overlapping, "\n".join(overlapping)
