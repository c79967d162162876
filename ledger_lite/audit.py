"""One certificate verification for every verifier: ``greencert verify``, the kiosk's auditor mode and the public
``/verify`` page run ``audit`` and show the same steps and verdicts.

Steps, in order (each names what was expected and what was found when it fails):

    read        the QR code was read (the caller's: from a PDF, a photo, a scanner or pasted text)
    trust       a trust list is at hand (the caller's)
    payload     the payload's format: ``GC1:``, Base45, zlib, COSE_Sign1, claims, certificate id, chain
    signature   signed by a key of the trust list (an intermediary's alone; a user key only with the ledger)
    printed     what is printed on the paper matches the signed claims (a PDF's text; not for a photo)
    inclusion   the issuance transaction is in a block with a quorum of the trusted validators (finality)
    record      the certificate's record in the ledger state, proven against a final header, matches the claims
    revocation  the record is not revoked
    lifecycle   what became of its energy: each transfer and retirement, then what is still held (only for a
                certificate that was transferred or retired, ``ledger_lite.lifecycle_steps``; never a failure)

Where the ledger's answers come from: a node (``LedgerReader``, online), or the *audit bundle* the certificate
PDF carries (``AuditBundle``: the very answers a node gave when the PDF was made), which proves inclusion and
finality with no network given the trust list — only a revocation after printing then cannot be seen.

Each step and note says in English what was expected and what was found (for the CLI and the logs), and carries a
message id with its parameters (``ledger_lite.detail_ids``) that the front ends word in the reader's language
(``printing.step_texts``).

A verdict is ``genuine`` only when every step passed; ``not genuine`` when one failed; ``could not check`` when
none failed but one could not be checked (no trust list, an unreachable node, a user-signed payload offline).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from ledger_lite.detail_ids import Params
from ledger_lite.errors import Error
from ledger_lite.lifecycle_steps import FULLY_RETIRED_NOTE, fully_retired, lifecycle_steps
from ledger_lite.payload import Claims
from ledger_lite.reference import matches, short_reference
from ledger_lite.trust_anchor import ConflictingHeaders
from ledger_lite.verification import (
    USER_SIGNED_NOTE,
    LedgerReader,
    Step,
    Trust,
    clip,
    is_certificate_id,
    shown,
    verify_issuance,
    verify_payload,
)

GENUINE, NOT_GENUINE, UNCHECKED = 0, 1, 2
PREFIX = "GC1:"
DETAIL_CHARS = 2000  # longest step detail, whatever it quotes
BUNDLE_NAME = "greencert-audit.json.z"  # the audit bundle's file name inside a certificate PDF
BUNDLE_VERSION = 1
MAX_BUNDLE_BYTES = 512 * 1024  # decompressed: a 64 KiB issuance in hex, its proofs and two headers fit


class BundleError(Error):
    """An audit bundle that is not one (named with what was expected and what was found)."""

    code = "bad_bundle"


@dataclass
class Report:
    """A verification's steps, the signed claims and what a person reads against the paper."""

    steps: list[Step] = field(default_factory=list)
    claims: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    # What the signed payload says, worded for a person (amount, period, method, owner, institution, reference):
    # filled by the caller's ``facts`` function. ``printed_compared``: whether the printed text was compared.
    facts: dict[str, str] = field(default_factory=dict)
    printed_compared: bool = False
    source: str = "none"  # where the ledger's answers came from: "node", "bundle" or "none" (signature only)
    evidence: list[dict[str, Any]] = field(default_factory=list)  # conflicting final headers seen (a fork)
    # The notes' message ids (``ledger_lite.detail_ids``): {text, code, params} of each note that has one.
    note_ids: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, ok: bool | None, detail: str, code: str = "", params: Params | None = None) -> bool | None:
        """A step; ``code`` and ``params``: its detail's message id (``ledger_lite.detail_ids``), for any language."""
        self.steps.append(Step(name, ok, clip(detail, DETAIL_CHARS), code, dict(params or {})))
        return ok

    def note(self, text: str, code: str = "", params: Params | None = None) -> None:
        """A note for the reader, with its message id when it has one."""
        self.notes.append(text)
        if code:
            self.note_ids.append({"text": text, "code": code, "params": dict(params or {})})

    def note_id(self, text: str) -> tuple[str, Params]:
        """The message id and parameters of the note ``text`` (``("", {})``: none, show the text)."""
        found = next((n for n in self.note_ids if n["text"] == text), None)
        return (str(found["code"]), dict(found["params"])) if found else ("", {})

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
                "steps": [asdict(s) for s in self.steps], "notes": self.notes, "facts": self.facts,
                "printed_compared": self.printed_compared, "source": self.source, "evidence": self.evidence,
                "note_ids": self.note_ids}


