"""Names people read are shown in Japanese on a Japanese page (issue 15): a provider's or consumer's ``name_ja``
(migration 0005) on the consumer's pages, falling back to the English ``name`` where a row has none."""

from __future__ import annotations

import re

from intermediary.models import Consumer, Provider
from tests.helpers.intermediary_world import IntermediaryWorld
from tests.helpers.portal import csrf_of, portal_login


def name_rows(pw: IntermediaryWorld) -> None:
    """Japanese names for Ca and for providers Aa and Aw; Ab keeps its English name only."""
    with pw.service.db() as db:
        consumer = db.get(Consumer, "Ca")
        assert consumer is not None
        consumer.name_ja = "需要家Ca"
        for pid, name in (("Aa", "生産者Aa"), ("Aw", "風力発電所Aw")):
            provider = db.get(Provider, pid)
            assert provider is not None
            provider.name_ja = name
        db.commit()


def test_the_contents_page_names_providers_in_the_pages_language(pw: IntermediaryWorld) -> None:
    name_rows(pw)
    http = pw.http()
    portal_login(http, "ca")
    ja = http.get("/portal/contents?lang=ja").text
    shown = re.findall(r'<span class="name">([^<]+)</span>', ja)
    assert shown == ["生産者Aa", "Producer Ab", "風力発電所Aw"]  # Ab has no Japanese name: English
    en = http.get("/portal/contents?lang=en").text
    assert re.findall(r'<span class="name">([^<]+)</span>', en) == ["Producer Aa", "Producer Ab", "Wind Farm Aw"]


def test_the_home_page_greets_and_lists_in_japanese(pw: IntermediaryWorld) -> None:
    name_rows(pw)
    http = pw.http()
    portal_login(http, "ca")
    form = http.get("/portal/contents?lang=ja")
    saved = http.post("/portal/contents", data={"csrf": csrf_of(form.text), "usage_start": "2026-04-01",
                                                "usage_end": "2027-03-31", "planned_kwh": "20", "target_pct": "40",
                                                "providers": ["Aa", "Ab"]},
                      follow_redirects=True)
    assert saved.status_code == 200, saved.text
    assert "生産者Aa (" in saved.text and "Producer Ab (" in saved.text
    home = http.get("/portal/?lang=ja", follow_redirects=True).text
    assert "需要家Ca" in home and "生産者Aa (" in home
    english = http.get("/portal/?lang=en", follow_redirects=True).text
    assert "Consumer Ca" in english and "Producer Aa (" in english and "生産者Aa" not in english
