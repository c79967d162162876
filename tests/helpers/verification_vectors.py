"""Good and tampered certificate vectors for the verification procedure (issue #13), kept in
``tests/assets/verification/vectors.json`` with the trust list they are checked against.

Everything is deterministic (derived keys, a manual clock), so the file can be made again and compared:
``.venv/bin/python -m tests.helpers.verification_vectors`` rewrites it.

Each vector: a payload, optionally an audit bundle (base64 of ``AuditBundle.encode``), and what the audit must
say: the verdict, and the first step that did not pass with words its detail contains.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
import tempfile
import zlib
from pathlib import Path
from typing import Any

import base45
import cbor2

from ledger_lite import Claims, SigningKey, canonical, encode_payload
from ledger_lite.audit import AuditBundle
from ledger_lite.cose import COSE_SIGN1_TAG
from ledger_lite.verification import Trust
from tests.helpers.ledger_world import LedgerWorld, ManualClock

VECTORS = Path(__file__).resolve().parents[1] / "assets" / "verification" / "vectors.json"


def _tamper(payload: str, **changes: Any) -> str:
    """``payload`` with its claims changed but its signature kept (what a forger without the key can do)."""
    cose = cbor2.loads(zlib.decompress(base45.b45decode(payload[4:])))
    protected, unprotected, body, signature = cose.value
    claims = cbor2.loads(body)
    claims.update(changes)
    forged = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, unprotected, cbor2.dumps(claims, canonical=True),
                                                        signature]), canonical=True)
    return "GC1:" + base45.b45encode(zlib.compress(forged, 9)).decode()


def _bundle(bundle: AuditBundle, part: str, change: Any) -> str:
    parts = {name: copy.deepcopy(getattr(bundle, name)) for name in ("tx", "block", "state", "head")}
    change(parts[part])
    return base64.b64encode(AuditBundle(bundle.certificate_id, **parts).encode()).decode()


def build() -> dict[str, Any]:
    w = LedgerWorld()
    with tempfile.TemporaryDirectory() as tmp:
        node = w.open_node(Path(tmp) / "node", ManualClock())
        try:
            assets = [w.allocated_asset(node, n, 10_000) for n in range(2)]
            cid = w.commit(node, w.issue(assets))["result"]["certificate_id"]
            w.new_asset(node, 5)  # a later block: the record's proof is against a newer header than the issuance's
            record = node.value(f"cert/{cid}")
            trust = Trust.from_registry(w.chain_id, node.registry())
            bundle = AuditBundle.fetch(node, cid)
        finally:
            node.close()
    claims = Claims(cid=cid, chain=w.chain_id, h=record["height"], own="Consumer Ca", m=record["method"],
                    wh=record["wh"], ps=record["start"], pe=record["end"], inst=record["institution"],
                    iat=record["time"])
    good = encode_payload(claims, w.intermediary)
    stranger = SigningKey.derive("test/vectors/stranger")
    genuine_bundle = base64.b64encode(bundle.encode()).decode()

    def unsigned(block: dict[str, Any]) -> None:
        block["commit"]["signatures"] = []

    def strangers_commit(block: dict[str, Any]) -> None:
        for sig in block["commit"]["signatures"]:
            sig["validator"] = stranger.public.hex()

    def other_root(state: dict[str, Any]) -> None:
        state["state_root"] = "00" * 32

    def edited_record(state: dict[str, Any]) -> None:
        value = cbor2.loads(bytes.fromhex(state["value_cbor"]))
        value["wh"] += 1
        state["value_cbor"] = canonical(value).hex()

    vectors = [
        {"name": "genuine, signature only", "payload": good,
         "expect": {"verdict": "genuine"}},
        {"name": "genuine, with its audit bundle", "payload": good, "bundle": genuine_bundle,
         "expect": {"verdict": "genuine"}},
        {"name": "tampered amount", "payload": _tamper(good, wh=claims.wh * 10),
         "expect": {"verdict": "not genuine", "step": "signature", "detail": "does not verify"}},
        {"name": "tampered period", "payload": _tamper(good, ps=claims.ps - 86_400),
         "expect": {"verdict": "not genuine", "step": "signature", "detail": "does not verify"}},
        {"name": "tampered owner", "payload": _tamper(good, own="Someone Else"),
         "expect": {"verdict": "not genuine", "step": "signature", "detail": "does not verify"}},
        {"name": "signed by a key outside the trust list", "payload": encode_payload(claims, stranger),
         "expect": {"verdict": "not genuine", "step": "signature", "detail": "is not in the trust list"}},
        {"name": "a certificate of another chain",
         "payload": encode_payload(dataclasses.replace(claims, chain="another-chain"), w.intermediary),
         "expect": {"verdict": "not genuine", "step": "payload", "detail": "expected a certificate of chain"}},
        {"name": "a zlib bomb in the QR",
         "payload": "GC1:" + base45.b45encode(zlib.compress(b"\0" * 2_000_000, 9)).decode(),
         "expect": {"verdict": "not genuine", "step": "payload", "detail": "once inflated"}},
        {"name": "an oversized payload", "payload": "GC1:" + "A" * 20_000,
         "expect": {"verdict": "not genuine", "step": "payload", "detail": "expected at most"}},
        {"name": "not Base45", "payload": "GC1:@@@@",
         "expect": {"verdict": "not genuine", "step": "payload", "detail": "Base45"}},
        {"name": "a header signed by no validator", "payload": good, "bundle": _bundle(bundle, "block", unsigned),
         "expect": {"verdict": "not genuine", "step": "inclusion", "detail": "valid validator signatures"}},
        {"name": "a header signed by unknown validators", "payload": good,
         "bundle": _bundle(bundle, "block", strangers_commit),
         "expect": {"verdict": "not genuine", "step": "inclusion", "detail": "valid validator signatures"}},
        {"name": "a proof for another root", "payload": good, "bundle": _bundle(bundle, "state", other_root),
         "expect": {"verdict": "not genuine", "step": "record", "detail": "expected block"}},
        {"name": "an edited record in the bundle", "payload": good, "bundle": _bundle(bundle, "state", edited_record),
         "expect": {"verdict": "not genuine", "step": "record", "detail": "does not verify"}},
    ]
    return {"trust": trust.to_json(), "vectors": vectors}


def main() -> None:
    VECTORS.parent.mkdir(parents=True, exist_ok=True)
    VECTORS.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {VECTORS}")


if __name__ == "__main__":
    main()
