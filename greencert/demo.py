"""The embedded default: node + intermediary + a month of field data (+ the kiosk), all on this machine."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backend_client import Conflict, IntermediaryClient, NodeClient
from backend_client.node import GovernanceClient, sign_proposal
from field.simulator import DayReport, simulate
from field.sites import DEMO_CONSUMERS, DEMO_PRODUCERS
from field.trading import Neighbourhood, demo_homes
from greencert.consortium import ETCD_CLIENT_BASE_PORT, ETCD_PEER_BASE_PORT, Consortium, prepare, validator_keys
from greencert.defaults import DEFAULT_NODE_PORT, DEFAULT_PORT
from greencert.servers import BackgroundServer, bind
from greencert.world import (
    INTERMEDIARY_DB,
    NEIGHBOURHOOD_HOMES,
    World,
    genesis_of,
    intermediary_entry,
    load_world,
    seed_business_data,
)
from intermediary.api.app import create_app as create_intermediary_app
from intermediary.config import Settings
from intermediary.service import Service, build_service
from ledger.api import create_app as create_node_app
from ledger.genesis import Genesis
from ledger.node import Node, open_node
from ledger.registry import Entry
from ledger_lite import SigningKey
from ledger_lite.certificate import INTERVAL_S, JST
from ledger_lite.trust_anchor import encode_anchor

DAY = 86400
SAMPLE_TYPE = "jp-green-council"


def demo_period(now: int, days: int) -> tuple[int, int]:
    """The ``days`` whole days (JST) that ended at the last midnight in Japan."""
    local = datetime.fromtimestamp(now, UTC) + JST
    end = int((local.replace(hour=0, minute=0, second=0, microsecond=0) - JST).timestamp())
    return end - days * DAY, end


class DemoClock:
    """Wall-clock time, or a simulated time while the demo replays its month of field data. With ``path`` the
    simulated time is also written there for the consortium's node processes (``greencert.consortium.FileClock``)
    and removed on ``release``."""

    def __init__(self, path: Path | None = None) -> None:
        self.simulated: int | None = None
        self.path = path

    def __call__(self) -> int:
        return self.simulated if self.simulated is not None else int(time.time())

    def set(self, ts: int) -> None:
        self.simulated = ts
        if self.path is not None:
            staged = self.path.with_suffix(".tmp")
            staged.write_text(str(ts))
            staged.replace(self.path)  # a node never reads half a number

    def release(self) -> None:
        self.simulated = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)


@dataclass
class Demo:
    """A running demo: the intermediary's server, and either the embedded solo node (``node``, ``node_server``)
    or a consortium of node processes (``consortium``)."""

    data_dir: Path
    world: World
    node: Node | None
    service: Service
    node_server: BackgroundServer | None
    server: BackgroundServer
    consortium: Consortium | None = None
    stopped: bool = field(default=False)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def node_urls(self) -> list[str]:
        if self.consortium is not None:
            return self.consortium.layout.node_urls
        assert self.node_server is not None
        return [self.node_server.url]

    @property
    def node_url(self) -> str:
        """The node's URL; with a consortium, every node's, comma-separated (what the clients take)."""
        return ",".join(self.node_urls)

    def stop(self) -> None:
        if not self.stopped:
            self.server.stop()
            if self.node_server is not None:
                self.node_server.stop()
            if self.node is not None:
                self.node.close()
            if self.consortium is not None:
                self.consortium.stop()
            self.service.node.close()
            self.service.engine.dispose()
            self.stopped = True


class StaleDemo(Exception):
    """A demo data directory this version cannot go on with."""


def _genesis(data_dir: Path, world: World, start: int) -> Genesis:
    path = data_dir / "genesis.json"
    if path.exists():
        genesis = Genesis.load(path)
        registered = {e.attrs.get("provider"): e.public_key for e in genesis.entries if e.role == "meter"}
        if any(registered.get(p.id) != world.meters[p.id].public.raw for p in DEMO_PRODUCERS):
            raise StaleDemo(f"the demo in {data_dir} registers meter keys that are not its key files (an older "
                            f"version derived them from public names, so anyone could sign its readings); remove "
                            f"that directory or choose another --data-dir to start a new demo")
        return genesis
    genesis = genesis_of(world, start)
    genesis.save(path)
    return genesis


def update_old_registry(operators: list[tuple[str, SigningKey]], world: World, genesis: Genesis,
                        progress: Callable[[str], None]) -> None:
    """A demo data directory made before intermediary Db and Japanese names (its stored genesis registers Da only,
    with English names; a genesis never changes under a running chain) gets both the way a running consortium
    changes its registry: through the ledger's governance, a validator proposing the entries and the validators'
    operators (this demo, which holds their keys: ``operators``, each node's URL and its validator key) approving
    until the change is registered. Then the producer's registration screen (S21) has a choice there too, and a
    Japanese page shows Japanese names. Entries keep every attribute they have (a meter its intermediary); nothing
    is proposed once the registry has them."""
    keys = [k for _, k in operators]
    solo = [k.address for k in keys] == [world.validator.address]  # else a consortium's validators
    reference = {e.address: e for e in genesis_of(world, genesis.time, validators=() if solo else keys).entries}
    db = intermediary_entry(world.other_intermediary.public, INTERMEDIARY_DB)
    urls = [u for u, _ in operators]
    with GovernanceClient(urls, chain_id=world.chain_id, timeout=60) as node:
        changes = _registry_changes(node.registry(), reference, db)
    if not changes:
        return
    proposal = sign_proposal(keys[0], world.chain_id, set_entries=changes)
    state = "waiting"
    for url, key in operators:  # each node is sent the proposal (the same record again if a peer passed it on)
        with GovernanceClient(url, chain_id=world.chain_id, timeout=60) as one:
            try:
                state = str(one.propose(proposal).get("state"))
                if state == "waiting":
                    state = str(one.approve_proposal(proposal.tx_id, key).get("state"))
            except Conflict as exc:  # not_waiting: the approvals passed on by the other nodes made the quorum
                state = exc.code
            if state != "waiting":
                break
    deadline = time.monotonic() + GOVERNANCE_WAIT_S
    with GovernanceClient(urls, chain_id=world.chain_id, timeout=60) as node:
        while _registry_changes(node.registry(), reference, db) and time.monotonic() < deadline:
            time.sleep(0.2)  # a consortium: the node that gathered the quorum submits; its block comes
        done = not _registry_changes(node.registry(), reference, db)
    added = f"{db.name} and " if any(c["public_key"] == db.public_key for c in changes) else ""
    progress(f"This demo's ledger was made before a second intermediary and Japanese names: {added}Japanese names "
             f"of {len(changes) - bool(added)} entries added through governance (proposal {proposal.tx_id[:12]}…: "
             f"{'registered' if done else state})")


GOVERNANCE_WAIT_S = 30.0


def _registry_changes(registry: list[dict[str, Any]], reference: dict[str, Entry], db: Entry) -> list[dict[str, Any]]:
    """The entries (wire form) that bring ``registry`` (the node's) up to the demo's: ``db`` if missing, and the
    ``reference`` entries' Japanese names where an entry has none."""
    live = [e for e in registry if not e.get("removed")]
    changes: list[dict[str, Any]] = []
    if not any(e.get("address") == db.address for e in live):
        changes.append({"public_key": db.public_key, "role": db.role, "name": db.name, "attrs": dict(db.attrs)})
    for e in live:
        known, attrs = reference.get(str(e.get("address"))), dict(e.get("attrs") or {})
        if known is not None and "name_ja" in known.attrs and "name_ja" not in attrs and known.role == e["role"]:
            changes.append({"public_key": bytes.fromhex(e["public_key"]), "role": e["role"], "name": e["name"],
                            "attrs": {**attrs, "name_ja": known.attrs["name_ja"]}})
    return changes


def start_demo(data_dir: Path, *, port: int = DEFAULT_PORT, node_port: int = DEFAULT_NODE_PORT, days: int = 30,
               host: str = "127.0.0.1", progress: Callable[[str], None] = print, validators: int = 0,
               etcd_port: int = ETCD_CLIENT_BASE_PORT, etcd_peer_port: int = ETCD_PEER_BASE_PORT,
               db_url: str | None = None) -> Demo:
    """The demo on the embedded solo node, or with ``validators`` ≥ 1 on a consortium of that many validator
    node processes and 3 etcd members (``greencert.consortium``; nodes on ``node_port`` and the ports after it)."""
    undo = ExitStack()  # whatever fails on the way closes what was opened before it
    try:
        # The ports first, so that a port held by another program stops the demo before it opens anything.
        node_socket = undo.enter_context(bind(host, node_port)) if not validators else None
        api_socket = undo.enter_context(bind(host, port))
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # keys and databases: the owner's only
        world = load_world(data_dir)
        start, end = demo_period(int(time.time()), days)
        node: Node | None = None
        node_server: BackgroundServer | None = None
        consortium: Consortium | None = None
        if validators:
            clock = DemoClock(data_dir / "clock")
            layout = prepare(data_dir, world, validators, start, node_port=node_port, etcd_client_port=etcd_port,
                             etcd_peer_port=etcd_peer_port, clock_file=clock.path)
            genesis = layout.genesis
            consortium = Consortium(layout)
            undo.callback(consortium.stop)
            consortium.start(out=progress)
            node_urls = layout.node_urls
        else:
            assert node_socket is not None
            genesis = _genesis(data_dir, world, start)
            clock = DemoClock()
            node = open_node(data_dir / "node", genesis, world.validator, clock=clock)
            undo.callback(node.close)
            node.start()
            node_server = BackgroundServer(create_node_app(node), host, node_port, sock=node_socket).start()
            undo.callback(node_server.stop)
            node_urls = [node_server.url]
        # the QR links to this intermediary's own /verify page (issue 15), not the format's placeholder address
        public_url = f"http://{host}:{api_socket.getsockname()[1]}"
        # the intermediary's database: a SQLite file in data_dir unless db_url names one (e.g. PostgreSQL)
        settings = Settings(db_url=db_url or f"sqlite:///{data_dir / 'intermediary.sqlite'}", node_url=node_urls,
                            chain_id=genesis.chain_id, key=world.intermediary, pdf_dir=data_dir / "certificates",
                            public_url=public_url)
        service = build_service(settings, clock=clock)
        undo.callback(service.engine.dispose)
        undo.callback(service.node.close)
        with service.db() as db:
            seed_business_data(db, world)
        server = BackgroundServer(create_intermediary_app(service), host, port, sock=api_socket).start()
        undo.callback(server.stop)
        demo = Demo(data_dir, world, node, service, node_server, server, consortium)
        marker = data_dir / "seeded.json"
        if not marker.exists():
            seed_field_data(demo, clock, genesis.time, (end - genesis.time) // DAY, progress)
            marker.write_text(json.dumps({"period_start": genesis.time, "days": (end - genesis.time) // DAY}))
        clock.release()
        if not any(e.public_key == world.other_intermediary.public.raw for e in genesis.entries):
            # A data directory made before Db: after its field data, whose blocks carry the past days' times, so
            # that the governance block (now) comes last.
            operators = list(zip(node_urls, [world.validator] if consortium is None else
                                 validator_keys(consortium.layout.root / "keys", validators), strict=True))
            update_old_registry(operators, world, genesis, progress)
        # The trust anchor an auditor starts from (greencert verify --anchor FILE): the chain and its genesis
        # validators, which every later change must be proven against.
        (data_dir / "trust-anchor.txt").write_text(encode_anchor(genesis.chain_id, genesis.validators()) + "\n")
        (data_dir / "demo.json").write_text(json.dumps({"url": demo.url, "node_url": demo.node_urls[0],
                                                        "node_urls": demo.node_urls,
                                                        "chain_id": genesis.chain_id}))
        undo.pop_all()  # running: ``Demo.stop`` closes it all from now on
    except BaseException:
        undo.close()
        raise
    return demo


TRADING_DAYS = 2  # seed 003: the neighbourhood trades through the battery over the demo's last days


def seed_field_data(demo: Demo, clock: DemoClock, start: int, days: int, progress: Callable[[str], None]) -> None:
    """The demo's days of meter data (seed 000), and over the last ``TRADING_DAYS`` of them the neighbourhood's
    trading through the storage battery (seed 003), which runs before those days' meter data so that the
    ledger's block times only move forward."""
    progress(f"Replaying {days} days of half-hourly meter data onto the ledger ...")
    began = time.monotonic()
    trading = min(TRADING_DAYS, days) if _has_neighbourhood(demo) else 0
    if not trading:
        progress("  (this demo's ledger registers no storage battery: the seed 003 neighbourhood is not run; start "
                 "a new demo with another --data-dir to see it)")

    def report(day: DayReport) -> None:
        done = (day.day_start - start) // DAY + 1
        if done % 5 == 0 or done == days:
            progress(f"  day {done}/{days}: {day.readings_ok} readings, {day.usage_allocated} usage intervals "
                     f"allocated ({time.monotonic() - began:.1f} s)")

    with NodeClient(demo.node_urls, timeout=120) as node, IntermediaryClient(demo.url, timeout=120) as intermediary:
        def replay(first: int, count: int) -> None:
            if count > 0:
                simulate(node, intermediary, chain_id=demo.world.chain_id, owner=demo.world.intermediary.address,
                         producers=DEMO_PRODUCERS, consumers=DEMO_CONSUMERS, meter_keys=demo.world.meters,
                         start=first, days=count, before_day=clock.set, progress=report)

        replay(start, days - trading)
        if trading:
            trade_start = start + (days - trading) * DAY
            progress(f"Seed 003: {NEIGHBOURHOOD_HOMES} homes trade through storage battery 300 for {trading} days ...")
            hood = Neighbourhood(node, demo.world.chain_id, home_keys=demo.world.homes, storage_key=demo.world.storage,
                                 validator_key=_a_validator(demo), homes=demo_homes(NEIGHBOURHOOD_HOMES),
                                 start=trade_start)
            try:
                clock.set(trade_start)
                hood.storage.report(trade_start)  # mod 11: the battery exists on the ledger from its first report
                slots = []
                for day in range(trade_start, trade_start + trading * DAY, DAY):
                    # Each day's trading, half hour by half hour, then that day's meter data: block times only move
                    # forward, and each day's readings are provisioned at the end of their day as before.
                    for begin in range(day, day + DAY, INTERVAL_S):
                        clock.set(begin + INTERVAL_S)
                        slots.append(hood.slot(begin))
                    replay(day, 1)
                done = hood.report(slots)
            finally:
                hood.close()
            progress(f"  {done.sales_recorded} sales recorded ({done.sold_wh / 1000:,.1f} kWh, points credited), "
                     f"{done.requests} purchase requests: {done.paid} paid, {done.failed} failed; "
                     f"{done.delivered_wh / 1000:,.1f} kWh delivered; energy balanced: {done.balanced} "
                     f"({time.monotonic() - began:.1f} s)")
    issue_sample_certificate(demo)


def _a_validator(demo: Demo) -> SigningKey:
    """A validator's key to sign ``trade.match`` with: the embedded one, or a consortium's first validator."""
    if demo.consortium is None:
        return demo.world.validator
    return validator_keys(demo.consortium.layout.root / "keys", 1)[0]


def _has_neighbourhood(demo: Demo) -> bool:
    """Whether the demo's genesis registers the storage server (an older demo directory does not)."""
    with NodeClient(demo.node_urls, timeout=30) as node:
        return any(e.get("role") == "storage" for e in node.registry())


def issue_sample_certificate(demo: Demo) -> None:
    """One certificate issued up front, so the demo list shows a certified (greyed) row from the start."""
    with IntermediaryClient(demo.url) as client:
        session = client.login("demo", "demo")
        rows = [r for r in client.eligible_transactions(session) if not r.issued]
        if rows:
            oldest = min(rows, key=lambda r: (r.period_start, r.production_method != "oil"))
            client.issue_certificate(session, [oldest.item_id], SAMPLE_TYPE, uuid.uuid4().hex)


def enrol_direct_applicant(demo: Demo, kiosk_dir: Path) -> Path:
    """Modification 2 (``greencert demo --mode direct``): the kiosk's own applicant database with the demo
    applicant — ID ``demo``, password ``demo`` — holding Consumer Ca's user key (registered on the ledger as a
    user in the demo's genesis), encrypted under that password. Returns the database's path; enrols once."""
    from field.sites import consumer
    from greencert.world import DEMO_APPLICANTS
    from kiosk.core.config import APPLICANTS_FILE
    from kiosk.direct import ApplicantDB

    db = ApplicantDB(kiosk_dir / APPLICANTS_FILE)
    applicant_id, password, consumer_id = DEMO_APPLICANTS[0]
    if applicant_id not in db.applicant_ids():
        db.enrol(applicant_id, password, consumer(consumer_id).name_en, demo.world.users[consumer_id])
    return db.path
