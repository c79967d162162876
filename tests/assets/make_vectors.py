"""Regenerate the QR-payload and block-commit vectors in this folder (run from the repository root):

    .venv/bin/python tests/assets/make_vectors.py

The stored files are the reference: tests load them and never regenerate them, so a change in the encoder
that breaks old printed certificates shows up as a failing test. Keys are derived from fixed labels and
Ed25519 signatures are deterministic; zlib output may differ between zlib builds, which is why the files
are stored rather than recomputed. Each tampered payload is named after its defect; ``payload_vectors.json``
lists the step (``PayloadError.step``) and message each must fail with.
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import base45  # noqa: E402
import cbor2  # noqa: E402

from ledger_lite import BlockHeader, Claims, Commit, SigningKey, encode_payload, sign_commit, validators_hash  # noqa: E402
from ledger_lite.cose import sig_structure, sign1  # noqa: E402
from ledger_lite.encoding import canonical  # noqa: E402

ISSUER = SigningKey.derive("test/issuer/jgca")
ROGUE = SigningKey.derive("test/issuer/rogue")
CLAIMS = Claims(cid="9f2c" * 16, chain="greencert-test", h=42, own="Consumer Ca", m="solar", wh=123_456,
                ps=1_790_812_800, pe=1_790_899_200, inst="jgca", iat=1_790_900_000)


def wrap(cose: bytes) -> str:
    return "GC1:" + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def wrap_raw(compressed: bytes) -> str:
    return "GC1:" + base45.b45encode(compressed).decode("ascii")


def cose_with(protected: dict[int, Any], payload: bytes, key: SigningKey, *, tag: int = 18,
              unprotected: dict[int, Any] | None = None) -> bytes:
    prot = cbor2.dumps(protected, canonical=True)
    sig = key.sign(sig_structure(prot, payload))
    return cbor2.dumps(cbor2.CBORTag(tag, [prot, unprotected or {}, payload, sig]), canonical=True)


def payload_vectors() -> tuple[dict[str, str], list[dict[str, str]]]:
    good_cose = sign1(ISSUER, canonical(CLAIMS.to_cbor()))
    good = encode_payload(CLAIMS, ISSUER)
    body = good[len("GC1:"):]
    item = cbor2.loads(good_cose).value
    flipped_sig = cbor2.dumps(cbor2.CBORTag(18, [item[0], item[1], item[2],
                                                 bytes([item[3][0] ^ 1]) + item[3][1:]]), canonical=True)
    tampered_claims = canonical({**CLAIMS.to_cbor(), "wh": CLAIMS.wh * 10})
    raised_wh = cbor2.dumps(cbor2.CBORTag(18, [item[0], item[1], tampered_claims, item[3]]), canonical=True)
    kid_alg = {1: -8, 4: ISSUER.public.kid}
    missing_wh = {k: v for k, v in CLAIMS.to_cbor().items() if k != "wh"}
    compressed = zlib.compress(good_cose, 9)
    files: dict[str, str] = {
        "payload_good.txt": good,
        "payload_missing_prefix.txt": body,
        "payload_wrong_prefix.txt": "HC1:" + body,
        "payload_too_long.txt": "GC1:" + "0" * 5000,
        "payload_bad_base45.txt": "GC1:" + body[:10] + "~" + body[11:],
        "payload_not_zlib.txt": "GC1:" + base45.b45encode(good_cose).decode("ascii"),
        "payload_truncated_zlib.txt": wrap_raw(compressed[:-6]),
        "payload_zlib_bomb.txt": wrap_raw(zlib.compress(b"\0" * 65_536, 9)),
        "payload_not_cbor.txt": wrap(b"\xff\xff\xff"),
        "payload_cose_sign_tag_98.txt": wrap(cose_with(kid_alg, canonical(CLAIMS.to_cbor()), ISSUER, tag=98)),
        "payload_cose_three_items.txt": wrap(cbor2.dumps(cbor2.CBORTag(18, list(item[:3])))),
        "payload_alg_es256.txt": wrap(cose_with({1: -7, 4: ISSUER.public.kid}, canonical(CLAIMS.to_cbor()), ISSUER)),
        "payload_no_kid.txt": wrap(cose_with({1: -8}, canonical(CLAIMS.to_cbor()), ISSUER)),
        "payload_unknown_kid.txt": encode_payload(CLAIMS, ROGUE),
        "payload_forged_with_trusted_kid.txt": wrap(cose_with(kid_alg, canonical(CLAIMS.to_cbor()), ROGUE)),
        "payload_signature_flipped.txt": wrap(flipped_sig),
        "payload_claims_tampered.txt": wrap(raised_wh),
        "payload_claims_not_cbor.txt": wrap(cose_with(kid_alg, b"\xff\xfe", ISSUER)),
        "payload_claims_not_a_map.txt": wrap(cose_with(kid_alg, canonical(list(CLAIMS.to_cbor().values())), ISSUER)),
        "payload_claims_missing_wh.txt": wrap(cose_with(kid_alg, canonical(missing_wh), ISSUER)),
        "payload_claims_wh_as_text.txt": wrap(cose_with(kid_alg, canonical({**CLAIMS.to_cbor(), "wh": "123456"}),
                                                        ISSUER)),
    }
    expected = [
        {"file": "payload_missing_prefix.txt", "step": "prefix", "match": "expected text starting with 'GC1:'"},
        {"file": "payload_wrong_prefix.txt", "step": "prefix", "match": "found 'HC1:"},
        {"file": "payload_too_long.txt", "step": "prefix", "match": "expected at most 4096 characters, found 5004"},
        {"file": "payload_bad_base45.txt", "step": "base45", "match": "expected Base45 text after the prefix"},
        {"file": "payload_not_zlib.txt", "step": "zlib", "match": "expected zlib-compressed data"},
        {"file": "payload_truncated_zlib.txt", "step": "zlib", "match": "complete zlib stream, found a truncated"},
        {"file": "payload_zlib_bomb.txt", "step": "zlib", "match": "expected at most 16384 bytes once inflated"},
        {"file": "payload_not_cbor.txt", "step": "cose", "match": "expected CBOR, found undecodable bytes"},
        {"file": "payload_cose_sign_tag_98.txt", "step": "cose", "match": "expected COSE_Sign1 tag 18, found tag 98"},
        {"file": "payload_cose_three_items.txt", "step": "cose", "match": "expected a COSE_Sign1 array of 4 items"},
        {"file": "payload_alg_es256.txt", "step": "cose", "match": r"expected alg EdDSA \(-8\), found -7"},
        {"file": "payload_no_kid.txt", "step": "kid", "match": "expected a kid"},
        {"file": "payload_unknown_kid.txt", "step": "kid",
         "match": f"issuer key {ROGUE.public.kid.hex()} is not in the trust list"},
        {"file": "payload_forged_with_trusted_kid.txt", "step": "signature",
         "match": f"COSE signature does not verify for kid {ISSUER.public.kid.hex()}"},
        {"file": "payload_signature_flipped.txt", "step": "signature", "match": "COSE signature does not verify"},
        {"file": "payload_claims_tampered.txt", "step": "signature", "match": "COSE signature does not verify"},
        {"file": "payload_claims_not_cbor.txt", "step": "claims", "match": "expected CBOR claims inside the COSE"},
        {"file": "payload_claims_not_a_map.txt", "step": "claims", "match": "expected a claims map, found list"},
        {"file": "payload_claims_missing_wh.txt", "step": "claims", "match": "missing claim 'wh'"},
        {"file": "payload_claims_wh_as_text.txt", "step": "claims", "match": "expected claim 'wh' as integer"},
    ]
    return files, expected


def block_vectors() -> dict[str, Any]:
    validators = [SigningKey.derive(f"test/validator/{i}") for i in range(4)]
    outsider = SigningKey.derive("test/validator/outsider")
    header = BlockHeader(chain="greencert-test", height=7, prev_hash=bytes(range(32)), time=1_790_900_000,
                         tx_root=bytes(32), state_root=bytes([0xAB]) * 32,
                         validators_hash=validators_hash([v.public for v in validators]))
    sigs = [sign_commit(v, header) for v in validators]
    forged = (validators[2].public.raw, sign_commit(outsider, header)[1])
    other_set = BlockHeader(**{**header.__dict__, "validators_hash": validators_hash(
        [v.public for v in validators[:3]] + [outsider.public])})
    changed = BlockHeader(**{**header.__dict__, "state_root": bytes([0xCD]) * 32})

    def commit(*signatures: tuple[bytes, bytes], of: BlockHeader = header) -> dict[str, Any]:
        return Commit(of.hash(), signatures).to_json()

    return {
        "about": "Header and commit vectors for ledger_lite.block.verify_commit: 4 validators "
                 "(SigningKey.derive('test/validator/0'..'3')), quorum 3. Regenerate with make_vectors.py.",
        "validators": [v.public.hex() for v in validators],
        "header": header.to_json(),
        "good": {"commit": commit(*sigs[:3])},
        "tampered": [
            {"name": "commit_below_quorum", "header": header.to_json(), "commit": commit(*sigs[:2]),
             "match": "commit has 2 valid validator signatures, expected at least 3"},
            {"name": "commit_forged_signature", "header": header.to_json(),
             "commit": commit(sigs[0], sigs[1], forged),
             "match": "commit has 2 valid validator signatures, expected at least 3"},
            {"name": "commit_duplicate_signatures", "header": header.to_json(),
             "commit": commit(sigs[0], sigs[0], sigs[1], sigs[1]),
             "match": "commit has 2 valid validator signatures, expected at least 3"},
            {"name": "commit_by_outsider", "header": header.to_json(),
             "commit": commit(sigs[0], sigs[1], sign_commit(outsider, header)),
             "match": "commit has 2 valid validator signatures, expected at least 3"},
            {"name": "header_other_validator_set", "header": other_set.to_json(),
             "commit": commit(*sigs[:3], of=other_set),
             "match": "header names a different validator set than the trusted one"},
            {"name": "header_state_root_changed", "header": changed.to_json(), "commit": commit(*sigs[:3]),
             "match": f"commit is for header {header.hash().hex()}, expected {changed.hash().hex()}"},
        ],
    }


def main() -> None:
    files, expected = payload_vectors()
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="ascii")
    manifest = {"about": "QR payload vectors (make_vectors.py); 'good' decodes to 'claims' with the issuer key.",
                "issuer_public_key": ISSUER.public.hex(), "issuer_kid": ISSUER.public.kid.hex(),
                "good": "payload_good.txt", "claims": CLAIMS.to_cbor(), "tampered": expected}
    (HERE / "payload_vectors.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (HERE / "block_vectors.json").write_text(json.dumps(block_vectors(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
