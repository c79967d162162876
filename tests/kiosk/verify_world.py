"""A ledger with one issued certificate for the auditor's-mode tests: a real node and intermediary in this process
(``tests.helpers.intermediary_world``, through ASGI transports), the certificate's payload and its PDF (with the
audit bundle the intermediary embeds), and ``Auditor`` factories for online, offline and unreachable checks."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import base45
import cbor2

from backend_client import IntermediaryClient, NodeClient, Unreachable
from kiosk.core.auditor import Auditor, ClosableReader, NodeSession, TrustAnswer, TrustCache, trust_from_intermediary
from kiosk.core.auditor_anchor import OpenClient
from ledger.api import create_app as create_node_app
from ledger_lite.keys import PublicKey
from ledger_lite.trust_anchor import encode_anchor
from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld
from tests.helpers.ledger_world import SyncASGITransport


@dataclass
class VerifyWorld:
    world: IntermediaryWorld
    intermediary: IntermediaryClient
    certificate_id: str
    payload: str
    pdf: Path
    session: NodeSession  # the kiosk session's node clients, over the in-process node

    def open_node(self, urls: Sequence[str]) -> ClosableReader:
        """A ``NodeClient`` over the in-process node (whatever the URLs: they are the test's own names)."""
        return NodeClient(list(urls), transport=SyncASGITransport(create_node_app(self.world.node)))

    def trust(self) -> TrustAnswer:
        return trust_from_intermediary(self.intermediary.trust())

    def online(self, cache: Path, *, open_client: OpenClient | None = None) -> Callable[[], Auditor]:
        """Online; ``open_client``: the node client an auditor's own anchor is checked through (the session's)."""
        return lambda: Auditor(TrustCache(cache), self.trust, open_node=self.open_node, zone_name="Asia/Tokyo",
                               open_client=open_client or self.session.client)

    def anchor(self, *, chain_id: str | None = None, validators: Sequence[PublicKey] | None = None) -> str:
        """The ``GCT1:`` trust anchor of this world's chain (or of another chain id, or other validators)."""
        ledger = self.world.ledger
        return encode_anchor(chain_id or ledger.chain_id, validators or [ledger.validator.public])

    def offline(self, cache: Path, *, cached: bool = True) -> Callable[[], Auditor]:
        """No network: the trust fetch fails; ``cached``: a trust list was kept from an earlier check online."""
        if cached:
            TrustCache(cache).save(self.trust())

        def unreachable() -> TrustAnswer:
            raise Unreachable("the intermediary cannot be reached (test)")

        return lambda: Auditor(TrustCache(cache), unreachable, open_node=self.open_node, zone_name="Asia/Tokyo",
                               open_client=self.session.client)

    def node_down(self, cache: Path) -> Callable[[], Auditor]:
        """The trust list comes online, but no ledger node answers."""
        def down(urls: Sequence[str]) -> ClosableReader:
            return NodeClient(["http://127.0.0.1:9"], timeout=2)

        def down_client(urls: Sequence[str]) -> NodeClient:
            return self.down

        return lambda: Auditor(TrustCache(cache), self.trust, open_node=down, zone_name="Asia/Tokyo",
                               open_client=down_client)

    @property
    def down(self) -> NodeClient:
        """A client of a node that does not answer (nothing listens on port 9)."""
        return self.session.client(["http://127.0.0.1:9"])

    def close(self) -> None:
        self.session.close()
        self.intermediary.close()
        self.world.close()


def open_verify_world(data_dir: Path) -> VerifyWorld:
    world = IntermediaryWorld.open(data_dir)
    world.allocate(2)
    http = world.http()
    auth = world.login(http)
    rows = world.open_rows(http, auth)
    response = http.post(f"{API}/certificates", headers=auth, json={
        "item_ids": [rows[0]["item_id"]], "type_id": TYPE_ID, "idempotency_key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    issued = response.json()
    pdf = data_dir / "certificate.pdf"
    pdf.write_bytes(http.get(f"{API}/certificates/{issued['certificate_id']}/pdf", headers=auth).content)
    intermediary = IntermediaryClient("http://intermediary.test", transport=SyncASGITransport(world.app()))
    node_app = create_node_app(world.node)

    def make_client(urls: Sequence[str]) -> NodeClient:
        if list(urls) == ["http://127.0.0.1:9"]:
            return NodeClient(list(urls), timeout=2)
        return NodeClient(list(urls), transport=SyncASGITransport(node_app))

    return VerifyWorld(world, intermediary, issued["certificate_id"], issued["payload"], pdf, NodeSession(make_client))


def tampered(payload: str, *, factor: int = 10) -> str:
    """``payload`` with its amount multiplied by ``factor`` and the issuer's signature left as it was."""
    cose = cbor2.loads(zlib.decompress(base45.b45decode(payload[4:])))
    protected, unprotected, claims, signature = cose.value
    raised = cbor2.loads(claims)
    raised["wh"] *= factor
    forged = cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(raised, canonical=True), signature])
    return "GC1:" + base45.b45encode(zlib.compress(cbor2.dumps(forged, canonical=True), 9)).decode("ascii")
