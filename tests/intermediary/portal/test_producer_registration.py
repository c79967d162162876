"""S21-S25 pages for producers (intermediary/portal/producer_registration.py) with the portal's test client over
a real node: the producer's meters, the registration screen (pull-down, OK, Cancel), the waiting page, the
completion screen; bad input, another producer's things and a silent ledger are pages that change nothing."""

from __future__ import annotations

import re

import httpx
import pytest

from backend_client import NodeClient
from backend_client.node import GovernanceClient
from greencert.servers import free_port
from intermediary.portal.catalogue import check
from intermediary.portal.producer_text import PRODUCER
from tests.helpers.intermediary_world import IntermediaryWorld
from tests.helpers.ledger_world import CHAIN_ID
from tests.helpers.portal import csrf_of, portal_login

PROPOSAL = re.compile(r"/portal/producer/registrations/([0-9a-f]{64})$")


def form_path(pw: IntermediaryWorld) -> str:
    return f"/portal/producer/meters/{pw.ledger.meter.address}/intermediary"


def registered_intermediary(pw: IntermediaryWorld) -> str | None:
    meter = next(e for e in pw.node.registry() if e["address"] == pw.ledger.meter.address)
    bound: str | None = meter["attrs"].get("intermediary")
    return bound


def choose(pw: IntermediaryWorld, http: httpx.Client, address: str) -> httpx.Response:
    """Open the registration form and send it with ``address`` chosen."""
    form = http.get(form_path(pw))
    return http.post(form_path(pw), data={"csrf": csrf_of(form.text), "intermediary": address})


def proposal_of(location: str) -> str:
    found = PROPOSAL.search(location)
    assert found is not None, location
    return found.group(1)


def test_the_catalogue_has_every_word_in_both_languages() -> None:
    assert check(PRODUCER) == []


def test_the_producer_home_lists_its_meters(pw: IntermediaryWorld) -> None:
    http = pw.http()
    assert portal_login(http, "producer-aa").headers["location"] == "/portal/"
    home = http.get("/portal/", follow_redirects=True)
    assert home.status_code == 200 and str(home.url).endswith("/portal/producer/")
    assert "Smart meter of Aa" in home.text and "Smart meter of Ab" not in home.text
    assert f'href="{form_path(pw)}"' in home.text and "none registered yet" in home.text
    assert "<script" not in home.text
    ja = http.get("/portal/producer/?lang=ja")
    assert "お持ちのメーター" in ja.text and "仲介事業者を登録する" in ja.text


def test_s21_to_s25_with_this_intermediary(pw: IntermediaryWorld) -> None:
    http = pw.http()
    portal_login(http, "producer-aa")
    form = http.get(form_path(pw))
    assert form.status_code == 200
    # S21 (Fig. 13A): a pull-down of the intermediaries' names, OK and Cancel.
    options = re.findall(r'<option value="(gc1[0-9a-f]{40})"[^>]*>([^<]+)</option>', form.text)
    assert options == [(pw.ledger.intermediary.address, "Intermediary Da (this intermediary)"),
                       (pw.ledger.intermediary2.address, "Intermediary Db")]
    # What a move to another intermediary means, said before OK is pressed.
    assert "this meter&#39;s readings go to that intermediary from then on" in form.text
    assert "reporting elsewhere" in form.text
    assert 'id="ok"' in form.text and 'id="cancel"' in form.text and 'href="/portal/producer/"' in form.text
    # S22-S23: OK with Da: final at once (the node's policy approves a producer moving to the proposer).
    sent = http.post(form_path(pw), data={"csrf": csrf_of(form.text), "intermediary": pw.ledger.intermediary.address})
    assert sent.status_code == 303
    proposal_of(sent.headers["location"])
    # S25 (Fig. 13B): registration of the intermediary is complete, with OK.
    done = http.get(sent.headers["location"])
    assert done.status_code == 200 and "Registration of the intermediary is complete." in done.text
    assert '<a class="button" href="/portal/producer/" id="ok">OK</a>' in done.text
    assert "Refresh" not in done.headers
    assert registered_intermediary(pw) == pw.ledger.intermediary.address
    assert "仲介事業者の登録が完了しました。" in http.get(sent.headers["location"] + "?lang=ja").text
    home = http.get("/portal/producer/?lang=en")
    assert re.search(r'class="reports-to">Intermediary Da<', home.text) and "data-elsewhere" not in home.text
    assert 'id="elsewhere"' not in done.text