def payload_text(text: str) -> str:
    """The ``GC1:`` payload ``text`` is or carries: a QR code may hold a link to an intermediary's ``/verify``
    page instead (``https://host/verify/<payload>`` in any case, or ``…/verify?p=<payload>``), percent-encoded."""
    text = text.strip()
    if not text[:8].lower().startswith(("https://", "http://")):
        return text
    parts = urlsplit(text)
    path = parts.path
    if path.lower().startswith("/verify/"):
        return unquote(path[len("/verify/"):]).strip()
    if path.lower().rstrip("/") == "/verify":
        for pair in parts.query.split("&"):  # not parse_qs: "+" is a Base45 character here, never a space
            name, _, value = pair.partition("=")
            if name == "p" and value:
                return unquote(value).strip()
    return text


def one_payload(texts: Sequence[str], name: str, report: Report, *, missing: bool | None) -> str | None:
    """The one certificate a document carries (step ``read``). Two different GC1 payloads: which one the holder
    means cannot be told, so nothing is decided (identical copies, e.g. on two pages, are one). ``missing``: the
    outcome when there is no QR code at all (a PDF without one is not genuine; a poor photo could not be read)."""
    texts = [payload_text(t) for t in texts]
    payloads = list(dict.fromkeys(t for t in texts if t.startswith(PREFIX)))
    if len(payloads) > 1:
        report.add("read", None, f"found {len(payloads)} different {PREFIX[:-1]} payloads in {clip(name)}: verify "
                                 f"each payload on its own",
                   code="read.several_payloads", params={"count": len(payloads), "name": clip(name)})
        return None
    payload = payloads[0] if payloads else (texts[0] if texts else None)  # a foreign QR fails as "payload"
    if payload is None:
        report.add("read", missing, f"no QR code found in {clip(name)}", code="read.no_qr",
                   params={"name": clip(name)})
        return None
    report.add("read", True, f"QR code read from {clip(name)}", code="read.ok", params={"name": clip(name)})
    return payload


def check_printed(claims: Claims, printed: Mapping[str, Any], report: Report) -> None:
    """A PDF's printed amount, certificate id and short reference against the signed claims (``printed``:
    ``kind`` "pdf" with ``amount_wh``, ``certificate_id``, ``short_reference``; or "image", whose text is not
    read: the report says so)."""
    if printed.get("kind") == "image":
        report.note("the text printed on the photo was not compared (only its QR code was read): check that the "
                    "amount, period, method, owner, institution and reference printed on it are the verified facts "
                    "listed above", code="note.photo_not_compared", params={})
        return
    if printed.get("kind") != "pdf":
        return
    amount, cid, reference = printed.get("amount_wh"), printed.get("certificate_id"), printed.get("short_reference")
    if amount is None or cid is None:
        report.add("printed", False, "the printed amount or certificate id could not be read from the PDF",
                   code="printed.unreadable", params={})
        return
    if amount != claims.wh:
        report.add("printed", False, f"printed amount {amount / 1000:,.3f} kWh differs from the signed "
                                     f"{claims.wh / 1000:,.3f} kWh",
                   code="printed.amount_differs", params={"printed_wh": amount, "signed_wh": claims.wh})
    elif cid != claims.cid:
        report.add("printed", False, f"printed certificate id {cid} differs from the signed {shown(claims.cid)}",
                   code="printed.id_differs", params={"printed": clip(cid), "signed": clip(claims.cid)})
    elif reference is not None and not matches(reference, claims.cid):
        report.add("printed", False, f"printed reference {shown(reference)} is not the signed certificate's "
                                     f"{short_reference(claims.cid)}",
                   code="printed.reference_differs",
                   params={"printed": clip(reference), "signed": short_reference(claims.cid)})
    elif reference is not None:
        report.printed_compared = True
        report.add("printed", True, "printed amount, certificate id and reference match the signed payload",
                   code="printed.match_with_reference", params={})
    else:
        report.printed_compared = True
        report.add("printed", True, "printed amount and certificate id match the signed payload",
                   code="printed.match", params={})
        report.note("no short reference is printed on this PDF (printed before references were): its amount and "
                    "full certificate id were compared", code="note.no_reference_printed", params={})


