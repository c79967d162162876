"""S41-S48 through the portal: the transaction content registration screen shows the region's providers, refuses
wrong fields next to each field and saves nothing, refuses a form without the session's token, and saves good
contents with a confirmation."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from intermediary.models import Consumer
from tests.helpers.intermediary_world import IntermediaryWorld
from tests.helpers.portal import csrf_of, portal_login

GOOD = {"usage_start": "2026-04-01", "usage_end": "2027-03-31", "planned_kwh": "20", "target_pct": "60",
        "providers": ["Aa", "Ab"]}


def _consumer(pw: IntermediaryWorld, cid: str = "Ca") -> tuple[Any, ...]:
    with pw.service.db() as db:
        c = db.scalars(select(Consumer).where(Consumer.consumer_id == cid)).one()
        return c.usage_start, c.usage_end, c.planned_wh, c.renewable_target_pct, list(c.providers)


def _logged_in(pw: IntermediaryWorld, applicant: str = "ca") -> httpx.Client:
    http = pw.http()
    assert portal_login(http, applicant).status_code == 303
    return http


def test_the_form_offers_the_providers_of_the_consumers_region_with_method_and_amount(pw: IntermediaryWorld) -> None:
    page = _logged_in(pw).get("/portal/contents")
    assert page.status_code == 200 and "<title>Transaction contents · GreenCert</title>" in page.text
    for pid, words in (("Aa", "Solar · available 500 kWh per hour"), ("Aw", "Wind · available 2000 kWh per hour"),
                       ("Ab", "Oil · available 1000 kWh per hour")):
        assert f'value="{pid}"' in page.text and words in page.text
    assert 'value="Xk"' not in page.text and "Kansai" not in page.text  # another region's
    assert 'id="ok"' in page.text and 'id="cancel"' in page.text and 'href="/portal/"' in page.text
    assert 'name="providers" value="Aa" checked' in page.text  # what Ca has today
    assert 'name="providers" value="Aw">' in page.text


def test_good_contents_are_saved_and_confirmed(pw_any: IntermediaryWorld) -> None:
    pw = pw_any
    http = _logged_in(pw)
    saved = http.post("/portal/contents", data={**GOOD, "csrf": csrf_of(http.get("/portal/contents").text)})
    assert (saved.status_code, saved.headers["location"]) == (303, "/portal/contents/saved")
    confirmation = http.get("/portal/contents/saved")
    assert "Your transaction contents are saved" in confirmation.text
    assert "2026-04-01 – 2027-03-31" in confirmation.text and "20 kWh per hour" in confirmation.text
    assert "Producer Aa (Solar), Producer Ab (Oil)" in confirmation.text
    assert _consumer(pw) == (1_774_969_200, 1_774_969_200 + 365 * 86_400, 20_000, 60, ["Aa", "Ab"])
    again = http.get("/portal/contents")  # the form shows what was saved
    assert 'value="2026-04-01"' in again.text and 'value="2027-03-31"' in again.text and 'value="60"' in again.text


def test_wrong_fields_are_shown_next_to_each_field_and_nothing_is_saved(pw: IntermediaryWorld) -> None:
    http = _logged_in(pw)
    before = _consumer(pw)
    bad = {"usage_start": "2026-04-01", "usage_end": "2026-03-01", "planned_kwh": "lots", "target_pct": "150",
           "providers": ["Ab"]}
    page = http.post("/portal/contents", data={**bad, "csrf": csrf_of(http.get("/portal/contents").text)})
    assert page.status_code == 400
    assert "Nothing was saved" in page.text
    assert 'id="usage_end-error">The end date must be after the start date.' in page.text
    assert 'id="planned_kwh-error">Expected a number of kWh of 0 or more' in page.text and "“lots”" in page.text
    assert 'id="target_pct-error">Expected a whole number from 0 to 100, found “150”' in page.text
    assert 'aria-invalid="true"' in page.text and 'value="lots"' in page.text  # what was typed stays
    assert _consumer(pw) == before


def test_a_renewable_share_needs_a_renewable_provider_and_only_the_regions(pw: IntermediaryWorld) -> None:
    http = _logged_in(pw)
    token = csrf_of(http.get("/portal/contents").text)
    before = _consumer(pw)
    only_oil = http.post("/portal/contents", data={**GOOD, "providers": ["Ab"], "csrf": token})
    assert only_oil.status_code == 400 and "choose at least one renewable provider" in only_oil.text
    foreign = http.post("/portal/contents", data={**GOOD, "providers": ["Aa", "Xk"], "csrf": token})
    assert foreign.status_code == 400 and "Choose only among the providers listed for your region" in foreign.text
    unknown = http.post("/portal/contents", data={**GOOD, "providers": ["<script>"], "csrf": token})
    assert unknown.status_code == 400 and "<script>" not in unknown.text
    assert _consumer(pw) == before


def test_a_form_without_the_sessions_token_is_refused_and_changes_nothing(pw: IntermediaryWorld) -> None:
    http = _logged_in(pw)
    before = _consumer(pw)
    other = _logged_in(pw, "cb")  # a token of another session is no better
    for data in (GOOD, {**GOOD, "csrf": "x" * 43}, {**GOOD, "csrf": csrf_of(other.get("/portal/contents").text)}):
        refused = http.post("/portal/contents", data=data)
        assert refused.status_code == 403 and "Nothing was changed" in refused.text
    assert _consumer(pw) == before


def test_the_form_is_in_japanese_for_a_japanese_phone(pw: IntermediaryWorld) -> None:
    http = _logged_in(pw)
    page = http.get("/portal/contents", headers={"Accept-Language": "ja-JP"})
    assert '<html lang="ja">' in page.text and "利用開始日" in page.text and "キャンセル" in page.text
    bad = http.post("/portal/contents", headers={"Accept-Language": "ja-JP"},
                    data={**GOOD, "target_pct": "101", "csrf": csrf_of(page.text)})
    assert "0〜100の整数を入力してください" in bad.text


def test_producers_and_issuers_cannot_post_contents(pw: IntermediaryWorld) -> None:
    http = _logged_in(pw, "producer-aa")
    token = csrf_of(http.get("/portal/producer/").text)
    assert http.post("/portal/contents", data={**GOOD, "csrf": token}).status_code == 403
