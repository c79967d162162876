"""The ``greencert`` command: demo, verify (and the parts it is made of)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from pathlib import Path

from greencert.demo import DEFAULT_NODE_PORT, DEFAULT_PORT, default_data_dir


def _demo(args: argparse.Namespace) -> int:
    from greencert.demo import start_demo
    from ledger.errors import Error as LedgerError

    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    print(f"GreenCert demo, data in {data_dir}", flush=True)
    try:
        demo = start_demo(data_dir, port=args.port, node_port=args.node_port, days=args.days)
    except LedgerError as exc:  # e.g. a store changed outside the node: say what, do not serve
        print(f"greencert demo: the ledger in {data_dir} cannot be used: {exc}", file=sys.stderr)
        return 2
    print(f"Intermediary API: {demo.url}/api/v1  (docs {demo.url}/docs)", flush=True)
    print(f"Ledger node API:  {demo.node_url}/v1  (docs {demo.node_url}/docs)", flush=True)
    print("Demo applicant: ID 'demo', password 'demo' (Consumer Ca)", flush=True)
    kiosk_dir = data_dir / "kiosk"
    try:
        if args.mode == "direct":  # modification 2: the kiosk's own applicant DB, the node without the intermediary
            from greencert.demo import enrol_direct_applicant

            print(f"Direct-mode kiosk: applicant database {enrol_direct_applicant(demo, kiosk_dir)}, "
                  f"ledger node {demo.node_url}", flush=True)
        if args.headless:
            print("Serving until Ctrl-C.", flush=True)
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()
            return 0
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM")):
            print("No display found (DISPLAY is not set). Run with --headless, or under `xvfb-run`.",
                  file=sys.stderr)
            return 2
        from kiosk.app import KioskConfig, run_kiosk

        config = KioskConfig(intermediary_url=demo.url, printer=args.printer, save_dir=data_dir / "printed",
                             fullscreen=args.fullscreen, timezone="Asia/Tokyo",  # a Japanese site (JST months)
                             backend=args.mode, node_url=demo.node_url, config_dir=kiosk_dir)
        return run_kiosk(config)
    finally:
        demo.stop()


def _node(args: argparse.Namespace) -> int:
    from greencert.keystore import load_or_create
    from greencert.servers import BackgroundServer
    from ledger.api import create_app
    from ledger.errors import Error as LedgerError
    from ledger.genesis import Genesis
    from ledger.node import open_node

    data_dir = Path(args.data_dir).expanduser()
    try:
        genesis = Genesis.load(Path(args.genesis).expanduser())
        node = open_node(data_dir, genesis, load_or_create(Path(args.key).expanduser()))
    except LedgerError as exc:
        print(f"greencert node: {exc}", file=sys.stderr)
        return 2
    node.start(warm=True)
    server = BackgroundServer(create_app(node), args.host, args.port).start()
    print(f"Ledger node API:  {server.url}/v1  (chain {genesis.chain_id}, height {node.head.height})", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()
    node.close()
    return 0


def _verify(args: argparse.Namespace) -> int:
    from greencert.verify import render, verify

    node_url = args.node
    if node_url is None and not args.offline:
        info = default_data_dir() / "demo.json"
        node_url = json.loads(info.read_text())["node_url"] if info.exists() else f"http://127.0.0.1:{DEFAULT_NODE_PORT}"
    cache = Path(args.trust).expanduser() if args.trust else default_data_dir().parent / "trust.json"
    report = verify(args.source, node_url=node_url, offline=args.offline, trust_cache=cache)
    print(json.dumps(report.to_json(), indent=2, ensure_ascii=False) if args.json else render(report))
    return report.exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="greencert", description="Green-electricity certificates on a ledger.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run node + intermediary + a month of field data, and the kiosk")
    demo.add_argument("--headless", action="store_true", help="serve the APIs only, no kiosk window")
    demo.add_argument("--data-dir", help="where the demo keeps its ledger, database and PDFs")
    demo.add_argument("--port", type=int, default=DEFAULT_PORT, help="intermediary port (another if busy)")
    demo.add_argument("--node-port", type=int, default=DEFAULT_NODE_PORT, help="ledger node port (another if busy)")
    demo.add_argument("--days", type=int, default=30, help="days of field data on first start")
    demo.add_argument("--printer", help="CUPS queue to print on (default: save PDFs)")
    demo.add_argument("--fullscreen", action="store_true", help="kiosk without window decorations")
    demo.add_argument("--mode", choices=("intermediary", "direct"), default="intermediary",
                      help="how the kiosk reaches the ledger: through the intermediary (default), or directly to "
                           "the node with its own applicant database (modification 2; enrols demo/demo)")
    demo.set_defaults(func=_demo)
    node = sub.add_parser("node", help="run one ledger node (solo ordering) on its own data directory")
    node.add_argument("--data-dir", required=True, help="where the node keeps its SQLite ledger")
    node.add_argument("--genesis", required=True, help="genesis JSON (chain id, time, registry)")
    node.add_argument("--key", required=True, help="the validator's key file (hex seed; created if missing)")
    node.add_argument("--host", default="127.0.0.1")
    node.add_argument("--port", type=int, default=DEFAULT_NODE_PORT)
    node.set_defaults(func=_node)
    verify = sub.add_parser("verify", help="check a certificate: payload text, PDF or image of its QR code")
    verify.add_argument("source", help="'GC1:...' payload, a certificate PDF, or a PNG/JPEG of the QR")
    verify.add_argument("--node", help="ledger node URL (default: the local demo's)")
    verify.add_argument("--offline", action="store_true", help="check the signature only, with the cached trust")
    verify.add_argument("--trust", help="trust list file (cached from the node's registry)")
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.set_defaults(func=_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
