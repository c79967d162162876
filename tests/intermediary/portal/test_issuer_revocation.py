"""The issuer's portal pages (issue 15): find a certificate, give a reason, confirm, see the result; refusals are
pages that say what is wrong and change nothing; afterwards every verifier (``greencert verify``, the public
/verify page) says revoked, with the reason. Against a real node, through the portal's test client."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from greencert.servers import BackgroundServer
from greencert.verify import verify
from intermediary.models import Certificate
from intermediary.portal import catalogue
from intermediary.portal.issuer_text import ISSUER
from ledger.api import create_app as create_node_app
from tests.helpers.intermediary_certificates import issue
from tests.helpers.intermediary_world import IntermediaryWorld
from tests.helpers.portal import csrf_of, portal_login

REASON = "Meter Aa was miscalibrated / メーターAaの校正誤り"
CERTS = "/portal/issuer/certificates"


@pytest.fixture
def issuer(pw: IntermediaryWorld) -> httpx.Client:
    http = pw.http()
    assert portal_login(http, "issuer").status_code == 303
    return http


def _row(pw: IntermediaryWorld, certificate_id: str) -> Certificate:
    with pw.service.db() as db:
        cert = db.get(Certificate, certificate_id)
        assert cert is not None
        return cert


def _ledger_revoked(pw: IntermediaryWorld, certificate_id: str) -> object:
    return pw.service.node.value(f"cert/{certificate_id}")["value"]["revoked"]


def _confirm(http: httpx.Client, cid: str, reason: str) -> httpx.Response:
    page = http.get(f"{CERTS}/{cid}")
    return http.post(f"{CERTS}/{cid}/confirm", data={"csrf": csrf_of(page.text), "reason": reason})


def _revoke(http: httpx.Client, cid: str, reason: str) -> httpx.Response:
    confirm = _confirm(http, cid, reason)
    assert confirm.status_code == 200, confirm.text
    return http.post(f"{CERTS}/{cid}/revoke", data={"csrf": csrf_of(confirm.text), "reason": reason})


def test_the_catalogue_has_every_word_in_both_languages() -> None:
    assert catalogue.check(ISSUER) == []


def test_an_issuer_finds_confirms_and_revokes_and_verifiers_say_revoked(
        pw: IntermediaryWorld, issuer: httpx.Client, tmp_path: Path) -> None:
    cid = issue(pw)
    home = issuer.get("/portal/issuer/")
    assert home.status_code == 200 and f'data-certificate="{cid}"' in home.text
    found = issuer.get("/portal/issuer/find", params={"certificate_id": f"  {cid.upper()} "})
    assert (found.status_code, found.headers["location"]) == (303, f"{CERTS}/{cid}")
    page = issuer.get(f"{CERTS}/{cid}")
    assert "Consumer Ca" in page.text and "Valid" in page.text and 'name="reason"' in page.text

    confirm = _confirm(issuer, cid, REASON)
    assert f"Revoke certificate {cid[:12]}…?" in confirm.text and "This cannot be undone." in confirm.text
    assert REASON in confirm.text and "Yes, revoke" in confirm.text and "No, keep it" in confirm.text
    assert _ledger_revoked(pw, cid) is None  # the confirmation screen changes nothing

    done = issuer.post(f"{CERTS}/{cid}/revoke", data={"csrf": csrf_of(confirm.text), "reason": REASON})
    assert (done.status_code, done.headers["location"]) == (303, f"{CERTS}/{cid}/revoked")
    result = issuer.get(done.headers["location"])
    assert "Certificate revoked" in result.text and REASON in result.text
    assert _ledger_revoked(pw, cid)["reason"] == REASON  # type: ignore[index]
    assert _row(pw, cid).revoked_reason == REASON

    # The public /verify page (the link the result page gives) says revoked, with the reason.
    href = re.search(r'href="(/verify\?p=[^"]+)"', result.text)
    assert href is not None
    public = issuer.get(href.group(1).replace("&amp;", "&"))
    assert public.status_code == 200 and "revoked at block" in public.text
    assert "Meter Aa was miscalibrated" in public.text

    # greencert verify against the node over HTTP: not genuine, the revocation step failing with the reason.
    server = BackgroundServer(create_node_app(pw.node), "127.0.0.1", 0).start()
    try:
        report = verify(_row(pw, cid).payload, node_url=server.url, offline=False, trust_cache=tmp_path / "trust")
    finally:
        server.stop()
    step = next(s for s in report.steps if s.name == "revocation")
    assert step.ok is False and "Meter Aa was miscalibrated" in step.detail


def test_the_pages_speak_japanese(pw: IntermediaryWorld, issuer: httpx.Client) -> None:
    cid = issue(pw)
    issuer.headers["Accept-Language"] = "ja-JP,ja;q=0.9"
    confirm = _confirm(issuer, cid, REASON)
    assert f"証明書 {cid[:12]}… を失効させますか？" in confirm.text and "この操作は取り消せません。" in confirm.text
    result = issuer.get(issuer.post(f"{CERTS}/{cid}/revoke", data={"csrf": csrf_of(confirm.text),
                                                                   "reason": REASON}).headers["location"])
    assert "証明書を失効させました" in result.text


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, "bad\x07bell"], ids=["empty", "blank", "too-long", "bel"])
def test_a_bad_reason_shows_the_form_again_and_changes_nothing(pw: IntermediaryWorld, issuer: httpx.Client,
                                                               reason: str) -> None:
    cid = issue(pw)
    for answer in (_confirm(issuer, cid, reason), _revoke_directly(issuer, cid, reason)):
        assert answer.status_code == 400 and 'data-error="bad_reason"' in answer.text
        assert "Enter a reason of 1 to 500 characters" in answer.text
    assert _ledger_revoked(pw, cid) is None and _row(pw, cid).revoked_reason is None


def _revoke_directly(http: httpx.Client, cid: str, reason: str) -> httpx.Response:
    """The final POST without the confirmation screen's check (as a forged or replayed form would send it)."""
    page = http.get(f"{CERTS}/{cid}")
    return http.post(f"{CERTS}/{cid}/revoke", data={"csrf": csrf_of(page.text), "reason": reason})


