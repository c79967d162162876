"""The home's certificates for the renewable energy it bought from the battery (issue 14: seeds 003 and 000).

Each ``storage.delivery`` writes an asset of the buying home (``asset/<delivery tx>``: ``solar``, the Wh the home
received after losses, its ``origin``: battery, delivery, the FIFO lots' seller homes and receipts). The desk:

    delivered()   the home's delivered battery assets (``GET /v1/assets?owner=``, a read signed with the home's
                  key), each with its origin and the certificate that already covers it, if any
    draft(ids)    checks a choice and keeps it for the page's yes/no (Fig. 4's pattern); nothing is sent
    confirm(n)    yes: signs ``cert.issue`` (``ledger_lite.issuance``: owner the home) and submits it, waits for
                  its block, checks it with the light node (``ledger_lite.verification.verify_issuance``: in a
                  final block, the record proven and not revoked), signs the QR payload and renders the PDF with
                  the audit bundle through ``render`` (the ``printing`` package, wired by ``greencert home``:
                  ``field`` may not import it). The ledger refuses a second certificate (``already_issued``
                  naming the first); the desk then shows the first, never issues twice.
    pdf(id)       that PDF; one issued earlier (before a restart) is rebuilt from its verified ledger record

Who signs: the home's own key (the ledger's certificate rule accepts a ``home`` key, like a direct-mode ``user``
key, for the home's own assets only: ``ledger.rules.certificates``), or ``issuer``, an intermediary's key where a
deployment has its intermediary issue for its homes; that key signs the issuance and the payload.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from backend_client import AlreadyIssued, ApiError, ClientError, NodeClient
from field.trading.errors import BadInput, LedgerRefused, UnknownRecord
from ledger_lite import Claims, PublicKey, SigningKey, encode_payload
from ledger_lite.audit import AuditBundle, BundleError
from ledger_lite.certificate import MAX_CERT_ASSETS, half_hour_profile
from ledger_lite.issuance import sign_issuance
from ledger_lite.verification import is_certificate_id, verify_issuance

SUBMIT_TIMEOUT_S = 20.0
MAX_KEPT_PDFS = 32  # rendered PDFs kept in memory; an older one is rendered again when asked


@dataclass(frozen=True)
class Lot:
    """One seller's share of a delivery (first in first out through the battery)."""

    home: str  # the seller's address
    name: str  # its registered name ("" when the registry does not know it)
    receipt: str
    start: int
    end: int
    drawn_wh: int  # what left the battery from this lot
    wh: int  # what reached the buyer from it (losses deducted)


@dataclass(frozen=True)
class Delivered:
    """A delivered battery asset of the home."""

    asset_id: str
    wh: int
    start: int  # generation span of its lots
    end: int
    usage_start: int  # the delivery's half hour(s)
    usage_end: int
    method: str
    drawn_wh: int
    loss_wh: int
    lots: tuple[Lot, ...]
    certificate: str | None  # the certificate that covers it, if any


@dataclass(frozen=True)
class CertificateFacts:
    """What the printed certificate shows (the fields of ``printing.CertificateDocument``)."""

    certificate_id: str
    owner: str
    amount_wh: int
    period_start: int
    period_end: int
    production_method: str
    category: str
    issued_at: int
    institution_id: str
    chain_id: str
    block_height: int
    payload: str
    profile_wh: tuple[int, ...]


Renderer = Callable[[CertificateFacts, bytes | None], bytes]  # facts, audit bundle → PDF


@dataclass(frozen=True)
class CertDraft:
    number: int
    assets: tuple[Delivered, ...]

    @property
    def wh(self) -> int:
        return sum(a.wh for a in self.assets)


@dataclass(frozen=True)
class Issued:
    certificate_id: str
    wh: int
    assets: tuple[str, ...]


def _lot(raw: dict[str, Any], names: dict[str, str]) -> Lot:
    home = str(raw["home"])
    return Lot(home, names.get(home, ""), str(raw["receipt"]), int(raw["start"]), int(raw["end"]),
               int(raw["drawn_wh"]), int(raw["wh"]))


def delivered_of(asset: dict[str, Any], names: dict[str, str]) -> Delivered:
    """A node's asset (with ``origin``) as a ``Delivered``; ``KeyError``/``TypeError``/``ValueError`` when it is
    not one."""
    origin = asset["origin"]
    cert = asset.get("cert")
    return Delivered(str(asset["id"]), int(asset["wh"]), int(asset["start"]), int(asset["end"]),
                     int(asset["usage_start"]), int(asset["usage_end"]), str(asset["method"]),
                     int(origin["drawn_wh"]), int(origin["loss_wh"]),
                     tuple(_lot(lot, names) for lot in origin["lots"]), None if cert is None else str(cert))


