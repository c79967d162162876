"""The size of one certificate (``ledger_lite.certificate``): the limits derived from the transaction size limit,
and the pre-checks the intermediary and the direct-mode kiosk run before the ledger rule decides."""

from __future__ import annotations

import pytest

from ledger_lite import MAX_TX_BYTES, SigningKey, sha256, sign_tx
from ledger_lite.certificate import (
    ASSET_ID_BYTES,
    CHUNK,
    MAX_CERT_ASSETS,
    MAX_ROWS,
    SelectionError,
    check_item_ids,
    check_selection,
)
from ledger_lite.errors import Error

KEY = SigningKey.derive("test/limits/user")


def issuance_size(count: int, institution: str = "jp-green-council") -> int:
    ids = sorted(sha256(str(n).encode()).hex() for n in range(count))
    tx = sign_tx(KEY, chain="greencert-demo", type="cert.issue", nonce=2**62 - 1, time=2**40,
                 body={"owner": KEY.address, "assets": ids, "institution": institution})
    return len(tx.encode())


def test_a_full_certificate_fits_one_transaction_with_room_to_spare() -> None:
    assert CHUNK == 900  # rows are cut at this size: changing it changes the rows (and their ids) people see
    assert issuance_size(CHUNK, institution="i" * 1000) < MAX_TX_BYTES
    assert issuance_size(CHUNK + 1) - issuance_size(CHUNK) == ASSET_ID_BYTES


def test_the_ledger_bound_lies_beyond_what_fits() -> None:
    """With real asset ids the transaction size limit refuses an issuance before the ledger rule's count does."""
    assert CHUNK < MAX_TX_BYTES // ASSET_ID_BYTES <= MAX_CERT_ASSETS
    assert issuance_size(MAX_TX_BYTES // ASSET_ID_BYTES) > MAX_TX_BYTES


def test_one_method_and_at_most_a_chunk() -> None:
    assert check_selection(["solar", "solar"], CHUNK) == "solar"
    with pytest.raises(SelectionError) as mixed:
        check_selection(iter(["solar", "oil", "solar"]), 2)
    assert (mixed.value.code, str(mixed.value)) == (
        "mixed_methods", "expected rows of one production method per certificate, found ['oil', 'solar']")
    with pytest.raises(SelectionError) as large:
        check_selection(["wind"], CHUNK + 1)
    assert (large.value.code, str(large.value)) == (
        "selection_too_large", "expected at most 900 allocations in one certificate (one issuance transaction), "
                               "found 901: select fewer rows")
    assert isinstance(large.value, Error) and isinstance(large.value, ValueError)


@pytest.mark.parametrize("ids", [[], ["a", "a"], [str(n) for n in range(MAX_ROWS + 1)]])
def test_one_to_max_rows_distinct_item_ids(ids: list[str]) -> None:
    with pytest.raises(SelectionError, match=f"expected 1 to {MAX_ROWS} distinct item_ids") as refused:
        check_item_ids(ids)
    assert refused.value.code == "bad_request"
    check_item_ids([str(n) for n in range(MAX_ROWS)])
