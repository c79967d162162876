"""Issue #10 follow-up: the kiosk shows what the servers now say — why the list ends where it does (``as_of``),
rows as disjoint periods with a time only on a split day, each row's allocations against the limit, both-language
institution and certificate names, and the printer's name for people."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from backend_client import CertificateType, EligibleItem
from kiosk.core.printer_name import printer_label
from tests.helpers.fake_intermediary import JST, FakePrinter, make_items
from tests.helpers.kiosk_driver import KioskDriver


def at(day: int, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(2026, 11, day, hour, minute, tzinfo=JST).timestamp())


def row(n: int, method: str, start: int, end: int, allocations: int = 400) -> EligibleItem:
    return EligibleItem(f"split-{n}", start, end, method, 1_000_000 * (n + 1), False, None, "renewable",
                        as_of=at(16), allocations=allocations)


# Wind had a day of more than 900 allocations (10 Nov): cut at 13:30. Solar is cut at midnight (never at 00:00).
SPLIT = [row(0, "wind", at(1), at(10, 13, 30), 900), row(1, "wind", at(10, 13, 30), at(16), 800),
         row(2, "solar", at(1, 6), at(10, 17)), row(3, "solar", at(11, 6), at(15, 17))]


def periods(kiosk: KioskDriver) -> list[str]:
    model = kiosk.view.model()
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


@pytest.fixture
def split_kiosk(make_window, fake, qtbot) -> KioskDriver:
    fake.items = list(SPLIT)
    kiosk = KioskDriver(qtbot, make_window())
    kiosk.login()
    return kiosk


def test_rows_read_as_disjoint_periods_with_a_time_only_on_a_split_day(split_kiosk):
    kiosk = split_kiosk
    assert periods(kiosk) == ["2026-11-01 – 2026-11-10 13:30", "2026-11-10 13:30 – 2026-11-15",
                              "2026-11-01 – 2026-11-10", "2026-11-11 – 2026-11-15"]
    kiosk.click("languageToggle")
    assert periods(kiosk) == ["2026年11月1日～11月10日 13:30", "2026年11月10日 13:30～11月15日",
                              "2026年11月1日～11月10日", "2026年11月11日～11月15日"]


def test_confirm_shows_a_time_only_where_the_selection_meets_another_row(split_kiosk):
    kiosk = split_kiosk
    kiosk.touch_item(SPLIT[1])
    kiosk.click("listNext")
    kiosk.wait_screen("confirm")
    assert kiosk.text("confirmSummary").endswith("Period: 2026-11-10 13:30 – 2026-11-15")
    kiosk.click("back")
    kiosk.wait_screen("list")
    kiosk.click("clearSelection")
    kiosk.touch_item(SPLIT[2])
    kiosk.touch_item(SPLIT[3])
    kiosk.click("listNext")
    kiosk.wait_screen("confirm")
    assert kiosk.text("confirmSummary").endswith("Period: 2026-11-01 – 2026-11-15")


def test_the_list_says_up_to_when_it_shows_allocations(kiosk, fake):
    kiosk.login()  # the fake's newest allocation ends 12 Nov 02:30 JST
    assert kiosk.text("asOf") == "Allocations up to 12 Nov 02:30 (JST)"
    kiosk.click("languageToggle")
    assert kiosk.text("asOf") == "11月12日 02:30（JST）までの割り当てを表示しています"


def test_nothing_is_said_when_the_server_does_not_say(make_window, fake, qtbot):
    fake.items = [replace(item, as_of=None) for item in fake.items]
    kiosk = KioskDriver(qtbot, make_window())
    kiosk.login()
    assert not kiosk.find("asOf").isVisible()


def test_the_fakes_rows_carry_realistic_allocations():
    rows = make_items(6)
    assert [r.allocations for r in rows] == [220, 303, 319, 620, 303, 892], "daylight, every, windy half-hours"
    assert all(r.as_of == max(x.period_end for x in rows) for r in rows)


def test_the_limit_line_counts_allocations(kiosk, fake):
    kiosk.login()
    kiosk.touch_item(fake.items[0])  # the newest solar row: 220 half-hours of daylight
    assert kiosk.text("capacity") == "220 of 900 half-hour allocations in this certificate"
    kiosk.touch_item(fake.items[3])  # October's solar: 620 more
    assert kiosk.text("capacity") == "840 of 900 half-hour allocations in this certificate"
    kiosk.click("languageToggle")
    assert kiosk.text("capacity") == "この証明書の30分単位の割り当て：900件中840件"


BILINGUAL = (
    CertificateType("jgca-green", "日本グリーン証明機構", "グリーン電力証明書", "ja", "Japan Green Certificate Agency",
                    "Green electricity certificate", "日本グリーン証明機構", "グリーン電力証明書"),
    CertificateType("old-server", "I-REC Japan", "I-REC certificate"),  # an older server: one name only
)


def test_confirm_names_institutions_in_the_screens_language(kiosk, fake):
    fake.types = list(BILINGUAL)
    kiosk.login()
    kiosk.touch_row(0)
    kiosk.click("listNext")
    kiosk.wait_screen("confirm")
    combo = kiosk.window.confirm.combo
    combo.setCurrentIndex(0)
    assert [combo.itemText(i) for i in range(combo.count())] == ["Japan Green Certificate Agency", "I-REC Japan"]
    assert kiosk.text("certificateName") == "Green electricity certificate"
    kiosk.click("languageToggle")
    assert [combo.itemText(i) for i in range(combo.count())] == ["日本グリーン証明機構", "I-REC Japan"]
    assert kiosk.text("certificateName") == "グリーン電力証明書"
    assert combo.currentData() == "jgca-green", "the choice is kept"


def test_manual_form_and_summary_name_institutions_in_the_screens_language(make_window, fake, qtbot):
    from datetime import date

    fake.types = list(BILINGUAL)
    kiosk = KioskDriver(qtbot, make_window(mode="manual"))
    combo = kiosk.window.manual.institution
    qtbot.waitUntil(lambda: combo.count() == 2)
    assert combo.itemText(0) == "Japan Green Certificate Agency"
    kiosk.click("languageToggle")
    assert combo.itemText(0) == "日本グリーン証明機構"
    kiosk.click("languageToggle")
    kiosk.request("demo", "demo", date(2026, 10, 1), date(2026, 10, 31), "solar", expect="manualConfirm")
    assert kiosk.text("institutionSummary").endswith("Japan Green Certificate Agency")
    kiosk.click("languageToggle")
    assert kiosk.text("institutionSummary").endswith("日本グリーン証明機構")


def test_reprint_names_institutions_in_the_screens_language(kiosk, fake):
    fake.types = list(BILINGUAL)
    kiosk.login()
    kiosk.click("listReprint")
    kiosk.wait_screen("reprint")
    model = kiosk.window.reprint.model
    column = model.columnCount() - 1
    assert model.data(model.index(0, column)) == "Japan Green Certificate Agency"
    kiosk.click("languageToggle")
    assert model.data(model.index(0, column)) == "日本グリーン証明機構"


def test_done_names_the_printer_as_people_know_it(kiosk, fake, printers):
    printers.printers[0] = FakePrinter("kiosk-printer", is_default=True, info="Printer by the entrance")
    kiosk.login()
    kiosk.issue([0])
    kiosk.qtbot.waitUntil(lambda: "entrance" in kiosk.text("deliveryMessage"))
    assert kiosk.text("deliveryMessage") == (
        'Printed on printer "Printer by the entrance". Please take it from the output tray.')


@pytest.mark.parametrize(("queue", "info", "shown"), [
    ("((default))", "", ""), ("_default_", "", ""), (None, "", ""),
    ("Canon_iR-ADV_C3530", "", "Canon iR-ADV C3530"), ("MFP-2F", "", "MFP-2F"),
    ("((default))", " Printer  by the door ", "Printer by the door"),
])
def test_printer_names_are_readable_or_none(queue, info, shown):
    assert printer_label(queue, info) == shown


def test_a_raw_default_token_is_never_shown(make_window, qtbot):
    from pathlib import Path

    from kiosk.screens.done import Outcome

    kiosk = KioskDriver(qtbot, make_window())
    kiosk.window.done.show_outcome(Outcome("ab" * 32, "printed", "((default))", Path("/tmp/x.pdf"), True, False))
    kiosk.window.show_screen("done")
    assert kiosk.text("deliveryMessage") == "Printed on the kiosk's printer. Please take it from the output tray."
    kiosk.click("languageToggle")
    assert kiosk.text("deliveryMessage") == "この端末のプリンターで印刷しました。排紙トレイからお取りください。"
