"""Is a certificate genuine? The light node's checks, shared by ``greencert verify`` and the direct-mode kiosk.

    verify_payload   offline: the QR payload is signed by a key of the trust list (trusted alone only for an
                     intermediary's key: a user key signs its own direct-mode certificates, S410, which only the
                     ledger can confirm), its certificate id is a transaction id and it is of the trusted chain
    verify_issuance  online: the issuance is in a block final under the trusted validators (quorum and Merkle
                     proof), it is that ``cert.issue``, the certificate record proven against the newest final
                     header is of ``cert/<id>`` and matches the claims (and names the payload's signer as issuer)
                     or, without claims, the issuance, and the certificate is not revoked (S411)

Both return the steps they took (name, outcome ``True``/``False``/``None`` = could not be checked, detail) and
raise nothing for a failed check. Everything read (the payload, the node's answers) may be hostile (issue #9):
the id is checked before it goes into a URL, and echoed input is clipped. The node is any object with the
methods of ``LedgerReader`` (``backend_client.NodeClient`` is one); its own errors (unreachable, not found)
propagate, for the caller knows its client's errors — they come before any step is taken.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ledger_lite.block import BlockHeader, Commit, verify_final
from ledger_lite.detail_ids import Params
from ledger_lite.errors import CommitError, EncodingError, Error, PayloadError, ProofError, VerificationError
from ledger_lite.keys import PublicKey
from ledger_lite.light import verify_state, verify_tx_in_block
from ledger_lite.payload import MAX_INFLATED_BYTES, MAX_PAYLOAD_CHARS, Claims, decode_payload

# DESIGN "The certificate": certificate id = issuance transaction id (SHA-256, lower-case hex).
CERTIFICATE_ID = re.compile(r"[0-9a-f]{64}")
# Registry roles whose signature alone makes a payload genuine offline; a "user" key may also sign cert.issue
# (ledger/rules/certificates.py, modification 2) but only for its own assets, which only the ledger can tell.
ISSUER_ROLES = ("intermediary",)
USER_ROLES = ("user", "home")  # keys that certify only their own assets: checked online only
TRUST_FORMAT = 2  # 1 (no "format"): one "issuers" list that mixed intermediary and user keys
ECHO_CHARS = 80  # longest piece of input (a claim, a node's value) a message repeats


def clip(value: object, limit: int = ECHO_CHARS) -> str:
    """``value`` as text of at most ``limit`` characters (an ellipsis marks the cut)."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: object, limit: int = ECHO_CHARS) -> str:
    """``repr`` of an untrusted value, clipped."""
    return clip(repr(value), limit)


def is_certificate_id(value: object) -> bool:
    """Whether ``value`` has the form of a certificate id (an issuance transaction id)."""
    return isinstance(value, str) and CERTIFICATE_ID.fullmatch(value) is not None


@dataclass(frozen=True)
class Step:
    """One step's outcome. ``detail`` says in English what was expected and what was found; ``code`` and
    ``params`` say the same for any language (``ledger_lite.detail_ids``; ``""`` and ``{}``: a caller's own words,
    shown as ``detail``)."""

    name: str
    ok: bool | None  # None: could not be checked
    detail: str
    code: str = ""
    params: Params = field(default_factory=dict, hash=False)


def first_failure(steps: Sequence[Step]) -> Step | None:
    """The first step that failed or could not be checked."""
    return next((s for s in steps if s.ok is not True), None)


class TrustFormatError(Error, ValueError):
    """A trust list of another format (an older one did not say which keys are users')."""

    code = "bad_trust_list"


