"""A small ledger world for tests: deterministic keys, a genesis registry and a real node in a temp dir.

    world = LedgerWorld()                                   # keys from SigningKey.derive("test/...")
    clock = ManualClock(DAY_ONE_END)                         # block time; move it with clock.set()/advance()
    node = world.open_node(tmp_path / "node", clock)         # started: the real block-producer thread
    gen = world.commit(node, world.generate(slot(0), 10_000))           # asserts code "ok"
    asset_id = gen["result"]["asset_id"]
    world.commit(node, world.allocate([(asset_id, 10_000)]))
    outcome = world.submit_wait(node, world.issue([asset_id]))          # any outcome, e.g. "already_issued"
    world.commit(node, world.revoke(cert_id, "meter fault"))            # cert.revoke by the issuer
    world.commit(node, world.registry_update(set_entries=[world.registry_entry(key, "meter", ...)]))
    client.get("/v1/assets", params=p, headers=world.read_headers(world.user, "/v1/assets", p))  # a signed read
    genesis = world.genesis_with(*world.extra_validators(2))             # n = 3 validators

Registry (genesis ``GENESIS_TIME`` = 2026-10-01 00:00 UTC, chain ``greencert-test``):

| attribute       | role          | notes                                             |
|-----------------|---------------|---------------------------------------------------|
| validator       | validator     | the node's signing key (embedded mode, n = 1)      |
| intermediary    | intermediary  | "Intermediary Da", owner of generated assets       |
| intermediary2   | intermediary  | "Intermediary Db", owns nothing by default         |
| meter           | meter         | provider Aa, solar, 50 kW → 25,000 Wh per half hour|
| meter_oil       | meter         | provider Ab, oil, 200 kW                           |
| user            | user          | "Consumer Ca"                                      |
| user2           | user          | "Consumer Cb"                                      |
| outsider        | (none)        | a valid key that is not registered                 |

Pytest fixtures ``ledger_world``, ``ledger_clock`` and ``ledger_node`` are defined here; import them into a
``conftest.py`` to use them. ``recompute_state_root`` recomputes a node's state root from its SQLite rows
without the node's own code (the test oracle for tamper evidence).

``SyncASGITransport(app)`` runs any ASGI app (the node's, the intermediary's) in-process behind a *sync*
``httpx.Client`` (``backend_client`` clients take it as ``transport=``). Starlette's TestClient would do, but
with plain httpx it emits a deprecation warning, which this project's pytest settings turn into an error.
Responses are buffered, so it cannot serve endless streams such as ``/v1/events``: use a real server there.
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
import threading
import time as wall
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import anyio.from_thread
import cbor2
import httpx
import pytest

from ledger.compact import unpack_key, unpack_value
from ledger.errors import StoreError
from ledger.genesis import Genesis, entry
from ledger.node import Node
from ledger.node_base import Pending
from ledger.storage import MERGE_IDS, MERGE_ROWS, Store
from ledger_lite import SigningKey, Transaction, sign_tx
from ledger_lite.governance import registry_entry, sign_approval
from ledger_lite.request_auth import sign_request
from ledger_lite.smt_tree import root_of

CHAIN_ID = "greencert-test"
GENESIS_TIME = 1_790_812_800  # 2026-10-01 00:00:00 UTC
HALF_HOUR = 1800
DAY = 86_400
DAY_ONE_END = GENESIS_TIME + DAY  # default clock: every half hour of 2026-10-01 is in the past
SOLAR_CAPACITY_W = 50_000
OIL_CAPACITY_W = 200_000
WAIT_S = 10.0


def slot(n: int) -> int:
    """Start of the ``n``-th half hour after genesis."""
    return GENESIS_TIME + n * HALF_HOUR


def half_hour_limit_wh(capacity_w: int) -> int:
    """The most a meter may report for one half hour (capacity × 0.5 h + 5 % margin, see rules/assets.py)."""
    return capacity_w * HALF_HOUR // 3600 * 105 // 100


class ManualClock:
    """The node's clock, set by hand (integer Unix seconds)."""

    def __init__(self, now: int = DAY_ONE_END) -> None:
        self._now = now
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            return self._now

    def set(self, now: int) -> None:
        with self._lock:
            self._now = now

    def advance(self, seconds: int) -> None:
        with self._lock:
            self._now += seconds


