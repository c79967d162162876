"""Energy bought from the battery, ready to certify (issue 14): a neighbourhood on a real trading node sells at
midday, one house without panels buys and is delivered; the node and the controller's page served over HTTP on
loopback (uvicorn in a thread), and the certificate desk wired as ``greencert home`` wires it."""

from __future__ import annotations

from typing import Any

from field.trading.certificates import CertificateDesk
from field.trading.controller import Purchase
from field.trading.neighbourhood import Neighbourhood
from greencert.home_command import pdf_renderer
from ledger_lite import SigningKey
from tests.field.trading.world import DAY0, TradingNode

H = 1800
NOON = DAY0 + 24 * H
BUYER = 2  # demo house H03 has no panels


def run_slots(w: TradingNode, hood: Neighbourhood, start: int, count: int) -> None:
    for i in range(count):
        w.clock.set(start + (i + 1) * H)
        hood.slot(start + i * H)


def neighbourhood(w: TradingNode, start: int = NOON) -> Neighbourhood:
    w.clock.set(start)
    hood = Neighbourhood(w.client(), w.chain_id, home_keys=w.home_keys, storage_key=w.storage_key,
                         validator_key=w.validator, homes=w.homes, start=start)
    hood.storage.report(start)
    return hood


def buy_and_receive(w: TradingNode, hood: Neighbourhood, wh: int, at: int) -> Purchase:
    """The buyer asks for ``wh`` from ``at``; the slots run until it is delivered and paid."""
    buyer = hood.controllers[BUYER]
    purchase = buyer.request(at, wh, 40)
    buyer.wait_sent()
    assert purchase.state == "recorded", purchase.reason
    now = hood.now
    run_slots(w, hood, now, (purchase.end - now) // H + 1)
    assert purchase.state == "paid", purchase.reason
    return purchase


def desk_for(w: TradingNode, hood: Neighbourhood, *, issuer: SigningKey | None = None,
             node: Any = None) -> CertificateDesk:
    """The buyer's desk; ``issuer`` defaults to the neighbourhood's intermediary (Intermediary Da)."""
    key = w.home_keys[w.homes[BUYER].id]
    return CertificateDesk(key, w.chain_id, node or w.client(), pdf_renderer(),
                           issuer=issuer or w.ledger.intermediary, clock=w.clock)