@dataclass
class Trust:
    """What a verifier trusts: the chain, the keys that may sign payloads (by registry role) and the validators."""

    chain_id: str
    issuers: dict[bytes, PublicKey]  # kid → key of a role in ISSUER_ROLES: trusted for payloads offline
    validators: list[PublicKey]
    names: dict[str, str]  # address → registered name
    users: dict[bytes, PublicKey] = field(default_factory=dict)  # kid → user key: checked only with the ledger
    height: int = 0  # the final height the list was last brought up to (ledger_lite.trust_anchor.refresh)
    headers: dict[int, str] = field(default_factory=dict)  # height → hash of each final header checked

    def to_json(self) -> dict[str, Any]:
        return {"format": TRUST_FORMAT, "chain_id": self.chain_id,
                "issuers": [k.hex() for k in self.issuers.values()], "users": [k.hex() for k in self.users.values()],
                "validators": [v.hex() for v in self.validators], "names": self.names, "height": self.height,
                "headers": {str(h): v for h, v in sorted(self.headers.items())}}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Trust:
        found = value.get("format", 1)
        if found != TRUST_FORMAT:
            raise TrustFormatError(f"expected trust list format {TRUST_FORMAT} (keys with their roles), found "
                                   f"format {shown(found)}")
        issuers = [PublicKey.from_hex(k) for k in value["issuers"]]
        users = [PublicKey.from_hex(k) for k in value["users"]]
        return cls(value["chain_id"], {k.kid: k for k in issuers},
                   [PublicKey.from_hex(v) for v in value["validators"]], dict(value["names"]),
                   {k.kid: k for k in users}, height=int(value.get("height", 0)),
                   headers={int(h): str(v) for h, v in dict(value.get("headers", {})).items()})

    @classmethod
    def from_registry(cls, chain_id: str, registry: list[dict[str, Any]]) -> Trust:
        # Removed issuers stay listed: their earlier certificates remain genuine (ledger/rules/governance.py).
        def keys(roles: tuple[str, ...]) -> dict[bytes, PublicKey]:
            found = [PublicKey.from_hex(e["public_key"]) for e in registry if e["role"] in roles]
            return {k.kid: k for k in found}

        return cls(chain_id, keys(ISSUER_ROLES),
                   [PublicKey.from_hex(e["public_key"]) for e in registry
                    if e["role"] == "validator" and not e.get("removed")],
                   {e["address"]: e["name"] for e in registry}, keys(USER_ROLES))

    def describe(self, key: PublicKey) -> str:
        name = self.names.get(key.address)
        return f"{key.address} ({clip(name)})" if name else key.address


# -- offline: the payload ----------------------------------------------------------------------------------------

@dataclass
class PayloadCheck:
    """What ``verify_payload`` found: its steps, notes for the reader, and the decoded claims and signer key
    (``None`` when the payload did not decode)."""

    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    claims: Claims | None = None
    signer: PublicKey | None = None

    @property
    def failed(self) -> bool:
        """Whether the payload is not genuine, whatever the ledger says (nothing more should be asked)."""
        return self.claims is None or any(s.ok is False for s in self.steps)


def verify_payload(payload: str, trust: Trust, *, ledger: bool) -> PayloadCheck:
    """Decode ``payload`` against the trust list's keys and check what it must say before anything is asked
    about it. ``ledger``: whether the ledger will be asked (a user-signed payload can only be confirmed there)."""
    checked = PayloadCheck()
    signers = {**trust.users, **trust.issuers}
    try:
        decoded = decode_payload(payload, signers)
    except PayloadError as exc:
        checked.steps.append(_payload_failure(payload, exc))
        return checked
    claims = checked.claims = decoded.claims
    key = checked.signer = signers[decoded.kid]
    who = {"signer": key.address, "name": clip(trust.names.get(key.address, ""))}
    if decoded.kid in trust.issuers:
        checked.steps.append(Step("signature", True, f"signed by trusted issuer {trust.describe(key)}",
                                  code="signature.issuer", params={"signer": who["signer"], "name": who["name"]}))
    elif ledger:
        checked.steps.append(Step("signature", True, f"signed by the user key of {trust.describe(key)} (direct "
                                                     f"mode); the ledger must name it as the issuer",
                                  code="signature.user_key", params={"signer": who["signer"], "name": who["name"]}))
    else:
        checked.steps.append(Step("signature", None, f"signed by the user key of {trust.describe(key)}: a "
                                                     f"certificate signed by a user key (direct mode) can only be "
                                                     f"confirmed against the ledger",
                                  code="signature.user_key_offline",
                                  params={"signer": who["signer"], "name": who["name"]}))
        checked.notes.append(USER_SIGNED_NOTE)
    # Its id is an issuance transaction id (hex, so it cannot steer the node's URL), of the trusted chain.
    if not is_certificate_id(claims.cid):
        checked.steps.append(Step("payload", False, f"expected a certificate id of 64 lower-case hex characters "
                                                    f"(the issuance transaction id), found {shown(claims.cid)}",
                                  code="payload.bad_id", params={"found": shown(claims.cid)}))
    elif claims.chain != trust.chain_id:
        checked.steps.append(Step("payload", False, f"expected a certificate of chain {shown(trust.chain_id)}, "
                                                    f"found {shown(claims.chain)}",
                                  code="payload.other_chain",
                                  params={"expected": clip(trust.chain_id), "found": clip(claims.chain)}))
    return checked


