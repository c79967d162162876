"""The public ``/verify`` page (issue #13, "On a phone" and "Bad input"): a certificate checked by pasting its
payload, following a link that carries it, or uploading a photo or the PDF — the light node's steps and verdicts
as a page, in Japanese and English, every quoted piece of input escaped, every bad input a page (never a
traceback), an oversized upload a 413 page.

One intermediary world (node + intermediary in this process) issues a certificate; the page is served by an app
over a second ``Service`` whose node connection can be cut (``Switch``), to show the fallback to the PDF's audit
bundle."""

from __future__ import annotations

import random
import re
import secrets
import subprocess
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import base45
import cbor2
import httpx
import pytest
from fastapi import FastAPI

from intermediary.api.app import create_app
from intermediary.service import Service
from intermediary.web.verify_page import MAX_UPLOAD_BYTES, VERIFY_BODY
from ledger.api import create_app as create_node_app
from ledger_lite import Claims, canonical, encode_payload
from printing.qr import ALPHANUMERIC, make_qr, qr_text, verify_link
from tests.helpers.asgi_exchange import Exchange
from tests.helpers.intermediary_world import API, IntermediaryWorld
from tests.helpers.ledger_world import SyncASGITransport

ASSETS = Path(__file__).parents[1] / "assets"


class Switch(httpx.BaseTransport):
    """The page's connection to the node: ``down`` refuses every connection, as a node that is off would."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.down = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return self.inner.handle_request(request)


@dataclass
class Issued:
    world: IntermediaryWorld
    service: Service  # the page's, over ``switch``
    switch: Switch
    payload: str
    certificate_id: str
    pdf: Path
    png: Path


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issued]:
    folder = tmp_path_factory.mktemp("verify-page")
    world = IntermediaryWorld.open(folder)
    world.allocate(2)
    http = world.http()
    auth = world.login(http)
    row = world.open_rows(http, auth)[0]
    made = http.post(f"{API}/certificates", headers=auth, json={"item_ids": [row["item_id"]],
                                                                "type_id": "jp-green-council",
                                                                "idempotency_key": uuid.uuid4().hex})
    assert made.status_code == 201, made.text
    cert = made.json()
    pdf = folder / "certificate.pdf"
    pdf.write_bytes(http.get(cert["pdf_url"], headers=auth).content)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(folder / "page")], check=True,
                   timeout=60)
    switch = Switch(SyncASGITransport(create_node_app(world.node)))
    service = IntermediaryWorld.service_over(world.ledger, folder / "page-service", switch, world.clock)
    yield Issued(world, service, switch, cert["payload"], cert["certificate_id"], pdf, folder / "page.png")
    service.node.close()
    service.engine.dispose()
    switch.inner.close()
    world.close()


@pytest.fixture
def app(issued: Issued) -> FastAPI:
    """A fresh app (its own trust list cache) over the page's service."""
    return create_app(issued.service)


@pytest.fixture
def page(issued: Issued, app: FastAPI) -> Iterator[httpx.Client]:
    """A client of ``app``, the node up."""
    issued.switch.down = False
    transport = SyncASGITransport(app, client=("198.51.100.7", 50_000))
    with httpx.Client(base_url="http://intermediary.test", transport=transport, timeout=120) as client:
        yield client
    transport.close()
    issued.switch.down = False


def verdict(response: httpx.Response) -> str:
    found = re.search(r'data-verdict="([^"]+)"', response.text)
    assert found, response.text
    return found.group(1)


def steps(response: httpx.Response) -> list[str]:
    """``name:ok`` for each step shown, as ``Report`` names them (ok: True, False or None)."""
    outcome = {"ok": "True", "fail": "False", "unknown": "None"}
    return [f"{name}:{outcome[css]}" for css, name in re.findall(r'<li class="(\w+)" data-step="([^"]+)"',
                                                                  response.text)]


def detail(response: httpx.Response, step: str) -> str:
    found = re.search(rf'data-step="{step}">.*?<span class="detail">(.*?)</span>', response.text)
    assert found, response.text
    return unescape(found.group(1))


