"""The portal's words exist in both languages, and a page's inline style sheet is the one its CSP allows."""

from __future__ import annotations

import base64
import hashlib
import re

from intermediary.portal.catalogue import BASE, check
from intermediary.portal.consumer_text import CONSUMER
from intermediary.portal.rendering import kwh
from tests.helpers.intermediary_world import IntermediaryWorld


def test_every_word_is_in_japanese_and_english() -> None:
    assert check(BASE) == []
    assert check(CONSUMER) == []


def test_the_pages_style_sheet_is_allowed_by_its_hash_and_nothing_else_is(pw: IntermediaryWorld) -> None:
    page = pw.http().get("/portal/login")
    style = re.search(r"<style>(.*?)</style>", page.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    csp = page.headers["content-security-policy"]
    assert f"style-src 'sha256-{digest}'" in csp and csp.startswith("default-src 'none'")
    assert " style=" not in page.text and "<script" not in page.text
    assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "no-referrer"


def test_kwh_is_written_without_trailing_zeros() -> None:
    assert [kwh(w) for w in (0, 1, 1500, 20_000, 123_456_789)] == ["0", "0.001", "1.5", "20", "123456.789"]


def test_an_unknown_portal_page_or_method_is_a_page(pw: IntermediaryWorld) -> None:
    http = pw.http()
    missing = http.get("/portal/nothing-here")
    assert missing.status_code == 404 and 'data-error="not_found"' in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    wrong = http.delete("/portal/login")
    assert wrong.status_code == 405 and "GET" in wrong.headers["allow"] and "<html" in wrong.text
    assert http.get("/api/v1/nothing").json()["error"] == "not_found"  # the API stays JSON
