"""``greencert verify``: is a certificate genuine? Offline: the issuer's signature against the trust list.
Online: the issuance transaction is in a final block of the ledger, its record matches, it is not revoked."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from backend_client import ClientError, NodeClient, NotFound
from ledger_lite import (
    BlockHeader,
    Claims,
    EncodingError,
    PayloadError,
    PublicKey,
    VerificationError,
    decode_payload,
    verify_commit,
)
from ledger_lite.block import Commit
from ledger_lite.light import verify_state, verify_tx_in_block

GENUINE, NOT_GENUINE, UNCHECKED = 0, 1, 2
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


@dataclass
class Step:
    name: str
    ok: bool | None  # None: could not be checked
    detail: str


@dataclass
class Report:
    steps: list[Step] = field(default_factory=list)
    claims: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool | None, detail: str) -> bool | None:
        self.steps.append(Step(name, ok, detail))
        return ok

    @property
    def exit_code(self) -> int:
        if any(s.ok is False for s in self.steps):
            return NOT_GENUINE
        if any(s.ok is None for s in self.steps) or not self.steps:
            return UNCHECKED
        return GENUINE

    @property
    def verdict(self) -> str:
        return {GENUINE: "genuine", NOT_GENUINE: "not genuine", UNCHECKED: "could not check"}[self.exit_code]

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "exit_code": self.exit_code, "claims": self.claims,
                "steps": [asdict(s) for s in self.steps], "notes": self.notes}


@dataclass
class Trust:
    chain_id: str
    issuers: dict[bytes, PublicKey]
    validators: list[PublicKey]
    names: dict[str, str]  # address → registered name

    def to_json(self) -> dict[str, Any]:
        return {"chain_id": self.chain_id, "issuers": [k.hex() for k in self.issuers.values()],
                "validators": [v.hex() for v in self.validators], "names": self.names}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Trust:
        issuers = [PublicKey.from_hex(k) for k in value["issuers"]]
        return cls(value["chain_id"], {k.kid: k for k in issuers},
                   [PublicKey.from_hex(v) for v in value["validators"]], dict(value["names"]))

    @classmethod
    def from_registry(cls, chain_id: str, registry: list[dict[str, Any]]) -> Trust:
        issuers = [PublicKey.from_hex(e["public_key"]) for e in registry if e["role"] in ("intermediary", "user")]
        return cls(chain_id, {k.kid: k for k in issuers},
                   [PublicKey.from_hex(e["public_key"]) for e in registry
                    if e["role"] == "validator" and not e.get("removed")],
                   {e["address"]: e["name"] for e in registry})


def read_source(source: str, report: Report) -> tuple[str | None, dict[str, Any]]:
    """The payload text and, for a PDF, what is printed on it."""
    path = Path(source)
    if source.startswith("GC1:"):
        return source.strip(), {}
    if not path.exists():
        report.add("read", None, f"expected a 'GC1:' payload or an existing file, found neither: {source[:60]!r}")
        return None, {}
    from printing import ReadError, read_certificate_pdf, read_qr_from_image

    try:
        if path.suffix.lower() == ".pdf":
            printed = read_certificate_pdf(path)
            report.add("read", printed.payload is not None,
                       f"QR code read from {path.name}" if printed.payload else f"no QR code found in {path.name}")
            return printed.payload, {"amount_wh": printed.amount_wh, "certificate_id": printed.certificate_id}
        if path.suffix.lower() in IMAGE_SUFFIXES:
            payload = read_qr_from_image(path)
            # An image without a readable QR may just be a poor photo: that is "could not check".
            report.add("read", True if payload is not None else None,
                       f"QR code read from {path.name}" if payload else f"no QR code found in {path.name}")
            return payload, {}
    except ReadError as exc:
        report.add("read", None, f"cannot read {path.name}: {exc}")
        return None, {}
    report.add("read", None, f"expected a payload, a .pdf or an image, found {path.name}")
    return None, {}


def load_trust(node: NodeClient | None, cache: Path, report: Report) -> Trust | None:
    if node is not None:
        try:
            status = node.status()
            trust = Trust.from_registry(status["chain_id"], node.registry())
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(trust.to_json(), indent=1))
            return trust
        except ClientError as exc:
            report.add("ledger", None, f"ledger node unreachable ({exc}); using the cached trust list")
    if cache.exists():
        try:
            return Trust.from_json(json.loads(cache.read_text()))
        except (ValueError, KeyError, TypeError) as exc:
            report.add("trust", None, f"cached trust list {cache} is unreadable: {exc}")
            return None
    report.add("trust", None, f"no trust list: run once online (--node URL) to fetch it into {cache}")
    return None


def check_printed(claims: Claims, printed: dict[str, Any], report: Report) -> None:
    if not printed:
        return
    amount, cid = printed.get("amount_wh"), printed.get("certificate_id")
    if amount is None or cid is None:
        report.add("printed", False, "the printed amount or certificate id could not be read from the PDF")
        return
    if amount != claims.wh:
        report.add("printed", False, f"printed amount {amount / 1000:,.3f} kWh differs from the signed "
                                     f"{claims.wh / 1000:,.3f} kWh")
    elif cid != claims.cid:
        report.add("printed", False, f"printed certificate id {cid} differs from the signed {claims.cid}")
    else:
        report.add("printed", True, "printed amount and certificate id match the signed payload")


def check_ledger(claims: Claims, node: NodeClient, trust: Trust, report: Report) -> None:
    try:
        tx_json = node.tx(claims.cid)
        block = node.block(int(tx_json["height"]))
        state = node.proven_value(f"cert/{claims.cid}")
        head = node.block(int(state["height"]))
    except NotFound:
        report.add("ledger", False, f"the ledger has no issuance {claims.cid}")
        return
    except ClientError as exc:
        report.add("ledger", None, f"ledger node unreachable: {exc}")
        return
    try:
        tx = verify_tx_in_block(tx_json, block, trust.validators, trust.chain_id)
    except VerificationError as exc:
        report.add("inclusion", False, str(exc))
        return
    report.add("inclusion", True, f"issuance is in final block {tx_json['height']} of {trust.chain_id} "
                                  f"(validator quorum and Merkle proof checked)")
    try:
        # The current record, proven against the newest final header (so a revocation cannot be hidden).
        head_header = BlockHeader.from_json(head["header"])
        verify_commit(head_header, Commit.from_json(head["commit"]), trust.validators)
        record = verify_state(state, head_header)
    except (VerificationError, EncodingError, KeyError, TypeError) as exc:
        report.add("record", False, f"the ledger's certificate record does not verify: {exc}")
        return
    if not isinstance(record, dict):
        report.add("record", False, f"the ledger proves there is no record cert/{claims.cid}")
        return
    expected = {"type": (tx.type, "cert.issue"), "height": (int(tx_json["height"]), claims.h),
                "chain": (trust.chain_id, claims.chain), "amount": (record["wh"], claims.wh),
                "method": (record["method"], claims.m), "start": (record["start"], claims.ps),
                "end": (record["end"], claims.pe), "institution": (record["institution"], claims.inst),
                "owner": (trust.names.get(record["owner"]), claims.own)}
    wrong = [f"{k}: ledger {a!r}, certificate {b!r}" for k, (a, b) in expected.items() if a != b]
    report.add("record", not wrong, "; ".join(wrong) if wrong else
               f"ledger record matches every claim (state proof checked at block {head_header.height})")
    revoked = record.get("revoked")
    report.add("revocation", revoked is None,
               f"revoked at block {revoked['height']}: {revoked['reason']}" if revoked else "not revoked")


def verify(source: str, *, node_url: str | None, offline: bool, trust_cache: Path) -> Report:
    report = Report()
    payload, printed = read_source(source, report)
    if payload is None:
        return report
    node = None if offline or not node_url else NodeClient(node_url, timeout=10)
    try:
        trust = load_trust(node, trust_cache, report)
        if trust is None:
            return report
        try:
            decoded = decode_payload(payload, trust.issuers)
        except PayloadError as exc:
            report.add("signature" if exc.step in ("kid", "signature") else "payload", False, str(exc))
            return report
        claims = decoded.claims
        report.claims = asdict(claims)
        report.add("signature", True, f"signed by trusted issuer {decoded.kid.hex()}")
        check_printed(claims, printed, report)
        if node is not None and not any(s.ok is None and s.name == "ledger" for s in report.steps):
            check_ledger(claims, node, trust, report)
        elif offline:
            report.notes.append("offline: signature checked against the cached trust list; the ledger was not asked")
    finally:
        if node is not None:
            node.close()
    return report


def render(report: Report) -> str:
    marks = {True: "OK  ", False: "FAIL", None: "??  "}
    lines = [f"[{marks[s.ok]}] {s.name}: {s.detail}" for s in report.steps]
    if report.claims:
        c = report.claims
        lines.insert(0, f"certificate {c['cid']}: {c['wh'] / 1000:,.3f} kWh {c['m']} for {c['own']}")
    lines += [f"note: {n}" for n in report.notes]
    lines.append(f"verdict: {report.verdict.upper()}")
    return "\n".join(lines)