def tampered(payload: str, **changes: object) -> str:
    """``payload`` with its claims changed and its signature kept."""
    tag = cbor2.loads(zlib.decompress(base45.b45decode(payload[4:])))
    protected, unprotected, claims, signature = tag.value
    claims = canonical({**cbor2.loads(claims), **changes})
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, claims, signature]), canonical=True)
    encoded: bytes = base45.b45encode(zlib.compress(cose, 9))
    return "GC1:" + encoded.decode()


def signed(issued: Issued, **changes: object) -> str:
    """A payload the trusted intermediary key signed for a certificate the ledger does not hold."""
    fields: dict[str, object] = {"cid": secrets.token_hex(32), "chain": issued.world.ledger.chain_id, "h": 3,
                                 "own": "Consumer Ca", "m": "solar", "wh": 1000, "ps": 1_790_812_800,
                                 "pe": 1_790_814_600, "inst": "jp-green-council", "iat": 1_790_900_000}
    return encode_payload(Claims(**{**fields, **changes}), issued.world.ledger.intermediary)  # type: ignore[arg-type]


def post(page: httpx.Client, *, lang: str = "en", payload: str = "",
         file: tuple[str, bytes, str] | None = None) -> httpx.Response:
    return page.post(f"/verify?lang={lang}", data={"lang": lang, "payload": payload},
                     files={"file": file} if file else {"file": ("", b"", "application/octet-stream")})


# -- the empty page ------------------------------------------------------------------------------------------------

def test_the_empty_page_is_a_phone_form_with_camera_upload(page: httpx.Client) -> None:
    response = page.get("/verify", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="en">' in html and 'name="viewport" content="width=device-width' in html
    assert '<textarea id="payload" name="payload"' in html
    assert 'type="file" accept="image/*,application/pdf" capture="environment"' in html
    assert 'enctype="multipart/form-data"' in html and "Check the certificate" in html
    assert "min-height:56px" in html  # the submit button: at least 48 px to tap
    assert not re.findall(r"https?://", html) and "<script" not in html  # nothing from elsewhere, no script


def test_headers_forbid_framing_and_allow_posting_only_to_itself(page: httpx.Client) -> None:
    headers = page.get("/verify").headers
    assert "form-action 'self'" in headers["content-security-policy"]
    assert "script-src" not in headers["content-security-policy"]  # default-src 'none': no script at all
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("accept", "query", "lang", "words"), [
    ("ja,en;q=0.8", None, "ja", "証明書を確認する"),
    ("en-US,en;q=0.9,ja;q=0.8", None, "en", "Check the certificate"),
    ("fr-FR,ja;q=0.5", None, "ja", "証明書を確認する"),
    ("ja", "en", "en", "Check the certificate"),
    ("", "ja", "ja", "証明書を確認する"),
])
def test_language_from_the_query_else_accept_language(page: httpx.Client, accept: str, query: str | None,
                                                      lang: str, words: str) -> None:
    response = page.get("/verify", params={"lang": query} if query else {}, headers={"Accept-Language": accept})
    assert f'<html lang="{lang}">' in response.text and words in response.text


def test_the_page_is_not_in_the_api_document(page: httpx.Client) -> None:
    paths = page.get("/openapi.json").json()["paths"]
    assert not any(p.startswith("/verify") for p in paths)


# -- genuine -------------------------------------------------------------------------------------------------------

def test_a_pasted_genuine_payload_is_genuine_against_the_ledger(page: httpx.Client, issued: Issued) -> None:
    response = post(page, payload=issued.payload)
    assert response.status_code == 200 and verdict(response) == "genuine", response.text
    assert steps(response) == ["read:True", "signature:True", "inclusion:True", "record:True", "revocation:True",
                              "time_matched:True"]
    assert "Genuine" in response.text and "Checked against the ledger." in response.text
    assert "Consumer Ca" in response.text and "Verified facts (read them against the paper)" in response.text


def test_a_link_carrying_the_payload_is_checked(page: httpx.Client, issued: Issued) -> None:
    response = page.get("/verify", params={"p": issued.payload, "lang": "ja"})
    assert verdict(response) == "genuine" and "本物です" in response.text and '<html lang="ja">' in response.text
    assert "台帳に照会して確認しました。" in response.text and "発行者の署名" in response.text
    assert "電力量" in response.text and "所有者" in response.text


