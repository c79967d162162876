"""Certificate issuance (S512-S520 with S205-S214a): items → one ``cert.issue`` on the ledger → signed payload.

The ledger decides: if any selected allocation was certified before, the node refuses the whole request and
names the certificate (S208/S209b), and so do we (S210b).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend_client import AlreadyIssued as LedgerAlreadyIssued
from backend_client import ApiError, ClientError, NodeClient
from backend_client import NotFound as LedgerNotFound
from intermediary.auth import Principal
from intermediary.config import Settings
from intermediary.documents import warm_renderer
from intermediary.errors import AlreadyIssued, BadInput, Conflict, LedgerUnavailable, NotFound, shown
from intermediary.models import Certificate, Consumer, IssuanceRequest, Item
from intermediary.period import Period
from intermediary.period import select as select_period
from intermediary.time_match import certificate_assets, time_matched_wh
from ledger_lite import Claims, Transaction, encode_payload, sign_tx
from ledger_lite.certificate import (
    MAX_ROWS,
    SelectionError,
    assets_root,
    check_item_ids,
    check_selection,
    half_hour_profile,
)

MAX_ITEMS = MAX_ROWS  # item_ids of one request (the API's bound)
WAIT_FOR_OTHER_S = 20.0  # a request waits this long (wall time) for another one holding its idempotency key
POLL_S = 0.05
RETRY_AFTER_S = 2        # ... then answers 409 in_progress with this Retry-After
STALE_S = 120            # a claim older than this (service clock) belongs to a worker that died: take it over


def record_from_ledger(db: Session, node: NodeClient, settings: Settings, certificate_id: str,
                       consumer: Consumer, type_id: str, assets: list[list[Any]],
                       committed: dict[str, Any] | None = None) -> Certificate:
    """Build (or rebuild) our record of a certificate from the ledger's own record and sign its payload.

    ``committed``: the node's outcome of the issuance just committed, whose result carries the record but its
    list of assets (``ledger.rules.certificates``); used when its ``assets_root`` proves exactly the request's
    assets, which saves asking the node for the record. The time-matched Wh (claim ``tm``) is the ledger record's
    own (``_proven_spans``); for a record from before issue 15 it and the half-hourly profile come from the
    ledger's records of the certified assets, and ``assets`` (``[id, start, wh]`` of the request) stand in for
    the profile only if the node no longer lists them (then the payload says nothing about time matching)."""
    existing = db.get(Certificate, certificate_id)
    if existing is not None:
        return existing
    try:
        carried = _record_in(committed, certificate_id, assets)
        record = carried or node.value(f"cert/{certificate_id}")["value"]
        # The rule records its block's height (ledger.rules.certificates); only an older record needs the tx.
        height = int(record["height"]) if "height" in record else int(node.tx(certificate_id)["height"])
        spans, matched = _proven_spans(record, assets, named=carried is not None)
        if spans is None:
            listed = node.assets(consumer.ledger_address, method=record["method"], start=int(record["start"]),
                                 end=int(record["end"]), trade="completed")
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot read certificate {certificate_id} from the ledger: {exc}") from exc
    if spans is None:
        certified = certificate_assets(listed, certificate_id)
        complete = len(certified) == int(record.get("count", len(record.get("assets", ())))) and bool(certified)
        spans = [(int(a["start"]), int(a["wh"])) for a in certified] if complete else [(a[1], a[2]) for a in assets]
        matched = time_matched_wh(certified) if complete else None
    claims = Claims(cid=certificate_id, chain=settings.chain_id, h=height, own=consumer.name,
                    m=record["method"], wh=int(record["wh"]), ps=int(record["start"]), pe=int(record["end"]),
                    inst=record["institution"], iat=int(record["time"]),
                    tm=matched)
    cert = Certificate(certificate_id=certificate_id, consumer_id=consumer.consumer_id, type_id=type_id,
                       method=record["method"], category=record["category"], amount_wh=claims.wh,
                       period_start=claims.ps, period_end=claims.pe, issued_at=claims.iat,
                       chain_id=settings.chain_id, block_height=claims.h,
                       payload=encode_payload(claims, settings.key),
                       profile=list(half_hour_profile(spans, claims.ps, claims.pe)))
    db.add(cert)
    return cert


def _proven_spans(record: dict[str, Any], assets: list[list[Any]], *,
                  named: bool = False) -> tuple[list[tuple[int, int]] | None, int | None]:
    """The (start, Wh) of each certified asset and the time-matched Wh, from the ledger's record of the certificate
    when it names exactly the request's assets with their total and states the time-matched Wh (records since
    issue 15); (None, None) otherwise. The request's ``[id, start, Wh]`` come from our rows of the ledger's
    allocations, so with the ids and total proven by the record they give the profile without listing the
    consumer's certified assets of the period, which grow with its history (``bench/issuance_at_scale.py``).
    ``named``: that was checked already (``_record_in``)."""
    if "tm" not in record or not (named or _names_exactly(record, assets)):
        return None, None
    return [(int(a[1]), int(a[2])) for a in assets], int(record["tm"])


def _names_exactly(record: dict[str, Any], assets: list[list[Any]]) -> bool:
    """Whether the ledger's ``record`` of a certificate certifies exactly ``assets`` (``[id, start, wh]``) with
    their total: by its list of assets or, in an outcome's copy without the list, by its root over them."""
    ids = sorted(str(a[0]) for a in assets)
    if isinstance(record.get("assets"), list):
        named = ids == record["assets"]
    elif isinstance(record.get("assets_root"), str):
        try:
            named = assets_root(ids).hex() == record["assets_root"]
        except ValueError:  # an id that is not hex is in no record
            named = False
    else:
        return False
    return named and sum(int(a[2]) for a in assets) == int(record["wh"])


