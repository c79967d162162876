"""The auditor's verification at the kiosk (issue #13, no log-in): read what was scanned or picked, find the trust
list, and run the light node's one audit (``ledger_lite.audit``, the very code of ``greencert verify``). No Qt here:
the verify flow runs ``Auditor.check`` on the kiosk's worker thread.

Where the trust list comes from:

* through the intermediary (the default backend): ``GET /api/v1/trust`` (issuer and validator keys, the ledger
  nodes' URLs) → ``Trust.from_registry``;
* in direct mode (modification 2): the node's status and registry, with the validators the direct backend pinned
  on first use (``kiosk.direct.trust``) standing in for the node's list;

and either way it is kept in ``<config dir>/verify-trust.json`` so that the kiosk can check offline. An auditor who
brings their own trust anchor (``Auditor.anchor``, ``kiosk.core.auditor_anchor``) is checked from it alone: of the
kiosk's trust source only the node URLs are used, and nothing is written. Online the
issuance is checked against a node (``NodeClient`` fails over across the URLs; one is kept for the session and
each check is one request: ``NodeSession``); when no node answers, a PDF's audit bundle proves inclusion instead;
with neither, only the signature is checked — ``Verification.source`` says which, and the result screen says it
in plain words.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from kiosk.core.auditor_anchor import LoadedAnchor, OpenClient, audit_with_anchor
from kiosk.core.json_file import write_json_atomically
from kiosk.core.language import LANGUAGES, Language
from ledger_lite import Claims
from ledger_lite.audit import (
    PREFIX,
    AuditBundle,
    BundleError,
    Report,
    audit,
    damaged_bundle,
    one_payload,
    payload_text,
)
from ledger_lite.verification import LedgerReader, Trust, clip

if TYPE_CHECKING:
    from backend_client import NodeClient

log = logging.getLogger(__name__)

MAX_SCAN_CHARS = 8192  # a GC1 payload is at most 4096 characters (ledger_lite.payload); a scanner adds nothing
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
DOCUMENT_SUFFIXES = (".pdf", *IMAGE_SUFFIXES)
Source = Literal["node", "bundle", "none"]


@dataclass(frozen=True)
class TrustAnswer:
    """What an online trust source gave: the trust list and the ledger nodes to ask."""

    trust: Trust
    node_urls: tuple[str, ...]


class ClosableReader(LedgerReader, Protocol):
    def close(self) -> None: ...


FetchTrust = Callable[[], TrustAnswer]  # raises when the source cannot be reached
OpenNode = Callable[[Sequence[str]], ClosableReader]


@dataclass
class Verification:
    """One check's outcome for the screens: the audit's report, what the payload says in both languages, and
    the PDF that was checked (the result screen can show its page)."""

    report: Report
    facts: dict[Language, dict[str, str]] = field(default_factory=dict)
    pdf: Path | None = None
    kind: str = "scan"  # "scan" | "pdf" | "image"
    trust_from: str = "none"  # "online" | "cache" | "none" | "anchor" (the auditor's own, kiosk.core.auditor_anchor)
    bundle_height: int | None = None  # offline from the PDF's audit bundle: the ledger as of this block

    @property
    def verdict(self) -> str:
        return self.report.verdict

    @property
    def source(self) -> str:
        return self.report.source

    def failed_step(self) -> str | None:
        """The name of the first step that failed (the one the verdict "not genuine" names)."""
        return next((s.name for s in self.report.steps if s.ok is False), None)


def trust_from_intermediary(body: dict[str, Any]) -> TrustAnswer:
    """``GET /api/v1/trust`` (``IntermediaryClient.trust()``) as a trust list; raises ``ValueError`` when it is not
    one (keys missing, of the wrong type)."""
    try:
        entries = [{"public_key": k["public_key"], "role": k["role"], "address": k["address"], "name": k["name"]}
                   for k in [*body["issuers"], *body["validators"]]]
        trust = Trust.from_registry(str(body["chain_id"]), entries)
        urls = body.get("node_urls") or [body["node_url"]]
        if not all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls):
            raise ValueError(f"expected http(s) node URLs, found {clip(urls)}")
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"expected the intermediary's trust object (chain_id, issuers, validators, node_urls), "
                         f"found a problem: {clip(exc, 200)}") from None
    if not trust.validators:
        raise ValueError("expected validator keys in the intermediary's trust object, found none")
    return TrustAnswer(trust, tuple(urls))


def trust_from_node(chain_id: str, registry: list[dict[str, Any]], node_urls: Sequence[str],
                    pinned: tuple[str, Sequence[str]] | None) -> TrustAnswer:
    """Direct mode: the node's registry, but the validators are the ones the kiosk pinned (``pinned``: chain id and
    hex keys), never what the node says now; a node of another chain is refused (``ValueError``)."""
    trust = Trust.from_registry(chain_id, registry)
    if pinned is not None:
        pinned_chain, validators = pinned
        if pinned_chain != chain_id:
            raise ValueError(f"expected the pinned chain {clip(pinned_chain)}, the node is of {clip(chain_id)}")
        from ledger_lite import PublicKey

        trust.validators = [PublicKey.from_hex(v) for v in validators]
    return TrustAnswer(trust, tuple(node_urls))


class TrustCache:
    """``verify-trust.json`` in the kiosk's config dir: the last trust list fetched online, and its node URLs."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def save(self, answer: TrustAnswer) -> None:
        try:
            write_json_atomically(self.path, {"trust": answer.trust.to_json(), "node_urls": list(answer.node_urls)},
                                  indent=1)
        except OSError as exc:
            log.warning("could not keep the trust list for offline checks in %s: %s", self.path, exc)

    def load(self) -> TrustAnswer | None:
        """The cached trust list, or None (none yet, or a file that is not one: logged)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return TrustAnswer(Trust.from_json(raw["trust"]), tuple(str(u) for u in raw.get("node_urls", [])))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("the cached trust list %s is unusable: %s", self.path, exc)
            return None


def _node_client(urls: Sequence[str]) -> NodeClient:
    from backend_client import NodeClient

    return NodeClient(list(urls), timeout=10)


class NodeSession:
    """The ledger clients of the kiosk's session (issue 17): one ``NodeClient`` per list of node URLs, kept from
    check to check (its connection stays open, nothing is set up again), each check reading through its own
    ``CertificateReader`` (one request per check; closing the reader keeps the client). At most ``KEPT`` lists are
    kept (the trust list's URLs rarely change): the oldest client is closed when another is needed."""

    KEPT = 4

    def __init__(self, make_client: Callable[[Sequence[str]], NodeClient] | None = None) -> None:
        self._make = make_client or _node_client
        self._clients: dict[tuple[str, ...], NodeClient] = {}
        self._lock = threading.Lock()

    def open(self, urls: Sequence[str]) -> ClosableReader:
        from backend_client import CertificateReader

        return CertificateReader(self.client(urls))

    def client(self, urls: Sequence[str]) -> NodeClient:
        """The session's client for ``urls`` (kept: never close it; ``close`` does)."""
        key = tuple(urls)
        with self._lock:
            client = self._clients.pop(key, None) or self._make(key)
            self._clients[key] = client  # the newest last
            while len(self._clients) > self.KEPT:
                self._clients.pop(next(iter(self._clients))).close()
        return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


SESSION = NodeSession()  # the kiosk process is one session: every Auditor it makes shares these clients


class Auditor:
    """Checks one certificate. ``fetch_trust`` asks the network for the trust list (None: offline only);
    ``open_node`` makes the ledger reader for the trust list's node URLs (default: ``SESSION.open``, a
    ``CertificateReader`` over the session's client for those URLs).

    ``anchor``: the auditor's own trust anchor (``kiosk.core.auditor_anchor``), set by the verify flow for the
    session that loaded it; then the kiosk's trust list is never used, only its node URLs, through the client
    ``open_client`` gives (default: ``SESSION.client``)."""

    def __init__(self, cache: TrustCache, fetch_trust: FetchTrust | None = None, *,
                 open_node: OpenNode | None = None, zone_name: str | None = None,
                 open_client: OpenClient | None = None) -> None:
        self.cache = cache
        self.fetch_trust = fetch_trust
        self.open_node = open_node or SESSION.open
        self.open_client = open_client or SESSION.client
        self.zone_name = zone_name
        self.anchor: LoadedAnchor | None = None

    def check_scan(self, text: str, *, camera: bool = False) -> Verification:
        """A payload typed by a barcode scanner (keyboard wedge) or, with ``camera``, read by a camera."""
        report = Report()
        text = text.strip()
        if len(text) > MAX_SCAN_CHARS:
            report.add("read", False, f"expected a payload of at most {MAX_SCAN_CHARS} characters, found "
                                      f"{len(text):,}", code="read.scan_too_long",
                       params={"limit": MAX_SCAN_CHARS, "found": len(text)})
            return Verification(report)
        if camera:
            report.add("read", True, "QR code read by the camera", code="read.camera", params={})
        else:
            report.add("read", True, "QR code read by the scanner", code="read.scanned", params={})
        return self._check(payload_text(text), report, {}, None, kind="scan")

    def check_file(self, path: Path) -> Verification:
        """A PDF or a photo of a certificate (from a USB stick)."""
        from printing import ReadError, read_certificate_pdf, read_qr_codes

        report = Report()
        path = Path(path)
        try:
            if path.suffix.lower() == ".pdf":
                printed = read_certificate_pdf(path)
                payload = one_payload(printed.payloads, path.name, report, missing=False)
                facts = {"kind": "pdf", "amount_wh": printed.amount_wh, "certificate_id": printed.certificate_id,
                         "short_reference": printed.short_reference}
                return self._check(payload, report, facts, printed.bundle, kind="pdf", pdf=path)
            if path.suffix.lower() in IMAGE_SUFFIXES:
                payload = one_payload(read_qr_codes(path), path.name, report, missing=None)
                return self._check(payload, report, {"kind": "image"}, None, kind="image")
        except ReadError as exc:
            report.add("read", None, f"cannot read {clip(path.name)}: {clip(exc, 300)}", code="read.unreadable",
                       params={"name": clip(path.name), "reason": clip(exc, 300)})
            return Verification(report, kind="pdf" if path.suffix.lower() == ".pdf" else "image")
        report.add("read", None, f"expected a .pdf, .png or .jpg file, found {clip(path.name)}",
                   code="read.unsupported", params={"name": clip(path.name)})
        return Verification(report)

    # -- the check ----------------------------------------------------------------------------------------
    def _trust(self, report: Report) -> tuple[TrustAnswer | None, str]:
        if self.fetch_trust is not None:
            try:
                answer = self.fetch_trust()
            except Exception as exc:  # unreachable, refused, not a trust list: offline, use the cache
                log.info("trust list not fetched (%s); using the cached one", exc)
                cached = self.cache.load()
                if cached is not None:
                    report.add("trust", True, f"the trust list kept from the last check online (offline: "
                                              f"{clip(exc, 200)})", code="trust.kept",
                               params={"reason": f"(offline: {clip(exc, 200)})"})
                    return cached, "cache"
                report.add("trust", None, f"no trust list: the kiosk was never online to fetch one ({clip(exc, 200)})",
                           code="trust.never_online", params={"reason": f"({clip(exc, 200)})"})
                return None, "none"
            self.cache.save(answer)
            report.add("trust", True, f"trust list of chain {clip(answer.trust.chain_id)} fetched online",
                       code="trust.fetched", params={"chain": clip(answer.trust.chain_id)})
            return answer, "online"
        cached = self.cache.load()
        if cached is None:
            report.add("trust", None, "no trust list: the kiosk was never online to fetch one",
                       code="trust.never_online", params={"reason": ""})
            return None, "none"
        report.add("trust", True, "the trust list kept from the last check online", code="trust.kept",
                   params={"reason": ""})
        return cached, "cache"

    def _node_urls(self) -> tuple[tuple[str, ...], str]:
        """The kiosk's ledger node URLs (only the URLs of its trust source: never its keys), or why none."""
        reason = "the kiosk knows no ledger node"
        if self.fetch_trust is not None:
            try:
                return self.fetch_trust().node_urls, ""
            except Exception as exc:  # unreachable: the URLs kept from the last check online
                reason = clip(exc, 200)
        cached = self.cache.load()
        if cached is not None and cached.node_urls:
            return cached.node_urls, ""
        return (), reason

    def _check_anchored(self, anchor: LoadedAnchor, payload: str, report: Report, printed: dict[str, Any],
                        bundle_bytes: bytes | None, outcome: Verification) -> Verification:
        bundle, damaged = None, None
        if bundle_bytes is not None:
            try:
                bundle = AuditBundle.decode(bundle_bytes)
            except BundleError as exc:
                damaged = exc
        urls, reason = self._node_urls()
        outcome.trust_from = "anchor"
        audit_with_anchor(payload, anchor, report, printed=printed, bundle=bundle, node_urls=urls,
                          open_client=self.open_client, facts=self._facts, unreached=reason)
        if damaged is not None and any(s.code == "signature.anchor_offline" for s in report.steps):
            damaged_bundle(report, damaged)  # offline, the PDF's proof was all there was
        if report.source == "bundle" and bundle is not None:
            header = bundle.head.get("header")
            height = header.get("height") if isinstance(header, dict) else None
            outcome.bundle_height = height if isinstance(height, int) and not isinstance(height, bool) else None
        return self._worded(outcome)

    def _check(self, payload: str | None, report: Report, printed: dict[str, Any], bundle_bytes: bytes | None, *,
               kind: str, pdf: Path | None = None) -> Verification:
        outcome = Verification(report, pdf=pdf, kind=kind)
        if payload is None:
            return outcome
        if self.anchor is not None:
            return self._check_anchored(self.anchor, payload, report, printed, bundle_bytes, outcome)
        answer, outcome.trust_from = self._trust(report)
        if answer is None:
            return outcome
        bundle = None
        if bundle_bytes is not None:
            try:
                bundle = AuditBundle.decode(bundle_bytes)
            except BundleError as exc:
                if outcome.trust_from != "online":
                    damaged_bundle(report, exc)
                    return outcome
                log.info("a damaged audit bundle in %s; checking online", pdf)
        facts = self._facts
        if outcome.trust_from == "online" and answer.node_urls:
            online = _copy(report)
            node = self.open_node(answer.node_urls)
            try:
                audit(payload, answer.trust, online, printed=printed, node=node, facts=facts)
            finally:
                node.close()
            unreached = next((s for s in online.steps if s.name == "ledger" and s.ok is None), None)
            if unreached is None or bundle is None:
                outcome.report = online
                return self._worded(outcome)
            report.note(f"{unreached.detail}; the PDF's audit bundle was checked instead", code="note.bundle_instead",
                        params={})
        audit(payload, answer.trust, report, printed=printed, bundle=bundle, facts=facts)
        if report.source == "bundle" and bundle is not None:
            header = bundle.head.get("header")
            height = header.get("height") if isinstance(header, dict) else None
            outcome.bundle_height = height if isinstance(height, int) and not isinstance(height, bool) else None
        return self._worded(outcome)

    def _facts(self, claims: Claims) -> dict[str, str]:
        return {}  # worded per language afterwards (_worded), from report.claims

    def _worded(self, outcome: Verification) -> Verification:
        claims = outcome.report.claims
        if claims is None:
            return outcome
        from printing.facts import certificate_facts

        try:
            parsed = Claims(**claims)
            zone = {"zone_name": self.zone_name} if self.zone_name else {}
            outcome.facts = {lang: certificate_facts(parsed, language=lang, **zone) for lang in LANGUAGES}
        except Exception as exc:  # a hostile payload's odd claims: the steps still say what was checked
            log.info("could not word the certificate's facts: %s", exc)
        if outcome.facts:
            outcome.report.facts = outcome.facts["en"]
        return outcome


def _copy(report: Report) -> Report:
    return Report(steps=list(report.steps), notes=list(report.notes), note_ids=list(report.note_ids))


def fetch_trust_of(client: object) -> FetchTrust | None:
    """How the kiosk's port reaches a trust list: the intermediary's ``trust()``, or in direct mode the node's
    registry with the pinned validators (``DirectBackend.node`` and ``.trust``); None for a port with neither."""
    trust = getattr(client, "trust", None)
    node = getattr(client, "node", None)
    if node is not None and hasattr(trust, "pinned"):
        store: Any = trust

        def from_node() -> TrustAnswer:
            chain_id = str(node.status()["chain_id"])
            registry = node.registry()
            pinned = store.pinned()
            pin = (pinned.chain_id, [v.hex() for v in pinned.validators]) if pinned is not None else None
            return trust_from_node(chain_id, registry, tuple(node.base_urls), pin)

        return from_node
    if callable(trust):
        return lambda: trust_from_intermediary(trust())
    return None


def looks_like_payload(text: str) -> bool:
    """A scanned ``GC1:`` payload, or a ``/verify`` link carrying one (``ledger_lite.audit.payload_text``)."""
    return payload_text(text).upper().startswith(PREFIX)


__all__ = ["DOCUMENT_SUFFIXES", "MAX_SCAN_CHARS", "SESSION", "Auditor", "NodeSession", "TrustAnswer", "TrustCache",
           "Verification", "fetch_trust_of", "looks_like_payload", "trust_from_intermediary", "trust_from_node"]