def check_ledger(claims: Claims, node: LedgerReader, trust: Trust, report: Report, signer: str | None = None) -> None:
    """Steps ``inclusion``, ``record``, ``revocation`` against ``node`` (``ledger_lite.verification``). A reader
    raises ``LookupError`` when the ledger has no such issuance; any other error means it could not be asked."""
    try:
        checked = verify_issuance(node, claims.cid, trust.validators, trust.chain_id, claims=claims,
                                  names=trust.names, signer=signer, known_headers=trust.headers)
    except ConflictingHeaders as exc:  # a fork: say so, decide nothing
        report.add("inclusion", None, str(exc), exc.detail_code, exc.params)
        report.evidence.append(exc.evidence)
        return
    except LookupError:
        report.add("ledger", False, f"the ledger has no issuance {claims.cid}", code="ledger.no_issuance",
                   params={"certificate_id": claims.cid})
        return
    except Exception as exc:  # the reader's own failure (unreachable, a 5xx): nothing was decided
        report.add("ledger", None, f"ledger node unreachable: {clip(exc, 300)}", code="ledger.unreachable",
                   params={"reason": clip(exc, 300)})
        return
    for step in checked.steps:
        report.add(step.name, step.ok, step.detail, step.code, step.params)
    # Issue 15: a certificate transferred or retired stays genuine; the report says what became of its energy.
    if checked.failure is None and checked.record is not None:
        for step in lifecycle_steps(checked.record):
            report.add(step.name, step.ok, step.detail, step.code, step.params)
        if fully_retired(checked.record):
            report.note(FULLY_RETIRED_NOTE, code="note.fully_retired", params={})
        check_time_matched(claims, checked.record, report)


def check_time_matched(claims: Claims, record: Mapping[str, Any], report: Report) -> None:
    """Step ``time_matched`` (issue 15): the time-matched Wh the certificate states (claim ``tm``) against the one
    the ledger wrote into its proven record at issuance (``ledger_lite.time_matching``). A record written before
    the ledger recorded it leaves a note that the figure is the issuer's statement."""
    stated = claims.tm
    if stated is None:
        return
    recorded = record.get("tm")
    if not isinstance(recorded, int) or isinstance(recorded, bool):
        reason = "the ledger's record of this certificate predates recorded time matching"
        report.note(f"the stated time-matched {stated:,} Wh could not be proven from the ledger ({reason}); it is "
                    f"shown as the issuer's statement", code="note.time_matched_unproven",
                    params={"stated_wh": stated, "reason": reason})
    elif recorded == stated:
        report.add("time_matched", True, f"the stated time-matched {stated:,} Wh is the figure in the ledger's "
                                         f"proven certificate record", code="time_matched.proven",
                   params={"stated_wh": stated})
    else:
        report.add("time_matched", False, f"the stated time-matched {stated:,} Wh differs from the {recorded:,} Wh "
                                          f"in the ledger's proven certificate record", code="time_matched.differs",
                   params={"stated_wh": stated, "proven_wh": recorded})


def damaged_bundle(report: Report, exc: BundleError) -> None:
    """Step ``inclusion`` failed: the audit bundle a PDF carries is damaged (what the front ends say alike)."""
    report.add("inclusion", False, f"the PDF's audit bundle is damaged: {exc}", code="inclusion.damaged_bundle",
               params={"reason": clip(exc, 300)})


def bundle_instead(report: Report, unreached: Step) -> None:
    """The ledger node could not be reached (``unreached``, step ``ledger``), the PDF's audit bundle stands in."""
    report.steps.remove(unreached)
    report.note(f"{unreached.detail}; the PDF's audit bundle was checked instead", code="note.bundle_instead",
                params={})


# -- the audit bundle ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditBundle:
    """What a node answered about one certificate when its PDF was made: the issuance with its inclusion proof
    (``tx``), the block it is in with its commit (``block``), the certificate's record with its state proof
    (``state``) and the header that proof is against, with its commit (``head``). Served back by ``reader``, so
    that the offline check is the online check's very code."""

    certificate_id: str
    tx: dict[str, Any]
    block: dict[str, Any]
    state: dict[str, Any]
    head: dict[str, Any]

    @classmethod
    def fetch(cls, node: LedgerReader, certificate_id: str) -> AuditBundle:
        if not is_certificate_id(certificate_id):
            raise BundleError(f"expected a 64-hex certificate id, found {shown(certificate_id)}")
        tx = node.tx(certificate_id)
        state = node.proven_value(f"cert/{certificate_id}")
        return cls(certificate_id, tx, node.block(int(tx["height"])), state, node.block(int(state["height"])))

    def encode(self) -> bytes:
        return zlib.compress(json.dumps({"v": BUNDLE_VERSION, "certificate_id": self.certificate_id, "tx": self.tx,
                                         "block": self.block, "state": self.state, "head": self.head},
                                        separators=(",", ":"), sort_keys=True).encode(), 1)

    @classmethod
    def decode(cls, data: bytes) -> AuditBundle:
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(data, MAX_BUNDLE_BYTES + 1)
        except zlib.error as e:
            raise BundleError(f"expected a zlib-compressed audit bundle, found {len(data)} bytes that do not "
                              f"inflate: {e}") from None
        if len(text) > MAX_BUNDLE_BYTES or inflater.unconsumed_tail:
            raise BundleError(f"expected an audit bundle of at most {MAX_BUNDLE_BYTES} bytes, found more")
        try:
            raw = json.loads(text)
        except ValueError as e:
            raise BundleError(f"expected JSON in the audit bundle, found: {clip(e, 120)}") from None
        if not isinstance(raw, dict) or raw.get("v") != BUNDLE_VERSION:
            raise BundleError(f"expected an audit bundle of version {BUNDLE_VERSION}, found "
                              f"{shown(raw.get('v') if isinstance(raw, dict) else type(raw).__name__)}")
        parts = {name: raw.get(name) for name in ("tx", "block", "state", "head")}
        if not all(isinstance(p, dict) for p in parts.values()) or not is_certificate_id(raw.get("certificate_id")):
            raise BundleError("expected an audit bundle with a certificate id and the answers tx, block, state and "
                              "head, found parts missing or of the wrong type")
        return cls(raw["certificate_id"], parts["tx"], parts["block"], parts["state"], parts["head"])  # type: ignore[arg-type]

    def reader(self) -> LedgerReader:
        return _BundleReader(self)


