"""The main embodiment (S201–S214): ID, password, period, method and institution on one screen, one OK."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from backend_client import Unreachable
from kiosk.core.period import day_start
from ledger_lite.reference import short_reference
from tests.helpers.kiosk_driver import KioskDriver

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def day(year: int, month: int, dom: int) -> int:
    """00:00 in Tokyo (the test kiosk's time zone) on that day, in Unix seconds."""
    return day_start(date(year, month, dom), "Asia/Tokyo")


OCTOBER_START, DECEMBER_START = day(2026, 10, 1), day(2026, 12, 1)


@pytest.fixture
def kiosk(make_window, qtbot):
    return KioskDriver(qtbot, make_window(mode="manual"))


def test_the_idle_screen_is_the_request_form_with_last_month_as_the_period(kiosk, fake):
    assert kiosk.screen == "manual"
    assert kiosk.text("title") == "Request a certificate"
    assert kiosk.find("periodStart").text().startswith("2026-10-01")
    assert kiosk.find("periodEnd").text().startswith("2026-10-31")
    kiosk.qtbot.waitUntil(lambda: kiosk.window.manual.types_loaded)
    combo = kiosk.window.manual.institution
    assert [combo.itemText(i) for i in range(combo.count())] == ["Japan Green Certificate Agency", "I-REC Japan"]
    assert fake.called("login") == [], "nothing personal is asked of the server before OK"


def test_ok_issues_the_open_rows_of_the_method_inside_the_period_as_one_certificate(kiosk, fake, deliver):
    kiosk.request("demo", "demo", date(2026, 10, 1), date(2026, 11, 30), "solar", institution_index=1)
    (start, end, method, type_id, _key), = fake.called("issue_for_period")  # S203: the period, not list rows
    assert (start, end, method, type_id) == (OCTOBER_START, DECEMBER_START, "solar", "irec-jp")
    assert fake.called("issue_certificate") == []
    assert fake.items[0].certificate_id == fake.items[3].certificate_id, "November's and October's solar"
    certificate_id = fake.items[0].certificate_id
    assert kiosk.text("title") == "Your certificate is ready"
    assert kiosk.text("certificateId") == f"Reference: {short_reference(certificate_id)}"
    assert not kiosk.find("outcomeNote").isVisible()
    assert kiosk.find("printAnother").text() == "New request"
    assert kiosk.text("userName") == "Signed in: Consumer Ca"
    assert deliver.calls[0]["printer"] == "kiosk-printer"
    assert kiosk.window.manual.password.text() == "", "no password left in a widget"


def test_new_request_signs_out_and_keeps_the_request_but_not_the_password(kiosk, fake):
    kiosk.request("demo", "demo", *OCTOBER, "wind")
    kiosk.click("printAnother")
    kiosk.wait_screen("manual")
    manual = kiosk.window.manual
    assert (manual.applicant_id.text(), manual.password.text()) == ("demo", "")
    assert manual.selected_method() == "wind"
    assert (manual.first_day.date(), manual.last_day.date()) == OCTOBER
    assert kiosk.window.flow.session is None
    kiosk.window.flow.worker.wait_for_done()
    assert fake.called("logout") == [("token-1",)]


def test_rows_already_certified_are_left_out_and_the_done_screen_says_so(kiosk, fake):
    kiosk.request("demo", "demo", date(2026, 9, 1), date(2026, 11, 30), "oil")
    (_start, _end, method, _type, _key), = fake.called("issue_for_period")
    assert method == "oil" and fake.items[1].issued  # item-0004 (October's oil) was certified before
    assert fake.items[1].certificate_id != fake.items[4].certificate_id
    assert kiosk.text("outcomeNote") == (
        "1 transaction in this period already had a certificate and was left out.")


def test_a_period_certified_before_names_the_certificate_and_offers_a_reprint(kiosk, fake, deliver):
    kiosk.request("demo", "demo", *OCTOBER, "oil", expect="alreadyIssued")
    assert fake.called("issue_certificate") == [], "S208: issued → notify, do not issue again"
    assert kiosk.text("certificateId") == f"Reference: {short_reference(fake.items[4].certificate_id)}"
    kiosk.click("reprint")
    kiosk.wait_screen("done")
    assert fake.pdf_requests == [(fake.items[4].certificate_id, True)]
    assert kiosk.text("title") == "Your certificate was reprinted"
    assert kiosk.text("outcomeNote") == "This is a copy of a certificate issued before; nothing was issued again."
    kiosk.click("printAnother")
    kiosk.wait_screen("manual")


def test_several_certificates_for_the_period_are_listed_to_choose_one(make_window, fake, qtbot):
    from tests.helpers.fake_intermediary import make_items

    fake.items = make_items(6, certified=(0, 3))  # November's and October's solar, two certificates
    kiosk = KioskDriver(qtbot, make_window(mode="manual"))
    kiosk.request("demo", "demo", date(2026, 10, 1), date(2026, 11, 30), "solar", expect="alreadyIssued")
    assert kiosk.text("message").startswith("2 certificates were already issued for this period.")
    kiosk.click("reprint")
    kiosk.wait_screen("reprint")
    assert kiosk.window.reprint.model.rowCount() == 2
    assert kiosk.text("hint").startswith("These certificates were already issued for this period.")
    kiosk.click("back")
    kiosk.wait_screen("manual")
    assert kiosk.window.manual.applicant_id.text() == "demo"


def test_the_ledger_saying_issued_while_issuing_shows_the_notice(kiosk, fake):
    from backend_client import AlreadyIssued

    fake.fail["issue_for_period"] = AlreadyIssued(409, "already_issued", "certified elsewhere", "c0ffee" * 10 + "ab")
    kiosk.request("demo", "demo", *OCTOBER, "wind", expect="alreadyIssued")
    assert kiosk.text("certificateId") == "Reference: C0FFEEC0FFEE", "an id of another form: cut, not 64 digits"
    kiosk.click("back")
    kiosk.wait_screen("manual")
    assert kiosk.window.flow.session is None


def test_nothing_in_the_period_says_so_plainly(kiosk, fake):
    kiosk.request("demo", "demo", date(2026, 6, 1), date(2026, 6, 30), "solar", expect="error")
    assert kiosk.text("title") == "No matching transactions"
    assert kiosk.text("message") == ("There are no Solar transactions from 2026-06-01 – 2026-06-30 to certify. "
                                     "Please check the period and the production method.")
    assert not kiosk.find("retry").isVisible()
    kiosk.click("languageToggle")
    assert kiosk.text("message").startswith("2026年6月1日～6月30日の太陽光の取引で")
    kiosk.click("languageToggle")
    assert kiosk.find("back").text() == "Back"
    kiosk.click("back")
    kiosk.wait_screen("manual")
    assert kiosk.window.manual.selected_method() == "solar", "the request is kept to be corrected"
    kiosk.window.flow.worker.wait_for_done()
    assert fake.called("logout") == [("token-1",)]


def test_a_period_cutting_a_month_is_certified_by_the_intermediary_for_exactly_that_period(kiosk, fake):
    kiosk.request("demo", "demo", date(2026, 10, 10), date(2026, 10, 20), "solar", expect="manualConfirm")
    solar = fake.items[3]  # October's solar: the period cuts it
    kwh = f"{solar.amount_wh // 1000:,}.{solar.amount_wh % 1000:03d}"
    assert kiosk.text("manualSummary") == (f"The allocations inside this period: at most {kwh} kWh\n"
                                           "Production method: Solar\nPeriod: 2026-10-10 – 2026-10-20")
    assert kiosk.text("note") == ("The period cuts transactions grouped by month: only their allocations inside the "
                                  "period are certified. The certificate states the exact amount.")
    kiosk.click("languageToggle")
    assert kiosk.text("manualSummary").startswith("この期間内の割り当て")
    kiosk.click("languageToggle")
    kiosk.click("manualIssue")
    kiosk.wait_screen("done")
    (start, end, method, _type, _key), = fake.called("issue_for_period")
    assert (start, end, method) == (day(2026, 10, 10), day(2026, 10, 21), "solar")


def test_no_allocations_left_in_the_period_when_issuing_says_so_plainly(kiosk, fake):
    from backend_client import NotFound

    fake.fail["issue_for_period"] = NotFound(404, "no_allocations", "expected allocations of solar, found none")
    kiosk.request("demo", "demo", *OCTOBER, "solar", expect="error")
    assert kiosk.text("title") == "No matching transactions"
    assert kiosk.text("message") == ("There are no Solar transactions from 2026-10-01 – 2026-10-31 to certify. "
                                     "Please check the period and the production method.")
    kiosk.click("languageToggle")
    assert kiosk.text("message").startswith("2026年10月1日～10月31日の太陽光の取引で")
    kiosk.click("back")
    kiosk.wait_screen("manual")
    assert kiosk.window.flow.session is None


def test_a_period_the_intermediary_finds_too_large_asks_for_a_shorter_one(kiosk, fake):
    from backend_client import BadRequest

    fake.fail["issue_for_period"] = BadRequest(400, "selection_too_large", "expected at most 900 allocations in "
                                               "one certificate, found 4283 in the period: ask for a shorter period")
    kiosk.request("demo", "demo", *OCTOBER, "solar", expect="error")
    assert kiosk.text("message") == ("This period holds more transactions than one certificate can. "
                                     "Please go back and choose a shorter period.")
    assert "found 4283" in kiosk.text("serverReason")
    kiosk.click("languageToggle")
    assert kiosk.text("message") == "この期間の取引は1枚の証明書に入りきりません。戻って、期間を短くしてください。"
    kiosk.click("back")
    kiosk.wait_screen("manual")
    assert kiosk.window.flow.session is None


def test_wrong_password_goes_back_to_the_form_with_the_request_kept(kiosk):
    kiosk.request("demo", "wrong", *OCTOBER, "solar", expect="error")
    assert kiosk.text("title") == "Wrong ID or password"
    kiosk.click("back")
    kiosk.wait_screen("manual")
    manual = kiosk.window.manual
    assert (manual.applicant_id.text(), manual.password.text(), manual.selected_method()) == ("demo", "", "solar")


def test_unreachable_can_be_retried_with_the_same_idempotency_key(kiosk, fake):
    fake.fail["issue_for_period"] = Unreachable("timed out")
    kiosk.request("demo", "demo", *OCTOBER, "solar", expect="error")
    assert kiosk.text("title") == "Cannot reach the server"
    del fake.fail["issue_for_period"]
    kiosk.click("retry")
    kiosk.wait_screen("done")
    first, second = fake.called("issue_for_period")
    assert first == second
    assert fake.called("login") == [("demo",)], "the retry issues in the session the summary was shown in"


@pytest.mark.parametrize(("change", "notice"), [
    ("reversed", "The last day must not be before the first day."),
    ("no_password", "Please enter both your applicant ID and your password."),
])
def test_the_form_explains_what_is_missing_without_asking_the_server(kiosk, fake, change, notice):
    kiosk.type("applicantId", "demo")
    if change != "no_password":
        kiosk.type("password", "demo")
    kiosk.click("method-wind")
    if change == "reversed":
        kiosk.pick_date("periodStart", date(2026, 11, 5))
        kiosk.pick_date("periodEnd", date(2026, 11, 4))
    kiosk.click("manualOk")
    assert kiosk.screen == "manual"
    assert kiosk.text("notice") == notice
    assert fake.called("login") == []


def test_institutions_that_could_not_be_loaded_are_loaded_again_on_ok(make_window, fake, qtbot):
    fake.unreachable = True
    kiosk = KioskDriver(qtbot, make_window(mode="manual"))
    qtbot.waitUntil(lambda: kiosk.find("notice").isVisible())
    assert kiosk.text("notice").startswith("Could not load the issuing institutions")
    fake.unreachable = False
    kiosk.type("applicantId", "demo")
    kiosk.type("password", "demo")
    kiosk.click("method-solar")
    kiosk.click("manualOk")
    qtbot.waitUntil(lambda: kiosk.window.manual.types_loaded)
    assert kiosk.screen == "manual" and fake.called("login") == []
    kiosk.click("manualOk")
    kiosk.wait_screen("manualConfirm")
    kiosk.click("manualIssue")
    kiosk.wait_screen("done")


def test_cancel_clears_the_form(kiosk):
    kiosk.type("applicantId", "demo")
    kiosk.type("password", "demo")
    kiosk.click("method-hydro")
    kiosk.pick_date("periodStart", date(2026, 9, 3))
    kiosk.click("back")
    manual = kiosk.window.manual
    assert (manual.applicant_id.text(), manual.password.text(), manual.selected_method()) == ("", "", None)
    assert manual.first_day.date() == date(2026, 10, 1)
    assert not manual.has_input()


def test_cancel_while_working_keeps_the_form_and_closes_the_late_session(kiosk, fake, qtbot):
    fake.hold("eligible_transactions")
    kiosk.request("demo", "demo", *OCTOBER, "solar", expect="progress")
    assert kiosk.text("title") == "Signing in and checking your transactions…"
    kiosk.click("back")
    kiosk.wait_screen("manual")
    assert kiosk.window.manual.selected_method() == "solar"
    fake.release("eligible_transactions")
    kiosk.window.flow.worker.wait_for_done()
    qtbot.waitUntil(lambda: fake.called("logout") == [("token-1",)])
    assert fake.called("issue_certificate") == []
    assert kiosk.screen == "manual"


def test_done_logout_clears_everything(kiosk):
    kiosk.request("demo", "demo", *OCTOBER, "solar")
    kiosk.click("logout")
    kiosk.wait_screen("manual")
    manual = kiosk.window.manual
    assert (manual.applicant_id.text(), manual.selected_method()) == ("", None)
    assert kiosk.text("userName") == ""


def test_ok_shows_what_will_be_issued_and_issues_only_on_confirm(kiosk, fake):
    """Issue #10: like a ticket machine, the amount, period, method and institution first, then "Issue"."""
    kiosk.request("demo", "demo", *OCTOBER, "solar", institution_index=1, expect="manualConfirm")
    assert fake.called("issue_for_period") == [], "nothing is issued before the applicant confirms"
    solar = fake.items[3]
    kwh = f"{solar.amount_wh // 1000:,}.{solar.amount_wh % 1000:03d}"
    assert kiosk.text("manualSummary") == (
        f"1 transaction, {kwh} kWh in total\nProduction method: Solar\nPeriod: 2026-10-01 – 2026-10-31")
    assert kiosk.text("institutionSummary") == "Issuing institution: I-REC Japan"
    kiosk.click("languageToggle")
    assert kiosk.text("institutionSummary") == "発行機関：I-REC Japan"
    kiosk.click("languageToggle")
    kiosk.click("back")  # change the request: back to the form, signed out, the request kept
    kiosk.wait_screen("manual")
    manual = kiosk.window.manual
    assert (manual.applicant_id.text(), manual.selected_method()) == ("demo", "solar")
    assert kiosk.window.flow.session is None
    kiosk.window.flow.worker.wait_for_done()
    assert fake.called("logout") == [("token-1",)]
    assert fake.called("issue_for_period") == []
    kiosk.type("password", "demo")
    kiosk.click("manualOk")
    kiosk.wait_screen("manualConfirm")
    kiosk.click("manualIssue")
    kiosk.wait_screen("done")
    ((start, end, method, type_id, _key),) = fake.called("issue_for_period")
    assert (start, end, method, type_id) == (OCTOBER_START, day(2026, 11, 1), "solar", "irec-jp")
    assert solar.item_id in {i.item_id for i in fake.items if i.issued}


def test_without_a_method_the_kiosk_takes_a_renewable_one_the_applicant_has(kiosk, fake):
    kiosk.type("applicantId", "demo")
    kiosk.type("password", "demo")
    kiosk.qtbot.waitUntil(lambda: kiosk.window.manual.types_loaded)
    kiosk.click("manualOk")  # no method chosen
    kiosk.wait_screen("manualConfirm")
    assert "Production method: Solar" in kiosk.text("manualSummary"), "October has solar, oil (issued) and wind"
    kiosk.click("back")
    kiosk.wait_screen("manual")
    assert kiosk.window.manual.selected_method() == "solar", "the form shows the method the kiosk took"


def test_a_period_too_large_for_one_certificate_cannot_be_issued(make_window, fake, qtbot):
    from tests.helpers.fake_intermediary import make_items

    fake.items = make_items(6, allocations=None)  # rows like the real intermediary's: one per certificate
    kiosk = KioskDriver(qtbot, make_window(mode="manual"))
    kiosk.request("demo", "demo", date(2026, 10, 1), date(2026, 11, 30), "solar", expect="manualConfirm")
    assert kiosk.text("note") == ("This period holds more transactions than one certificate can. "
                                  "Please go back and choose a shorter period.")
    assert not kiosk.find("manualIssue").isVisible()
    assert fake.called("issue_for_period") == []


def test_a_staff_notice_does_not_stay_on_the_applicants_form(kiosk):
    flow = kiosk.window.flow
    flow.show_idle(notice="settings.saved")  # what saving the settings does
    assert kiosk.find("notice").isVisible()
    kiosk.qtbot.mouseClick(kiosk.find("applicantId"), Qt.MouseButton.LeftButton)  # the next person's touch
    assert not kiosk.find("notice").isVisible()
    flow.show_idle(notice="settings.saved")
    flow.transient.timer.timeout.emit()  # nobody touched it: it goes after a short while
    assert not kiosk.find("notice").isVisible()
    kiosk.click("manualOk")
    assert kiosk.text("notice") == "Please enter both your applicant ID and your password.", "not transient"
    flow.transient.timer.timeout.emit()
    assert kiosk.find("notice").isVisible()
