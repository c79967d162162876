"""The portal's log-in (issue 15): the kiosk's throttle and lockout, server-side sessions in a strict cookie that
expire like kiosk tokens and when idle, log-out, CSRF on every POST, and a home per role."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from intermediary.models import PortalSession
from tests.helpers.intermediary_world import API, PASSWORD, IntermediaryWorld
from tests.helpers.portal import csrf_of, portal_login


def test_a_consumer_logs_in_and_sees_its_home(pw: IntermediaryWorld) -> None:
    http = pw.http()
    response = portal_login(http, "ca")
    assert response.status_code == 303 and response.headers["location"] == "/portal/"
    cookie = response.headers["set-cookie"]
    assert "gc_portal=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/portal" in cookie and "Secure" not in cookie  # public_url is not https here
    home = http.get("/portal/")
    assert home.status_code == 200 and "Consumer Ca" in home.text
    assert home.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
    assert "script" not in home.headers["content-security-policy"] and "<script" not in home.text


def test_without_a_session_every_page_goes_to_the_log_in(pw: IntermediaryWorld) -> None:
    http = pw.http()
    for path in ("/portal/", "/portal/contents", "/portal/allocations", "/portal/certificates"):
        response = http.get(path)
        assert (response.status_code, response.headers["location"]) == (303, "/portal/login"), path


def test_a_wrong_password_says_how_many_attempts_are_left(pw: IntermediaryWorld) -> None:
    http = pw.http()
    response = portal_login(http, "ca", "wrong")
    assert response.status_code == 401
    assert "4 more attempts" in response.text and "gc_portal=" not in response.headers.get("set-cookie", "")


def test_repeated_failures_lock_the_log_in_and_the_page_says_for_how_many_minutes(pw: IntermediaryWorld) -> None:
    http = pw.http()
    for _ in range(4):
        assert portal_login(http, "ca", "wrong").status_code == 401
    locked = portal_login(http, "ca", "wrong")
    assert locked.status_code == 429 and "Try again in 15 minutes" in locked.text
    assert locked.headers["retry-after"] == "900"
    assert portal_login(http, "ca").status_code == 429  # right password, still blocked
    # the same counts as the kiosk's: its API log-in from this address is blocked too
    kiosk = http.post(f"{API}/sessions", json={"applicant_id": "ca", "password": PASSWORD})
    assert kiosk.status_code == 429 and kiosk.json()["error"] == "locked"
    pw.clock.advance(900)
    assert portal_login(http, "ca").status_code == 303


def test_the_lockout_page_is_in_japanese_for_a_japanese_phone(pw: IntermediaryWorld) -> None:
    http = pw.http()
    http.headers["Accept-Language"] = "ja-JP,ja;q=0.9,en;q=0.5"
    for _ in range(5):
        response = portal_login(http, "ca", "wrong")
    assert response.status_code == 429 and "15分後にもう一度" in response.text


def test_a_log_in_without_the_forms_token_is_refused_and_logs_nobody_in(pw: IntermediaryWorld) -> None:
    http = pw.http()
    http.get("/portal/login")
    for token in ("", "forged"):
        response = http.post("/portal/login", data={"applicant_id": "ca", "password": PASSWORD, "csrf": token})
        assert response.status_code == 403 and 'data-error="csrf_refused"' in response.text
    with pw.service.db() as db:
        assert db.scalar(select(func.count()).select_from(PortalSession)) == 0


def test_log_out_ends_the_session_for_good(pw_any: IntermediaryWorld) -> None:
    pw = pw_any
    http = pw.http()
    portal_login(http, "ca")
    home = http.get("/portal/")
    stolen = http.cookies["gc_portal"]
    refused = http.post("/portal/logout", data={"csrf": "wrong"})
    assert refused.status_code == 403 and http.get("/portal/").status_code == 200  # still logged in
    out = http.post("/portal/logout", data={"csrf": csrf_of(home.text)})
    assert (out.status_code, out.headers["location"]) == (303, "/portal/login?bye=1")
    other = pw.http()
    other.cookies.set("gc_portal", stolen, domain="intermediary.test", path="/portal")
    assert other.get("/portal/").headers["location"] == "/portal/login"


def test_a_session_expires_like_a_kiosk_token_and_when_idle(pw: IntermediaryWorld) -> None:
    settings = pw.service.settings
    http = pw.http()
    portal_login(http, "ca")
    for _ in range(3):  # used every 5 minutes: alive until the 15 minutes since log-in are over
        pw.clock.advance(settings.session_ttl_s // 3 - 1)
        assert http.get("/portal/").status_code == 200
    pw.clock.advance(3)
    assert http.get("/portal/").headers["location"] == "/portal/login?expired=1"
    assert "Your session has ended" in http.get("/portal/login?expired=1").text

    portal_login(http, "ca")
    pw.clock.advance(settings.portal_idle_s)
    assert http.get("/portal/").headers["location"] == "/portal/login?expired=1"


def test_cookies_are_secure_when_the_public_address_is_https(pw: IntermediaryWorld) -> None:
    from dataclasses import replace

    pw.service.settings = replace(pw.service.settings, public_url="https://green.example.jp")
    http = pw.http()
    form = http.get("/portal/login")
    assert "Secure" in form.headers["set-cookie"]


@pytest.mark.parametrize(("applicant", "home"), [("producer-aa", "/portal/producer/"), ("issuer", "/portal/issuer/")])
def test_producers_and_issuers_get_their_own_home_and_no_kiosk_token(pw: IntermediaryWorld, applicant: str,
                                                                     home: str) -> None:
    http = pw.http()
    portal_login(http, applicant)
    response = http.get("/portal/")
    assert (response.status_code, response.headers["location"]) == (303, home)
    assert http.get(home).status_code == 200  # the role's own home
    assert http.get("/portal/contents").status_code == 403  # a consumer's page
    kiosk = http.post(f"{API}/sessions", json={"applicant_id": applicant, "password": PASSWORD})
    assert kiosk.status_code == 403 and kiosk.json()["error"] == "wrong_role"
    assert "portal" in kiosk.json()["message"]


def test_a_consumer_may_not_open_the_staff_pages(pw: IntermediaryWorld) -> None:
    http = pw.http()
    portal_login(http, "ca")
    for path in ("/portal/producer/", "/portal/issuer/"):
        response = http.get(path)
        assert response.status_code == 403 and 'data-error="wrong_role"' in response.text


def test_the_kiosk_log_in_still_works_for_consumers(pw: IntermediaryWorld) -> None:
    http = pw.http()
    body = http.post(f"{API}/sessions", json={"applicant_id": "ca", "password": PASSWORD}).json()
    assert set(body) == {"token", "user_name", "user_name_ja", "expires_at"} and body["user_name"] == "Consumer Ca"


def test_the_language_follows_accept_language_and_the_switch_link(pw: IntermediaryWorld) -> None:
    http = pw.http()
    assert "ログイン" in http.get("/portal/login", headers={"Accept-Language": "ja"}).text
    english = http.get("/portal/login", headers={"Accept-Language": "ja"}, params={"lang": "en"})
    assert '<html lang="en">' in english.text
    assert '<html lang="en">' in http.get("/portal/login", headers={"Accept-Language": "ja"}).text  # remembered


def test_a_kiosk_token_is_not_a_portal_session(pw: IntermediaryWorld) -> None:
    http = pw.http()
    token = http.post(f"{API}/sessions", json={"applicant_id": "ca", "password": PASSWORD}).json()["token"]
    http.cookies.set("gc_portal", token, domain="intermediary.test", path="/portal")
    assert http.get("/portal/").headers["location"] == "/portal/login"
