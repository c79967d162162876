"""``greencert verify`` against what an outside tester tried (issue #9): certificate ids that steer the node, a
node that answers for another issuance, user keys signing invented claims, terminal escapes, several QR codes,
huge input. Each test failed before its fix."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from backend_client import LightNode
from greencert.cli import main
from greencert.demo import Demo
from greencert.verify import GENUINE, NOT_GENUINE, UNCHECKED, Report, Trust, render, verify
from ledger_lite import Claims, SigningKey, encode_payload, peek_payload
from tests.greencert.conftest import UserIssued
from tests.helpers.hostile_files import pdf_of_size, png_header_only, qr_image


def check(source: str, demo: Demo, cache: Path, *, offline: bool = False) -> Report:
    return verify(source, node_url=None if offline else demo.node_url, offline=offline, trust_cache=cache)


def steps(report: Report) -> dict[str, tuple[bool | None, str]]:
    return {s.name: (s.ok, s.detail) for s in report.steps}


def genuine_claims(issued: tuple[str, Path]) -> Claims:
    return peek_payload(issued[0]).claims


@pytest.fixture
def cache(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> Path:
    """A trust list cached by one online run."""
    path = tmp_path / "trust.json"
    assert check(issued[0], demo, path).exit_code == GENUINE
    return path


# -- 1. the certificate id is the issuance transaction's id ----------------------------------------------------

@pytest.mark.parametrize("cid", ["{real}?x", "{real}#x", "{real}/../x", "{upper}", "{real}0", "../txs/{real}"])
def test_certificate_id_that_is_not_a_transaction_id_is_not_genuine(issued: tuple[str, Path], demo: Demo,
                                                                    tmp_path: Path, cid: str) -> None:
    """Signed by the intermediary's real key, with the real id plus something the node's URL would drop."""
    claims = genuine_claims(issued)
    forged = dataclasses.replace(claims, cid=cid.format(real=claims.cid, upper=claims.cid.upper()))
    report = check(encode_payload(forged, demo.world.intermediary), demo, tmp_path / "t.json")
    assert report.exit_code == NOT_GENUINE
    ok, detail = steps(report)["payload"]
    assert ok is False and "expected a certificate id of 64 lower-case hex characters" in detail
    assert not any(s.name in ("inclusion", "record") for s in report.steps), "the node was asked"


class AnswersFor(LightNode):
    """A node that answers for the issuance ``real`` (its transaction, and for ``state`` its record) whatever
    is asked — as one that ignores part of the id would."""

    def __init__(self, url: str, real: str, *, state: str | None = None, **options: Any) -> None:
        super().__init__(url, **options)
        self.real, self.state = real, state

    def tx(self, tx_id: str) -> dict[str, Any]:
        return super().tx(self.real)

    def certificate_audit(self, certificate_id: str) -> dict[str, Any] | None:
        answer = super().certificate_audit(self.real)
        if answer is not None and self.state is not None:
            answer = {**answer, "state": super().proven_value(f"cert/{self.state}")}
        return answer

    def proven_value(self, key: str) -> dict[str, Any]:
        if not key.startswith("cert/"):  # the registry's proofs (the trust list) are answered truly
            return super().proven_value(key)
        return super().proven_value(f"cert/{self.state or self.real}")


def test_node_answering_with_another_issuance_is_not_genuine(issued: tuple[str, Path], demo: Demo, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    claims = genuine_claims(issued)
    forged = dataclasses.replace(claims, cid="ab" * 32)
    monkeypatch.setattr("backend_client.LightNode", lambda url, **o: AnswersFor(url, claims.cid, **o))
    report = check(encode_payload(forged, demo.world.intermediary), demo, tmp_path / "t.json")
    assert report.exit_code == NOT_GENUINE
    ok, detail = steps(report)["inclusion"]
    assert ok is False
    assert detail == f"expected the issuance {'ab' * 32} (cert.issue), the node answered transaction " \
                     f"'{claims.cid}' ('cert.issue')"


def test_node_answering_with_another_certificates_record_is_not_genuine(
        issued: tuple[str, Path], user_issued: UserIssued, demo: Demo, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The issuance is right but the state proof is of another certificate (e.g. to hide a revocation): its
    fields are what the payload claims, so only the proven key tells."""
    claims = genuine_claims(issued)
    other = user_issued.claims
    forged = dataclasses.replace(other, cid=claims.cid, h=claims.h)  # the issuance's id and height
    monkeypatch.setattr("backend_client.LightNode",
                        lambda url, **o: AnswersFor(url, claims.cid, state=other.cid, **o))
    # signed by Consumer Cb, who issued the other certificate, so the issuer matches the record served
    report = check(encode_payload(forged, demo.world.users["Cb"]), demo, tmp_path / "t.json")
    assert report.exit_code == NOT_GENUINE
    ok, detail = steps(report)["record"]
    assert ok is False and f"expected a proof for cert/{claims.cid}, found one for 'cert/{other.cid}'" in detail


