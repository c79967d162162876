"""A smart meter that signs its half-hourly readings as ledger transactions (seed S61–S62, S81).

* producer reading (S62: provider, date and time of provision, amount, production method, owner)::

      type "asset.generate", body {provider, method, start, end, wh, owner}

* consumer usage (S81: user, amount used, time of use)::

      type "usage.report", body {consumer, start, end, wh}

Both use ``nonce = start // 1800`` (one transaction per meter and interval) and ``time = end``.

A producer's meter reports to the intermediary its producer registered (S21-S25: the registry entry's
``attrs.intermediary``, ``registered_intermediary``); a meter with none reports to its installation's default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from field.errors import ReadingError, SiteError
from field.profiles import DEFAULT_SEED, check_start, generation_series, usage_series
from field.sites import Consumer, Producer
from ledger_lite import SigningKey, Transaction, sign_tx
from ledger_lite.certificate import INTERVAL_S
from ledger_lite.keys import is_address

ASSET_GENERATE = "asset.generate"
USAGE_REPORT = "usage.report"


def registered_intermediary(registry: Iterable[Mapping[str, Any]], meter: str) -> str | None:
    """S23-S24: the address of the intermediary the live registry entry of ``meter`` (an address) names, or None
    (``registry``: the node's registry items, ``NodeClient.registry``)."""
    for entry in registry:
        if entry.get("address") == meter and not entry.get("removed"):
            attrs = entry.get("attrs")
            bound = attrs.get("intermediary") if isinstance(attrs, Mapping) else None
            return bound if isinstance(bound, str) and is_address(bound) else None
    return None


class SmartMeter:
    """The meter of one site; signs with ``key``, the meter's own key (registered on the ledger for producers,
    with the intermediary for consumers)."""

    def __init__(self, site: Producer | Consumer, chain_id: str, key: SigningKey) -> None:
        if not isinstance(site, Producer | Consumer):
            raise SiteError(f"expected a Producer or Consumer, found {type(site).__name__}")
        if not chain_id:
            raise SiteError("expected a non-empty chain id, found ''")
        self.site = site
        self.chain_id = chain_id
        if not isinstance(key, SigningKey):
            raise SiteError(f"site {site.id}: expected the meter's SigningKey, found {type(key).__name__}")
        self.key = key

    @property
    def address(self) -> str:
        """The meter's ledger address (the registry binds it to the provider, method and capacity)."""
        return self.key.address

    def reading_tx(self, start: int, wh: int, owner: str) -> Transaction:
        """S62: a signed request to record ``wh`` made in ``[start, start + 1800)`` as ``owner``'s asset."""
        site = self._producer("reading_tx")
        self._check(start, wh)
        if not isinstance(owner, str) or not is_address(owner):
            raise ReadingError(f"expected owner as a ledger address ('gc1' + 40 hex digits), found {owner!r}")
        body = {"provider": site.id, "method": site.method, "start": start, "end": start + INTERVAL_S,
                "wh": wh, "owner": owner}
        return self._sign(ASSET_GENERATE, body, start)

    def usage_tx(self, start: int, wh: int) -> Transaction:
        """S81: a signed report that the consumer used ``wh`` in ``[start, start + 1800)``."""
        site = self._consumer("usage_tx")
        self._check(start, wh)
        body = {"consumer": site.id, "start": start, "end": start + INTERVAL_S, "wh": wh}
        return self._sign(USAGE_REPORT, body, start)

    def month_of_readings(self, start: int, intervals: int, owner: str, *, seed: int = DEFAULT_SEED,
                          ) -> list[Transaction]:
        """Signed readings for ``intervals`` half hours from ``start``; intervals with 0 Wh make no asset."""
        series = generation_series(self._producer("month_of_readings"), start, intervals, seed=seed)
        return [self.reading_tx(start + i * INTERVAL_S, wh, owner) for i, wh in enumerate(series) if wh > 0]

    def month_of_usage(self, start: int, intervals: int, *, seed: int = DEFAULT_SEED) -> list[Transaction]:
        """Signed usage reports for each of ``intervals`` half hours from ``start`` (S81: every 30 min)."""
        series = usage_series(self._consumer("month_of_usage"), start, intervals, seed=seed)
        return [self.usage_tx(start + i * INTERVAL_S, wh) for i, wh in enumerate(series)]

    def _producer(self, operation: str) -> Producer:
        if not isinstance(self.site, Producer):
            raise SiteError(f"{operation}: expected a producer's meter, "
                            f"found consumer {self.site.id}'s meter")
        return self.site

    def _consumer(self, operation: str) -> Consumer:
        if not isinstance(self.site, Consumer):
            raise SiteError(f"{operation}: expected a consumer's meter, "
                            f"found producer {self.site.id}'s meter")
        return self.site

    def _check(self, start: int, wh: int) -> None:
        check_start(start)
        if isinstance(wh, bool) or not isinstance(wh, int):
            raise ReadingError(f"expected wh as an integer, found {type(wh).__name__} {wh!r}")
        if wh < 0:
            raise ReadingError(f"expected wh >= 0, found {wh}")
        if wh > self.site.max_interval_wh:
            bound = self.site.max_interval_wh
            raise ReadingError(f"expected wh <= {bound} (capacity {self.site.capacity_w} W × 0.5 h) "
                               f"at site {self.site.id}, found {wh}")

    def _sign(self, tx_type: str, body: dict[str, object], start: int) -> Transaction:
        return sign_tx(self.key, chain=self.chain_id, type=tx_type, body=body, nonce=start // INTERVAL_S,
                       time=start + INTERVAL_S)