class _BundleReader:
    """A ``LedgerReader`` that answers only what the bundle holds (anything else: ``LookupError``)."""

    def __init__(self, bundle: AuditBundle) -> None:
        self.bundle = bundle

    def tx(self, tx_id: str) -> dict[str, Any]:
        if tx_id != self.bundle.certificate_id:
            raise LookupError(f"the audit bundle is of certificate {self.bundle.certificate_id}, not {tx_id}")
        return self.bundle.tx

    def block(self, height: int) -> dict[str, Any]:
        for answer in (self.bundle.block, self.bundle.head):
            header = answer.get("header")
            if isinstance(header, dict) and header.get("height") == height:
                return answer
        raise LookupError(f"the audit bundle holds no block {height}")

    def proven_value(self, key: str) -> dict[str, Any]:
        if key != f"cert/{self.bundle.certificate_id}":
            raise LookupError(f"the audit bundle holds no proof of {key}")
        return self.bundle.state


# -- the whole check -----------------------------------------------------------------------------------------------

def audit(payload: str, trust: Trust, report: Report | None = None, *, printed: Mapping[str, Any] | None = None,
          node: LedgerReader | None = None, bundle: AuditBundle | None = None,
          facts: Callable[[Claims], dict[str, str]] | None = None) -> Report:
    """Verify ``payload`` (steps after ``read`` and ``trust``, which the caller adds to ``report``): against
    ``node`` when given (online), else against ``bundle`` (offline, from the PDF), else its signature only."""
    report = report if report is not None else Report()
    ledger = node is not None or bundle is not None
    checked = verify_payload(payload, trust, ledger=ledger)
    for step in checked.steps:
        report.add(step.name, step.ok, step.detail, step.code, step.params)
    for text in checked.notes:
        if text == USER_SIGNED_NOTE:
            report.note(text, code="note.user_signed_offline", params={})
        else:
            report.note(text)
    if checked.claims is not None:
        report.claims = dict(vars(checked.claims))  # flat: asdict's deep copy costs ~0.05 ms a check
    if checked.failed or checked.claims is None or checked.signer is None:
        return report
    claims = checked.claims
    if facts is not None:
        report.facts = facts(claims)
    check_printed(claims, printed or {}, report)
    signer = checked.signer.address
    if node is not None:
        report.source = "node"
        check_ledger(claims, node, trust, report, signer=signer)
    elif bundle is not None:
        report.source = "bundle"
        if bundle.certificate_id != claims.cid:
            report.add("inclusion", False, f"the audit bundle in the PDF is of certificate {bundle.certificate_id}, "
                                           f"the signed payload of {claims.cid}",
                       code="inclusion.bundle_of_other", params={"bundle": bundle.certificate_id, "signed": claims.cid})
            return report
        check_ledger(claims, bundle.reader(), trust, report, signer=signer)
        head = bundle.head.get("header", {}).get("height") if isinstance(bundle.head.get("header"), dict) else None
        report.note(f"offline: inclusion, finality and the record were proven from the audit bundle in the PDF (the "
                    f"ledger as of block {shown(head)}); a revocation after that needs the network (check online "
                    f"to see it)", code="note.offline_bundle",
                    params={"height": head if isinstance(head, int) and not isinstance(head, bool) else None})
    else:
        report.note("offline: the signature was checked against the trust list; the ledger was not asked (a PDF "
                    "with an audit bundle, or a check online, also proves it is on the ledger)",
                    code="note.offline_signature_only", params={})
    return report


__all__ = ["BUNDLE_NAME", "GENUINE", "NOT_GENUINE", "PREFIX", "UNCHECKED", "AuditBundle", "BundleError", "Report",
           "audit", "bundle_instead", "check_ledger", "check_printed", "damaged_bundle", "one_payload",
           "payload_text"]
