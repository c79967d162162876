"""The ``greencert`` command: demo, verify (and the parts it is made of)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from greencert.defaults import DEFAULT_NODE_PORT, DEFAULT_PORT, default_data_dir
from greencert.governance_command import add_governance_parser


def _demo(args: argparse.Namespace) -> int:
    from greencert.consortium import ConsortiumError
    from greencert.demo import StaleDemo, start_demo
    from greencert.etcd_members import EtcdStartError
    from greencert.keystore import KeyFileError
    from greencert.servers import PortInUse
    from intermediary.database import DatabaseError
    from ledger.errors import Error as LedgerError
    from ledger.node import tune_collector

    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    print(f"GreenCert demo, data in {data_dir}", flush=True)
    try:
        demo = start_demo(data_dir, port=args.port, node_port=args.node_port, days=args.days,
                          validators=args.validators, etcd_port=args.etcd_port, etcd_peer_port=args.etcd_peer_port,
                          db_url=args.database_url)
    except LedgerError as exc:  # e.g. a store changed outside the node: say what, do not serve
        print(f"greencert demo: the ledger in {data_dir} cannot be used: {exc}", file=sys.stderr)
        return 2
    except (StaleDemo, KeyFileError, ConsortiumError, EtcdStartError, DatabaseError) as exc:
        print(f"greencert demo: {exc}", file=sys.stderr)
        return 2
    except PortInUse as exc:  # the printed URLs must stay what clients know: never move to another port
        print(f"greencert demo: {exc.strerror} (--port {args.port}, --node-port {args.node_port}).",
              file=sys.stderr)
        return 2
    # What start-up left (modules, the world built) lives as long as the process: out of the cycle collector's
    # full passes, which walked it all (~200,000 objects, 126–139 ms) while requests waited.
    tune_collector()
    print(f"Intermediary API: {demo.url}/api/v1  (docs {demo.url}/docs)", flush=True)
    for index, url in enumerate(demo.node_urls, 1):
        name = f"validator v{index}" if args.validators else "node"
        print(f"Ledger {name} API:  {url}/v1  (docs {url}/docs)", flush=True)
    print(f"Trust anchor for auditors: {data_dir / 'trust-anchor.txt'} (greencert verify --anchor FILE)", flush=True)
    print("Demo applicant: ID 'demo', password 'demo' (Consumer Ca)", flush=True)
    kiosk_dir = data_dir / "kiosk"
    try:
        if args.mode == "direct":  # modification 2: the kiosk's own applicant DB, the node without the intermediary
            from greencert.demo import enrol_direct_applicant

            print(f"Direct-mode kiosk: applicant database {enrol_direct_applicant(demo, kiosk_dir)}, "
                  f"ledger node {demo.node_url}", flush=True)
        if args.headless:
            _serve_until_stopped("Serving until Ctrl-C.")
            return 0
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM")):
            print("No display found (DISPLAY is not set). Run with --headless, or under `xvfb-run`.",
                  file=sys.stderr)
            return 2
        from kiosk.app import KioskConfig, run_kiosk

        config = KioskConfig(intermediary_url=demo.url, printer=args.printer, save_dir=data_dir / "printed",
                             fullscreen=args.fullscreen, timezone="Asia/Tokyo",  # a Japanese site (JST months)
                             backend=args.mode, node_url=demo.node_url, config_dir=kiosk_dir,
                             show_on_screen=args.printer is None)  # no printer: the certificate on the panel too
        return run_kiosk(config)
    finally:
        demo.stop()


def _node(args: argparse.Namespace) -> int:
    if args.consortium and args.cache_mb is not None:
        print("greencert node: --cache-mb is for a solo node; a consortium node's is cache_mb in its configuration",
              file=sys.stderr)
        return 2
    if args.consortium and args.slow_block_ms is not None:
        print("greencert node: --slow-block-ms is for a solo node (a consortium's blocks wait for its validators)",
              file=sys.stderr)
        return 2
    if args.consortium:
        from greencert.consortium import ConsortiumError, NodeConfig, run_node

        try:
            config = NodeConfig.load(Path(args.consortium).expanduser())
        except ConsortiumError as exc:
            print(f"greencert node: {exc}", file=sys.stderr)
            return 2
        return run_node(config)
    missing = [f"--{n.replace('_', '-')}" for n in ("data_dir", "genesis", "key") if getattr(args, n) is None]
    if missing:
        print(f"greencert node: expected {', '.join(missing)} (a solo node), or --consortium CONFIG",
              file=sys.stderr)
        return 2
    if args.audit:
        from greencert.node_audit import run_audit

        return run_audit(args)
    from greencert.consortium import FileClock
    from greencert.keystore import KeyFileError, load_or_create
    from greencert.servers import BackgroundServer, PortInUse, bind
    from ledger.api import create_app
    from ledger.cache_sizes import CacheSizeError, CacheSizes
    from ledger.errors import Error as LedgerError
    from ledger.genesis import Genesis
    from ledger.node import open_node, tune_serving_process, wall_clock

    if args.slow_block_ms is not None and not args.slow_block_ms >= 0:
        print(f"greencert node: --slow-block-ms: expected 0 or more milliseconds, found {args.slow_block_ms:g}",
              file=sys.stderr)
        return 2
    try:
        caches = CacheSizes.of(args.cache_mb)
    except CacheSizeError as exc:
        print(f"greencert node: --cache-mb: {exc}", file=sys.stderr)
        return 2
    data_dir = Path(args.data_dir).expanduser()
    try:
        listening = bind(args.host, args.port)
    except PortInUse as exc:
        print(f"greencert node: {exc.strerror} (--port {args.port}).", file=sys.stderr)
        return 2
    try:
        genesis = Genesis.load(Path(args.genesis).expanduser())
        print(f"Opening the ledger in {data_dir}: checking its state root against the last signed header…",
              file=sys.stderr, flush=True)
        began = time.monotonic()
        clock = wall_clock if args.clock_file is None else FileClock(Path(args.clock_file).expanduser())
        node = open_node(data_dir, genesis, load_or_create(Path(args.key).expanduser()), clock=clock, caches=caches)
    except (LedgerError, KeyFileError) as exc:
        listening.close()
        print(f"greencert node: {exc}", file=sys.stderr)
        return 2
    print(f"Ledger opened: the state root at height {node.head.height} ({len(node.state):,} values) matches the "
          f"signed header; each value is checked against it when first read; `--audit` checks them all now "
          f"({time.monotonic() - began:.1f} s). Caches: {caches.describe()}.", file=sys.stderr, flush=True)
    if args.slow_block_ms is not None:
        node.slow_block_s = args.slow_block_ms / 1e3
    tune_serving_process()
    node.start(warm=True)
    server = BackgroundServer(create_app(node), args.host, args.port, sock=listening).start()
    _serve_until_stopped(f"Ledger node API:  {server.url}/v1  (chain {genesis.chain_id}, height {node.head.height})")
    server.stop()
    node.close()
    return 0


def _kiosk(args: argparse.Namespace) -> int:
    from kiosk.app import KioskConfig, run_kiosk
    from kiosk.core.config import DEFAULT_VERIFY_ROOTS

    try:
        config = KioskConfig(intermediary_url=args.url, printer=args.printer, cups_server=args.cups_server,
                             save_dir=Path(args.save_dir).expanduser(), language=args.language,
                             fullscreen=args.fullscreen, timezone=args.timezone, mode=args.flow,
                             backend=args.mode, node_url=args.node, show_on_screen=args.show_on_screen,
                             config_dir=Path(args.config_dir).expanduser() if args.config_dir else None,
                             verify_roots=tuple(args.verify_root) if args.verify_root else DEFAULT_VERIFY_ROOTS)
    except ValueError as exc:
        print(f"greencert kiosk: {exc}", file=sys.stderr)
        return 2
    return run_kiosk(config)


def _field(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from backend_client import ClientError, IntermediaryClient, NodeClient
    from field.errors import Error as FieldError
    from field.simulator import DayReport, simulate
    from field.sites import DEMO_CONSUMERS, DEMO_PRODUCERS, DEMO_SITES
    from greencert.keystore import KeyFileError, load
    from greencert.world import meter_key_path
    from ledger_lite.certificate import JST as jst

    try:
        start_day = datetime.fromisoformat(args.start)
    except ValueError:
        print(f"greencert field: expected --start as YYYY-MM-DD, found {args.start[:40]!r}", file=sys.stderr)
        return 2
    keys_dir = Path(args.keys).expanduser() if args.keys else default_data_dir() / "keys"
    try:  # the meters' own keys, as registered: never made up here
        meter_keys = {s.id: load(meter_key_path(keys_dir, s.id)) for s in DEMO_SITES}
    except KeyFileError as exc:
        print(f"greencert field: {exc} (--keys: the directory of the meters' key files)", file=sys.stderr)
        return 2
    start = int((start_day.replace(hour=0, minute=0, tzinfo=UTC) - jst).timestamp())  # the day's 00:00 JST
    with NodeClient(args.node, timeout=120) as node:
        try:
            status = node.status()
            owner = next(e["address"] for e in node.registry() if e["role"] == "intermediary")
        except (ClientError, StopIteration) as exc:
            print(f"greencert field: cannot read the node's chain and intermediary at {args.node}: {exc}",
                  file=sys.stderr)
            return 2

        def progress(day: DayReport) -> None:
            print(f"{datetime.fromtimestamp(day.day_start, UTC) + jst:%Y-%m-%d}: {day.readings_ok} readings "
                  f"committed, {day.readings_failed} refused; {day.usage_allocated} usage intervals allocated, "
                  f"{day.usage_other} not", flush=True)

        try:
            with IntermediaryClient(args.intermediary, timeout=120) as intermediary:
                simulate(node, intermediary, chain_id=status["chain_id"], owner=owner, producers=DEMO_PRODUCERS,
                         consumers=DEMO_CONSUMERS, meter_keys=meter_keys, start=start, days=args.days,
                         seed=args.seed, progress=progress)
        except (ClientError, FieldError) as exc:
            print(f"greencert field: {exc}", file=sys.stderr)
            return 1
    return 0


def _storage(args: argparse.Namespace) -> int:
    from greencert.storage_command import StorageOptions, run_storage

    return run_storage(StorageOptions(node=args.node, key=Path(args.key).expanduser(), data=Path(args.data),
                                      host=args.host, port=args.port, report_every=args.report_every,
                                      self_discharge_ppm_day=args.self_discharge_ppm_day))


def _home(args: argparse.Namespace) -> int:
    from greencert.home_command import HomeOptions, run_home

    return run_home(HomeOptions(node=args.node, storage=args.storage, key=Path(args.key).expanduser(),
                                home=args.home, host=args.host, port=args.port, poll=args.poll,
                                threshold_wh=args.threshold_wh,
                                issuer_key=Path(args.issuer_key).expanduser() if args.issuer_key else None,
                                institution=args.institution))


def _certificate(args: argparse.Namespace) -> int:
    from greencert.certificate_command import LifecycleOptions, run_certificate

    return run_certificate(LifecycleOptions(
        action=args.certificate_command, node=args.node, certificate=args.certificate,
        key=Path(args.key).expanduser() if getattr(args, "key", None) else None, holder=getattr(args, "holder", None),
        wh=getattr(args, "wh", 0), to=getattr(args, "to", ""), beneficiary=getattr(args, "beneficiary", ""),
        purpose=getattr(args, "purpose", ""), year=getattr(args, "year", 0)))


def _serve_until_stopped(line: str) -> None:
    """Print ``line`` (that we serve) and wait for Ctrl-C or SIGTERM. The handler is in place before the line is out,
    so a SIGTERM sent the moment it is read still ends in an orderly shutdown rather than the default abrupt one."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(line, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    """An argparse type: a positive number of ``kind`` (argparse turns the ValueError into exit 2)."""
    def parse(text: str) -> int | float:
        value = kind(text)
        if value <= 0:
            raise ValueError(text)
        return value
    parse.__name__ = f"positive {kind.__name__}"
    return parse


def _consortium(args: argparse.Namespace) -> int:
    from greencert.consortium import Consortium, ConsortiumError, UpConfig, prepare
    from greencert.demo import demo_period
    from greencert.etcd_members import EtcdStartError
    from greencert.world import load_world
    from ledger.errors import Error as LedgerError

    try:
        # A configuration file gives the defaults; options given on the command line win.
        config = UpConfig.load(Path(args.config).expanduser()) if args.config else UpConfig()
        validators = args.validators if args.validators is not None else config.validators
        root = Path(args.dir).expanduser() if args.dir else config.dir or default_data_dir().parent / "consortium"
        layout = prepare(root, load_world(root), validators, demo_period(int(time.time()), 30)[0],
                         node_port=args.node_port or config.node_port,
                         etcd_client_port=args.etcd_port or config.etcd_port,
                         etcd_peer_port=args.etcd_peer_port or config.etcd_peer_port)
        running = Consortium(layout).start()
    except (ConsortiumError, EtcdStartError, LedgerError) as exc:
        print(f"greencert consortium up: {exc}", file=sys.stderr)
        return 2
    print(f"Consortium of {validators} validators, chain {layout.genesis.chain_id}, state in {root}")
    print(f"etcd (TLS, client certificates): {', '.join(layout.etcd.client_urls)}")
    for node_config, url in zip(layout.configs, layout.node_urls, strict=True):
        print(f"Ledger node {node_config.parent.name}: {url}/v1   (config {node_config})", flush=True)
    _serve_until_stopped("Serving until Ctrl-C.")
    running.stop()
    return 0


def _verify(args: argparse.Namespace) -> int:
    from greencert.verify import UNCHECKED, NodeNotFound, choose_node, language_of, render, verify

    data_dir = Path(args.data_dir).expanduser() if args.data_dir else None
    node_url = None
    if not args.offline:
        try:
            node_url = choose_node(args.node, data_dir, default_data_dir(), f"http://127.0.0.1:{DEFAULT_NODE_PORT}")
        except NodeNotFound as exc:
            print(f"greencert verify: {exc}", file=sys.stderr)
            return UNCHECKED
    default_cache = data_dir / "verify-trust.json" if data_dir else default_data_dir().parent / "trust.json"
    cache = Path(args.trust).expanduser() if args.trust else default_cache
    anchor = args.anchor
    if anchor is not None and not anchor.startswith("GCT1:"):
        try:
            anchor = Path(anchor).expanduser().read_text().strip()
        except OSError as exc:
            print(f"greencert verify: --anchor: expected a GCT1: text or a file holding one, found {exc}",
                  file=sys.stderr)
            return 2
    report = verify(args.source, node_url=node_url, offline=args.offline, trust_cache=cache, anchor=anchor)
    print(json.dumps(report.to_json(), indent=2, ensure_ascii=False) if args.json
          else render(report, language_of(args.lang, os.environ)))
    return report.exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="greencert", description="Green-electricity certificates on a ledger.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run node + intermediary + a month of field data, and the kiosk")
    demo.add_argument("--headless", action="store_true", help="serve the APIs only, no kiosk window")
    demo.add_argument("--data-dir", help="where the demo keeps its ledger, database and PDFs")
    demo.add_argument("--port", type=int, default=DEFAULT_PORT, help="intermediary port (0: any free port)")
    demo.add_argument("--node-port", type=int, default=DEFAULT_NODE_PORT, help="ledger node port (0: any free port)")
    demo.add_argument("--days", type=int, default=30, help="days of field data on first start")
    demo.add_argument("--validators", type=int, default=0, metavar="N",
                      help="run the ledger as a consortium of N validator node processes ordered by 3 etcd members "
                           "(nodes on --node-port and the ports after it); default: the embedded solo node")
    demo.add_argument("--etcd-port", type=int, default=8721, help="with --validators: first etcd client port")
    demo.add_argument("--etcd-peer-port", type=int, default=8731, help="with --validators: first etcd peer port")
    demo.add_argument("--database-url", metavar="URL",
                      help="the intermediary's database: postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB or "
                           "sqlite:///FILE (default: a SQLite file in --data-dir); migrated at start")
    demo.add_argument("--printer", help="CUPS queue to print on (default: save PDFs)")
    demo.add_argument("--fullscreen", action="store_true", help="kiosk without window decorations")
    demo.add_argument("--mode", choices=("intermediary", "direct"), default="intermediary",
                      help="how the kiosk reaches the ledger: through the intermediary (default), or directly to "
                           "the node with its own applicant database (modification 2; enrols demo/demo)")
    demo.set_defaults(func=_demo)
    node = sub.add_parser("node", help="run one ledger node: solo on its own data directory, or one company's "
                                       "validator of a consortium (--consortium CONFIG)")
    node.add_argument("--consortium", metavar="CONFIG", help="the node's TOML configuration (etcd endpoints and "
                                                             "TLS files, key, peers; see greencert/consortium.py)")
    node.add_argument("--data-dir", help="where the node keeps its SQLite ledger")
    node.add_argument("--genesis", help="genesis JSON (chain id, time, registry)")
    node.add_argument("--key", help="the validator's key file (hex seed; created if missing)")
    node.add_argument("--host", default="127.0.0.1")
    node.add_argument("--port", type=int, default=DEFAULT_NODE_PORT)
    node.add_argument("--audit", action="store_true", help="check every stored state value against the last signed "
                                                           "header (progress on stderr), then exit: 0 if it matches")
    node.add_argument("--cache-mb", type=int, metavar="MB",
                      help="memory for the caches of the state tree and values (default ~850 MB at most, the "
                           "whole tree of about 1,900,000 live assets; more is faster once the live state outgrows "
                           "them; see ledger/cache_sizes.py)")
    node.add_argument("--slow-block-ms", type=float, metavar="MS",
                      help="log a block that a client waited on and that took this long or longer, with the time of "
                           "each of its parts (default: ledger/producer.py SLOW_BLOCK_S, 100 ms; 0: every such block)")
    node.add_argument("--clock-file", help="a solo node's clock: Unix seconds in this file while it exists, else the "
                                           "wall clock (a simulation or benchmark replaying months of readings)")
    node.set_defaults(func=_node)
    kiosk = sub.add_parser("kiosk", help="run the touchscreen kiosk against a running intermediary (or node)")
    kiosk.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}", help="the intermediary's base URL")
    kiosk.add_argument("--mode", choices=("intermediary", "direct"), default="intermediary",
                       help="through the intermediary, or directly to a node (modification 2; needs --node)")
    kiosk.add_argument("--node", help="ledger node URL (direct mode)")
    kiosk.add_argument("--flow", choices=("list", "manual"), default="list",
                       help="list of eligible transactions (modification 3) or one manual form (S201)")
    kiosk.add_argument("--printer", help="CUPS queue (default: save PDFs)")
    kiosk.add_argument("--cups-server", help="CUPS server host:port (default: the system's)")
    kiosk.add_argument("--save-dir", default=str(Path.home() / "GreenCert" / "certificates"))
    kiosk.add_argument("--config-dir", help="the kiosk's settings and (direct mode) applicant database")
    kiosk.add_argument("--language", choices=("ja", "en"), default="ja")
    kiosk.add_argument("--timezone", default="Asia/Tokyo", help="IANA zone for periods on screen")
    kiosk.add_argument("--fullscreen", action="store_true")
    kiosk.add_argument("--show-on-screen", action="store_true",
                       help="also show each issued certificate on the panel (zoomable, its QR large enough to scan)")
    kiosk.add_argument("--verify-root", action="append", metavar="DIR",
                       help="where the auditor's mode lists certificate files (repeatable; default /media, "
                            "/run/media, ~/Downloads)")
    kiosk.set_defaults(func=_kiosk)
    fieldp = sub.add_parser("field", help="send the demo sites' half-hourly meter data to a node and intermediary")
    fieldp.add_argument("--node", default=f"http://127.0.0.1:{DEFAULT_NODE_PORT}")
    fieldp.add_argument("--intermediary", default=f"http://127.0.0.1:{DEFAULT_PORT}")
    fieldp.add_argument("--start", required=True, help="first day (JST), YYYY-MM-DD")
    fieldp.add_argument("--days", type=int, default=1)
    fieldp.add_argument("--seed", type=int, default=7)
    fieldp.add_argument("--keys", help="directory of the meters' key files meter-<site>.key (default: the demo's)")
    fieldp.set_defaults(func=_field)
    storage = sub.add_parser("storage", help="seed 003: run the storage management server 350 and its battery 300 "
                                             "against a ledger node (its records kept in --data)")
    storage.add_argument("--node", required=True, help="ledger node URL (several, comma-separated: fail over)")
    storage.add_argument("--key", required=True, help="the server's key file (hex seed), registered as 'storage'")
    storage.add_argument("--data", required=True, help="its record file (SQLite, created owner-only if missing)")
    storage.add_argument("--host", default="127.0.0.1")
    storage.add_argument("--port", type=int, default=8740, help="API port (0: any free port)")
    storage.add_argument("--report-every", type=_positive(float), default=300.0, metavar="SECONDS",
                         help="how often the state of charge is reported to the ledger (mod 11)")
    storage.add_argument("--self-discharge-ppm-day", type=int, default=500, help="the battery's self-discharge")
    storage.set_defaults(func=_storage)
    home = sub.add_parser("home", help="seed 003: run one home controller 101 with its page, against a ledger node "
                                       "and a storage server")
    home.add_argument("--node", required=True, help="ledger node URL (several, comma-separated: fail over)")
    home.add_argument("--storage", required=True, help="the storage management server's URL")
    home.add_argument("--key", required=True, help="the controller's key file (hex seed), registered as 'home'")
    home.add_argument("--home", required=True, help="which demo house it is (H01, H02, …): its PV and load profile")
    home.add_argument("--host", default="127.0.0.1")
    home.add_argument("--port", type=int, default=8750, help="the page's port (0: any free port)")
    home.add_argument("--poll", type=_positive(float), default=30.0, metavar="SECONDS",
                      help="how often it closes ended half hours, sells and reads its requests' states")
    home.add_argument("--threshold-wh", type=_positive(int), default=200,
                      help="the least surplus sent to the battery")
    home.add_argument("--issuer-key", help="an intermediary's key file that signs the home's certificates for the "
                                           "energy it bought from the battery (issue 14) instead of the home's own")
    home.add_argument("--institution", default="jp-green-council", help="the certificates' institution format")
    home.set_defaults(func=_home)
    certificate = sub.add_parser("certificate", help="a certificate's holder transfers its energy to another "
                                                     "consumer or retires it for a beneficiary (signed ledger "
                                                     "transactions); show who holds it")
    certificate_sub = certificate.add_subparsers(dest="certificate_command", required=True)
    transfer = certificate_sub.add_parser("transfer", help="move all or part of a certificate's Wh to another "
                                                           "registered consumer (user or home address)")
    retire = certificate_sub.add_parser("retire", help="retire all or part of a certificate's Wh for a named "
                                                       "beneficiary and reporting year (never to move again)")
    show = certificate_sub.add_parser("show", help="who holds a certificate's Wh and how much is retired")
    for action in (transfer, retire, show):
        action.add_argument("certificate", help="certificate id (64 hex characters)")
        action.add_argument("--node", required=True, help="ledger node URL")
    for action in (transfer, retire):
        action.add_argument("--key", required=True, help="key file (hex seed): the holder's user or home key, or "
                                                         "the issuing intermediary's for the certificate's owner")
        action.add_argument("--holder", help="whose Wh move (default: the key's address, or the owner for the "
                                             "issuer's key)")
        action.add_argument("--wh", type=_positive(int), required=True, help="how many Wh")
    transfer.add_argument("--to", required=True, help="the recipient's registered address (gc1...)")
    retire.add_argument("--beneficiary", required=True, help="for whom it is retired (1 to 200 characters)")
    retire.add_argument("--purpose", required=True, help="what the claim is for, e.g. 'RE100 report' (1 to 200)")
    retire.add_argument("--year", type=int, required=True, help="the reporting year")
    certificate.set_defaults(func=_certificate)
    add_governance_parser(sub)  # greencert governance list|approve|reject (greencert/governance_command.py)
    consortium = sub.add_parser("consortium", help="a consortium of validator nodes on this machine")
    consortium_sub = consortium.add_subparsers(dest="consortium_command", required=True)
    up = consortium_sub.add_parser("up", help="start 3 etcd members and N validator nodes on loopback, each its own "
                                              "process, key, store and port; Ctrl-C stops them")
    up.add_argument("--config", metavar="FILE", help="TOML: validators, dir, node_port, etcd_port, etcd_peer_port "
                                                      "(see greencert/consortium.py UpConfig); options override it")
    up.add_argument("--validators", type=int, help="how many validator nodes (default 4)")
    up.add_argument("--dir", help="state directory (default: ~/.local/share/greencert/consortium)")
    up.add_argument("--node-port", type=int, help="first node's port, default 8711 (the next ones follow)")
    up.add_argument("--etcd-port", type=int, help="first etcd member's client port, default 8721")
    up.add_argument("--etcd-peer-port", type=int, help="first etcd member's peer port, default 8731")
    up.set_defaults(func=_consortium)

    verify = sub.add_parser("verify", help="check a certificate: payload text, PDF or image of its QR code")
    verify.add_argument("source", help="'GC1:...' payload, a certificate PDF, or a PNG/JPEG of the QR")
    verify.add_argument("--node", help="ledger node URL (default: the node of the demo in --data-dir, or of the "
                                       "default demo)")
    verify.add_argument("--data-dir", help="data directory of a demo started with --data-dir: its node is asked")
    verify.add_argument("--offline", action="store_true", help="check the signature only, with the cached trust")
    verify.add_argument("--trust", help="trust list file (kept up to date from the ledger, each change proven)")
    verify.add_argument("--anchor", help="trust anchor to start from: a GCT1: text or a file holding one (the "
                                         "chain and its validators, e.g. trust-anchor.txt of a demo)")
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.add_argument("--lang", choices=("ja", "en"), help="language of the report (default: the locale's)")
    verify.set_defaults(func=_verify)
    return parser


# The status of a command whose reader went away (``greencert verify … | head``), as a shell reports one a closed pipe
# stopped: 128 + SIGPIPE.
CLOSED_PIPE = 128 + signal.SIGPIPE


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # a reader that left early is found here, not in the interpreter's exit
    except BrokenPipeError:
        # Nothing more can reach the reader: no traceback, and nothing written at exit raises it again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return CLOSED_PIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
