"""An intermediary in this process over a real ledger node (both through ASGI transports, no sockets).

    iw = IntermediaryWorld.open(tmp_path)          # node + intermediary DB with consumers Ca, Cb
    iw.allocate(3)                                 # three half-hours of solar allocated to Ca on the ledger
    http = iw.http(host="192.0.2.1")               # an httpx.Client the app sees as coming from that host
    auth = iw.login(http)                          # {"Authorization": "Bearer ..."} for applicant "ca"
    ...
    iw.close()

The database is SQLite in ``data_dir`` unless ``open(..., db_url=...)`` names another (the intermediary tests'
``db_url`` fixture gives a fresh PostgreSQL database too); a service opened again over the same ``data_dir`` (a
restart, :meth:`IntermediaryWorld.service_over`) finds the same database.

Applicants: ``ca`` (Consumer Ca, the ledger world's ``user``) and ``cb`` (Consumer Cb, ``user2``), password
``PASSWORD``. The intermediary and the node share one ``ManualClock``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from backend_client import NodeClient
from intermediary.api.app import create_app
from intermediary.config import Settings
from intermediary.models import Applicant, Consumer
from intermediary.passwords import hash_password
from intermediary.service import Service, make_engine
from ledger.api import create_app as create_node_app
from ledger.node import Node
from printing import load_institutions
from tests.helpers.ledger_world import LedgerWorld, ManualClock, SyncASGITransport

API = "/api/v1"
PASSWORD = "correct horse"
TYPE_ID = "jp-green-council"

_DATABASES: dict[Path, str] = {}  # data_dir → the database URL a world over it was opened with


def use_database(data_dir: Path, db_url: str) -> None:
    """Worlds opened over ``data_dir`` from now on keep their database at ``db_url`` (as ``open(db_url=...)``):
    for tests that open their worlds through helpers of their own."""
    _DATABASES[data_dir] = db_url


@dataclass
class IntermediaryWorld:
    ledger: LedgerWorld
    clock: ManualClock
    node: Node
    service: Service
    data_dir: Path
    _closing: list[Any] = field(default_factory=list)
    _next_slot: int = 0

    @classmethod
    def open(cls, data_dir: Path, *, seed: bool = True, db_url: str | None = None) -> IntermediaryWorld:
        """A world in ``data_dir``; its database at ``db_url`` (default: a SQLite file in ``data_dir``)."""
        if db_url is not None:
            use_database(data_dir, db_url)
        ledger, clock = LedgerWorld(), ManualClock()
        node = ledger.open_node(data_dir / "node", clock)
        node_transport = SyncASGITransport(create_node_app(node))
        service = cls.service_over(ledger, data_dir, node_transport, clock)
        world = cls(ledger, clock, node, service, data_dir, [node_transport, service.node])
        if seed:
            with service.db() as db:
                db.add_all([Consumer(consumer_id=cid, name=name, ledger_address=key.address, meter_key="00" * 32,
                                     renewable_target_pct=50, providers=["Aa"])
                            for cid, name, key in (("Ca", "Consumer Ca", ledger.user),
                                                   ("Cb", "Consumer Cb", ledger.user2))])
                db.flush()
                db.add_all([Applicant(applicant_id=aid, password_hash=hash_password(PASSWORD), consumer_id=cid,
                                      failed_logins=0, locked_until=0) for aid, cid in (("ca", "Ca"), ("cb", "Cb"))])
                db.commit()
        return world

    @staticmethod
    def service_over(ledger: LedgerWorld, data_dir: Path, node_transport: httpx.BaseTransport,
                     clock: ManualClock) -> Service:
        db_url = _DATABASES.get(data_dir, f"sqlite:///{data_dir / 'intermediary' / 'intermediary.sqlite'}")
        settings = Settings(db_url=db_url,
                            node_url="http://node.test", chain_id=ledger.chain_id, key=ledger.intermediary,
                            pdf_dir=data_dir / "pdf")
        settings.pdf_dir.mkdir(parents=True, exist_ok=True)
        return Service(settings=settings, engine=make_engine(settings.db_url),
                       node=NodeClient(settings.node_url, transport=node_transport, signer=ledger.intermediary,
                                                     chain_id=ledger.chain_id),
                       institutions=load_institutions(None), clock=clock)

    def app(self) -> Any:
        return create_app(self.service)

    def http(self, host: str = "192.0.2.1", app: Any = None) -> httpx.Client:
        """A client of the intermediary's app; the app sees requests as coming from ``host``."""
        transport = SyncASGITransport(app if app is not None else self.app(), client=(host, 50_000))
        client = httpx.Client(base_url="http://intermediary.test", transport=transport, timeout=60)
        self._closing += [client, transport]
        return client

    def login(self, http: httpx.Client, applicant: str = "ca") -> dict[str, str]:
        response = http.post(f"{API}/sessions", json={"applicant_id": applicant, "password": PASSWORD})
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def allocate(self, count: int = 1, *, to: str = "Ca") -> list[str]:
        """``count`` new half-hours of solar allocated on the ledger to consumer ``to``; their asset ids."""
        key = self.ledger.user if to == "Ca" else self.ledger.user2
        ids = []
        for _ in range(count):
            ids.append(self.ledger.allocated_asset(self.node, self._next_slot, 1_000, to=key))
            self._next_slot += 1
        return ids

    def open_rows(self, http: httpx.Client, auth: dict[str, str]) -> list[dict[str, Any]]:
        items = http.get(f"{API}/eligible-transactions", headers=auth).json()["items"]
        return [i for i in items if not i["issued"]]

    def close(self) -> None:
        for thing in reversed(self._closing):
            thing.close()
        self._closing.clear()
        self.service.engine.dispose()
        self.node.close()
