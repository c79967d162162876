"""Smart meters sign readings (S62) and usage reports (S81) as ledger transactions."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from field import errors
from field.meter import ASSET_GENERATE, USAGE_REPORT, SmartMeter
from field.profiles import JST, generation_series, usage_series
from field.sites import CONSUMER_CA, CONSUMER_CB, PRODUCER_AA, PRODUCER_AB, WIND_FARM_AW, Consumer, Producer
from ledger_lite import SignatureError, SigningKey, Transaction, decode_tx

CHAIN = "greencert-test"
OCT = int(datetime(2026, 10, 1, tzinfo=JST).timestamp())
NOON = OCT + 24 * 1800  # 2026-10-01 12:00 JST
INTERMEDIARY = SigningKey.derive("test/intermediary/Da").address


def key_of(site: Producer | Consumer) -> SigningKey:
    return SigningKey.derive(f"test/meter/{site.id}")


def meter_of(site: Producer | Consumer) -> SmartMeter:
    """The site's meter with a fixed test key (installations generate random keys: ``greencert.world``)."""
    return SmartMeter(site, CHAIN, key_of(site))


def test_reading_is_a_signed_asset_generation() -> None:
    meter = meter_of(PRODUCER_AA)
    tx = meter.reading_tx(NOON, 120_000, INTERMEDIARY)
    assert tx.chain == CHAIN
    assert tx.type == ASSET_GENERATE == "asset.generate"
    # S62: provider, date and time of provision, amount, production method, owner.
    assert tx.body == {"provider": "Aa", "method": "solar", "start": NOON, "end": NOON + 1800, "wh": 120_000,
                       "owner": INTERMEDIARY}
    assert tx.nonce == NOON // 1800
    assert tx.time == NOON + 1800
    assert tx.signer == key_of(PRODUCER_AA).public.raw
    assert tx.signer_address == meter.address
    tx.verify_signature()


