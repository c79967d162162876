"""What the state's indexes hold for one value: the owner of an asset and, for an asset open for trade, its
expiry day with its provider and method; for an asset open for trade or certified, its expiry (``expiry_of``: the
sweep of ``ledger.rules.expiry`` takes those out of the state in expiry order). The same rule for the indexes in memory
(``ledger.state``) and on disk (``ledger.storage``), so both answer ``owned``, ``owned_open``,
``open_by_expiry_day`` and ``expired`` alike."""

from __future__ import annotations

from typing import Any, NamedTuple

ASSET_NAMESPACE = "asset/"
EXPIRY_DAY = 86_400  # open assets are indexed by the day (UTC) they expire in


class Indexed(NamedTuple):
    """The index entries of one asset value: ``owner`` always, ``day``/``provider``/``method`` when open (equal
    entries: a write that leaves the indexes as they are, such as a certification)."""

    owner: str
    day: int | None
    provider: str
    method: str


def indexed(key: str, value: Any) -> Indexed | None:
    """The index entries of ``value`` at ``key``; None for anything but an asset with an owner."""
    if not key.startswith(ASSET_NAMESPACE) or not isinstance(value, dict):
        return None
    owner = value.get("owner")
    if not isinstance(owner, str):
        return None
    expires = value.get("expires")
    day = expires // EXPIRY_DAY if value.get("trade") == "open" and isinstance(expires, int) else None
    return Indexed(owner, day, str(value.get("provider", "")), str(value.get("method", "")))


def same_indexed(old: Any, new: Any) -> bool:
    """Whether ``indexed`` gives two values at one key the same entries because every field it reads is equal (a
    certification, say, changes none of them): a block's writer compares these rather than making both entries,
    three times as costly. False says only that the entries may differ."""
    return (type(old) is dict and type(new) is dict and old.get("owner") == new.get("owner")
            and old.get("trade") == new.get("trade") and old.get("expires") == new.get("expires")
            and old.get("provider") == new.get("provider") and old.get("method") == new.get("method"))


def expiry_of(key: str, value: Any) -> int | None:
    """When the asset at ``key`` may leave the state by expiry (its ``expires``, which no rule changes once the
    asset exists): for an asset still open for trade or already certified. None for an allocated asset not yet
    certified (the consumer may still certify it: the certification rule needs it, however old) and for anything
    but an asset with an integer ``expires``."""
    if not key.startswith(ASSET_NAMESPACE) or not isinstance(value, dict):
        return None
    expires = value.get("expires")
    if type(expires) is not int:
        return None
    if value.get("trade") != "open" and value.get("cert") is None:
        return None  # allocated (or delivered) and waiting for its certificate
    return expires