def test_another_intermediary_waits_for_approval(pw: IntermediaryWorld) -> None:
    http = pw.http()
    portal_login(http, "producer-aa")
    sent = choose(pw, http, pw.ledger.intermediary2.address)
    location = sent.headers["location"]
    waiting = http.get(location)
    assert waiting.status_code == 200 and "Waiting for approval" in waiting.text
    assert "Intermediary Db" in waiting.text and waiting.headers["refresh"] == "5"
    assert registered_intermediary(pw) is None
    proposal_id = proposal_of(location)
    GovernanceClient.over(pw.service.node).approve_proposal(proposal_id, pw.ledger.validator)
    assert "Intermediary Db is another intermediary" in waiting.text
    done = http.get(location)
    assert "Registration of the intermediary is complete." in done.text
    assert "the meter as reporting elsewhere" in done.text
    assert registered_intermediary(pw) == pw.ledger.intermediary2.address
    # The producer's page: the meter reports elsewhere, its readings go to Db (in both languages).
    home = http.get("/portal/producer/?lang=en")
    assert re.search(r'class="reports-to">Intermediary Db<', home.text)
    assert f'data-elsewhere="{pw.ledger.intermediary2.address}"' in home.text
    assert "Reports to another intermediary (Intermediary Db): its readings go there" in home.text
    assert "他の仲介事業者（Intermediary Db）へ送信中" in http.get("/portal/producer/?lang=ja").text


def test_a_refusal_shows_its_reason(pw: IntermediaryWorld) -> None:
    http = pw.http()
    portal_login(http, "producer-aa")
    location = choose(pw, http, pw.ledger.intermediary2.address).headers["location"]
    proposal_id = proposal_of(location)
    GovernanceClient.over(pw.service.node).reject_proposal(proposal_id, pw.ledger.validator, "no contract with Db")
    refused = http.get(location)
    assert refused.status_code == 200 and "Registration refused" in refused.text
    assert re.search(r'id="refused-by">a validator&#39;s operator<', refused.text)
    assert '<dd id="reason">no contract with Db</dd>' in refused.text
    ja = http.get(location + "?lang=ja").text
    assert "登録できませんでした" in ja and "検証者の運用者" in ja
    assert f'href="{form_path(pw)}"' in refused.text


def test_bad_choices_show_the_form_again_and_change_nothing(pw: IntermediaryWorld) -> None:
    http = pw.http()
    portal_login(http, "producer-aa")
    height = pw.node.head.height
    for value in ("", "Intermediary Da", pw.ledger.user.address, "x" * 5000):
        page = choose(pw, http, value)
        assert page.status_code == 400, value
        assert "Choose an intermediary from the list." in page.text
    choose(pw, http, pw.ledger.intermediary.address)
    again = choose(pw, http, pw.ledger.intermediary.address)
    assert again.status_code == 400 and "already reports to that intermediary" in again.text
    assert pw.node.head.height == height + 1  # only the one registration
    no_csrf = http.post(form_path(pw), data={"intermediary": pw.ledger.intermediary2.address})
    assert no_csrf.status_code == 403 and pw.node.head.height == height + 1


def test_another_producers_meter_or_request_is_not_found(pw: IntermediaryWorld) -> None:
    http = pw.http()
    portal_login(http, "producer-aa")
    other = f"/portal/producer/meters/{pw.ledger.meter_oil.address}/intermediary"
    assert http.get(other).status_code == 404
    assert http.get("/portal/producer/meters/not-a-meter/intermediary").status_code == 404
    assert http.get("/portal/producer/registrations/" + "0" * 64).status_code == 404
    assert http.get("/portal/producer/registrations/xyz").status_code == 404


@pytest.mark.parametrize("path", ["/portal/producer/", "/portal/producer/registrations/" + "0" * 64])
def test_producer_pages_are_for_producers(pw: IntermediaryWorld, path: str) -> None:
    http = pw.http()
    assert http.get(path).headers["location"] == "/portal/login"
    portal_login(http, "ca")
    assert http.get(path).status_code == 403


def test_a_silent_ledger_is_a_page_and_changes_nothing(pw: IntermediaryWorld) -> None:
    http = pw.http()
    portal_login(http, "producer-aa")
    form = http.get(form_path(pw))
    working = pw.service.node
    with NodeClient(f"http://127.0.0.1:{free_port()}", chain_id=CHAIN_ID) as silent:
        pw.service.node = silent  # nothing listens there
        try:
            page = http.post(form_path(pw), data={"csrf": csrf_of(form.text),
                                                  "intermediary": pw.ledger.intermediary.address})
            assert page.status_code == 503 and "The ledger cannot be reached" in page.text
            assert http.get("/portal/producer/").status_code == 503
        finally:
            pw.service.node = working
    assert pw.node.head.height == 0 and registered_intermediary(pw) is None
