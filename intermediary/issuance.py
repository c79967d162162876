"""Certificate issuance (S512-S520 with S205-S214a): items → one ``cert.issue`` on the ledger → signed payload.

The ledger decides: if any selected allocation was certified before, the node refuses the whole request and
names the certificate (S208/S209b), and so do we (S210b).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_client import AlreadyIssued as LedgerAlreadyIssued
from backend_client import ApiError, ClientError, NodeClient
from backend_client import NotFound as LedgerNotFound
from intermediary.auth import Principal
from intermediary.config import Settings
from intermediary.eligible import CHUNK
from intermediary.errors import AlreadyIssued, BadInput, LedgerUnavailable, NotFound
from intermediary.models import Certificate, Consumer, IdempotencyKey, Item
from ledger_lite import Claims, encode_payload, sign_tx

HALF_HOUR = 1800
MAX_ITEMS = 50


def _profile(assets: list[list[Any]], start: int, end: int) -> list[int]:
    slots = max(1, (end - start) // HALF_HOUR)
    if slots > 24 * 2 * 400:  # more than ~a year of half-hours: keep the PDF chart small and honest
        slots = 24 * 2 * 400
    profile = [0] * slots
    for _, asset_start, wh in assets:
        index = (asset_start - start) // HALF_HOUR
        if 0 <= index < slots:
            profile[index] += wh
    return profile


def record_from_ledger(db: Session, node: NodeClient, settings: Settings, certificate_id: str,
                       consumer: Consumer, type_id: str, assets: list[list[Any]]) -> Certificate:
    """Build (or rebuild) our record of a certificate from the ledger's own record and sign its payload."""
    existing = db.get(Certificate, certificate_id)
    if existing is not None:
        return existing
    try:
        record = node.value(f"cert/{certificate_id}")["value"]
        tx = node.tx(certificate_id)
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot read certificate {certificate_id} from the ledger: {exc}") from exc
    claims = Claims(cid=certificate_id, chain=settings.chain_id, h=int(tx["height"]), own=consumer.name,
                    m=record["method"], wh=int(record["wh"]), ps=int(record["start"]), pe=int(record["end"]),
                    inst=record["institution"], iat=int(record["time"]))
    cert = Certificate(certificate_id=certificate_id, consumer_id=consumer.consumer_id, type_id=type_id,
                       method=record["method"], category=record["category"], amount_wh=claims.wh,
                       period_start=claims.ps, period_end=claims.pe, issued_at=claims.iat,
                       chain_id=settings.chain_id, block_height=claims.h,
                       payload=encode_payload(claims, settings.key),
                       profile=_profile(assets, claims.ps, claims.pe))
    db.add(cert)
    return cert


def _earlier_attempt(db: Session, node: NodeClient, settings: Settings, who: Principal,
                     key: IdempotencyKey) -> Certificate | None:
    """The certificate of an earlier request with the same idempotency key, if it reached the ledger
    (it may have committed after we stopped waiting for it)."""
    found = db.get(Certificate, key.certificate_id)
    if found is not None:
        return found
    try:
        node.tx(key.certificate_id)
    except LedgerNotFound:
        return None
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot check the earlier request on the ledger: {exc}") from exc
    items = db.scalars(select(Item).where(Item.item_id.in_(key.item_ids)))
    cert = record_from_ledger(db, node, settings, key.certificate_id, who.consumer, key.type_id,
                              [a for item in items for a in item.assets])
    db.commit()
    return cert


def issue(db: Session, node: NodeClient, settings: Settings, who: Principal, item_ids: list[str], type_id: str,
          idempotency_key: str, now: int) -> Certificate:
    seen = db.get(IdempotencyKey, (who.applicant_pk, idempotency_key))
    if seen is not None:
        earlier = _earlier_attempt(db, node, settings, who, seen)
        if earlier is not None:
            return earlier
    if not 0 < len(item_ids) <= MAX_ITEMS or len(set(item_ids)) != len(item_ids):
        raise BadInput(f"expected 1 to {MAX_ITEMS} distinct item_ids, found {len(item_ids)}")
    items = list(db.scalars(select(Item).where(Item.item_id.in_(item_ids),
                                               Item.consumer_id == who.consumer.consumer_id)))
    missing = sorted(set(item_ids) - {i.item_id for i in items})
    if missing:
        raise NotFound(f"no eligible transaction {missing[0]} for {who.consumer.name}; reload the list")
    methods = {i.method for i in items}
    if len(methods) != 1:
        raise BadInput(f"expected rows of one production method per certificate, found {sorted(methods)}",
                       "mixed_methods")
    assets = [a for item in items for a in item.assets]
    if len(assets) > CHUNK:
        raise BadInput(f"expected at most {CHUNK} allocations in one certificate (one issuance transaction), found "
                       f"{len(assets)}: select fewer rows", "selection_too_large")
    # S513/S205: the issuance request to the node, signed by the intermediary's registered key.
    tx = sign_tx(settings.key, chain=settings.chain_id, type="cert.issue",
                 body={"owner": who.consumer.ledger_address, "assets": sorted(a[0] for a in assets),
                       "institution": type_id}, nonce=secrets.randbits(62), time=now)
    # Remember the attempt before sending it, so a retry after a lost answer finds what the ledger did.
    if seen is None:
        seen = IdempotencyKey(applicant=who.applicant_pk, key=idempotency_key)
        db.add(seen)
    seen.certificate_id, seen.item_ids, seen.type_id = tx.tx_id, list(item_ids), type_id
    db.commit()
    try:
        node.submit(tx, wait=True, timeout=20.0)
    except LedgerAlreadyIssued as exc:
        raise AlreadyIssued(f"a certificate was already issued for this selection: {exc.certificate_id}",
                            exc.certificate_id) from exc
    except ApiError as exc:
        raise LedgerUnavailable(f"the ledger refused the issuance: {exc.message}") from exc
    except ClientError as exc:
        raise LedgerUnavailable(f"the ledger did not answer: {exc}") from exc
    cert = record_from_ledger(db, node, settings, tx.tx_id, who.consumer, type_id, assets)
    db.commit()
    return cert


def certificates_of(db: Session, consumer_id: str) -> list[Certificate]:
    return list(db.scalars(select(Certificate).where(Certificate.consumer_id == consumer_id)
                           .order_by(Certificate.issued_at.desc())))


def recover_certificate(db: Session, node: NodeClient, settings: Settings, who: Principal,
                        certificate_id: str) -> Certificate:
    """Our record of a certificate of this consumer; rebuilt from the ledger if only the ledger has it."""
    cert = db.get(Certificate, certificate_id)
    if cert is not None:
        if cert.consumer_id != who.consumer.consumer_id:
            raise NotFound(f"no certificate {certificate_id} for {who.consumer.name}")
        return cert
    try:
        record = node.value(f"cert/{certificate_id}")["value"]
    except ClientError as exc:
        raise NotFound(f"no certificate {certificate_id} for {who.consumer.name}") from exc
    if record["owner"] != who.consumer.ledger_address:
        raise NotFound(f"no certificate {certificate_id} for {who.consumer.name}")
    by_id: dict[str, list[Any]] = defaultdict(list)
    for item in db.scalars(select(Item).where(Item.consumer_id == who.consumer.consumer_id)):
        for asset in item.assets:
            by_id[asset[0]] = asset
    assets = [by_id[a] for a in record["assets"] if a in by_id]
    cert = record_from_ledger(db, node, settings, certificate_id, who.consumer, record["institution"], assets)
    db.commit()
    return cert