def test_usage_is_a_signed_report() -> None:
    meter = meter_of(CONSUMER_CA)
    tx = meter.usage_tx(NOON, 480_000)
    assert tx.type == USAGE_REPORT == "usage.report"
    assert tx.body == {"consumer": "Ca", "start": NOON, "end": NOON + 1800, "wh": 480_000}
    assert (tx.nonce, tx.time) == (NOON // 1800, NOON + 1800)
    assert tx.signer == key_of(CONSUMER_CA).public.raw
    tx.verify_signature()


def test_transactions_survive_encoding() -> None:
    for tx in (meter_of(WIND_FARM_AW).reading_tx(OCT, 0, INTERMEDIARY),
               meter_of(CONSUMER_CB).usage_tx(OCT, 1)):
        decoded = decode_tx(tx.encode())
        assert decoded == tx
        assert decoded.tx_id == tx.tx_id
        decoded.verify_signature()


def test_signing_is_deterministic_and_key_is_replaceable() -> None:
    first = meter_of(PRODUCER_AB).reading_tx(NOON, 400_000, INTERMEDIARY)
    assert meter_of(PRODUCER_AB).reading_tx(NOON, 400_000, INTERMEDIARY).tx_id == first.tx_id
    key = SigningKey.derive("test/other-key")
    other = SmartMeter(PRODUCER_AB, CHAIN, key=key).reading_tx(NOON, 400_000, INTERMEDIARY)
    assert other.signer == key.public.raw
    other.verify_signature()


def test_a_changed_body_no_longer_verifies() -> None:
    tx = meter_of(PRODUCER_AA).reading_tx(NOON, 120_000, INTERMEDIARY)
    forged = dataclasses.replace(tx, body={**tx.body, "wh": 240_000})
    with pytest.raises(SignatureError):
        forged.verify_signature()


def test_month_of_readings_matches_the_profile() -> None:
    meter = meter_of(PRODUCER_AA)
    txs = meter.month_of_readings(OCT, 1440, INTERMEDIARY, seed=6)
    series = generation_series(PRODUCER_AA, OCT, 1440, seed=6)
    produced = [(OCT + i * 1800, wh) for i, wh in enumerate(series) if wh > 0]
    assert [(tx.body["start"], tx.body["wh"]) for tx in txs] == produced  # no asset for the dark half hours
    assert 400 < len(txs) < 1000
    assert len({tx.nonce for tx in txs}) == len(txs)
    assert len({tx.tx_id for tx in txs}) == len(txs)
    for tx in txs:
        assert tx.nonce == tx.body["start"] // 1800 and tx.time == tx.body["end"] == tx.body["start"] + 1800
        assert (tx.body["owner"], tx.body["provider"], tx.body["method"]) == (INTERMEDIARY, "Aa", "solar")
        tx.verify_signature()
        assert decode_tx(tx.encode()) == tx


def test_month_of_readings_for_oil_and_wind() -> None:
    for site in (PRODUCER_AB, WIND_FARM_AW):
        txs = meter_of(site).month_of_readings(OCT, 1440, INTERMEDIARY, seed=6)
        assert sum(tx.body["wh"] for tx in txs) == sum(generation_series(site, OCT, 1440, seed=6))
        assert all(tx.body["method"] == site.method for tx in txs)


def test_month_of_usage_reports_every_half_hour() -> None:
    txs = meter_of(CONSUMER_CB).month_of_usage(OCT, 1440, seed=6)
    assert [tx.nonce for tx in txs] == list(range(OCT // 1800, OCT // 1800 + 1440))
    assert [tx.body["wh"] for tx in txs] == usage_series(CONSUMER_CB, OCT, 1440, seed=6)
    for tx in txs:
        tx.verify_signature()
        assert isinstance(decode_tx(tx.encode()), Transaction)


# --- bad input ---------------------------------------------------------------------------------------------


def test_negative_amount_is_refused() -> None:
    with pytest.raises(errors.ReadingError, match="expected wh >= 0, found -1"):
        meter_of(PRODUCER_AA).reading_tx(NOON, -1, INTERMEDIARY)
    with pytest.raises(errors.ReadingError, match="expected wh >= 0, found -5"):
        meter_of(CONSUMER_CA).usage_tx(NOON, -5)


def test_amount_above_capacity_is_refused() -> None:
    meter = meter_of(PRODUCER_AA)
    meter.reading_tx(NOON, 250_000, INTERMEDIARY)  # exactly 500 kW × 0.5 h is allowed
    with pytest.raises(errors.ReadingError, match=r"expected wh <= 250000 \(capacity 500000 W × 0.5 h\) "
                                                  r"at site Aa, found 250001"):
        meter.reading_tx(NOON, 250_001, INTERMEDIARY)
    with pytest.raises(errors.ReadingError, match=r"expected wh <= 650000 .* at site Ca, found 700000"):
        meter_of(CONSUMER_CA).usage_tx(NOON, 700_000)


@pytest.mark.parametrize("wh", [1.5, True, "10"])
def test_amount_must_be_an_integer(wh: object) -> None:
    with pytest.raises(errors.ReadingError, match="expected wh as an integer, found"):
        meter_of(PRODUCER_AA).reading_tx(NOON, wh, INTERMEDIARY)  # type: ignore[arg-type]


def test_unaligned_start_is_refused() -> None:
    with pytest.raises(errors.IntervalError, match=r"expected start to be a non-negative multiple of 1800 s, "
                                                    r"found \d+ \(900 s past a boundary\)"):
        meter_of(PRODUCER_AA).reading_tx(NOON + 900, 10, INTERMEDIARY)
    with pytest.raises(errors.IntervalError, match="expected start"):
        meter_of(CONSUMER_CA).month_of_usage(NOON + 1, 2)


@pytest.mark.parametrize("owner", ["Da", "gc1" + "0" * 39, "GC1" + "a" * 40, 42])
def test_owner_must_be_a_ledger_address(owner: object) -> None:
    expected = r"expected owner as a ledger address \('gc1' \+ 40 hex digits\), found"
    with pytest.raises(errors.ReadingError, match=expected):
        meter_of(PRODUCER_AA).reading_tx(NOON, 10, owner)  # type: ignore[arg-type]


def test_meters_only_do_their_own_kind_of_report() -> None:
    with pytest.raises(errors.SiteError, match="reading_tx: expected a producer's meter, found consumer Ca"):
        meter_of(CONSUMER_CA).reading_tx(NOON, 10, INTERMEDIARY)
    with pytest.raises(errors.SiteError, match="usage_tx: expected a consumer's meter, found producer Aa's"):
        meter_of(PRODUCER_AA).usage_tx(NOON, 10)
    with pytest.raises(errors.SiteError, match="month_of_usage: expected a consumer's meter"):
        meter_of(PRODUCER_AA).month_of_usage(OCT, 2)
    with pytest.raises(errors.SiteError, match="month_of_readings: expected a producer's meter"):
        meter_of(CONSUMER_CB).month_of_readings(OCT, 2, INTERMEDIARY)


def test_meter_needs_a_site_a_chain_and_its_own_key() -> None:
    with pytest.raises(errors.SiteError, match="expected a Producer or Consumer, found str"):
        SmartMeter("Aa", CHAIN, key_of(PRODUCER_AA))  # type: ignore[arg-type]
    with pytest.raises(errors.SiteError, match="expected a non-empty chain id, found ''"):
        SmartMeter(PRODUCER_AA, "", key_of(PRODUCER_AA))
    with pytest.raises(errors.SiteError, match="site Aa: expected the meter's SigningKey, found NoneType"):
        SmartMeter(PRODUCER_AA, CHAIN, None)  # type: ignore[arg-type]
