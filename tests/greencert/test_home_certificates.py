"""``greencert home`` as a real process with its certificates part (issue 14), against a real node and storage
server: the page offers the home's certificates (none delivered yet, said in both languages), a PDF that is not
this home's is a 404 ``{error, message}``, and an ``--issuer-key`` that is not an intermediary's is one plain line
and exit 2."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.greencert.test_home_command import greencert
from tests.helpers.trading_procs import TradingProcs


@pytest.fixture(scope="module")
def procs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TradingProcs]:
    with TradingProcs(tmp_path_factory.mktemp("home-certs")) as running:
        running.start_node()
        running.start_storage()
        yield running


def test_the_running_home_offers_its_certificates(procs: TradingProcs) -> None:
    procs.start_home("H02", "--poll", "1")
    with httpx.Client(base_url=procs.home_url, timeout=30) as page:
        assert 'href="certificates?lang=en"' in page.get("/?lang=en").text
        assert "No delivered energy to certify yet" in page.get("/certificates?lang=en").text
        assert "証明できる受電はまだありません" in page.get("/certificates?lang=ja").text
        missing = page.get(f"/certificates/{'ab' * 32}.pdf")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_an_issuer_key_that_is_not_an_intermediarys_is_refused(procs: TradingProcs) -> None:
    other = procs.keys / "home-H03.key"
    run = greencert("home", "--node", procs.node_url, "--storage", procs.storage_url, "--key",
                    str(procs.keys / "home-H01.key"), "--home", "H01", "--port", "0", "--issuer-key", str(other))
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip() == (f"greencert home: expected the key {procs.key('H03').address} registered as "
                                  f"'intermediary' on the ledger, found it registered as 'home'")
    bad = greencert("home", "--node", procs.node_url, "--storage", procs.storage_url, "--key",
                    str(procs.keys / "home-H01.key"), "--home", "H01", "--port", "0", "--institution", "nowhere")
    assert bad.returncode == 2 and "expected --institution among ['intl-rec-registry', 'jp-green-council']" in \
        bad.stderr