def _record_in(committed: dict[str, Any] | None, certificate_id: str,
               assets: list[list[Any]]) -> dict[str, Any] | None:
    """The ledger's record of ``certificate_id`` as the outcome of its issuance carries it, when that proves the
    request's ``assets``; None otherwise (the caller asks the node)."""
    result = committed.get("result") if committed is not None else None
    record = result.get("record") if isinstance(result, dict) else None
    if not isinstance(record, dict) or record.get("id") != certificate_id or "tm" not in record \
            or not _names_exactly(record, assets):
        return None
    return record


def claim(db: Session, *, applicant_pk: int, key: str, tx_id: str, item_ids: list[str], type_id: str,
          now: int) -> bool:
    """Insert the ``pending`` row for ``key``; False if another request holds the key (the primary key decides)."""
    db.add(IssuanceRequest(applicant=applicant_pk, key=key, state="pending", certificate_id=tx_id, tx_ids=[tx_id],
                           item_ids=list(item_ids), type_id=type_id, updated_at=now))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return False
    return True


def _request(db: Session, who: Principal, key: str) -> IssuanceRequest | None:
    return db.get(IssuanceRequest, (who.applicant_pk, key), populate_existing=True)


def _set(db: Session, who: Principal, key: str, **values: Any) -> None:
    db.execute(update(IssuanceRequest).where(IssuanceRequest.applicant == who.applicant_pk,
                                             IssuanceRequest.key == key).values(**values))
    db.commit()


def _take_over(db: Session, row: IssuanceRequest, now: int) -> bool:
    """Make a ``failed`` or abandoned row ours (compare-and-set on what we read), so one request retries it."""
    taken = db.execute(update(IssuanceRequest).where(
        IssuanceRequest.applicant == row.applicant, IssuanceRequest.key == row.key, IssuanceRequest.state == row.state,
        IssuanceRequest.updated_at == row.updated_at, IssuanceRequest.certificate_id == row.certificate_id,
    ).values(state="pending", updated_at=now))
    db.commit()
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def _items_of(db: Session, who: Principal, item_ids: list[str]) -> list[Item]:
    return list(db.scalars(select(Item).where(Item.item_id.in_(item_ids),
                                              Item.consumer_id == who.consumer.consumer_id)))


def _check_selection(db: Session, who: Principal, item_ids: list[str]) -> list[list[Any]]:
    """The assets of the selected rows, or the 4xx that says what is wrong with the selection (the pre-checks are
    ``ledger_lite.certificate``'s, the direct-mode kiosk's too; the ledger rule decides)."""
    try:
        check_item_ids(item_ids)
        items = _items_of(db, who, item_ids)
        missing = sorted(set(item_ids) - {i.item_id for i in items})
        if missing:
            raise NotFound(f"no eligible transaction {shown(missing[0])} for {who.consumer.name}; reload the list")
        assets = [a for item in items for a in item.assets]
        check_selection((i.method for i in items), len(assets))
    except SelectionError as exc:
        raise BadInput(str(exc), exc.code) from exc
    return assets


def _issuance_tx(settings: Settings, who: Principal, assets: list[list[Any]], type_id: str, now: int) -> Transaction:
    # S513/S205: the issuance request to the node, signed by the intermediary's registered key.
    return sign_tx(settings.key, chain=settings.chain_id, type="cert.issue",
                   body={"owner": who.consumer.ledger_address, "assets": sorted(a[0] for a in assets),
                         "institution": type_id}, nonce=secrets.randbits(62), time=now)


def _committed_earlier(db: Session, node: NodeClient, settings: Settings, who: Principal,
                       row: IssuanceRequest) -> Certificate | None:
    """The certificate of an earlier attempt under this key that reached the ledger after all (it may have
    committed after we stopped waiting, or we crashed between the node's commit and our DB write)."""
    for tx_id in reversed(row.tx_ids):
        found = db.get(Certificate, tx_id)
        if found is not None:
            return found
        try:
            node.tx(tx_id)
        except LedgerNotFound:
            continue
        except ClientError as exc:
            raise LedgerUnavailable(f"cannot check the earlier request on the ledger: {exc}") from exc
        assets = [a for item in _items_of(db, who, row.item_ids) for a in item.assets]
        cert = record_from_ledger(db, node, settings, tx_id, who.consumer, row.type_id, assets)
        db.commit()
        return cert
    return None