@pytest.mark.parametrize("base", ["https://intermediary.example.jp", "http://127.0.0.1"])
def test_the_link_a_qr_code_can_carry_is_checked(page: httpx.Client, issued: Issued, base: str) -> None:
    link = verify_link(issued.payload, base)
    assert set(link) <= ALPHANUMERIC and "/VERIFY/GC1:" in link  # all in QR alphanumeric mode
    response = page.get(link.split("/VERIFY", 1)[1].join(["/VERIFY", ""]), headers={"Accept-Language": "en"})
    assert verdict(response) == "genuine", response.text
    lower = page.get("/verify" + link.split("/VERIFY", 1)[1])
    assert verdict(lower) == "genuine"


def test_a_qr_code_carries_the_link_only_where_it_fits(issued: Issued) -> None:
    assert qr_text(issued.payload) == issued.payload  # off unless an institution sets a base URL
    linked = qr_text(issued.payload, "https://intermediary.example.jp")
    assert linked.startswith("HTTPS://INTERMEDIARY.EXAMPLE.JP/VERIFY/GC1:")
    assert make_qr(linked).version in range(1, 21) and make_qr(linked).error == make_qr(issued.payload).error
    kanji = random.Random(1)
    big = signed(issued, own="".join(chr(kanji.randint(0x4E00, 0x9FA0)) for _ in range(120)))  # version 19 at M
    assert make_qr(big).version in range(1, 21) and qr_text(big, "https://intermediary.example.jp") == big


def test_in_japanese_the_facts_are_worded_in_japanese(page: httpx.Client, issued: Issued) -> None:
    response = post(page, lang="ja", payload=issued.payload)
    assert verdict(response) == "genuine" and "本物です" in response.text
    assert "確認済みの内容" in response.text and "合格" in response.text


def test_a_photo_of_the_certificate_is_genuine(page: httpx.Client, issued: Issued) -> None:
    response = post(page, file=("IMG_0001.png", issued.png.read_bytes(), "image/png"))
    assert verdict(response) == "genuine", response.text
    assert steps(response)[0] == "read:True" and "QR code read from IMG_0001.png" in response.text
    assert "the text printed on the photo was not compared" in response.text


def test_the_pdf_is_genuine_with_its_printed_text_compared(page: httpx.Client, issued: Issued) -> None:
    response = post(page, file=("certificate.pdf", issued.pdf.read_bytes(), "application/pdf"))
    assert verdict(response) == "genuine", response.text
    assert steps(response) == ["read:True", "signature:True", "printed:True", "inclusion:True", "record:True",
                               "revocation:True", "time_matched:True"]


def test_with_the_node_down_the_pdf_proves_itself_from_its_bundle(page: httpx.Client, issued: Issued,
                                                                   app: FastAPI) -> None:
    assert verdict(page.get("/verify", params={"p": issued.payload})) == "genuine"  # the trust list, fetched
    app.state.verify_trust.ttl_s = 0  # a minute later
    issued.switch.down = True
    response = post(page, file=("certificate.pdf", issued.pdf.read_bytes(), "application/pdf"))
    assert verdict(response) == "genuine", response.text
    assert steps(response) == ["read:True", "signature:True", "printed:True", "inclusion:True", "record:True",
                               "revocation:True", "time_matched:True"]
    assert "Checked offline, from the proofs the certificate PDF carries." in response.text
    assert "the ledger node cannot be reached" in response.text
    assert "the PDF&#x27;s audit bundle was checked instead" in response.text
    assert "a revocation after that needs the network" in response.text


def test_with_the_node_down_a_payload_has_only_its_signature_checked(page: httpx.Client, issued: Issued) -> None:
    assert verdict(page.get("/verify", params={"p": issued.payload})) == "genuine"
    issued.switch.down = True  # within the minute: the trust list is at hand, the node is not
    response = post(page, payload=issued.payload)
    assert verdict(response) == "could not check", response.text
    assert steps(response) == ["read:True", "ledger:None", "signature:True"]
    assert "Only the issuer&#x27;s signature was checked" in response.text
    assert "What the certificate claims (NOT verified)" in response.text


