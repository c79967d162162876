"""``greencert home`` as a real process, against a real node and storage server (processes too): its page takes a
purchase request and a token through Fig. 4's confirmation and both are recorded on the ledger; SIGTERM stops it
cleanly; bad options, a missing key file or a key registered for another house are one plain line and exit 2."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from backend_client import NodeClient
from ledger_lite.certificate import INTERVAL_S
from ledger_lite.certificate import JST_ZONE as JST
from tests.helpers.greencert_cli import greencert
from tests.helpers.trading_procs import TradingProcs

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def procs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TradingProcs]:
    with TradingProcs(tmp_path_factory.mktemp("home")) as running:
        running.start_node()
        running.start_storage()
        yield running



def draft_of(answer: httpx.Response) -> str:
    found = re.search(r'name="draft" value="(\d+)"', answer.text)
    assert found, answer.text[:500]
    return found.group(1)


def test_the_page_of_a_running_home_sends_what_its_user_confirms(procs: TradingProcs) -> None:
    home = procs.start_home("H01", "--poll", "1")
    address = procs.key("H01").address
    with httpx.Client(base_url=procs.home_url, timeout=30, headers=FORM) as page, \
            NodeClient(procs.node_url, timeout=30) as node:
        assert page.get("/api/view").json()["address"] == address
        assert "ホームコントローラー" in page.get("/?lang=ja").text
        now = int(time.time())
        start = datetime.fromtimestamp(now - now % INTERVAL_S + INTERVAL_S, JST)
        review = page.post("/buy?lang=en", content=f"date={start:%Y-%m-%d}&time={start:%H:%M}&kwh=1.0&price=40"
                                                   f"&pay=yen")
        assert review.status_code == 200 and "Send this purchase request?" in review.text
        assert page.post("/buy/confirm?lang=en", content=f"draft={draft_of(review)}&answer=yes").status_code == 303
        quote = re.search(r'id="quote">(\d+)<', page.get("/token?lang=en").text)
        assert quote, "the contract's price is shown once the battery has reported"
        # a little above the price shown: an hour starting before the block would move the contract's price
        review = page.post("/token?lang=en", content=f"kwh=2.0&price={int(quote.group(1)) + 10}")
        assert "Buy this token?" in review.text
        assert page.post("/token/confirm?lang=en", content=f"draft={draft_of(review)}&answer=yes").status_code == 303
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            view = page.get("/api/view").json()
            if view["purchases"][0]["state"] != "sent" and view["tokens"][0]["state"] not in ("sent", "verifying") \
                    and view["purchases"][0]["state"] != "verifying":
                break
            time.sleep(0.2)
        purchase, token = view["purchases"][0], view["tokens"][0]
        assert (purchase["state"], token["state"]) == ("recorded", "held"), (purchase, token)
        request = node.value(f"trade/request/{purchase['tx_id']}")["value"]
        assert (request["home"], request["wh"], request["max_price"]) == (address, 1_000, 40)
        assert node.value(f"trade/token/{token['tx_id']}")["value"]["wh"] == 2_000
    assert home.terminate() == 0
    assert f"Home controller 101 of House 01 ({address})" in home.output()


def test_help_and_bad_options(tmp_path: Path, procs: TradingProcs) -> None:
    helped = greencert("home", "--help")
    assert helped.returncode == 0 and "--storage" in helped.stdout and "--poll" in helped.stdout
    base = ["home", "--node", procs.node_url, "--storage", procs.storage_url, "--port", "0"]
    missing = greencert(*base, "--key", str(tmp_path / "none.key"), "--home", "H01")
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"greencert home: expected a key file at {tmp_path / 'none.key'}, found none"
    other = greencert(*base, "--key", str(procs.keys / "home-H01.key"), "--home", "H02")
    assert other.returncode == 2 and len(other.stderr.strip().splitlines()) == 1
    assert other.stderr.startswith("greencert home: expected the key registered for H02 at grid node F2/T1/H02, "
                                   "found it at 'F1/T1/H01'")
    unknown = greencert(*base, "--key", str(procs.keys / "home-H01.key"), "--home", "X1")
    assert (unknown.returncode, unknown.stderr.strip()) == (2, "greencert home: expected --home among H01…H99, "
                                                               "found 'X1'")
    storage_key = greencert(*base, "--key", str(procs.keys / "storage.key"), "--home", "H01")
    assert storage_key.returncode == 2 and "registered as 'home' on the ledger, found it registered as " \
                                           "'storage'" in storage_key.stderr
    bad = greencert(*base, "--key", "k", "--home", "H01", "--poll", "-2")
    assert bad.returncode == 2 and "--poll: invalid positive float value: '-2'" in bad.stderr
