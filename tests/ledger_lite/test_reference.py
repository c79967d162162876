"""Short references: what people quote for a certificate, always checked against the full id."""

from __future__ import annotations

import pytest

from ledger_lite.reference import ReferenceError, matches, normalise_reference, short_reference

CID = "3f2a91c07b1e" + "0" * 52


def test_short_reference_is_the_ids_first_twelve_digits_grouped() -> None:
    assert short_reference(CID) == "3F2A-91C0-7B1E"


@pytest.mark.parametrize("bad", ["", "3F2A91C07B1E" + "0" * 52, CID + "0", CID[:-1] + "g", CID + "?x"])
def test_a_certificate_id_of_another_form_has_no_reference(bad: str) -> None:
    with pytest.raises(ReferenceError, match="expected a certificate id of 64 lowercase hex digits"):
        short_reference(bad)


@pytest.mark.parametrize("typed", ["3F2A-91C0-7B1E", "3f2a91c07b1e", " 3f2a 91c0 7b1e ", "3F2A-91C07B1E"])
def test_typed_references_are_accepted_as_people_type_them(typed: str) -> None:
    assert normalise_reference(typed) == "3F2A-91C0-7B1E"
    assert matches(typed, CID)


@pytest.mark.parametrize("typed", ["3F2A-91C0-7B1", "3F2A-91C0-7B1EE", "3F2A-91C0-7B1G", "x" * 10_000])
def test_malformed_references_are_refused_with_a_short_message(typed: str) -> None:
    with pytest.raises(ReferenceError, match="expected a reference of 12 hex digits") as info:
        normalise_reference(typed)
    assert len(str(info.value)) < 160
    assert not matches(typed, CID)


def test_a_reference_matches_only_its_own_id() -> None:
    assert not matches("3F2A-91C0-7B1F", CID)
