"""The consumer's certificates page: its own certificates (issued at the kiosk through the API on a real node) with
period, method, Wh and when issued, revoked ones with the reason, and each PDF through the portal session; another
consumer's certificate is not found."""

from __future__ import annotations

import uuid

import httpx

from intermediary.models import Certificate
from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld
from tests.helpers.portal import portal_login


def _issue(pw: IntermediaryWorld, applicant: str = "ca", to: str = "Ca") -> str:
    pw.allocate(2, to=to)
    http = pw.http()
    auth = pw.login(http, applicant)
    rows = pw.open_rows(http, auth)
    issued = http.post(f"{API}/certificates", headers=auth, json={"item_ids": [r["item_id"] for r in rows],
                                                                  "type_id": TYPE_ID,
                                                                  "idempotency_key": uuid.uuid4().hex})
    assert issued.status_code == 201, issued.text
    certificate_id: str = issued.json()["certificate_id"]
    return certificate_id


def _as(pw: IntermediaryWorld, applicant: str) -> httpx.Client:
    http = pw.http()
    assert portal_login(http, applicant).status_code == 303
    return http


def test_a_consumer_sees_its_certificates_and_downloads_the_pdf(pw: IntermediaryWorld) -> None:
    cid = _issue(pw)
    http = _as(pw, "ca")
    page = http.get("/portal/certificates")
    assert page.status_code == 200 and f'data-certificate="{cid}"' in page.text
    assert "Solar" in page.text and "2,000 Wh" in page.text and "Valid" in page.text
    pdf = http.get(f"/portal/certificates/{cid}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.headers["cache-control"] == "no-store"
    assert pw.http().get(f"/portal/certificates/{cid}/pdf").status_code == 303  # no session: the log-in


def test_another_consumers_certificate_is_not_found(pw: IntermediaryWorld) -> None:
    cid = _issue(pw)
    cb = _as(pw, "cb")
    page = cb.get("/portal/certificates")
    assert cid not in page.text and "You have no certificates yet" in page.text
    for path in (f"/portal/certificates/{cid}/pdf", "/portal/certificates/nonsense/pdf"):
        response = cb.get(path)
        assert response.status_code == 404 and 'data-error="not_found"' in response.text
        assert not response.content.startswith(b"%PDF")


def test_a_revoked_certificate_says_when_and_why(pw: IntermediaryWorld) -> None:
    cid = _issue(pw)
    with pw.service.db() as db:
        cert = db.get(Certificate, cid)
        assert cert is not None
        cert.revoked_at, cert.revoked_reason = 1_790_850_600, "meter fault <found>"
        db.commit()
    page = _as(pw, "ca").get("/portal/certificates")
    assert "Revoked on 2026-10-01 19:30: meter fault &lt;found&gt;" in page.text
    ja = _as(pw, "ca").get("/portal/certificates", headers={"Accept-Language": "ja"})
    assert "2026-10-01 19:30 に失効：meter fault &lt;found&gt;" in ja.text
