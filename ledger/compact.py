"""Lossless compact disk forms for the two things a node stores a million of: meter readings and their assets.

A stored transaction or state value is a tag byte and a body:

* ``FORM_RAW`` (0): the canonical CBOR as it is (every other transaction type and state value);
* ``FORM_READING`` (1): an ``asset.generate`` envelope of the node's own chain as a CBOR array of its values in
  a fixed order, the owner address as its 20 raw bytes and the end of the interval as its length;
* ``FORM_ASSET`` (1): an asset record (``ledger.rules.asset_record``) in the same positional way, any optional
  fields in a trailing map.

Only values whose every field has the exact expected type take a compact form, so unpacking rebuilds the same
value and canonical CBOR gives back the same bytes: transaction ids and the state root are unchanged, and the
node's start-up check (stored state against the signed head) would notice if they were not. State keys
``asset/<64 hex>`` are stored as their 32 raw bytes.
"""

from __future__ import annotations

import re
from typing import Any

import cbor2

from ledger.errors import StoreError
from ledger.state import encode_state
from ledger.state_encoding import CODEC
from ledger_lite import Transaction, canonical
from ledger_lite.keys import ADDRESS_PREFIX

FORM_RAW = 0
FORM_READING = 1
FORM_ASSET = 1

READING_TYPE = "asset.generate"
READING_FIELDS = {"provider": str, "method": str, "start": int, "end": int, "wh": int, "owner": str}
ASSET_PREFIX = "asset/"
ASSET_FIELDS = {"provider": str, "meter": str, "method": str, "start": int, "end": int, "wh": int, "owner": str,
                "expires": int, "trade": str}
