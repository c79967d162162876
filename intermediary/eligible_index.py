"""The eligible list served from the intermediary's database (issue 16), kept up to date from the node's blocks.

    index = EligibleIndex(sessions, node, key, chain_id)
    rows, as_of = index.rows(consumer)    # S505-S509: a few stored rows, not a year of assets

A consumer's rows are built from the node's asset list once (``eligible_store.store_all``): by the follower thread
soon after the service starts (``start``), one consumer at a time, or at the consumer's first list request if
that comes first (~2 s for a year of half hours, so the thread spares it). From then on every block is read once
(``GET /v1/blocks/{h}/txs``) and its allocations and certifications are applied (``eligible_follow``),
whoever signed them: this intermediary, another, or the consumer's own key (the
direct-mode kiosk). Each block is applied in one database transaction with the cursor, so a crash or a second
worker never applies one twice or skips one. A list request first catches up to the node's head (usually nothing
or a block or two: the follower thread, started at the first request when ``follow_every_s`` is set, keeps up in
between); an intermediary more than ``MAX_REPLAY`` blocks behind (stopped for long) forgets its stored rows and
builds each consumer again at its next request. Rows are a view: the ledger still refuses, at issuance, a row
whose assets were certified since (S208).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backend_client import ClientError, NodeClient
from intermediary.eligible import Row
from intermediary.eligible_follow import BlockEffect, Sources, block_txs
from intermediary.eligible_models import EligibleConsumer, EligibleCursor
from intermediary.eligible_store import forget_all, store_all, stored_rows
from intermediary.errors import LedgerUnavailable
from intermediary.models import Consumer
from ledger_lite import SigningKey

MAX_REPLAY = 2000  # blocks: further behind than this, building the followed consumers again is cheaper
CURSOR = 1
log = logging.getLogger(__name__)


class EligibleIndex:
    def __init__(self, sessions: sessionmaker[Session], node: NodeClient, key: SigningKey, chain_id: str, *,
                 follow_every_s: float | None = None) -> None:
        self.sessions, self.node, self.key, self.chain_id = sessions, node, key, chain_id
        self.follow_every_s = follow_every_s
        self._lock = threading.Lock()  # one block (or one build) at a time in this process
        self.sources = Sources()  # what the blocks applied here say about readings (eligible_follow)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the list -------------------------------------------------------------------------------------------
    def rows(self, consumer: Consumer) -> tuple[list[Row], int | None]:
        """The consumer's rows and the end of its newest allocation, caught up to the node's head."""
        self._start_following()
        try:
            head = self.sync()
            with self.sessions() as db:
                followed = db.get(EligibleConsumer, consumer.consumer_id) is not None
            if not followed:
                self._build(consumer, head)
        except ClientError as exc:
            raise LedgerUnavailable(f"cannot read allocations from the ledger: {exc}") from exc
        with self.sessions() as db:
            state = db.get(EligibleConsumer, consumer.consumer_id)
            return stored_rows(db, consumer.consumer_id), None if state is None else state.as_of

    def _build(self, consumer: Consumer, head: int) -> None:
        """S507 once: every asset the ledger lists for the consumer, stored and grouped."""
        with self._lock:
            assets = self.node.assets(consumer.ledger_address)  # as of the head read before, or later
            with self.sessions() as db:
                if db.get(EligibleConsumer, consumer.consumer_id) is not None:
                    return  # built by another request meanwhile
                store_all(db, consumer.consumer_id, assets, head)
                try:
                    db.commit()
                except IntegrityError:  # another worker built it first
                    db.rollback()
                    return
                cursor = self._cursor(db)
            if cursor is not None and cursor > head:  # another worker passed blocks while we listed: replay them
                for height in range(head + 1, cursor + 1):
                    with self.sessions() as db:
                        self._apply(db, height, {consumer.ledger_address: consumer.consumer_id}, Sources())
                        db.commit()

    # --- following the blocks ---------------------------------------------------------------------------------
    def head(self) -> int:
        return int(self.node.status()["height"])

    def sync(self) -> int:
        """Apply every block up to the node's head; returns that head."""
        head = self.head()
        while self._step(head):
            pass
        return head

    @staticmethod
    def _cursor(db: Session) -> int | None:
        found = db.get(EligibleCursor, CURSOR, populate_existing=True)
        return None if found is None else found.height

    @staticmethod
    def _followed(db: Session) -> dict[str, str]:
        found = db.execute(select(Consumer.ledger_address, Consumer.consumer_id)
                           .join(EligibleConsumer, EligibleConsumer.consumer_id == Consumer.consumer_id))
        return {address: consumer_id for address, consumer_id in found}

    def _apply(self, db: Session, height: int, followed: dict[str, str], sources: Sources) -> BlockEffect:
        effect = BlockEffect(db, self.node, followed, sources)
        for tx in block_txs(self.node, self.key, self.chain_id, height):
            effect.apply(tx)
        effect.finish()
        return effect

    def _step(self, head: int) -> bool:
        """Apply the block after the cursor (or move the cursor when nothing is followed); True if more remain."""
        with self._lock, self.sessions() as db:
            cursor = self._cursor(db)
            if cursor is None:
                db.add(EligibleCursor(id=CURSOR, height=head))
                _commit_or_lose(db)
                return False
            if cursor >= head:
                return False
            followed = self._followed(db)
            target = cursor + 1
            effect = None
            if not followed or head - cursor > MAX_REPLAY:
                if followed:
                    log.info("eligible rows %d blocks behind the node: built again at each consumer's next list",
                             head - cursor)
                    forget_all(db)
                target = head
            else:
                effect = self._apply(db, target, followed, self.sources)
            try:
                db.flush()
            except IntegrityError:  # another worker stored the same rows or items first: take the block again
                db.rollback()
                self.sources.clear()
                return True
            moved = db.execute(update(EligibleCursor).where(EligibleCursor.id == CURSOR,
                                                            EligibleCursor.height == cursor).values(height=target))
            if moved.rowcount != 1:  # type: ignore[attr-defined]  # another worker applied it
                db.rollback()
                self.sources.clear()  # blocks we did not see may have taken from the readings we know
                return True
            db.commit()
            if effect is None:
                self.sources.clear()  # skipped blocks: what they took is unknown
            else:
                self.sources.update(effect.staged)
            return target < head

    def start(self) -> None:
        """Start following the blocks in the background now (a served intermediary, at start), building first the
        rows of every consumer not followed yet; without ``follow_every_s`` nothing runs in the background."""
        self._start_following()

    def _start_following(self) -> None:
        if self.follow_every_s is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._follow, name="eligible-follower", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        assert self.follow_every_s is not None
        while True:
            try:
                self.sync()
                self.build_waiting()
            except RuntimeError:  # the node client was closed: the service is shutting down
                return
            except Exception as exc:  # the node or the database is away for a moment: try again later
                log.debug("eligible follower: %s", exc)
            if self._stop.wait(self.follow_every_s):
                return

    def build_waiting(self) -> int:
        """Build the rows of each consumer not followed yet (new ones, or all after the rows were forgotten), one
        at a time between blocks, so their first list does not wait for their history; returns how many."""
        with self.sessions() as db:
            waiting = list(db.scalars(select(Consumer).outerjoin(
                EligibleConsumer, EligibleConsumer.consumer_id == Consumer.consumer_id).where(
                EligibleConsumer.consumer_id.is_(None)).order_by(Consumer.consumer_id)))
        built = 0
        for consumer in waiting:
            if self._stop.is_set():
                break
            head = self.sync()
            with self.sessions() as db:
                if db.get(EligibleConsumer, consumer.consumer_id) is not None:
                    continue  # built by a list request meanwhile
            self._build(consumer, head)
            built += 1
        return built

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _commit_or_lose(db: Session) -> None:
    try:
        db.commit()
    except IntegrityError:
        db.rollback()


__all__ = ["MAX_REPLAY", "EligibleIndex"]