def test_revoking_again_is_a_409_page_with_the_first_reason(pw: IntermediaryWorld, issuer: httpx.Client) -> None:
    cid = issue(pw)
    assert _revoke(issuer, cid, REASON).status_code == 303
    page = issuer.get(f"{CERTS}/{cid}")
    assert 'name="reason"' not in page.text and "Revoked on" in page.text  # no form for a revoked certificate
    again = _revoke_directly(issuer, cid, "another reason")
    assert again.status_code == 409 and 'data-error="already_revoked"' in again.text and REASON in again.text
    assert _ledger_revoked(pw, cid)["reason"] == REASON  # type: ignore[index]


def test_finding_what_is_not_ours_says_so(pw: IntermediaryWorld, issuer: httpx.Client) -> None:
    world = pw.ledger
    assets = [world.allocated_asset(pw.node, n, 1_000) for n in (20, 21)]
    theirs = world.commit(pw.node, world.issue(assets, signer=world.user))["result"]["certificate_id"]
    for entered, status, code in ((theirs, 403, "find_other"), ("ab" * 32, 404, "find_unknown"),
                                  ("not an id", 400, "find_bad")):
        answer = issuer.get("/portal/issuer/find", params={"certificate_id": entered})
        assert answer.status_code == status and f'data-error="{code}"' in answer.text, entered
    assert issuer.get(f"{CERTS}/{theirs}").status_code == 404
    page = issuer.get(f"{CERTS}/{theirs}")
    assert _revoke_directly_status(issuer, theirs, csrf_of(issuer.get("/portal/issuer/").text)) == 404
    assert _ledger_revoked(pw, theirs) is None and "Not found" in page.text


def _revoke_directly_status(http: httpx.Client, cid: str, csrf: str) -> int:
    return http.post(f"{CERTS}/{cid}/revoke", data={"csrf": csrf, "reason": "issued in error"}).status_code


def test_a_post_without_the_sessions_token_is_refused(pw: IntermediaryWorld, issuer: httpx.Client) -> None:
    cid = issue(pw)
    answer = issuer.post(f"{CERTS}/{cid}/revoke", data={"csrf": "forged", "reason": "issued in error"})
    assert answer.status_code == 403 and _ledger_revoked(pw, cid) is None


def test_only_issuers_open_the_pages(pw: IntermediaryWorld) -> None:
    cid = issue(pw)
    consumer = pw.http()
    assert portal_login(consumer, "ca").status_code == 303
    assert consumer.get("/portal/issuer/").status_code == 403
    assert consumer.get(f"{CERTS}/{cid}").status_code == 403
    anonymous = pw.http()
    assert anonymous.get("/portal/issuer/").headers["location"] == "/portal/login"


def test_the_list_is_paged_newest_first(pw: IntermediaryWorld, issuer: httpx.Client) -> None:
    ids = [issue(pw, first_slot=n, count=1) for n in range(21)]  # one more than a page
    first, second = issuer.get("/portal/issuer/"), issuer.get("/portal/issuer/", params={"page": "2"})
    listed = re.findall(r'data-certificate="([0-9a-f]{64})"', first.text + second.text)
    assert sorted(listed) == sorted(ids) and len(set(listed)) == 21
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert "21 certificates" in first.text
    assert issuer.get("/portal/issuer/", params={"page": "0"}).status_code == 400
    assert issuer.get("/portal/issuer/", params={"page": "x"}).status_code == 400
