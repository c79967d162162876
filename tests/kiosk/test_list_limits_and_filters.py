"""Issue #10: the list offers only selections the intermediary accepts, says how much of a certificate is used,
puts renewable rows first, and with many rows offers filters by production method and month."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPoint

from backend_client import BadRequest
from intermediary.eligible import CHUNK
from intermediary.issuance import MAX_ITEMS
from kiosk.core.selection import MAX_ALLOCATIONS, MAX_ROWS, ROW_MAX_ALLOCATIONS, fits
from tests.helpers.fake_intermediary import make_items
from tests.helpers.kiosk_driver import KioskDriver


def wind_year(allocations: int | None) -> list:
    """A year of rows, newest month first: solar, oil, wind per month (12 wind rows)."""
    return make_items(36, certified=(), allocations=allocations)


def selected(kiosk: KioskDriver) -> list:
    return kiosk.window.items_list.selected_items()


def test_the_kiosks_limits_are_the_intermediarys():
    assert (MAX_ROWS, MAX_ALLOCATIONS, ROW_MAX_ALLOCATIONS) == (MAX_ITEMS, CHUNK, CHUNK)


def test_rows_that_do_not_say_their_size_go_one_per_certificate(make_window, fake, qtbot):
    """The real rows hold up to 900 allocations each and the server takes 900 per certificate: "select all Wind"
    (7 rows, 4,283 allocations in the report) must not offer what the server refuses."""
    fake.items = wind_year(None)
    kiosk = KioskDriver(qtbot, make_window())
    kiosk.login()
    winds = [item for item in fake.items if item.production_method == "wind"]
    kiosk.touch_item(winds[0])
    select_all = kiosk.find("selectAll")
    assert select_all.text() == "Select 1 Wind row" and not select_all.isEnabled(), "one row is all one holds"
    assert kiosk.text("capacity") == "Rows in this certificate: 1 (at most 1)"
    qtbot.wait(5)
    table_top = kiosk.view.mapTo(kiosk.window, QPoint(0, 0)).y()
    kiosk.touch_item(winds[1])  # a second wind row: refused, explained, the first one kept
    qtbot.wait(5)
    assert kiosk.view.mapTo(kiosk.window, QPoint(0, 0)).y() == table_top, "the notice fits the hint's one line"
    assert [item.item_id for item in selected(kiosk)] == [winds[0].item_id]
    assert kiosk.text("methodNotice") == "One certificate holds no more Wind rows: issue these first."
    kiosk.click("languageToggle")
    assert kiosk.text("capacity") == "この証明書の行数：1（最大 1）"
    kiosk.click("languageToggle")
    kiosk.click("clearSelection")
    kiosk.click("selectAll")
    assert len(selected(kiosk)) == 1
    assert fits(selected(kiosk))


def test_select_all_stops_at_what_the_server_accepts(make_window, fake, qtbot):
    fake.items = wind_year(400)  # rows that say their size: two fit in 900
    kiosk = KioskDriver(qtbot, make_window())
    kiosk.login()
    kiosk.touch_item(fake.items[2])  # wind
    select_all = kiosk.find("selectAll")
    assert select_all.text() == "Select 2 Wind rows"
    kiosk.click("selectAll")
    assert [item.production_method for item in selected(kiosk)] == ["wind", "wind"]
    assert kiosk.text("capacity") == "800 of 900 half-hour allocations in this certificate"
    kiosk.click("languageToggle")
    assert kiosk.text("capacity") == "この証明書の30分単位の割り当て：900件中800件"
    kiosk.click("languageToggle")
    assert not select_all.isEnabled()
    kiosk.click("listNext")
    kiosk.wait_screen("confirm")
    kiosk.click("issueOk")
    kiosk.wait_screen("done")
    ((item_ids, _type, _key),) = fake.called("issue_certificate")
    assert len(item_ids) == 2


def test_a_refusal_says_the_servers_reason_in_both_languages(kiosk, fake):
    message = ("expected at most 900 allocations in one certificate (one issuance transaction), found 4283: "
               "select fewer rows")
    fake.fail["issue_certificate"] = BadRequest(400, "selection_too_large", message)
    kiosk.login()
    kiosk.issue([0], expect="error")
    assert kiosk.text("title") == "The request was refused"
    assert kiosk.text("serverReason") == f"The server's reason: {message}"
    kiosk.click("languageToggle")
    assert kiosk.text("message") == "選んだ行が多すぎて、1枚の証明書に入りません。戻って、選ぶ行を減らしてください。"
    assert message in kiosk.text("serverReason")
    kiosk.click("languageToggle")
    del fake.fail["issue_certificate"]
    kiosk.click("back")
    kiosk.wait_screen("list")
    assert len(fake.called("eligible_transactions")) == 2, "back reloads the list"


def test_renewable_rows_come_first_and_fossil_rows_say_what_they_are(make_window, fake, qtbot):
    fake.items = [replace(item, issued=False, certificate_id=None) for item in make_items(6)]
    fake.items = [fake.items[1], *fake.items[:1], *fake.items[2:]]  # the server lists oil first
    kiosk = KioskDriver(qtbot, make_window())
    kiosk.login()
    model = kiosk.window.items_list.model
    methods = [model.item(row).production_method for row in range(model.rowCount())]
    assert methods == ["solar", "wind", "solar", "wind", "oil", "oil"]
    assert kiosk.find("selectAll").text() == "Select all Solar", "never 'select all oil' first"
    assert model.data(model.index(4, 1)) == "Oil — fossil (not renewable)"
    kiosk.touch_row(4)
    kiosk.click("listNext")
    kiosk.wait_screen("confirm")
    assert "Production method: Oil — fossil (not renewable)" in kiosk.text("confirmSummary")


def test_few_rows_need_no_filters(kiosk):
    kiosk.login()
    assert not kiosk.find("listFilters").isVisible()


def test_many_rows_can_be_filtered_by_method_and_month(make_window, fake, qtbot):
    fake.items = wind_year(100)
    kiosk = KioskDriver(qtbot, make_window())
    kiosk.login()
    screen = kiosk.window.items_list
    assert kiosk.find("listFilters").isVisible()
    for name in ("filter-method-all", "filter-method-wind", "filterOlderMonth", "filterNewerMonth"):
        assert kiosk.find(name).height() >= 48, name
    kiosk.click("filter-method-wind")
    shown = screen.shown_rows()
    assert len(shown) == 12 and {screen.model.item(row).production_method for row in shown} == {"wind"}
    assert all(kiosk.view.isRowHidden(row) for row in range(36) if row not in shown)
    assert kiosk.find("selectAll").text() == "Select 9 Wind rows", "select all takes the shown wind rows"
    kiosk.click("filterOlderMonth")  # from all months to the newest
    assert kiosk.text("filterMonth") == "November 2026"
    kiosk.click("filterOlderMonth")
    assert kiosk.text("filterMonth") == "October 2026"
    (row,) = screen.shown_rows()
    assert screen.model.month(row) == (2026, 10) and screen.model.item(row).production_method == "wind"
    kiosk.click("languageToggle")
    assert kiosk.text("filterMonth") == "2026年 10月"
    kiosk.click("languageToggle")
    kiosk.click("filterNewerMonth")
    kiosk.click("filterNewerMonth")  # past the newest month: all months again
    assert kiosk.text("filterMonth") == "All months"
    assert not kiosk.find("filterNewerMonth").isEnabled()
    kiosk.click("filter-method-all")
    assert len(screen.shown_rows()) == 36


def test_the_servers_category_decides_what_is_renewable():
    from kiosk.models import EligibleItemsModel

    rows = make_items(3, certified=(), allocations=None)  # solar, oil, wind
    peat = replace(rows[0], item_id="peat", production_method="peat", category="fossil")
    model = EligibleItemsModel("en", timezone="Asia/Tokyo")
    model.set_items([peat, *rows])
    assert [model.item(row).item_id for row in range(4)] == ["item-0000", "item-0002", "peat", "item-0001"]
    assert model.data(model.index(2, 1)) == "peat — fossil (not renewable)", "an unknown code, named as it came"
