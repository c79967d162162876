"""S510: the eligible transactions; certified rows greyed, not selectable, and naming their certificate."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

from kiosk.models import COLUMNS, EligibleItemsModel
from kiosk.screens.items_list import contiguous_runs
from ledger_lite.reference import short_reference
from tests.helpers.fake_intermediary import make_items
from tests.helpers.kiosk_driver import KioskDriver

CERTIFIED = 5  # the list's row of make_items' row 4, the previous month's oil (renewable rows come first)
SHOWN = (0, 2, 3, 5, 1, 4)  # make_items(6)'s rows in the order the list shows them


def cell(model, row, column):
    return model.data(model.index(row, COLUMNS.index(column)))


def test_rows_show_period_method_in_words_and_kwh(kiosk, fake):
    kiosk.login()
    model = kiosk.view.model()
    assert [model.item(row).item_id for row in range(6)] == [fake.items[n].item_id for n in SHOWN]
    assert cell(model, 0, "period") == "2026-11-01 – 2026-11-11"  # solar, 11-01 06:00 to 11-11 17:00 JST
    assert cell(model, 3, "period") == "2026-10-01 – 2026-10-31", "ends 11-01 00:00: the end is exclusive"
    assert cell(model, 0, "method") == "Solar"
    assert cell(model, 1, "method") == "Wind"
    assert cell(model, 4, "method") == "Oil — fossil (not renewable)", "a production-method certificate, not green"
    assert cell(model, 4, "amount") == "27,923.384"
    assert fake.items[1].amount_wh == 27_923_384
    assert cell(model, 0, "status") == "Not issued"
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Amount (kWh)"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_cell_fits_its_column_at_1024x600(make_window, fake, qtbot, lang):
    """Real rows span days or weeks: their periods (and amounts) must be readable, not cut off with '…'."""
    fake.items = make_items(12, certified=(4, 7))
    window = make_window(language=lang)
    assert (window.width(), window.height()) == (1024, 600)
    kiosk = KioskDriver(qtbot, window)
    kiosk.login()
    view, model = kiosk.view, kiosk.view.model()
    metrics = QFontMetrics(view.font())
    padding = 2 * 8 + 4  # the style sheet's item padding, and the grid line
    for row in range(model.rowCount()):
        for column, name in enumerate(COLUMNS):
            text = model.data(model.index(row, column))
            needed = metrics.horizontalAdvance(text) + padding
            assert needed <= view.columnWidth(column), (lang, row, name, text, needed, view.columnWidth(column))


def test_certified_rows_are_greyed_not_selectable_and_name_their_certificate(kiosk, fake):
    kiosk.login()
    model = kiosk.view.model()
    issued = fake.items[4]
    assert issued.issued and model.item(CERTIFIED) == issued
    assert not model.flags(model.index(CERTIFIED, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert model.data(model.index(CERTIFIED, 0), Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(CERTIFIED, 0), Qt.ItemDataRole.BackgroundRole) is not None
    reference = short_reference(issued.certificate_id)
    assert cell(model, CERTIFIED, "status") == f"Issued {reference}", "the short reference, not the 64-digit id"
    assert model.data(model.index(CERTIFIED, 3), Qt.ItemDataRole.ToolTipRole) is None, "no hover on a touch panel"
    kiosk.touch_row(4)  # oil: "select all" now means every open oil row, and the certified one is not
    kiosk.window.items_list.select_all_available()
    selected = {i.row() for i in kiosk.view.selectionModel().selectedRows()}
    assert selected == {4}


def test_touching_rows_toggles_them_and_updates_the_summary(kiosk):
    kiosk.login()
    assert not kiosk.find("listNext").isEnabled()
    kiosk.touch_row(0)
    kiosk.touch_row(2)  # the fake's row 3: last month's solar
    assert kiosk.text("selectionSummary") == "2 selected (Solar, 45,765.881 kWh in total)"
    assert kiosk.find("listNext").isEnabled()
    kiosk.touch_row(0)
    assert kiosk.text("selectionSummary") == "1 selected (Solar, 34,761.610 kWh in total)"
    kiosk.click("clearSelection")
    assert kiosk.text("selectionSummary") == "0 selected (0.000 kWh in total)"


def test_touching_a_certified_row_opens_the_already_issued_screen(kiosk, fake):
    kiosk.login()
    kiosk.touch_row(CERTIFIED)
    kiosk.wait_screen("alreadyIssued")
    assert kiosk.text("certificateId") == f"Reference: {short_reference(fake.items[4].certificate_id)}"
    assert kiosk.view.selectionModel().selectedRows() == []
    kiosk.click("back")
    kiosk.wait_screen("list")
    assert fake.called("eligible_transactions") == [()], "going back does not reload"


def test_empty_list_says_so(make_window, fake, qtbot):
    fake.items = []
    kiosk = KioskDriver(qtbot, make_window())
    kiosk.login()
    assert kiosk.find("emptyMessage").isVisible()
    assert not kiosk.view.isVisible()
    assert not kiosk.find("selectAll").isEnabled()


def test_logout_from_the_list(kiosk, fake):
    kiosk.login()
    kiosk.click("back")
    kiosk.wait_screen("login")
    assert kiosk.view.model().rowCount() == 0
    assert kiosk.text("userName") == ""
    kiosk.window.flow.worker.wait_for_done()
    assert fake.called("logout") == [("token-1",)]


def test_500_rows_use_one_view_and_select_what_one_certificate_holds(make_window, fake, qtbot):
    fake.items = make_items(500, certified=range(3, 500, 6), allocations=100)  # every other solar row certified
    window = make_window()
    kiosk = KioskDriver(qtbot, window)
    kiosk.login()
    assert kiosk.view.model().rowCount() == 500
    widgets_in_list = len(window.items_list.findChildren(QWidget))
    assert widgets_in_list < 60, "no widget per row (the filters add a fixed dozen)"
    window.items_list.select_all_available()
    qtbot.wait(1)
    kiosk.view.scrollToBottom()
    kiosk.view.viewport().repaint()
    solar_open = range(0, 500, 6)  # "select all" selects the open rows of the first open row's method ...
    assert {fake.items[r].production_method for r in solar_open} == {"solar"}
    fit = [fake.items[r].item_id for r in solar_open][:9]  # ... as many as one certificate holds (9 × 100)
    assert [i.item_id for i in window.items_list.selected_items()] == fit
    kiosk.touch_row(kiosk.row_of(fake.items[48]))  # a selected row far down the list: scrolls there, toggles it
    assert len(window.items_list.selected_items()) == len(fit) - 1


def test_model_passes_qt_model_tester(qtmodeltester):
    model = EligibleItemsModel("ja", timezone="Asia/Tokyo")
    model.set_items(make_items(10))
    qtmodeltester.check(model, force_py=True)


def test_model_language_switch_changes_words():
    model = EligibleItemsModel("ja", timezone="Asia/Tokyo")
    model.set_items(make_items(6))
    assert cell(model, 0, "method") == "太陽光"
    assert cell(model, 0, "period") == "2026年11月1日～11月11日"
    assert cell(model, CERTIFIED, "status").startswith("発行済み")
    assert cell(model, 4, "method") == "石油火力（化石燃料）"
    model.set_language("en")
    assert cell(model, 0, "method") == "Solar"
    assert cell(model, 0, "period") == "2026-11-01 – 2026-11-11"


def test_contiguous_runs():
    assert contiguous_runs([]) == []
    assert contiguous_runs([1, 2, 3, 7, 8, 10]) == [(1, 3), (7, 8), (10, 10)]