def _send(db: Session, node: NodeClient, settings: Settings, who: Principal, key: str, tx: Transaction,
          tx_ids: list[str], type_id: str, assets: list[list[Any]]) -> Certificate:
    """Send the claimed attempt ``tx``; the row ends ``done`` or ``failed`` whatever happens."""
    warm_renderer()  # while the node makes the block
    try:
        committed: dict[str, Any] | None = None
        try:
            committed = node.submit(tx, wait=True, timeout=20.0)
            certificate_id = tx.tx_id
        except LedgerAlreadyIssued as exc:
            if exc.certificate_id not in tx_ids:
                raise AlreadyIssued(f"a certificate was already issued for this selection: {exc.certificate_id}",
                                    exc.certificate_id) from exc
            certificate_id = exc.certificate_id  # an earlier attempt under this key committed after all
        except ApiError as exc:
            raise LedgerUnavailable(f"the ledger refused the issuance: {exc.message}") from exc
        except ClientError as exc:
            raise LedgerUnavailable(f"the ledger did not answer: {exc}") from exc
        cert = record_from_ledger(db, node, settings, certificate_id, who.consumer, type_id, assets, committed)
        # One commit (one fsync) for our record and the request's "done": both or neither are kept.
        _set(db, who, key, state="done", certificate_id=certificate_id)
    except BaseException:
        db.rollback()
        _set(db, who, key, state="failed")
        raise
    return cert


def issue(db: Session, node: NodeClient, settings: Settings, who: Principal, item_ids: list[str], type_id: str,
          idempotency_key: str, now: int, period: Period | None = None) -> Certificate:
    """Issue one certificate for ``item_ids`` or, in the main embodiment (S203-S207), for exactly the applicant's
    open allocations of ``period`` (``intermediary.period``; ``item_ids`` is then ignored); the same key always
    gets the same answer (issue #9).

    The first request with a key claims it (a ``pending`` row, inserted before the node is asked). Another
    request with that key meanwhile waits up to ``WAIT_FOR_OTHER_S`` for it and answers the same, or gets 409
    ``in_progress`` with Retry-After. After a failure (or when the claim is older than ``STALE_S``: its worker
    died) the next request with the key first looks on the ledger for what the earlier attempts did, then tries
    again. Never on a GET.
    """
    key = idempotency_key
    if period is not None:
        period.check()  # bad input changes nothing: before the key is claimed
        item_ids = [period.key]

    def selected() -> list[list[Any]]:
        if period is None:
            return _check_selection(db, who, item_ids)
        return select_period(node, who.consumer.ledger_address, who.consumer.name, period)

    deadline = time.monotonic() + WAIT_FOR_OTHER_S
    while True:
        row = _request(db, who, key)
        if row is None:
            assets = selected()
            tx = _issuance_tx(settings, who, assets, type_id, now)
            if claim(db, applicant_pk=who.applicant_pk, key=key, tx_id=tx.tx_id, item_ids=item_ids, type_id=type_id,
                     now=now):
                return _send(db, node, settings, who, key, tx, [tx.tx_id], type_id, assets)
            continue  # another request claimed the key first
        if sorted(row.item_ids) != sorted(item_ids) or row.type_id != type_id:
            raise Conflict(f"idempotency key {shown(key)} was used for another selection or type; use a new key for "
                           "a new request", "idempotency_key_reused")
        if row.state == "done":
            cert = db.get(Certificate, row.certificate_id)
            if cert is not None:
                return cert
        if row.state == "pending" and now - row.updated_at <= STALE_S:
            if time.monotonic() >= deadline:
                raise Conflict("a request with this idempotency key is still in progress; retry in a moment",
                               "in_progress", retry_after=RETRY_AFTER_S)
            time.sleep(POLL_S)
            continue
        if not _take_over(db, row, now):
            continue  # another request took it over first
        try:
            earlier = _committed_earlier(db, node, settings, who, row)
            if earlier is not None:
                _set(db, who, key, state="done", certificate_id=earlier.certificate_id)
                return earlier
            assets = selected()
            tx = _issuance_tx(settings, who, assets, type_id, now)
        except BaseException:
            db.rollback()
            _set(db, who, key, state="failed")
            raise
        tx_ids = [*row.tx_ids, tx.tx_id]
        _set(db, who, key, certificate_id=tx.tx_id, tx_ids=tx_ids)
        return _send(db, node, settings, who, key, tx, tx_ids, type_id, assets)


def certificates_of(db: Session, consumer_id: str) -> list[Certificate]:
    return list(db.scalars(select(Certificate).where(Certificate.consumer_id == consumer_id)
                           .order_by(Certificate.issued_at.desc())))


def certificate_of(db: Session, who: Principal, certificate_id: str) -> Certificate:
    """Our record of one of this consumer's certificates; 404 otherwise. Reads only: a GET never creates or signs
    anything (issue #9) — a certificate the ledger has but we do not is recovered by the POST retry."""
    cert = db.get(Certificate, certificate_id)
    if cert is None or cert.consumer_id != who.consumer.consumer_id:
        raise NotFound(f"no certificate {shown(certificate_id)} for {who.consumer.name}")
    return cert