def test_with_the_node_down_from_the_start_there_is_no_trust_list(page: httpx.Client, issued: Issued) -> None:
    issued.switch.down = True
    response = post(page, payload=issued.payload)
    assert verdict(response) == "could not check" and steps(response) == ["read:True", "trust:None"]
    assert "no trust list" in detail(response, "trust")


# -- not genuine, bad input ----------------------------------------------------------------------------------------

def test_a_tampered_amount_fails_at_the_signature(page: httpx.Client, issued: Issued) -> None:
    response = post(page, payload=tampered(issued.payload, wh=10_000_000))
    assert verdict(response) == "not genuine" and steps(response) == ["read:True", "signature:False"]
    assert "Not genuine" in response.text and "FAIL" in response.text
    assert "COSE signature does not verify" in detail(response, "signature")


def test_a_certificate_of_another_chain_is_not_genuine(page: httpx.Client, issued: Issued) -> None:
    response = post(page, payload=signed(issued, chain="another-chain"))
    assert verdict(response) == "not genuine", response.text
    assert "expected a certificate of chain" in detail(response, "payload")
    assert "another-chain" in detail(response, "payload")


@pytest.mark.parametrize(("asset", "match"), [("payload_zlib_bomb.txt", "inflated"),
                                              ("payload_too_long.txt", "at most 4096 characters")])
def test_a_zlib_bomb_or_an_oversized_payload_fails_at_the_payload_step(page: httpx.Client, asset: str,
                                                                       match: str) -> None:
    response = post(page, payload=(ASSETS / asset).read_text().strip())
    assert response.status_code == 200 and verdict(response) == "not genuine"
    assert steps(response) == ["read:True", "payload:False"] and match in detail(response, "payload")


def test_garbage_text_is_not_genuine(page: httpx.Client) -> None:
    response = page.get("/verify", params={"p": "hello, world"})
    assert verdict(response) == "not genuine" and steps(response) == ["read:True", "payload:False"]


def test_an_upload_that_is_no_image_could_not_be_checked(page: httpx.Client) -> None:
    response = post(page, file=("notes.png", secrets.token_bytes(5000), "image/png"))
    assert response.status_code == 200 and verdict(response) == "could not check"
    assert steps(response) == ["read:None"] and "cannot read notes.png" in detail(response, "read")


def test_a_photo_without_a_qr_code_could_not_be_checked(page: httpx.Client, issued: Issued, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (300, 200), "white").save(tmp_path / "blank.jpg")
    response = post(page, lang="ja", file=("blank.jpg", (tmp_path / "blank.jpg").read_bytes(), "image/jpeg"))
    assert verdict(response) == "could not check" and "確認できませんでした" in response.text
    assert detail(response, "read") == "blank.jpg に QR コードが見つかりません。"


# -- in Japanese: the details too (issue #13) ------------------------------------------------------------------------

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_a_tampered_amount_on_the_japanese_page_says_why_in_japanese(page: httpx.Client, issued: Issued) -> None:
    response = post(page, lang="ja", payload=tampered(issued.payload, wh=10_000_000))
    assert verdict(response) == "not genuine" and steps(response) == ["read:True", "signature:False"]
    assert detail(response, "signature").startswith("署名が内容と一致しません。署名の後に内容")
    assert detail(response, "read") == "貼り付けられた文字列、またはリンクに含まれる文字列を読み取りました。"
    assert "does not verify" not in response.text


@pytest.mark.parametrize(("make", "step", "words"), [
    (lambda issued: signed(issued, chain="another-chain"), "payload",
     "の証明書のはずですが、チェーン another-chain の証明書です"),
    (lambda issued: (ASSETS / "payload_zlib_bomb.txt").read_text().strip(), "payload",
     "展開すると 16,384 バイト以内のはずですが、それを超えました"),
    (lambda issued: (ASSETS / "payload_too_long.txt").read_text().strip(), "payload", "4,096 文字以内のはずですが"),
], ids=["other chain", "zlib bomb", "oversized"])
def test_each_failure_on_the_japanese_page_is_worded_in_japanese(page: httpx.Client, issued: Issued, make: Any,
                                                                 step: str, words: str) -> None:
    response = post(page, lang="ja", payload=make(issued))
    assert verdict(response) == "not genuine"
    shown = detail(response, step)
    assert words in shown and JAPANESE.search(shown), shown
    assert not re.search(r"\b(expected|found)\b", shown), shown