TRADES = ("open", "completed")
_CUT = len(ADDRESS_PREFIX)
_ADDRESS = re.compile(ADDRESS_PREFIX + r"[0-9a-f]{40}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_KEY_TEXT, KEY_ASSET = b"\x00", b"\x01"  # the first byte of a stored text key or asset key

if CODEC:  # built (ledger.state_encoding says whether)
    from ledger import _state_codec


def _typed(value: dict[str, Any], fields: dict[str, type]) -> bool:
    """Every field present with exactly its type (``bool`` is not an ``int`` here)."""
    return all(type(value.get(name)) is kind for name, kind in fields.items())


def _address_bytes(address: str) -> bytes | None:
    return bytes.fromhex(address[_CUT:]) if _ADDRESS.fullmatch(address) else None


_ADDRESSES: dict[bytes, str] = {}  # one string per registered key, however many assets name it


def _address(raw: bytes) -> str:
    address = _ADDRESSES.get(raw)
    if address is None:
        address = _ADDRESSES[raw] = ADDRESS_PREFIX + raw.hex()
    return address


def _tagged(blob: bytes, what: str, key: str = "") -> tuple[int, bytes]:
    if not blob:
        raise StoreError(f"expected a stored {what}{f' at {key!r}' if key else ''} with a form tag, found 0 bytes")
    return blob[0], blob[1:]


# --- transactions -------------------------------------------------------------------------------------------
def pack_tx(tx: Transaction, chain: str) -> bytes:
    """The stored form of a committed transaction (``tx.encode()`` are its canonical bytes)."""
    body = tx.body
    if tx.type == READING_TYPE and tx.chain == chain and len(body) == len(READING_FIELDS) \
            and _typed(body, READING_FIELDS):
        owner = _RAW_ADDRESSES.get(body["owner"]) or _raw_address(body["owner"])
        if owner is not None:
            values = [tx.signer, tx.nonce, tx.time, tx.sig, body["provider"], body["method"], body["start"],
                      body["end"] - body["start"], body["wh"], owner]
            return bytes((FORM_READING,)) + bytes(cbor2.dumps(values))
    return bytes((FORM_RAW,)) + tx.encode()


def unpack_tx(blob: bytes, chain: str) -> bytes:
    """The canonical bytes of a stored transaction."""
    form, body = _tagged(blob, "transaction")
    if form == FORM_RAW:
        return body
    if form != FORM_READING:
        raise StoreError(f"expected a transaction form {FORM_RAW} or {FORM_READING}, found {form}")
    try:
        signer, nonce, time, sig, provider, method, start, length, wh, owner = cbor2.loads(body)
    except (ValueError, TypeError, cbor2.CBORDecodeError) as exc:
        raise StoreError(f"a stored reading does not decode: {exc}") from exc
    return canonical({"chain": chain, "type": READING_TYPE, "signer": signer, "nonce": nonce, "time": time,
                      "sig": sig, "body": {"provider": provider, "method": method, "start": start,
                                           "end": start + length, "wh": wh, "owner": _address(owner)}})


# --- state --------------------------------------------------------------------------------------------------
def pack_key(key: str) -> bytes:
    if key.startswith(ASSET_PREFIX) and _HEX64.fullmatch(key, len(ASSET_PREFIX)):
        return KEY_ASSET + bytes.fromhex(key[len(ASSET_PREFIX):])
    return _KEY_TEXT + key.encode()


def unpack_key(blob: bytes) -> str:
    form, body = _tagged(blob, "state key")
    if bytes((form,)) == KEY_ASSET and len(body) == 32:
        return ASSET_PREFIX + body.hex()
    if bytes((form,)) == _KEY_TEXT:
        try:
            return body.decode()
        except UnicodeDecodeError as exc:
            raise StoreError(f"a stored state key is not UTF-8: {exc}") from exc
    raise StoreError(f"expected a state key form 0 or 1 (32 bytes), found {form} ({len(body)} bytes)")


def pack_value(key: str, value: Any, encoded: bytes) -> bytes:
    """The stored form of the state value at ``key`` (``encoded`` is its canonical CBOR). An asset record is
    packed by the compiled ``_state_codec.pack_asset`` (~4 times faster) once its addresses are known; the code
    below is its reference, and packs what that leaves (a new address, a field of another type)."""
    if key.startswith(ASSET_PREFIX) and type(value) is dict:
        if CODEC:
            packed = _state_codec.pack_asset(value, _RAW_ADDRESSES)
            if packed is not None:
                return packed
        # Spelled out rather than looped over ASSET_FIELDS: this runs for every asset a block writes.
        get = value.get
        provider, meter, method, owner, trade = get("provider"), get("meter"), get("method"), get("owner"), \
            get("trade")
        start, end, wh, expires = get("start"), get("end"), get("wh"), get("expires")
        if type(provider) is str and type(method) is str and type(start) is int and type(end) is int \
                and type(wh) is int and type(expires) is int and trade in TRADES and type(meter) is str \
                and type(owner) is str:
            meter_raw, owner_raw = _RAW_ADDRESSES.get(meter) or _raw_address(meter), \
                _RAW_ADDRESSES.get(owner) or _raw_address(owner)
            if meter_raw is not None and owner_raw is not None:
                values = [provider, meter_raw, method, start, end - start, wh, owner_raw, expires - end,
                          TRADES.index(trade)]
                if len(value) > len(ASSET_FIELDS):
                    values.append({k: v for k, v in value.items() if k not in ASSET_FIELDS})
                # Not canonical: ``unpack_value`` encodes the value canonically again, and this is three times
                # faster.
                return bytes((FORM_ASSET,)) + bytes(cbor2.dumps(values))
    return bytes((FORM_RAW,)) + encoded


# An address's 20 bytes by its text (``pack_value``): the same few meters and owners come back in every block, and
# the dict lookup costs a fifth of the pattern's match and the hex decoding. Bounded: past ``_MAX_RAW`` addresses it
# starts again.
_RAW_ADDRESSES: dict[str, bytes] = {}
_MAX_RAW = 1 << 16


def _raw_address(address: str) -> bytes | None:
    raw = _address_bytes(address)
    if raw is not None:
        if len(_RAW_ADDRESSES) >= _MAX_RAW:
            _RAW_ADDRESSES.clear()
        _RAW_ADDRESSES[address] = raw
    return raw


def unpack_value(key: str, blob: bytes) -> tuple[bytes, Any]:
    """The canonical CBOR and the value of a stored state value. A packed asset of the nine fields is unpacked by
    the compiled ``_state_codec.unpack_asset`` once its addresses are known (1.8 -> 1.2 us: the sweep unpacks one
    a reading); the code below is its reference, and unpacks what that leaves."""
    form, body = _tagged(blob, "state value", key)
    if CODEC and form == FORM_ASSET and key.startswith(ASSET_PREFIX):
        unpacked = _state_codec.unpack_asset(body, _ADDRESSES)
        if unpacked is not None:
            return unpacked
    try:
        decoded = cbor2.loads(body)
    except (ValueError, TypeError, cbor2.CBORDecodeError) as exc:
        raise StoreError(f"state row {key!r} does not decode: {exc}; the store was changed outside the node") from exc
    if form == FORM_RAW:
        return body, decoded
    if form != FORM_ASSET or not key.startswith(ASSET_PREFIX) or not isinstance(decoded, list) \
            or len(decoded) not in (9, 10):
        raise StoreError(f"state row {key!r} is not a stored asset; the store was changed outside the node")
    provider, meter, method, start, length, wh, owner, expires_after, trade = decoded[:9]
    try:
        end = start + length
        # A restart re-encodes every asset of the node (``encode_state``; the compiled one takes ~0.3 us).
        value = {"wh": wh, "end": end, "meter": _address(meter), "owner": _address(owner), "start": start,
                 "trade": TRADES[trade], "method": method, "expires": end + expires_after, "provider": provider}
        if len(decoded) == 10:
            value.update(decoded[9])
    except (AttributeError, TypeError, IndexError, ValueError) as exc:
        raise StoreError(f"state row {key!r} is not a stored asset ({exc}); the store was changed outside the "
                         f"node") from exc
    return encode_state(value), value