class CertificateDesk:
    """The controller's certificates part. Thread-safe (the page's requests run in threads)."""

    def __init__(self, home_key: SigningKey, chain_id: str, node: NodeClient, render: Renderer, *,
                 issuer: SigningKey | None = None, institution: str = "jp-green-council",
                 clock: Callable[[], int]) -> None:
        self.home_key = home_key
        self.issuer = issuer or home_key
        self.chain_id = chain_id
        self.node = node
        self.render = render
        self.institution = institution
        self.clock = clock
        self._numbers = itertools.count(1)
        self._drafts: dict[int, CertDraft] = {}
        self._pdfs: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self.last: Issued | None = None  # the latest certificate issued here
        self.refusal: tuple[str, str] | None = None  # the ledger's latest refusal (code, message)

    @property
    def owner(self) -> str:
        return self.home_key.address

    # -- the list -----------------------------------------------------------------------------------------
    def _registry(self) -> list[dict[str, Any]]:
        try:
            return self.node.registry()
        except ClientError as exc:
            raise LedgerRefused(f"cannot read the ledger's registry: {exc}", code="ledger_unreachable",
                                status=502) from exc

    def names(self) -> dict[str, str]:
        """Address → registered name."""
        return {str(e.get("address")): str(e.get("name", "")) for e in self._registry()}

    def delivered(self) -> list[Delivered]:
        """The home's delivered battery assets, newest delivery first."""
        try:
            assets = self.node.assets(self.owner, signer=self.home_key)
        except ClientError as exc:
            raise LedgerRefused(f"cannot read the home's assets from the ledger: {exc}", code="ledger_unreachable",
                                status=502) from exc
        names = self.names()
        found = []
        for asset in assets:
            if not isinstance(asset, dict) or not asset.get("origin"):
                continue  # not energy from the battery
            try:
                found.append(delivered_of(asset, names))
            except (KeyError, TypeError, ValueError) as exc:
                raise LedgerRefused(f"expected a delivered asset with id, wh, start, end, usage_start, usage_end "
                                    f"and origin lots, found {exc!r:.120}", code="bad_answer", status=502) from exc
        return sorted(found, key=lambda d: (d.usage_start, d.asset_id), reverse=True)

    # -- Fig. 4: choose, then yes or no ----------------------------------------------------------------
    def draft(self, asset_ids: Sequence[str]) -> CertDraft:
        """Checks a choice; nothing is sent. ``BadInput`` (code ``none_chosen``, ``too_many``, ``unknown_asset``)
        or ``already_issued`` naming the certificate."""
        chosen = list(dict.fromkeys(asset_ids))
        if not chosen:
            raise BadInput("expected at least one delivered asset chosen, found none", code="none_chosen",
                           status=422)
        if len(chosen) > MAX_CERT_ASSETS:
            raise BadInput(f"expected at most {MAX_CERT_ASSETS} assets in one certificate, found {len(chosen)}",
                           code="too_many", status=422)
        mine = {d.asset_id: d for d in self.delivered()}
        unknown = [a for a in chosen if a not in mine]
        if unknown:
            raise UnknownRecord(f"expected a delivered asset of this home, found {unknown[0][:64]!r}",
                                code="unknown_asset", status=404)
        issued = [mine[a] for a in chosen if mine[a].certificate is not None]
        if issued:
            raise BadInput(f"asset {issued[0].asset_id} is already certified by certificate "
                           f"{issued[0].certificate}", code="already_issued", status=409,
                           certificate_id=issued[0].certificate)
        with self._lock:
            draft = CertDraft(next(self._numbers), tuple(mine[a] for a in chosen))
            self._drafts[draft.number] = draft
        return draft

    def pending(self, number: int) -> CertDraft:
        with self._lock:
            draft = self._drafts.get(number)
        if draft is None:
            raise UnknownRecord(f"expected a pending choice, found no choice {number}", code="unknown_draft",
                                status=404)
        return draft

    def confirm(self, number: int, yes: bool) -> Issued | None:
        """No: forgets the choice. Yes: issues (see the module's docstring). A refusal raises ``LedgerRefused``
        with the ledger's code (``already_issued`` carries ``certificate_id``) and is kept in ``refusal``."""
        with self._lock:
            draft = self._drafts.pop(number, None)
        if draft is None:
            raise UnknownRecord(f"expected a pending choice, found no choice {number}", code="unknown_draft",
                                status=404)
        if not yes:
            return None
        ids = [a.asset_id for a in draft.assets]
        tx = sign_issuance(self.issuer, chain=self.chain_id, owner=self.owner, assets=ids,
                           institution=self.institution, nonce=secrets.randbits(62), time=self.clock())
        try:
            self.node.submit(tx, wait=True, timeout=SUBMIT_TIMEOUT_S)
        except AlreadyIssued as exc:
            self.refusal = ("already_issued", exc.message)
            raise LedgerRefused(exc.message, code="already_issued", status=409,
                                certificate_id=exc.certificate_id) from exc
        except ApiError as exc:
            self.refusal = (exc.code, exc.message)
            raise LedgerRefused(f"{exc.code}: {exc.message}", code=exc.code, status=409) from exc
        except ClientError as exc:
            raise LedgerRefused(f"the ledger could not be reached: {exc}", code="ledger_unreachable",
                                status=502) from exc
        self.refusal = None
        pdf = self._render(tx.tx_id, draft.assets)
        with self._lock:
            self._keep(tx.tx_id, pdf)
        issued = Issued(tx.tx_id, draft.wh, tuple(sorted(ids)))
        self.last = issued
        return issued

    # -- the document ---------------------------------------------------------------------------------
    def pdf(self, certificate_id: str) -> bytes:
        """The certificate's PDF (rendered again from the verified ledger record when not kept)."""
        if not is_certificate_id(certificate_id):
            raise UnknownRecord(f"expected a 64-hex certificate id, found {certificate_id[:70]!r}",
                                code="not_found", status=404)
        with self._lock:
            kept = self._pdfs.get(certificate_id)
        if kept is not None:
            return kept
        covered = tuple(d for d in self.delivered() if d.certificate == certificate_id)
        if not covered:
            raise UnknownRecord(f"expected a certificate over this home's delivered energy, found none with id "
                                f"{certificate_id}", code="not_found", status=404)
        pdf = self._render(certificate_id, covered)
        with self._lock:
            self._keep(certificate_id, pdf)
        return pdf

    def _keep(self, certificate_id: str, pdf: bytes) -> None:
        self._pdfs[certificate_id] = pdf
        while len(self._pdfs) > MAX_KEPT_PDFS:
            del self._pdfs[next(iter(self._pdfs))]

    def _render(self, certificate_id: str, assets: Sequence[Delivered]) -> bytes:
        """S410/S411 of modification 2: checked by the light node first, then signed and rendered."""
        registry = self._registry()
        validators = [PublicKey.from_hex(str(e["public_key"])) for e in registry
                      if e.get("role") == "validator" and not e.get("removed")]
        try:
            checked = verify_issuance(self.node, certificate_id, validators, self.chain_id)
        except ClientError as exc:
            raise LedgerRefused(f"the ledger could not be reached: {exc}", code="ledger_unreachable",
                                status=502) from exc
        if checked.failure is not None or checked.record is None or checked.height is None:
            failed = checked.failure
            detail = f"{failed.name}: {failed.detail}" if failed is not None else "no verified record"
            raise LedgerRefused(f"the light node could not verify certificate {certificate_id}: {detail}",
                                code="unverified", status=502)
        record = checked.record
        if record["issuer"] != self.issuer.address:
            raise LedgerRefused(f"expected certificate {certificate_id} issued by {self.issuer.address}, found "
                                f"issuer {record['issuer']}: this controller cannot sign its payload",
                                code="other_issuer", status=409)
        names = {str(e.get("address")): str(e.get("name", "")) for e in registry}
        claims = Claims(cid=certificate_id, chain=self.chain_id, h=checked.height,
                        own=names.get(self.owner, self.owner), m=str(record["method"]), wh=int(record["wh"]),
                        ps=int(record["start"]), pe=int(record["end"]), inst=str(record["institution"]),
                        iat=int(record["time"]))
        profile = half_hour_profile(((lot.start, lot.wh) for a in assets for lot in a.lots), claims.ps, claims.pe)
        facts = CertificateFacts(claims.cid, claims.own, claims.wh, claims.ps, claims.pe, claims.m,
                                 str(record["category"]), claims.iat, claims.inst, claims.chain, claims.h,
                                 encode_payload(claims, self.issuer), profile)
        try:  # the audit bundle: the PDF proves its own ledger inclusion offline (issue #13)
            bundle: bytes | None = AuditBundle.fetch(self.node, certificate_id).encode()
        except (ClientError, BundleError, KeyError, TypeError, ValueError):
            bundle = None
        return self.render(facts, bundle)


__all__ = ["CertDraft", "CertificateDesk", "CertificateFacts", "Delivered", "Issued", "Lot", "Renderer",
           "delivered_of"]
