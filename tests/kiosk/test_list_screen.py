"""S510: the eligible transactions; certified rows greyed, not selectable, and naming their certificate."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kiosk.models import COLUMNS, EligibleItemsModel
from kiosk.screens.items_list import contiguous_runs
from tests.helpers.fake_intermediary import make_items


def cell(model, row, column):
    return model.data(model.index(row, COLUMNS.index(column)))


def test_rows_show_period_method_in_words_and_kwh(kiosk):
    kiosk.login()
    model = kiosk.view.model()
    assert cell(model, 0, "period") == "2024-04-01 00:00–00:30"
    assert cell(model, 0, "method") == "Solar"
    assert cell(model, 1, "method") == "Wind"
    assert cell(model, 2, "method") == "Oil"
    assert cell(model, 1, "amount") == "1.250"
    assert cell(model, 0, "status") == "Not issued"
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Amount (kWh)"


def test_certified_rows_are_greyed_not_selectable_and_name_their_certificate(kiosk, fake):
    kiosk.login()
    model = kiosk.view.model()
    issued = fake.items[2]
    assert issued.issued
    assert not model.flags(model.index(2, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert model.data(model.index(2, 0), Qt.ItemDataRole.ForegroundRole) is not None
    assert cell(model, 2, "status") == f"Issued {issued.certificate_id[:8]}…"
    assert model.data(model.index(2, 3), Qt.ItemDataRole.ToolTipRole) == issued.certificate_id
    kiosk.window.items_list.select_all_available()
    selected = {i.row() for i in kiosk.view.selectionModel().selectedRows()}
    assert selected == {0, 1, 3, 4}


def test_touching_rows_toggles_them_and_updates_the_summary(kiosk):
    kiosk.login()
    assert not kiosk.find("listNext").isEnabled()
    kiosk.touch_row(0)
    kiosk.touch_row(1)
    assert kiosk.text("selectionSummary") == "2 selected (2.250 kWh in total)"
    assert kiosk.find("listNext").isEnabled()
    kiosk.touch_row(0)
    assert kiosk.text("selectionSummary") == "1 selected (1.250 kWh in total)"
    kiosk.click("clearSelection")
    assert kiosk.text("selectionSummary") == "0 selected (0.000 kWh in total)"


def test_touching_a_certified_row_opens_the_already_issued_screen(kiosk, fake):
    kiosk.login()
    kiosk.touch_row(2)
    kiosk.wait_screen("alreadyIssued")
    assert kiosk.text("certificateId") == f"Certificate ID: {fake.items[2].certificate_id}"
    assert kiosk.view.selectionModel().selectedRows() == []
    kiosk.click("back")
    kiosk.wait_screen("list")
    assert fake.called("eligible_transactions") == [()], "going back does not reload"


def test_empty_list_says_so(make_window, fake, qtbot):
    from tests.kiosk.driver import KioskDriver

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


def test_500_rows_use_one_view_and_select_quickly(make_window, fake, qtbot):
    from tests.kiosk.driver import KioskDriver

    fake.items = make_items(500)
    window = make_window()
    kiosk = KioskDriver(qtbot, window)
    kiosk.login()
    assert kiosk.view.model().rowCount() == 500
    widgets_in_list = len(window.items_list.findChildren(QWidget))
    assert widgets_in_list < 40, "no widget per row"
    started = time.perf_counter()
    window.items_list.select_all_available()
    qtbot.wait(1)
    kiosk.view.scrollToBottom()
    kiosk.view.viewport().repaint()
    elapsed = time.perf_counter() - started
    assert len(window.items_list.selected_items()) == 500 - 500 // 3
    assert elapsed < 1.0, f"selecting and repainting 500 rows took {elapsed:.2f} s"
    kiosk.touch_row(499)  # far down the list: scrolls there and toggles it
    assert len(window.items_list.selected_items()) == 500 - 500 // 3 - 1


def test_model_passes_qt_model_tester(qtmodeltester):
    model = EligibleItemsModel("ja", timezone="Asia/Tokyo")
    model.set_items(make_items(10))
    qtmodeltester.check(model, force_py=True)


def test_model_language_switch_changes_words():
    model = EligibleItemsModel("ja", timezone="Asia/Tokyo")
    model.set_items(make_items(3))
    assert cell(model, 0, "method") == "太陽光"
    assert cell(model, 2, "status").startswith("発行済み")
    model.set_language("en")
    assert cell(model, 0, "method") == "Solar"


def test_contiguous_runs():
    assert contiguous_runs([]) == []
    assert contiguous_runs([1, 2, 3, 7, 8, 10]) == [(1, 3), (7, 8), (10, 10)]
