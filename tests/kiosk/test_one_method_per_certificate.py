"""One certificate certifies one production method: the list never lets rows of two methods be chosen, and a
``mixed_methods`` refusal from the intermediary still gets plain words and a way back.

The fake's rows (``make_items(6)``): 0 solar, 1 oil, 2 wind (this month); 3 solar, 4 oil (certified), 5 wind.
The list shows renewable rows first: rows 0, 2, 3, 5, 1, 4 of the fake (``R`` maps one to the other); the
tests below name rows by their index in the fake.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, Qt

from backend_client import BadRequest
from kiosk.flow import describe_error
from kiosk.screens.items_list import selection_rows
from tests.helpers.fake_intermediary import FakeIntermediary, make_items
from tests.helpers.kiosk_driver import KioskDriver

NOTICE_EN = "One certificate covers one production method. To choose Wind, clear the selection first."
NOTICE_JA = "証明書1枚に発電方法は1つだけです。風力を選ぶには「選択を解除」を押してください。"


SHOWN = (0, 2, 3, 5, 1, 4)  # the fake's rows in the order the list shows them
R = {item: row for row, item in enumerate(SHOWN)}  # the fake's row → the list's row


def selected_rows(kiosk):
    return sorted(SHOWN[index.row()] for index in kiosk.view.selectionModel().selectedRows())


def raw_rows(kiosk):
    """Rows the selection model holds, including any the model hides as not selectable."""
    return sorted(SHOWN[row] for row in selection_rows(kiosk.view.selectionModel().selection()))


def table_y(kiosk):
    kiosk.qtbot.wait(5)  # let the layout settle
    return kiosk.view.mapTo(kiosk.window, QPoint(0, 0)).y()


def selectable(model, item):
    return bool(model.flags(model.index(R[item], 0)) & Qt.ItemFlag.ItemIsSelectable)


def test_after_a_first_row_other_methods_cannot_be_added_and_touching_one_explains(kiosk):
    kiosk.login()
    model = kiosk.view.model()
    assert all(selectable(model, row) for row in (0, 1, 2, 3, 5))
    assert not kiosk.find("methodNotice").isVisible()
    assert kiosk.text("hint") == "Touch rows to select them. Grey rows are already certified."
    kiosk.touch_row(R[0])  # solar
    assert kiosk.text("hint") == "Only Solar rows can be added: one certificate covers one production method."
    assert [selectable(model, row) for row in range(6)] == [True, False, False, True, False, False]
    # other methods' rows are greyed text, but without the grey background that means "certified"
    assert model.data(model.index(R[2], 0), Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(R[2], 0), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(R[3], 0), Qt.ItemDataRole.ForegroundRole) is None

    table_top = table_y(kiosk)
    with kiosk.qtbot.assertNotEmitted(kiosk.view.selectionModel().selectionChanged):
        kiosk.touch_row(R[2])  # wind: refused, explained, the selection kept
    assert kiosk.screen == "list"
    assert selected_rows(kiosk) == [0]
    assert raw_rows(kiosk) == [0]
    assert kiosk.find("methodNotice").isVisible()
    assert not kiosk.find("hint").isVisible(), "the notice takes the hint's place"
    assert kiosk.text("methodNotice") == NOTICE_EN
    assert kiosk.text("selectionSummary") == "1 selected (Solar, 11,004.271 kWh in total)"
    assert table_y(kiosk) == table_top, "the notice fits the hint's one line: the table stays under the finger"
    kiosk.click("languageToggle")
    assert kiosk.text("methodNotice") == NOTICE_JA
    # Japanese and Latin lines may differ by a pixel where fontconfig falls back for a mark (seen on a bare Debian):
    # the table must not move by a line, which is what a finger would notice.
    assert abs(table_y(kiosk) - table_top) <= 2
    kiosk.click("languageToggle")

    kiosk.touch_row(R[3])  # another solar row is added; the notice has been read
    assert selected_rows(kiosk) == [0, 3]
    assert not kiosk.find("methodNotice").isVisible()
    assert kiosk.find("hint").isVisible()


def test_clearing_the_selection_lets_another_method_be_chosen(kiosk, fake):
    kiosk.login()
    kiosk.touch_row(R[0])
    kiosk.touch_row(R[1])
    assert selected_rows(kiosk) == [0]
    kiosk.click("clearSelection")
    kiosk.touch_row(R[1])  # oil now
    assert selected_rows(kiosk) == [1]
    assert kiosk.window.items_list.model.locked_method == "oil"
    kiosk.touch_row(R[1])  # deselecting the last row lifts the lock too
    assert selected_rows(kiosk) == []
    assert kiosk.window.items_list.model.locked_method is None
    kiosk.touch_row(R[5])
    kiosk.click("listNext")
    kiosk.wait_screen("confirm")
    kiosk.click("issueOk")
    kiosk.wait_screen("done")
    ((item_ids, _type, _key),) = fake.called("issue_certificate")
    assert item_ids == ("item-0005",)


def test_select_all_names_and_selects_one_method(kiosk, fake):
    fake.items = make_items(6, allocations=100)  # small rows: both rows of a method fit one certificate
    kiosk.login()
    select_all = kiosk.find("selectAll")
    assert select_all.text() == "Select all Solar", "nothing selected: the first open row's method"
    kiosk.click("selectAll")
    assert selected_rows(kiosk) == [0, 3]
    assert not select_all.isEnabled(), "every solar row is selected already"
    kiosk.click("clearSelection")
    kiosk.touch_row(R[5])
    assert select_all.text() == "Select all Wind"
    kiosk.click("selectAll")
    assert selected_rows(kiosk) == [2, 5]
    kiosk.click("clearSelection")
    kiosk.touch_row(R[1])
    assert select_all.text() == "Select all Oil"
    assert not select_all.isEnabled(), "the only other oil row is certified"
    kiosk.click("languageToggle")
    assert select_all.text() == "石油火力をすべて選択"


def test_select_all_skips_a_certified_first_row(make_window, fake, qtbot):
    fake.items = make_items(6, certified=(0,), allocations=100)
    kiosk = KioskDriver(qtbot, make_window())
    kiosk.login()
    assert kiosk.find("selectAll").text() == "Select all Wind", "renewable first: wind, not oil"
    kiosk.click("selectAll")
    assert selected_rows(kiosk) == [2, 5]


def test_a_selection_made_by_code_keeps_the_first_rows_method_only(kiosk):
    """A range over several methods (e.g. a drag, or ``selectRow`` calls) keeps the first row's method only,
    and rows of other methods do not linger hidden in the selection to reappear once it is cleared."""
    kiosk.login()
    model, selection_model = kiosk.view.model(), kiosk.view.selectionModel()
    rows_0_to_3 = QItemSelection(model.index(0, 0), model.index(3, 3))  # the fake's 0, 2, 3, 5
    flags = QItemSelectionModel.SelectionFlag
    selection_model.select(rows_0_to_3, flags.Select | flags.Rows)
    assert selected_rows(kiosk) == [0, 3]
    assert raw_rows(kiosk) == [0, 3]
    kiosk.view.selectRow(R[5])  # wind, while solar is selected
    assert selected_rows(kiosk) == [0, 3]
    assert raw_rows(kiosk) == [0, 3]
    kiosk.touch_row(R[0])
    kiosk.touch_row(R[3])
    assert raw_rows(kiosk) == []
    assert model.locked_method is None
    assert kiosk.window.items_list.selected_items() == []


def test_new_rows_and_logout_lift_the_lock(kiosk, fake):
    kiosk.login()
    kiosk.touch_row(R[0])
    kiosk.touch_row(R[2])
    assert kiosk.find("methodNotice").isVisible()
    kiosk.window.items_list.set_items(fake.items)
    assert kiosk.window.items_list.model.locked_method is None
    assert not kiosk.find("methodNotice").isVisible()
    kiosk.touch_row(R[2])
    kiosk.click("back")  # log out
    kiosk.wait_screen("login")
    assert kiosk.window.items_list.model.locked_method is None


def test_the_fake_refuses_mixed_methods_like_the_intermediary():
    fake = FakeIntermediary(make_items(6))
    session = fake.login("demo", "demo")
    with pytest.raises(BadRequest) as refused:
        fake.issue_certificate(session, ["item-0000", "item-0002"], "jgca-green", "k1")
    assert (refused.value.status, refused.value.code) == (400, "mixed_methods")
    assert not any(item.issued for item in fake.items if item.item_id in ("item-0000", "item-0002"))
    fake.issue_certificate(session, ["item-0000", "item-0003"], "jgca-green", "k2")
    fake.mixed_methods = True
    with pytest.raises(BadRequest, match="mixed_methods"):
        fake.issue_certificate(session, ["item-0005"], "jgca-green", "k3")


def test_describe_mixed_methods():
    info = describe_error(BadRequest(400, "mixed_methods", "expected one production method"))
    assert (info.kind, info.can_retry, info.back_to_login, info.reload_list) == ("mixed_methods", False, False, True)
    other = describe_error(BadRequest(400, "bad_request", "no"))
    assert (other.kind, other.reload_list) == ("rejected", False)


def test_a_mixed_methods_refusal_is_explained_and_back_reloads_the_list(kiosk, fake):
    kiosk.login()
    fake.mixed_methods = True  # the server disagrees with our list (say, it changed meanwhile)
    kiosk.issue([0, 3], expect="error")
    assert kiosk.text("title") == "One certificate covers one production method"
    assert kiosk.text("message") == (
        "The transactions you chose have different production methods. Please go back to the list "
        "and choose transactions of one production method only.")
    assert not kiosk.find("retry").isVisible()
    kiosk.click("languageToggle")
    assert kiosk.text("title") == "発電方法の違う取引は1枚の証明書にできません"
    kiosk.click("languageToggle")
    fake.mixed_methods = False
    kiosk.click("back")
    kiosk.wait_screen("list")
    assert len(fake.called("eligible_transactions")) == 2, "back reloads the list"
    assert selected_rows(kiosk) == []
    assert kiosk.window.items_list.model.locked_method is None