def test_a_genuine_certificate_on_the_japanese_page_has_japanese_steps_and_notes(page: httpx.Client,
                                                                                 issued: Issued) -> None:
    response = post(page, lang="ja", payload=issued.payload)
    assert verdict(response) == "genuine"
    for step in ("signature", "inclusion", "record", "revocation"):
        assert JAPANESE.search(detail(response, step)), step
    assert detail(response, "revocation") == "失効していません。"


def test_an_empty_form_asks_for_something_to_check(page: httpx.Client) -> None:
    response = post(page)
    assert response.status_code == 400 and "Paste the QR code text or choose a photo or PDF first." in response.text


def test_a_body_that_is_no_form_is_a_page(page: httpx.Client) -> None:
    response = page.post("/verify", content=b"\x00\x01", headers={"content-type": "multipart/form-data; boundary=x"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert "The form could not be read" in response.text


# -- hostile text is shown, never run ------------------------------------------------------------------------------

HOSTILE = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


def test_hostile_claims_are_escaped(page: httpx.Client, issued: Issued) -> None:
    response = post(page, payload=signed(issued, own=HOSTILE, m=HOSTILE))
    assert verdict(response) == "not genuine"  # signed by a trusted key, but the ledger has no such issuance
    assert "<script" not in response.text and "<img" not in response.text
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in response.text


def test_hostile_file_names_and_pasted_text_are_escaped(page: httpx.Client) -> None:
    response = post(page, file=('<img src=x onerror="alert(1)"><b>.png', b"not an image", "image/png"))
    assert "<img" not in response.text and "<b>" not in response.text
    assert "cannot read &lt;img src=x onerror=" in response.text
    assert detail(response, "read").startswith("cannot read <img src=x onerror=")
    response = page.get("/verify", params={"p": HOSTILE, "lang": "en"})
    assert "<script" not in response.text and "<img" not in response.text
    assert verdict(response) == "not genuine"


# -- too large -----------------------------------------------------------------------------------------------------

def test_an_upload_over_the_limit_is_a_413_page(page: httpx.Client) -> None:
    response = post(page, lang="ja", file=("huge.jpg", b"\xff\xd8\xff" + b"\0" * MAX_UPLOAD_BYTES, "image/jpeg"))
    assert response.status_code == 413 and response.headers["content-type"].startswith("text/html")
    assert "ファイルが大きすぎます" in response.text and '<textarea id="payload"' in response.text


def test_a_body_over_the_limit_is_a_413_page_unread(issued: Issued) -> None:
    size = VERIFY_BODY + 1
    done = Exchange(create_app(issued.service), "POST", "/verify", chunks=[b"\0" * 2**20] * 20,
                    headers=[(b"content-type", b"multipart/form-data; boundary=x"),
                             (b"content-length", str(size).encode()), (b"accept-language", b"en")])
    assert done.status == 413 and done.reads == 0
    assert done.headers["content-type"].startswith("text/html") and "form-action 'self'" in \
        done.headers["content-security-policy"]
    assert b"The file is too large: at most 15 MB" in done.body
    assert int(done.headers["content-length"]) == len(done.body)


def test_a_chunked_body_over_the_limit_is_a_413_page(issued: Issued) -> None:
    done = Exchange(create_app(issued.service), "POST", "/verify", chunks=[b"\0" * 2**20] * 20,
                    headers=[(b"content-type", b"multipart/form-data; boundary=x")])
    assert done.status == 413 and done.reads < 20 and b"The file is too large" in done.body


def test_the_api_keeps_its_json_413(issued: Issued) -> None:
    done = Exchange(create_app(issued.service), "POST", f"{API}/sessions", chunks=[b"\0" * 2**20] * 2,
                    headers=[(b"content-type", b"application/json"), (b"content-length", str(2 * 2**20).encode())])
    assert done.status == 413 and done.error()["error"] == "too_large"
