"""``greencert home``: one house's controller 101 as a process, with its page for the phone (S101–S112, S201–S217).

Its key must be registered on the ledger as a ``home`` (the battery it trades with and its grid node come from
that entry); ``--home`` names the demo house whose PV 102 and load profile it follows. Every ``--poll`` seconds it
closes the half hour that ended (exporting the surplus toward the battery through ``--storage``), signs the sales
whose receipts are recorded and reads its requests' states; the page (``field.trading.controller_page``) serves
purchase requests with Fig. 4's confirmation and tokens (mod 8), and the certificates for the energy the home
bought from the battery (issue 14, ``field.trading.certificates``), rendered here with ``printing`` (which
``field`` may not import). The home's own key signs them (the ledger accepts a home key for the
home's own assets); ``--issuer-key`` instead gives an intermediary's key, where a deployment has its intermediary
issue for its homes. SIGTERM or Ctrl-C stops it.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backend_client import ClientError, NodeClient
from field.trading.certificates import CertificateDesk, CertificateFacts
from field.trading.controller import HomeController
from field.trading.controller_page import create_app
from field.trading.errors import TradingError
from field.trading.grid import Grid
from field.trading.homes import HomeSite, demo_homes
from field.trading.storage_client import StorageClient
from greencert.keystore import KeyFileError, load
from greencert.servers import BackgroundServer, PortInUse, bind
from greencert.storage_command import StartError, registered_as
from ledger_lite import SigningKey
from ledger_lite import trading as contract
from ledger_lite.certificate import INTERVAL_S
from printing import CertificateDocument, InstitutionFormat, load_institutions, render_certificate_pdf

KNOWN_HOMES = 99  # the demo's houses H01…H99 (the same profiles whatever the neighbourhood's size)


@dataclass(frozen=True)
class HomeOptions:
    node: str
    storage: str
    key: Path
    home: str
    host: str = "127.0.0.1"
    port: int = 8750
    poll: float = 30.0
    threshold_wh: int = 200
    issuer_key: Path | None = None  # an intermediary key that signs the home's certificates
    institution: str = "jp-green-council"


def pdf_renderer(formats: dict[str, InstitutionFormat] | None = None) -> Callable[[CertificateFacts, bytes | None],
                                                                                   bytes]:
    """The certificate PDF as the direct-mode kiosk renders it (``printing``, the audit bundle embedded)."""
    known = formats if formats is not None else load_institutions()

    def render(facts: CertificateFacts, bundle: bytes | None) -> bytes:
        fmt = known.get(facts.institution_id)
        if fmt is None:
            raise TradingError(f"expected an institution among {sorted(known)}, found {facts.institution_id!r}",
                               code="unknown_type", status=500)
        return render_certificate_pdf(CertificateDocument(**vars(facts)), fmt, bundle=bundle)

    return render


def _site(home_id: str) -> HomeSite:
    sites = {h.id: h for h in demo_homes(KNOWN_HOMES)}
    if home_id not in sites:
        raise StartError(f"expected --home among H01…H{KNOWN_HOMES}, found {home_id[:20]!r}")
    return sites[home_id]


def run_home(options: HomeOptions) -> int:
    try:
        key = load(options.key)
        site = _site(options.home)
    except (KeyFileError, StartError) as exc:
        print(f"greencert home: {exc}", file=sys.stderr)
        return 2
    try:
        listening = bind(options.host, options.port)
    except (PortInUse, OSError) as exc:
        print(f"greencert home: {exc.strerror or exc} (--port {options.port})", file=sys.stderr)
        return 2
    node = NodeClient(options.node, timeout=30)
    storage = StorageClient(options.storage)
    try:
        try:
            chain_id = str(node.status()["chain_id"])
        except ClientError as exc:
            raise StartError(f"cannot reach the ledger node at {options.node}: {exc}") from exc
        attrs = registered_as(node, key, contract.HOME).get("attrs") or {}
        issuer: SigningKey | None = None
        if options.issuer_key is not None:
            try:
                issuer = load(options.issuer_key)
            except KeyFileError as exc:
                raise StartError(f"--issuer-key: {exc}") from exc
            registered_as(node, issuer, "intermediary")
        if options.institution not in load_institutions():
            raise StartError(f"expected --institution among {sorted(load_institutions())}, found "
                             f"{options.institution[:40]!r}")
        if attrs.get("node") != site.grid_node:
            raise StartError(f"expected the key registered for {site.id} at grid node {site.grid_node}, found it "
                             f"at {attrs.get('node')!r}")
    except StartError as exc:
        listening.close()
        node.close()
        storage.close()
        print(f"greencert home: {exc}", file=sys.stderr)
        return 2
    grid = Grid(storage, {key.address: site.line_loss_ppm})
    controller = HomeController(site, key, chain_id, str(attrs["battery"]), node, grid,
                                clock=lambda: int(time.time()), threshold_wh=options.threshold_wh)
    desk = CertificateDesk(key, chain_id, node, pdf_renderer(), issuer=issuer, institution=options.institution,
                           clock=lambda: int(time.time()))
    http = BackgroundServer(create_app(controller, desk), options.host, options.port, sock=listening).start()
    print(f"Home controller 101 of {site.name_en} ({key.address}): {http.url}/  (battery {attrs['battery']}, "
          f"storage {options.storage})", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    last = int(time.time()) // INTERVAL_S * INTERVAL_S  # the half hour under way; closed once it ends
    try:
        with contextlib.suppress(KeyboardInterrupt):
            while not stop.wait(options.poll):
                last = _step(controller, last)
    finally:
        http.stop()
        controller.close()
        storage.close()
        node.close()
    return 0


def _step(controller: HomeController, current: int) -> int:
    """Close the half hours that ended since ``current`` began; sell, and follow the requests. Returns the half
    hour now under way."""
    now = int(time.time())
    try:
        while current + INTERVAL_S <= now:
            ended, current = current, current + INTERVAL_S
            controller.tick(ended)
        controller.settle_sales()
        controller.refresh()
    except TradingError as exc:
        print(f"greencert home: {exc.code}: {exc.message}", file=sys.stderr, flush=True)
    return current