USER_SIGNED_NOTE = ("a user-signed certificate can only be confirmed against the ledger: run greencert verify "
                    "online (--node URL)")
KID_IN_MESSAGE = re.compile(r"\b[0-9a-f]{8,64}\b")


def _payload_failure(payload: str, exc: PayloadError) -> Step:
    """The step a payload that does not decode fails (``PayloadError.step`` says where), with its message id."""
    detail = clip(exc, 300)
    if exc.step in ("kid", "signature"):
        found = KID_IN_MESSAGE.search(str(exc).partition(":")[2])
        kid = found.group(0) if found else ""
        if exc.step == "kid":
            return Step("signature", False, detail, code="signature.unknown_key", params={"kid": kid})
        return Step("signature", False, detail, code="signature.invalid", params={"kid": kid})
    if exc.step == "prefix" and len(payload.strip()) > MAX_PAYLOAD_CHARS:
        return Step("payload", False, detail, code="payload.too_long",
                    params={"limit": MAX_PAYLOAD_CHARS, "found": len(payload.strip())})
    if exc.step == "prefix":
        return Step("payload", False, detail, code="payload.prefix", params={"found": shown(payload.strip()[:8])})
    if exc.step == "base45":
        return Step("payload", False, detail, code="payload.base45", params={})
    if exc.step == "zlib" and "once inflated" in str(exc):
        return Step("payload", False, detail, code="payload.zlib_too_large", params={"limit": MAX_INFLATED_BYTES})
    if exc.step == "zlib":
        return Step("payload", False, detail, code="payload.zlib", params={})
    if exc.step == "cose":
        return Step("payload", False, detail, code="payload.cose", params={})
    return Step("payload", False, detail, code="payload.claims", params={})


# -- online: the issuance on the ledger --------------------------------------------------------------------------

class LedgerReader(Protocol):
    """What the light node asks a ledger node (``backend_client.NodeClient`` has these methods)."""

    def tx(self, tx_id: str) -> dict[str, Any]: ...

    def block(self, height: int) -> dict[str, Any]: ...

    def proven_value(self, key: str) -> dict[str, Any]: ...


@dataclass
class IssuanceCheck:
    """What ``verify_issuance`` found: its steps and the issuance's block height and proven certificate record
    as far as they checked (use them only when ``failure`` is ``None``)."""

    steps: list[Step] = field(default_factory=list)
    record: dict[str, Any] | None = None
    height: int | None = None

    @property
    def failure(self) -> Step | None:
        return first_failure(self.steps)


