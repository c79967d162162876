"""Issue 14 over HTTP against a real trading node (served on loopback): the home's page lists the energy it
bought from the battery with its origin, asks yes or no, issues one certificate signed for the home, offers its
PDF, which ``greencert verify`` finds GENUINE against the node, and never issues a second one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend_client import NodeClient
from field.trading.certificates import CertificateDesk
from field.trading.controller_page import create_app
from field.trading.neighbourhood import Neighbourhood
from greencert.servers import BackgroundServer
from greencert.verify import GENUINE, verify
from ledger.api import create_app as node_app
from tests.field.trading.world import TradingNode, open_trading_node
from tests.helpers.ledger_world import SyncASGITransport
from tests.helpers.trading_certificates import BUYER, NOON, buy_and_receive, desk_for, neighbourhood, run_slots

FORM = {"content-type": "application/x-www-form-urlencoded"}
H = 1800


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TradingNode]:
    yield from open_trading_node(tmp_path_factory.mktemp("home-certs"), 6)


@pytest.fixture(scope="module")
def node_url(world: TradingNode) -> Iterator[str]:
    served = BackgroundServer(node_app(world.node), "127.0.0.1", 0).start()
    yield served.url
    served.stop()


@pytest.fixture(scope="module")
def hood(world: TradingNode) -> Iterator[Neighbourhood]:
    hood = neighbourhood(world)
    run_slots(world, hood, NOON, 4)  # the houses with panels fill the battery at midday
    buy_and_receive(world, hood, 1_500, NOON + 4 * H)
    buy_and_receive(world, hood, 1_000, hood.now)
    buy_and_receive(world, hood, 800, hood.now)
    yield hood
    hood.close()
    hood.node.close()


@pytest.fixture
def desk(world: TradingNode, hood: Neighbourhood, node_url: str) -> Iterator[CertificateDesk]:
    node = NodeClient(node_url, timeout=30)
    yield desk_for(world, hood, node=node)
    node.close()


def page_of(hood: Neighbourhood, desk: CertificateDesk) -> httpx.Client:
    transport = SyncASGITransport(create_app(hood.controllers[BUYER], desk))
    return httpx.Client(transport=transport, base_url="http://home.test")


def choose(page: httpx.Client, *assets: str, lang: str = "en") -> httpx.Response:
    return page.post(f"/certificates?lang={lang}", content="&".join(f"asset={a}" for a in assets), headers=FORM)


def answer(page: httpx.Client, review: httpx.Response, yes: bool, lang: str = "en") -> httpx.Response:
    number = re.search(r'name="draft" value="(\d+)"', review.text)
    assert number is not None, review.text
    return page.post(f"/certificates/confirm?lang={lang}", content=f"draft={number.group(1)}&answer="
                     f"{'yes' if yes else 'no'}", headers=FORM)


def tip(world: TradingNode) -> int:
    return int(world.client().status()["height"])


def uncertified(world: TradingNode, desk: CertificateDesk) -> list[str]:
    return [d.asset_id for d in desk.delivered() if world.value(f"asset/{d.asset_id}")["cert"] is None]


def test_the_page_lists_the_energy_bought_with_its_origin(world: TradingNode, hood: Neighbourhood,
                                                          desk: CertificateDesk) -> None:
    delivered = desk.delivered()
    assert len(delivered) >= 2
    names = {e["address"]: e["name"] for e in world.client().registry()}
    for d in delivered:
        asset = world.value(f"asset/{d.asset_id}")
        assert (asset["owner"], asset["wh"], asset["method"]) == (desk.owner, d.wh, "solar")
        assert [lot.name for lot in d.lots] == [names[lot["home"]] for lot in asset["origin"]["lots"]]
        assert d.loss_wh == asset["origin"]["loss_wh"] > 0
    with page_of(hood, desk) as page:
        status = page.get("/?lang=en")
        assert 'href="certificates?lang=en"' in status.text
        en = page.get("/certificates?lang=en")
        ja = page.get("/certificates?lang=ja")
    first = delivered[0]
    assert en.status_code == ja.status_code == 200
    assert f'value="{first.asset_id}"' in en.text and "Seller homes" in en.text and "Battery losses" in en.text
    assert first.lots[0].name in en.text
    assert "売電した家" in ja.text and "蓄電池の損失" in ja.text and "受電した電力の再エネ証明書" in ja.text
    assert "<script" not in en.text


def test_no_sends_nothing_and_an_empty_choice_is_refused(world: TradingNode, hood: Neighbourhood,
                                                         desk: CertificateDesk) -> None:
    open_ = uncertified(world, desk)
    height = tip(world)
    with page_of(hood, desk) as page:
        empty = choose(page, lang="ja")
        assert empty.status_code == 422 and "証明する受電を一つ以上選んでください" in empty.text
        unknown = choose(page, "ab" * 32)
        assert unknown.status_code == 404 and "not on this home" in unknown.text
        review = choose(page, open_[0])
        assert review.status_code == 200 and "Issue this certificate?" in review.text
        no = answer(page, review, False)
        assert (no.status_code, no.headers["location"]) == (303, "../certificates?lang=en")
        stale = answer(page, review, True)  # that choice was answered already
        assert stale.status_code == 404 and "no longer open" in stale.text
    assert tip(world) == height  # nothing was submitted
    assert uncertified(world, desk) == open_


def test_yes_issues_one_certificate_whose_pdf_is_genuine_and_never_a_second(
        world: TradingNode, hood: Neighbourhood, desk: CertificateDesk, node_url: str, tmp_path: Path) -> None:
    asset_id = uncertified(world, desk)[0]
    with page_of(hood, desk) as page:
        review = choose(page, asset_id)
        twice = choose(page, asset_id)  # a second choice of the same delivery, opened before the first is issued
        done = answer(page, review, True)
        assert done.status_code == 303, done.text
        certificate_id = done.headers["location"].rsplit("issued=", 1)[1]
        record = world.value(f"cert/{certificate_id}")
        assert (record["owner"], record["assets"], record["method"]) == (desk.owner, [asset_id], "solar")
        assert record["issuer"] == world.ledger.intermediary.address
        assert record["origin"][0]["delivery"] == asset_id
        listed = page.get(f"/certificates?lang=en&issued={certificate_id}")
        assert f'href="certificates/{certificate_id}.pdf"' in listed.text
        assert f'value="{asset_id}"' not in listed.text  # certified: no longer offered
        download = page.get(f"/certificates/{certificate_id}.pdf")
        assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
        assert "attachment" in download.headers["content-disposition"]
        pdf = tmp_path / "certificate.pdf"
        pdf.write_bytes(download.content)
        report = verify(str(pdf), node_url=node_url, offline=False, trust_cache=tmp_path / "trust.json")
        assert report.exit_code == GENUINE, report.to_json()
        again = answer(page, twice, True, lang="ja")  # the ledger refuses: already_issued
        assert again.status_code == 409
        assert f"この受電にはすでに証明書 {certificate_id} が発行されています" in again.text
        chosen = choose(page, asset_id)  # the page refuses it before asking
        assert chosen.status_code == 409 and f"already has certificate {certificate_id}" in chosen.text
    assert world.value(f"asset/{asset_id}")["cert"] == certificate_id


def test_the_pdf_of_an_earlier_certificate_is_rebuilt_and_still_genuine(
        world: TradingNode, hood: Neighbourhood, desk: CertificateDesk, node_url: str, tmp_path: Path) -> None:
    asset_id = uncertified(world, desk)[0]
    draft = desk.draft([asset_id])
    issued = desk.confirm(draft.number, True)
    assert issued is not None
    node = NodeClient(node_url, timeout=30)
    try:
        fresh = desk_for(world, hood, node=node)  # as after a restart: nothing kept
        pdf = tmp_path / "again.pdf"
        pdf.write_bytes(fresh.pdf(issued.certificate_id))
    finally:
        node.close()
    report = verify(str(pdf), node_url=node_url, offline=False, trust_cache=tmp_path / "trust.json")
    assert report.exit_code == GENUINE, report.to_json()


def test_signed_with_the_homes_own_key_the_certificate_is_the_homes_and_genuine(
        world: TradingNode, hood: Neighbourhood, node_url: str, tmp_path: Path) -> None:
    """No intermediary key on the controller: the home certifies the energy it bought itself (the ledger accepts a
    home key for its own assets only), and the payload it signs verifies online against the record's issuer."""
    key = world.home_keys[world.homes[BUYER].id]
    node = NodeClient(node_url, timeout=30)
    try:
        desk = desk_for(world, hood, issuer=key, node=node)
        open_ = [d.asset_id for d in desk.delivered() if d.certificate is None]
        assert open_, "the module's hood delivers three times; two are certified by the tests above"
        with page_of(hood, desk) as page:
            done = answer(page, choose(page, open_[0]), True)
            assert done.status_code == 303, done.text
            certificate_id = done.headers["location"].rsplit("issued=", 1)[1]
            pdf = tmp_path / "own.pdf"
            pdf.write_bytes(page.get(f"/certificates/{certificate_id}.pdf").content)
    finally:
        node.close()
    record = world.value(f"cert/{certificate_id}")
    assert record["issuer"] == record["owner"] == key.address
    assert world.value(f"asset/{open_[0]}")["cert"] == certificate_id
    report = verify(str(pdf), node_url=node_url, offline=False, trust_cache=tmp_path / "trust.json")
    assert report.exit_code == GENUINE, report.to_json()