class LedgerWorld:
    def __init__(self, chain_id: str = CHAIN_ID, genesis_time: int = GENESIS_TIME) -> None:
        self.chain_id = chain_id
        self.genesis_time = genesis_time
        self.validator = SigningKey.derive("test/validator")
        self.intermediary = SigningKey.derive("test/intermediary/Da")
        self.intermediary2 = SigningKey.derive("test/intermediary/Db")
        self.meter = SigningKey.derive("test/meter/Aa")
        self.meter_oil = SigningKey.derive("test/meter/Ab")
        self.user = SigningKey.derive("test/user/Ca")
        self.user2 = SigningKey.derive("test/user/Cb")
        self.outsider = SigningKey.derive("test/outsider")
        self._nonces = itertools.count(1)
        self.meters = {self.meter.address: ("Aa", "solar", SOLAR_CAPACITY_W),
                       self.meter_oil.address: ("Ab", "oil", OIL_CAPACITY_W)}

    # --- genesis and nodes ------------------------------------------------------------------------------
    def genesis(self) -> Genesis:
        entries = (
            entry(self.validator.public, "validator", "Test validator"),
            entry(self.intermediary.public, "intermediary", "Intermediary Da"),
            entry(self.intermediary2.public, "intermediary", "Intermediary Db"),
            entry(self.meter.public, "meter", "Smart meter of Aa", provider="Aa", method="solar",
                  capacity_w=SOLAR_CAPACITY_W),
            entry(self.meter_oil.public, "meter", "Smart meter of Ab", provider="Ab", method="oil",
                  capacity_w=OIL_CAPACITY_W),
            entry(self.user.public, "user", "Consumer Ca", user_name="Consumer Ca"),
            entry(self.user2.public, "user", "Consumer Cb", user_name="Consumer Cb"),
        )
        return Genesis(chain_id=self.chain_id, time=self.genesis_time, entries=entries)

    def open_node(self, data_dir: Path, clock: ManualClock | None = None, *, start: bool = True,
                  linger_s: float = 0.01, cosigners: Sequence[SigningKey] = (), merge_ids: int = MERGE_IDS,
                  merge_rows: int = MERGE_ROWS) -> Node:
        """A node over ``data_dir/ledger.sqlite`` (created or reopened); started unless ``start=False``;
        ``cosigners``: further validator keys it signs blocks with (standing in for other validators' nodes);
        ``merge_ids``, ``merge_rows``: its store's (``ledger.storage.Store``)."""
        data_dir.mkdir(parents=True, exist_ok=True)
        store = Store(data_dir / "ledger.sqlite", merge_ids=merge_ids, merge_rows=merge_rows)
        try:
            node = Node(store, self.genesis(), self.validator, clock=clock or ManualClock(), linger_s=linger_s,
                        cosigners=cosigners)
        except BaseException:
            store.close()
            raise
        if start:
            node.start()
        return node

    # --- signed reads (ledger_lite.request_auth) -----------------------------------------------------------
    def read_headers(self, key: SigningKey, path: str, params: dict[str, Any], *, now: int | None = None,
                     chain: str | None = None) -> dict[str, str]:
        """Headers signing ``GET path?params`` with ``key`` at ``now`` (default: the wall clock)."""
        return sign_request(key, method="GET", path=path, query=[(k, str(v)) for k, v in params.items()],
                            chain_id=chain or self.chain_id, now=int(wall.time()) if now is None else now)

    # --- transactions -----------------------------------------------------------------------------------
    def sign(self, key: SigningKey, type: str, body: dict[str, Any], *, chain: str | None = None,
             time: int | None = None) -> Transaction:
        nonce = next(self._nonces)
        return sign_tx(key, chain=chain or self.chain_id, type=type, body=body, nonce=nonce,
                       time=self.genesis_time + nonce if time is None else time)

    def generate(self, start: int, wh: int, *, end: int | None = None, meter: SigningKey | None = None,
                 owner: str | None = None, provider: str | None = None, method: str | None = None) -> Transaction:
        """An ``asset.generate`` reading signed by ``meter`` (default: the solar meter) for one half hour."""
        meter = meter or self.meter
        bound_provider, bound_method, _ = self.meters.get(meter.address, ("Aa", "solar", 0))
        body = {"provider": provider or bound_provider, "method": method or bound_method, "start": start,
                "end": start + HALF_HOUR if end is None else end, "wh": wh,
                "owner": owner or self.intermediary.address}
        return self.sign(meter, "asset.generate", body)

    def allocate(self, parts: Sequence[tuple[str, int]], *, to: str | None = None, signer: SigningKey | None = None,
                 usage_start: int | None = None, usage_end: int | None = None) -> Transaction:
        """An ``asset.allocate`` of ``(asset_id, wh)`` parts to ``to`` (default: the user Ca)."""
        body = {"to": to or self.user.address,
                "usage_start": slot(0) if usage_start is None else usage_start,
                "usage_end": slot(1) if usage_end is None else usage_end,
                "parts": [{"asset": a, "wh": wh} for a, wh in parts]}
        return self.sign(signer or self.intermediary, "asset.allocate", body)

    def issue(self, assets: Sequence[str], *, owner: str | None = None, signer: SigningKey | None = None,
              institution: str = "jgca") -> Transaction:
        """A ``cert.issue`` over ``assets`` for ``owner`` (default: the user Ca), signed by the intermediary."""
        body = {"owner": owner or self.user.address, "institution": institution, "assets": list(assets)}
        return self.sign(signer or self.intermediary, "cert.issue", body)

    def revoke(self, certificate_id: str, reason: str = "issued in error", *,
               signer: SigningKey | None = None) -> Transaction:
        """A ``cert.revoke`` of ``certificate_id``, signed by the intermediary unless ``signer`` is given."""
        return self.sign(signer or self.intermediary, "cert.revoke", {"certificate": certificate_id, "reason": reason})

    # --- governance (registry.update) -------------------------------------------------------------------
    @staticmethod
    def registry_entry(key: SigningKey, role: str, name: str, **attrs: Any) -> dict[str, Any]:
        """One ``set`` entry of a ``registry.update`` body (the wire form of ``ledger.registry.Entry``)."""
        return registry_entry(key.public.raw, role, name, **attrs)

    @staticmethod
    def extra_validators(count: int) -> list[SigningKey]:
        """``count`` validator keys besides ``validator`` (for a consortium genesis, see ``genesis_with``)."""
        return [SigningKey.derive(f"test/validator/{i}") for i in range(2, count + 2)]

    def genesis_with(self, *validators: SigningKey) -> Genesis:
        """The default genesis plus ``validators`` as further validators (n = 1 + len(validators))."""
        base = self.genesis()
        extra = tuple(entry(k.public, "validator", f"Test validator {i}") for i, k in enumerate(validators, 2))
        return Genesis(chain_id=base.chain_id, time=base.time, entries=base.entries + extra)

    def open_node_with(self, genesis: Genesis, data_dir: Path, clock: ManualClock | None = None, *,
                       start: bool = True, cosigners: Sequence[SigningKey] = ()) -> Node:
        """Like ``open_node`` but over ``genesis``; the node signs with ``validator`` and ``cosigners`` (it
        commits a block only with a quorum of the validators in force among them)."""
        data_dir.mkdir(parents=True, exist_ok=True)
        store = Store(data_dir / "ledger.sqlite")
        try:
            node = Node(store, genesis, self.validator, clock=clock or ManualClock(), linger_s=0.01,
                        cosigners=cosigners)
        except BaseException:
            store.close()
            raise
        if start:
            node.start()
        return node

    def registry_update(self, *, set_entries: Sequence[dict[str, Any]] = (), remove: Sequence[str] = (),
                        approvers: Sequence[SigningKey] | None = None, extra_approvals: Sequence[Any] = (),
                        signer: SigningKey | None = None, nonce: int | None = None,
                        time: int | None = None) -> Transaction:
        """A ``registry.update`` signed by ``signer`` (default: the validator), with an approval by each of
        ``approvers`` (default: the signer) over this chain, ``set_entries``, ``remove`` and the nonce, followed by
        ``extra_approvals`` as given."""
        signer = signer or self.validator
        nonce = next(self._nonces) if nonce is None else nonce
        entries, removed = list(set_entries), list(remove)
        approvals: list[Any] = [sign_approval(k, self.chain_id, entries=entries, remove=removed, nonce=nonce)
                                for k in (approvers if approvers is not None else [signer])]
        body = {"set": entries, "remove": removed, "approvals": approvals + list(extra_approvals)}
        return sign_tx(signer, chain=self.chain_id, type="registry.update", body=body, nonce=nonce,
                       time=self.genesis_time + nonce if time is None else time)

    # --- submitting -------------------------------------------------------------------------------------
    @staticmethod
    def submit_wait(node: Node, tx: Transaction, timeout: float = WAIT_S) -> dict[str, Any]:
        """Submit ``tx`` (admission errors raise ``Rejected``) and return its block outcome."""
        pending: Pending = node.submit(tx.encode())
        outcome = pending.wait(timeout)
        assert outcome is not None, f"transaction {tx.tx_id} ({tx.type}) was not committed within {timeout} s"
        return outcome

    def commit(self, node: Node, tx: Transaction) -> dict[str, Any]:
        """Submit ``tx`` and assert it was executed without rejection."""
        outcome = self.submit_wait(node, tx)
        assert outcome["code"] == "ok", f"{tx.type} rejected: {outcome}"
        return outcome

    def new_asset(self, node: Node, n: int, wh: int = 10_000, *, meter: SigningKey | None = None) -> str:
        """Commit a reading for half hour ``n`` and return the new asset id."""
        asset_id: str = self.commit(node, self.generate(slot(n), wh, meter=meter))["result"]["asset_id"]
        return asset_id

    def allocated_asset(self, node: Node, n: int, wh: int = 10_000, *, to: SigningKey | None = None,
                        meter: SigningKey | None = None) -> str:
        """Commit a reading and allocate all of it to ``to`` (default: the user Ca); returns the asset id."""
        asset_id = self.new_asset(node, n, wh, meter=meter)
        self.commit(node, self.allocate([(asset_id, wh)], to=(to or self.user).address))
        return asset_id


