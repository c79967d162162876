"""Seeds 003 and 000 together: energy discharged from the battery keeps its renewable origin (first in first out,
losses deducted) as an asset of the buyer, and a certificate over it is accepted once and refused the second time
by the certificate rules' own double-issuance protection."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import AlreadyIssued
from ledger.rules import Context
from ledger.rules.trading_origin import shares
from ledger_lite.trading import draw_wh
from tests.helpers.ledger_world import ManualClock
from tests.helpers.trading_world import BATTERY, EFFICIENCY_PCT, TradingWorld, refused
from tests.ledger.support import assert_rejected, fingerprint


def delivered(t: TradingWorld, ctx: Context, wh: int = 3_000) -> tuple[str, str]:
    """Homes A (2,000 Wh) and B (4,000 Wh) sold into the battery; home C bought ``wh``, delivered over hour 4..5.
    Returns (request id, delivery tx id)."""
    t.run(ctx, t.receipt(t.home_a, t.at(1), t.at(2), 2_000))
    t.run(ctx, t.receipt(t.home_b, t.at(1), t.at(2), 4_000))
    request = t.request(t.home_c, t.at(3), t.at(10), wh, 40)
    t.run(ctx, request)
    ctx.time = t.at(6)
    t.run(ctx, t.match(t.at(4)))
    delivery = t.delivery(request.tx_id, t.at(4), t.at(5), wh)
    assert t.run(ctx, delivery)["asset"] == delivery.tx_id
    return request.tx_id, delivery.tx_id


def test_a_delivery_is_an_asset_of_the_buyer_with_its_origin_losses_deducted() -> None:
    t = TradingWorld()
    ctx = t.context(time=t.at(3))
    request_id, delivery_id = delivered(t, ctx)
    draw = draw_wh(3_000, EFFICIENCY_PCT)  # 3,334 Wh left the battery for 3,000 Wh at home C
    asset = t.value(ctx, f"asset/{delivery_id}")
    assert (asset["owner"], asset["wh"], asset["method"], asset["trade"]) == (t.home_c.address, 3_000, "solar",
                                                                              "completed")
    assert (asset["provider"], asset["meter"]) == (BATTERY, t.storage.address)
    assert (asset["start"], asset["end"], asset["usage_start"], asset["usage_end"]) == (t.at(1), t.at(2), t.at(4),
                                                                                        t.at(5))
    origin = asset["origin"]
    assert (origin["battery"], origin["delivery"], origin["reservation"]) == (BATTERY, delivery_id, request_id)
    assert (origin["drawn_wh"], origin["loss_wh"]) == (draw, draw - 3_000)
    # First in, first out: all of home A's lot, then part of home B's; each gives its share of the losses.
    assert [(lot["home"], lot["drawn_wh"], lot["wh"]) for lot in origin["lots"]] == [
        (t.home_a.address, 2_000, 1_800), (t.home_b.address, draw - 2_000, 1_200)]


def test_a_certificate_over_discharged_energy_is_accepted_once_and_shows_the_battery_path() -> None:
    t = TradingWorld()
    ctx = t.context(time=t.at(3))
    _, asset_id = delivered(t, ctx)
    first = t.ledger.issue([asset_id], owner=t.home_c.address)
    result = t.run(ctx, first)
    certificate = t.value(ctx, f"cert/{first.tx_id}")
    assert result == {"certificate_id": first.tx_id, "wh": 3_000,
                      "record": {k: v for k, v in certificate.items() if k != "assets"}}
    assert (certificate["owner"], certificate["method"], certificate["category"]) == (t.home_c.address, "solar",
                                                                                      "renewable")
    assert certificate["origin"] == [{"asset": asset_id, "battery": BATTERY, "delivery": asset_id,
                                      "homes": sorted([t.home_a.address, t.home_b.address]),
                                      "loss_wh": draw_wh(3_000, EFFICIENCY_PCT) - 3_000}]
    assert t.value(ctx, f"asset/{asset_id}")["cert"] == first.tx_id
    again = refused(ctx, t.ledger.issue([asset_id], owner=t.home_c.address), "already_issued",
                    f"asset {asset_id} is already certified by certificate {first.tx_id}")
    assert isinstance(again, AlreadyIssued) and again.certificate_id == first.tx_id


def test_the_buying_home_certifies_it_with_its_own_key_and_nobody_else_can() -> None:
    t = TradingWorld()
    ctx = t.context(time=t.at(3))
    _, asset_id = delivered(t, ctx)
    refused(ctx, t.ledger.issue([asset_id], owner=t.home_c.address, signer=t.home_a), "not_owner",
            f"a home key may only certify its own assets: signer {t.home_a.address}, owner {t.home_c.address}")
    refused(ctx, t.ledger.issue([asset_id], owner=t.home_a.address, signer=t.home_a), "not_owner",
            f"asset {asset_id} is not allocated to {t.home_a.address}")
    refused(ctx, t.ledger.issue([asset_id], owner=t.home_a.address), "not_owner",
            f"asset {asset_id} is not allocated to {t.home_a.address}")
    own = t.ledger.issue([asset_id], owner=t.home_c.address, signer=t.home_c)
    result = t.run(ctx, own)
    assert (result["certificate_id"], result["wh"]) == (own.tx_id, 3_000), "the buying home certifies what it bought"
    assert t.value(ctx, f"cert/{own.tx_id}")["issuer"] == t.home_c.address


@given(parts=st.lists(st.integers(1, 50_000), min_size=1, max_size=30), percent=st.integers(1, 100))
def test_shares_deduct_the_losses_from_every_lot_and_add_up(parts: list[int], percent: int) -> None:
    wh = max(1, sum(parts) * percent // 100)
    split = shares([{"wh": p} for p in parts], wh)
    assert sum(split) == wh
    assert all(0 <= s <= p for s, p in zip(split, parts, strict=True))


def test_on_a_real_node_the_second_certificate_is_refused_and_the_store_reopens(tmp_path: Path) -> None:
    t = TradingWorld()
    clock = ManualClock(t.at(3))
    node = t.ledger.open_node_with(t.genesis(), tmp_path / "node", clock)
    w = t.ledger
    try:
        w.commit(node, t.receipt(t.home_a, t.at(1), t.at(2), 2_000))
        request = t.request(t.home_c, t.at(3), t.at(10), 1_800, 40)
        w.commit(node, request)
        clock.set(t.at(6))
        w.commit(node, t.match(t.at(4)))
        delivery = w.commit(node, t.delivery(request.tx_id, t.at(4), t.at(5), 1_800))
        asset_id = delivery["result"]["asset"]
        issued = w.commit(node, w.issue([asset_id], owner=t.home_c.address))
        assert issued["result"]["wh"] == 1_800
        before = fingerprint(node)
        second = w.submit_wait(node, w.issue([asset_id], owner=t.home_c.address, institution="other"))
        assert_rejected(second, "already_issued", 409, f"already certified by certificate {issued['tx_id']}")
        assert fingerprint(node) == before
    finally:
        node.close()
    reopened = t.ledger.open_node_with(t.genesis(), tmp_path / "node", clock)  # the stored asset checks out
    try:
        asset = reopened.value(f"asset/{asset_id}")
        assert asset["origin"]["lots"][0]["home"] == t.home_a.address and asset["cert"] == issued["tx_id"]
    finally:
        reopened.close()
