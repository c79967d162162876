"""``ledger_lite.certificate.assets_root``: the one definition of the root a certificate's record commits to over
its assets, which the ledger's rule writes and the intermediary checks an outcome's record against."""

from __future__ import annotations

import pytest

from ledger_lite import merkle_root
from ledger_lite.certificate import assets_root

IDS = ["cc" * 32, "aa" * 32, "bb" * 32]


def test_it_is_the_merkle_root_of_the_sorted_ids_raw_bytes_whatever_their_order() -> None:
    expected = merkle_root([bytes.fromhex(i) for i in sorted(IDS)])
    assert assets_root(IDS) == assets_root(reversed(IDS)) == expected
    assert assets_root(IDS[:2]) != expected


def test_an_id_that_is_not_hex_is_refused() -> None:
    with pytest.raises(ValueError):
        assets_root(["zz" * 32])