def reopen_fails(world: LedgerWorld, db_path: Path, genesis: Genesis | None = None) -> StoreError:
    """The ``StoreError`` with which a node refuses to start on the store at ``db_path``."""
    store = Store(db_path)
    try:
        with pytest.raises(StoreError) as caught:
            Node(store, genesis or world.genesis(), world.validator, clock=ManualClock())
        return caught.value
    finally:
        store.close()


def crash(node: Node) -> None:
    """Stop a node the way SIGKILL would leave its store: nothing written on closing (neither the tree's changed
    entries nor a block's logged state rows, ``ledger.storage``)."""
    node.stop()
    node._admission.close()
    node.store._db.close()


def recompute_state_root(db_path: Path) -> bytes:
    """The state root from the store's file alone: the ``state`` table (read through the disk forms of
    ``ledger.compact``) and, over it, the writes still logged in ``state_log`` (a block stored with its rows left
    to ``Store.settle``), with the from-scratch reference implementation ``ledger_lite.smt_tree.root_of`` over
    ``key → SHA-256(value bytes)`` (ledger/state.py)."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT key, value FROM state").fetchall()
        logged = db.execute("SELECT writes FROM state_log ORDER BY height").fetchall()
    db.close()
    leaves = {}
    for key_blob, value_blob in rows:
        key = unpack_key(bytes(key_blob))
        leaves[key.encode()] = hashlib.sha256(unpack_value(key, bytes(value_blob))[0]).digest()
    for (blob,) in logged:
        for key, encoded in cbor2.loads(blob):
            if encoded is None:
                leaves.pop(key.encode(), None)
            else:
                leaves[key.encode()] = hashlib.sha256(encoded).digest()
    return root_of(leaves)


class SyncASGITransport(httpx.BaseTransport):
    """A sync httpx transport over ``httpx.ASGITransport``, run on an anyio blocking portal (its own thread)."""

    def __init__(self, app: Any, *, raise_app_exceptions: bool = True,
                 client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        # ``client``: the (host, port) the app sees as ``request.client``
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions, client=client)
        self._portal_cm: AbstractContextManager[anyio.from_thread.BlockingPortal] | None = \
            anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()

        async def call() -> httpx.Response:
            inner = httpx.Request(request.method, request.url, headers=request.headers, content=content)
            response = await self._asgi.handle_async_request(inner)
            body = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)

        return self._portal.call(call)

    def close(self) -> None:
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = None


@pytest.fixture
def ledger_world() -> LedgerWorld:
    return LedgerWorld()


@pytest.fixture
def ledger_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def ledger_node(tmp_path: Path, ledger_world: LedgerWorld, ledger_clock: ManualClock) -> Iterator[Node]:
    node = ledger_world.open_node(tmp_path / "node", ledger_clock)
    yield node
    node.close()