def verify_issuance(node: LedgerReader, certificate_id: str, validators: Sequence[PublicKey], chain_id: str, *,
                    claims: Claims | None = None, names: dict[str, str] | None = None,
                    signer: str | None = None, known_headers: Mapping[int, str] | None = None) -> IssuanceCheck:
    """Steps ``inclusion``, ``record`` and ``revocation`` of the issuance ``certificate_id`` (``payload`` if it is
    not a transaction id, ``ledger`` if the node's answers lack a height). The record is compared with
    ``claims`` (the owner's name through ``names``, address → registered name) and with ``signer`` (the address
    whose key signed the payload) as its issuer; without ``claims``, with the issuance itself. Headers in
    ``known_headers`` (height → hash: ``Trust.headers``) were verified as final before and are not again."""
    checked = IssuanceCheck()
    add = checked.steps.append
    if not is_certificate_id(certificate_id):  # it goes into the node's URLs
        add(Step("payload", False, f"expected a 64-hex certificate id, found {shown(certificate_id)}",
                 code="payload.bad_id", params={"found": shown(certificate_id)}))
        return checked
    key = f"cert/{certificate_id}"
    try:
        tx_json = node.tx(certificate_id)
        height = _strict_int(tx_json["height"])
        block = node.block(height)
        state = node.proven_value(key)
        head = node.block(_strict_int(state["height"]))
    except (KeyError, TypeError, ValueError) as exc:
        add(Step("ledger", None, f"expected a transaction and a state answer with a height, found {shown(exc)}",
                 code="ledger.bad_answer", params={"reason": shown(exc)}))
        return checked
    try:
        tx = verify_tx_in_block(tx_json, block, validators, chain_id, known_headers)
    except CommitError as exc:  # not signed by a quorum of the trusted validators: not final
        add(Step("inclusion", False, clip(exc, 300), code="inclusion.no_quorum", params={"reason": clip(exc, 300)}))
        return checked
    except ProofError as exc:
        add(Step("inclusion", False, clip(exc, 300), code="inclusion.bad_proof", params={"reason": clip(exc, 300)}))
        return checked
    except VerificationError as exc:
        add(Step("inclusion", False, clip(exc, 300), code="inclusion.unproven", params={"reason": clip(exc, 300)}))
        return checked
    # The node chose what it answered: it must be this certificate's issuance.
    if tx.tx_id != certificate_id or tx.type != "cert.issue":
        add(Step("inclusion", False, f"expected the issuance {certificate_id} (cert.issue), the node answered "
                                     f"transaction {shown(tx.tx_id)} ({shown(tx.type)})",
                 code="inclusion.other_transaction",
                 params={"expected": certificate_id, "found": shown(tx.tx_id), "found_type": shown(tx.type)}))
        return checked
    add(Step("inclusion", True, f"issuance is in final block {height} of {clip(chain_id)} (validator quorum and "
                                f"Merkle proof checked)",
             code="inclusion.ok", params={"height": height, "chain": clip(chain_id)}))
    checked.height = height
    try:
        # The current record, proven against the newest final header (so a revocation cannot be hidden).
        if state.get("key") != key:
            raise VerificationError(f"expected a proof for {key}, found one for {shown(state.get('key'))}")
        head_header = BlockHeader.from_json(head["header"])
        verify_final(head_header, Commit.from_json(head["commit"]), validators, known_headers)
        if head_header.chain != chain_id:
            raise VerificationError(f"block is of chain {shown(head_header.chain)}, expected {shown(chain_id)}")
        record = verify_state(state, head_header)
    except (VerificationError, EncodingError, KeyError, TypeError, ValueError, AttributeError) as exc:
        add(Step("record", False, f"the ledger's certificate record does not verify: {clip(exc, 300)}",
                 code="record.unproven", params={"reason": clip(exc, 300)}))
        return checked
    if not isinstance(record, dict):
        add(Step("record", False, f"the ledger proves there is no record {key}", code="record.absent",
                 params={"key": key}))
        return checked
    checked.record = record
    if claims is None:
        against = "issuance"
        expected = {"id": (record.get("id"), certificate_id), "recorded height": (record.get("height"), height),
                    "owner": (record.get("owner"), tx.body.get("owner"))}
    else:
        against = "certificate"
        expected = {"id": (record.get("id"), claims.cid), "height": (height, claims.h),
                    "recorded height": (record.get("height"), claims.h), "chain": (chain_id, claims.chain),
                    "amount": (record.get("wh"), claims.wh), "method": (record.get("method"), claims.m),
                    "start": (record.get("start"), claims.ps), "end": (record.get("end"), claims.pe),
                    "institution": (record.get("institution"), claims.inst),
                    "owner": ((names or {}).get(str(record.get("owner"))), claims.own)}
    if signer is not None:  # S410: the payload is signed by whoever signed the issuance
        expected["issuer"] = (record.get("issuer"), signer)
    wrong = [(k, a, b) for k, (a, b) in expected.items() if a != b]
    if wrong:
        add(Step("record", False, "; ".join(f"{k}: ledger {shown(a)}, {against} {shown(b)}" for k, a, b in wrong),
                 code="record.mismatch",
                 params={"against": against, "fields": [{"field": k, "ledger": _echo(a), "claimed": _echo(b)}
                                                        for k, a, b in wrong]}))
    elif claims is not None:
        add(Step("record", True, f"ledger record matches every claim (state proof checked at block "
                                 f"{head_header.height})", code="record.ok", params={"height": head_header.height}))
    else:
        add(Step("record", True, f"ledger record matches the issuance (state proof checked at block "
                                 f"{head_header.height})", code="record.ok_issuance",
                 params={"height": head_header.height}))
    revoked = record.get("revoked")
    if revoked is None:
        add(Step("revocation", True, "not revoked", code="revocation.ok", params={}))
    else:
        at, reason = _get(revoked, "height"), _get(revoked, "reason")
        add(Step("revocation", False, f"revoked at block {shown(at)}: {clip(reason)}", code="revocation.revoked",
                 params={"height": _echo(at), "reason": clip(reason) if reason is not None else ""}))
    return checked


def _echo(value: Any) -> Any:
    """An untrusted value as a detail's parameter: an integer or ``None`` as it is, anything else as clipped text
    (a parameter is plain JSON, never a structure a node chose)."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return clip(value) if isinstance(value, str) else shown(value)


def _strict_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer height, found {value!r:.20}")
    return value


def _get(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None
