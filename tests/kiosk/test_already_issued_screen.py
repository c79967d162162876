"""S209b/S210b: the issued notification names the certificate; reprint fetches it again, never re-issues."""

from __future__ import annotations

from dataclasses import replace


def test_server_already_issued_names_the_certificate_and_reprints(kiosk, fake, deliver):
    kiosk.login()
    # Certified elsewhere (another kiosk) after this list was loaded.
    fake.items[0] = replace(fake.items[0], issued=True, certificate_id="c0ffee" * 10 + "abcd")
    kiosk.issue([0], expect="alreadyIssued")
    assert kiosk.text("title") == "A certificate was already issued"
    assert kiosk.text("certificateId") == "Reference: C0FF-EEC0-FFEE", "the short reference, not 64 digits"
    kiosk.click("reprint")
    kiosk.wait_screen("done")
    assert fake.pdf_requests == [("c0ffee" * 10 + "abcd", True)]
    assert kiosk.text("title") == "Your certificate was reprinted"
    assert deliver.calls[0]["filename"] == "certificate-c0ffeec0ffeec0ff.pdf"
    assert len(fake.called("issue_certificate")) == 1


def test_back_after_a_server_notice_reloads_the_stale_list(kiosk, fake):
    kiosk.login()
    fake.items[0] = replace(fake.items[0], issued=True, certificate_id="ab" * 32)
    kiosk.issue([0], expect="alreadyIssued")
    kiosk.click("back")
    kiosk.wait_screen("list")
    kiosk.qtbot.waitUntil(lambda: len(fake.called("eligible_transactions")) == 2)
    kiosk.qtbot.waitUntil(lambda: kiosk.view.model().item(0).issued)


def test_reprint_from_a_greyed_row(kiosk, fake, deliver):
    kiosk.login()
    kiosk.touch_item(fake.items[4])  # the certified row
    kiosk.wait_screen("alreadyIssued")
    kiosk.click("reprint")
    kiosk.wait_screen("done")
    assert fake.pdf_requests == [(fake.items[4].certificate_id, True)]
    assert "kiosk-printer" in kiosk.text("deliveryMessage")


def test_reprint_with_an_expired_session_goes_back_to_sign_in(kiosk, fake):
    kiosk.login()
    kiosk.touch_item(fake.items[4])  # the certified row
    kiosk.wait_screen("alreadyIssued")
    fake.session_expired = True
    kiosk.click("reprint")
    kiosk.wait_screen("error")
    assert kiosk.text("title") == "Your session has expired"
    assert kiosk.window.already_issued.certificate_id == ""
    kiosk.click("back")
    kiosk.wait_screen("login")
