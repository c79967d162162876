"""Block headers, commits and the ⌈2n/3⌉ finality quorum (seed 003: "reports exceed a predetermined number")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ledger_lite import (
    BlockHeader,
    Commit,
    CommitError,
    EncodingError,
    PublicKey,
    SigningKey,
    digest,
    quorum,
    sign_commit,
    validators_hash,
    verify_commit,
)
from ledger_lite.block import COMMIT_DOMAIN
from ledger_lite.encoding import canonical, sha256

OUTSIDER = SigningKey.derive("test/block/outsider")


def validators(n: int) -> list[SigningKey]:
    return [SigningKey.derive(f"test/block/validator/{i}") for i in range(n)]


def header_for(keys: list[SigningKey], **changes: Any) -> BlockHeader:
    fields: dict[str, Any] = {"chain": "greencert-test", "height": 3, "prev_hash": b"\x11" * 32,
                              "time": 1_790_900_000, "tx_root": b"\x22" * 32, "state_root": b"\x33" * 32,
                              "validators_hash": validators_hash([k.public for k in keys]), **changes}
    return BlockHeader(**fields)


def test_header_hash_is_the_digest_of_its_canonical_map() -> None:
    header = header_for(validators(1))
    assert header.hash() == digest(header.to_cbor())
    assert set(header.to_cbor()) == {"chain", "height", "prev", "time", "tx_root", "state_root", "validators"}


@pytest.mark.parametrize(("field", "value"), [
    ("chain", "other"), ("height", 4), ("prev_hash", b"\x12" * 32), ("time", 1), ("tx_root", b"\x23" * 32),
    ("state_root", b"\x34" * 32), ("validators_hash", b"\x00" * 32),
])
def test_every_header_field_changes_the_hash(field: str, value: Any) -> None:
    header = header_for(validators(1))
    assert header_for(validators(1), **{field: value}).hash() != header.hash()


def test_header_cbor_and_json_round_trip() -> None:
    header = header_for(validators(3))
    assert BlockHeader.from_cbor(header.to_cbor()) == header
    as_json = header.to_json()
    assert as_json["hash"] == header.hash().hex()
    assert BlockHeader.from_json(as_json) == header


def test_header_json_whose_hash_field_lies_is_refused() -> None:
    as_json = {**header_for(validators(1)).to_json(), "state_root": "44" * 32}
    with pytest.raises(EncodingError, match=r"header hash field [0-9a-f]{64} does not match its content"):
        BlockHeader.from_json(as_json)


@pytest.mark.parametrize(("value", "match"), [
    ({"chain": "c"}, "expected a block header object"),
    ({**header_for(validators(1)).to_json(), "tx_root": "zz"}, "expected a block header object"),
    ({**header_for(validators(1)).to_json(), "height": None}, "expected a block header object"),
])
def test_malformed_header_json_is_refused(value: dict[str, Any], match: str) -> None:
    with pytest.raises(EncodingError, match=match):
        BlockHeader.from_json(value)


@pytest.mark.parametrize("value", [{"chain": "c"}, [1, 2], None])
def test_malformed_header_cbor_is_refused(value: Any) -> None:
    with pytest.raises(EncodingError, match="expected a block header map"):
        BlockHeader.from_cbor(value)


@pytest.mark.parametrize("value", [{}, {"header_hash": "zz", "signatures": []},
                                   {"header_hash": "00", "signatures": [{"validator": "00"}]}])
def test_malformed_commit_json_is_refused(value: dict[str, Any]) -> None:
    with pytest.raises(EncodingError, match="expected a commit object"):
        Commit.from_json(value)


def test_commit_json_round_trip() -> None:
    keys = validators(3)
    header = header_for(keys)
    commit = Commit(header.hash(), tuple(sign_commit(k, header) for k in keys))
    assert Commit.from_json(commit.to_json()) == commit


def test_validators_hash_ignores_order() -> None:
    keys = [k.public for k in validators(4)]
    assert validators_hash(keys) == validators_hash(list(reversed(keys)))
    assert validators_hash(keys) == sha256(canonical(sorted(k.raw for k in keys)))
    assert validators_hash(keys[:3]) != validators_hash(keys)


def test_commit_signature_is_domain_separated() -> None:
    key = validators(1)[0]
    header = header_for([key])
    public, signature = sign_commit(key, header)
    assert public == key.public.raw
    PublicKey(public).verify(signature, COMMIT_DOMAIN + header.hash())


@pytest.mark.parametrize(("n", "need"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (7, 5), (10, 7), (100, 67)])
def test_quorum_is_the_ceiling_of_two_thirds(n: int, need: int) -> None:
    assert quorum(n) == need


@pytest.mark.parametrize("n", [1, 3, 4, 7])
def test_exactly_a_quorum_is_final_and_one_less_is_not(n: int) -> None:
    keys = validators(n)
    header = header_for(keys)
    need = quorum(n)
    sigs = [sign_commit(k, header) for k in keys]
    trusted = [k.public for k in keys]
    verify_commit(header, Commit(header.hash(), tuple(sigs[:need])), trusted)
    verify_commit(header, Commit(header.hash(), tuple(sigs)), trusted)
    # The last signers, not the first, also make a quorum: which validators sign does not matter.
    verify_commit(header, Commit(header.hash(), tuple(sigs[n - need:])), trusted)
    with pytest.raises(CommitError, match=f"commit has {need - 1} valid validator signatures, "
                                          f"expected at least {need}"):
        verify_commit(header, Commit(header.hash(), tuple(sigs[:need - 1])), trusted)


@pytest.mark.parametrize("n", [1, 3, 4, 7])
def test_forged_signatures_do_not_count(n: int) -> None:
    keys = validators(n)
    header = header_for(keys)
    need = quorum(n)
    sigs = [sign_commit(k, header) for k in keys[:need - 1]]
    # A signature made by an outsider but presented under the next validator's key.
    forged = (keys[need - 1].public.raw, sign_commit(OUTSIDER, header)[1])
    garbage = (keys[need - 1].public.raw, b"\x00" * 64)
    short = (keys[need - 1].public.raw, b"\x00" * 10)
    for bad in (forged, garbage, short):
        with pytest.raises(CommitError, match=f"commit has {need - 1} valid validator signatures, "
                                              f"expected at least {need}"):
            verify_commit(header, Commit(header.hash(), (*sigs, bad)), [k.public for k in keys])


@pytest.mark.parametrize("n", [3, 4, 7])
def test_repeated_and_outsider_signatures_do_not_count(n: int) -> None:
    keys = validators(n)
    header = header_for(keys)
    need = quorum(n)
    one = sign_commit(keys[0], header)
    stuffed = (one,) * n + (sign_commit(OUTSIDER, header),) * n
    with pytest.raises(CommitError, match=f"commit has 1 valid validator signatures, expected at least {need}"):
        verify_commit(header, Commit(header.hash(), stuffed), [k.public for k in keys])


@pytest.mark.parametrize("n", [1, 3, 4, 7])
def test_wrong_validator_set_is_refused(n: int) -> None:
    keys = validators(n)
    header = header_for(keys)
    commit = Commit(header.hash(), tuple(sign_commit(k, header) for k in keys))
    others = [*keys[:-1], OUTSIDER]
    with pytest.raises(CommitError, match="header names a different validator set than the trusted one"):
        verify_commit(header, commit, [k.public for k in others])
    # A header naming the outsiders' set, fully signed by them, is refused by whoever trusts the real set.
    fake = header_for(others)
    fake_commit = Commit(fake.hash(), tuple(sign_commit(k, fake) for k in others))
    with pytest.raises(CommitError, match="header names a different validator set"):
        verify_commit(fake, fake_commit, [k.public for k in keys])


def test_commit_for_another_header_is_refused() -> None:
    keys = validators(4)
    header = header_for(keys)
    other = header_for(keys, state_root=b"\x99" * 32)
    commit = Commit(other.hash(), tuple(sign_commit(k, other) for k in keys))
    with pytest.raises(CommitError, match=f"commit is for header {other.hash().hex()}, "
                                          f"expected {header.hash().hex()}"):
        verify_commit(header, commit, [k.public for k in keys])
    # Signatures over another header do not count even when the commit claims this header's hash.
    relabelled = Commit(header.hash(), commit.signatures)
    with pytest.raises(CommitError, match="commit has 0 valid validator signatures, expected at least 3"):
        verify_commit(header, relabelled, [k.public for k in keys])


# --- stored vectors (tests/assets/block_vectors.json) -----------------------------------------------------------
def test_stored_good_commit_verifies(asset_json: Callable[[str], Any]) -> None:
    vectors = asset_json("block_vectors.json")
    trusted = [PublicKey.from_hex(v) for v in vectors["validators"]]
    header = BlockHeader.from_json(vectors["header"])
    assert header.hash().hex() == vectors["header"]["hash"]
    verify_commit(header, Commit.from_json(vectors["good"]["commit"]), trusted)


def test_stored_tampered_commits_fail_naming_the_defect(asset_json: Callable[[str], Any]) -> None:
    vectors = asset_json("block_vectors.json")
    trusted = [PublicKey.from_hex(v) for v in vectors["validators"]]
    assert {t["name"] for t in vectors["tampered"]} == {
        "commit_below_quorum", "commit_forged_signature", "commit_duplicate_signatures", "commit_by_outsider",
        "header_other_validator_set", "header_state_root_changed"}
    for case in vectors["tampered"]:
        header = BlockHeader.from_json(case["header"])
        with pytest.raises(CommitError, match=case["match"]):
            verify_commit(header, Commit.from_json(case["commit"]), trusted)


def test_no_trusted_validators_means_nothing_is_final() -> None:
    header = header_for([])
    with pytest.raises(CommitError):
        verify_commit(header, Commit(header.hash(), ()), [])