# -- 2. offline, only issuer keys are trusted; online, the signer is the recorded issuer -----------------------

def invented(issued: tuple[str, Path]) -> Claims:
    return dataclasses.replace(genuine_claims(issued), wh=10**9, own="Consumer Ca")


def test_user_key_signing_invented_claims_is_not_genuine_offline(issued: tuple[str, Path], demo: Demo,
                                                                 cache: Path) -> None:
    forged = encode_payload(invented(issued), demo.world.users["Ca"])
    report = check(forged, demo, cache, offline=True)
    assert report.exit_code == UNCHECKED
    ok, detail = steps(report)["signature"]
    assert ok is None and "can only be confirmed against the ledger" in detail
    assert any("user-signed certificate can only be confirmed against the ledger" in n for n in report.notes)


def test_user_key_signing_a_copy_of_an_intermediary_certificate_is_not_genuine_online(
        issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    forged = encode_payload(genuine_claims(issued), demo.world.users["Ca"])
    report = check(forged, demo, tmp_path / "t.json")
    assert report.exit_code == NOT_GENUINE
    ok, detail = steps(report)["record"]
    assert ok is False
    assert detail == f"issuer: ledger {demo.world.intermediary.address!r}, certificate " \
                     f"{demo.world.users['Ca'].address!r}"


def test_intermediary_key_signing_a_direct_mode_certificate_is_not_genuine_online(
        user_issued: UserIssued, demo: Demo, tmp_path: Path) -> None:
    forged = encode_payload(user_issued.claims, demo.world.intermediary)
    report = check(forged, demo, tmp_path / "t.json")
    assert report.exit_code == NOT_GENUINE
    assert steps(report)["record"] == (False, f"issuer: ledger {user_issued.issuer!r}, certificate "
                                              f"{demo.world.intermediary.address!r}")


def test_direct_mode_certificate_is_genuine_online_and_unconfirmed_offline(user_issued: UserIssued, demo: Demo,
                                                                         tmp_path: Path) -> None:
    cache = tmp_path / "t.json"
    online = check(user_issued.payload, demo, cache)
    assert online.exit_code == GENUINE, online.to_json()
    assert [s.name for s in online.steps] == ["signature", "inclusion", "record", "revocation"]
    offline = check(user_issued.payload, demo, cache, offline=True)
    assert offline.exit_code == UNCHECKED
    assert [(s.name, s.ok) for s in offline.steps] == [("signature", None)]


def test_trust_cache_keeps_user_keys_apart(cache: Path, demo: Demo) -> None:
    stored = json.loads(cache.read_text())
    assert stored["format"] == 2
    # Both intermediaries of the demo's registry (Da and Db, which runs no server here) are issuers.
    assert sorted(stored["issuers"]) == sorted(k.public.hex() for k in (demo.world.intermediary,
                                                                         demo.world.other_intermediary))
    own_assets_only = [*demo.world.users.values(), *demo.world.homes.values()]  # direct-mode users, seed 003 homes
    assert sorted(stored["users"]) == sorted(k.public.hex() for k in own_assets_only)
    assert Trust.from_json(stored).to_json() == stored


def test_old_trust_cache_with_user_keys_as_issuers_trusts_nobody(issued: tuple[str, Path], demo: Demo,
                                                                  cache: Path) -> None:
    """Format 1 listed user keys among the issuers and cannot say which they are: refreshed, not used."""
    stored = json.loads(cache.read_text())
    old = {"chain_id": stored["chain_id"], "issuers": stored["issuers"] + stored["users"],
           "validators": stored["validators"], "names": stored["names"]}
    cache.write_text(json.dumps(old))
    report = check(encode_payload(invented(issued), demo.world.users["Ca"]), demo, cache, offline=True)
    assert report.exit_code == UNCHECKED
    ok, detail = steps(report)["trust"]
    assert ok is None and "outdated (expected trust list format 2" in detail and "--node URL" in detail


def test_payload_of_another_chain_is_not_genuine_offline(issued: tuple[str, Path], demo: Demo, cache: Path) -> None:
    forged = encode_payload(dataclasses.replace(genuine_claims(issued), chain="greencert-test"),
                            demo.world.intermediary)
    report = check(forged, demo, cache, offline=True)
    assert report.exit_code == NOT_GENUINE
    assert steps(report)["payload"] == (False, f"expected a certificate of chain {demo.world.chain_id!r}, found "
                                               f"'greencert-test'")


# -- 3. huge files: could not check, with the size --------------------------------------------------------------

def test_huge_image_cannot_be_checked(demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = png_header_only(tmp_path / "photo.png", 40_000, 40_000)
    assert main(["verify", str(path), "--node", demo.node_url, "--trust", str(tmp_path / "t.json")]) == UNCHECKED
    out = capsys.readouterr().out
    assert "[??  ] read: cannot read photo.png: photo.png: image is 40,000×40,000 pixels, at most 50,000,000 " \
           "pixels accepted" in out
    assert out.rstrip().endswith("verdict: COULD NOT CHECK")


def test_pdf_with_a_huge_page_cannot_be_checked(demo: Demo, tmp_path: Path) -> None:
    report = check(str(pdf_of_size(tmp_path / "poster.pdf", 100_000, 100_000)), demo, tmp_path / "t.json")
    assert report.exit_code == UNCHECKED
    ok, detail = steps(report)["read"]
    assert ok is None and "page 1 is 35,278×35,278 mm" in detail


# -- 4. terminal escapes are shown, not obeyed -----------------------------------------------------------------

def test_control_characters_from_the_payload_are_escaped(issued: tuple[str, Path], demo: Demo, cache: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    owner = "\x1b[2J\x1b[1;1HGENUINE\u202e\r\n\x9b31m"
    forged = encode_payload(dataclasses.replace(genuine_claims(issued), own=owner), demo.world.intermediary)
    assert main(["verify", forged, "--offline", "--trust", str(cache)]) == GENUINE  # offline: owner unchecked
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\u202e\r\x9b")
    assert "for \\x1b[2J\\x1b[1;1HGENUINE\\u202e\\r\\n\\x9b31m\n" in out
    assert main(["verify", forged, "--node", demo.node_url, "--trust", str(cache), "--json"]) == NOT_GENUINE
    assert json.loads(capsys.readouterr().out)["claims"]["own"] == owner  # JSON: the claim as it is


def test_rendered_steps_are_escaped() -> None:
    report = Report()
    report.add("read", None, "cannot read \x1b]0;title\x07.png")
    report.notes.append("\x1b[31mred")
    text = render(report)
    assert "\x1b" not in text and "\x07" not in text
    assert "cannot read \\x1b]0;title\\x07.png" in text and "note: \\x1b[31mred" in text


# -- 5. one certificate per document ---------------------------------------------------------------------------

def test_two_different_payloads_in_one_image_cannot_be_checked(issued: tuple[str, Path], user_issued: UserIssued,
                                                               demo: Demo, tmp_path: Path) -> None:
    qr_image(issued[0], user_issued.payload).save(tmp_path / "two.png")
    report = check(str(tmp_path / "two.png"), demo, tmp_path / "t.json")
    assert report.exit_code == UNCHECKED
    assert steps(report) == {"read": (None, "found 2 different GC1 payloads in two.png: verify each payload on "
                                            "its own")}


def test_the_same_payload_twice_is_one(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    qr_image(issued[0], issued[0], "https://example.org/not-a-certificate").save(tmp_path / "twice.png")
    assert check(str(tmp_path / "twice.png"), demo, tmp_path / "t.json").exit_code == GENUINE


# -- 6. echoed input is bounded --------------------------------------------------------------------------------

def test_long_claims_are_clipped_in_messages(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    claims = dataclasses.replace(genuine_claims(issued), own="A" * 3000, inst="B" * 3000)
    report = check(encode_payload(claims, demo.world.intermediary), demo, tmp_path / "t.json")
    assert report.exit_code == NOT_GENUINE
    ok, detail = steps(report)["record"]
    assert ok is False and len(detail) < 300
    assert f"owner: ledger 'Consumer Ca', certificate '{'A' * 78}…" in detail
    assert max(len(line) for line in render(report).splitlines()) < 300


@pytest.mark.parametrize("source", ["x" * 10_000, "a\0b", "GC2:" + "A" * 5000])
def test_long_or_odd_source_cannot_be_checked_with_a_bounded_message(demo: Demo, tmp_path: Path,
                                                                     source: str) -> None:
    """Neither a file nor a payload: a name too long for the file system or with a NUL byte used to crash."""
    report = check(source, demo, tmp_path / "t.json")
    assert report.exit_code == UNCHECKED and len(report.steps[0].detail) < 200


def test_unknown_signer_is_reported_with_a_bounded_message(issued: tuple[str, Path], demo: Demo,
                                                           tmp_path: Path) -> None:
    forged = encode_payload(dataclasses.replace(genuine_claims(issued), own="x" * 3000), SigningKey.generate())
    report = check(forged, demo, tmp_path / "t.json")
    assert report.exit_code == NOT_GENUINE and len(report.steps[-1].detail) < 200
