"""Benchmark: the kiosk's speed goals (issue 5), on the offscreen Qt platform.

Prints one JSON line:

* ``cold_start_s``: a new process to the idle screen shown (median of ``--cold`` runs), against a new process
  that only shows an empty ``QWidget`` (``cold_baseline_s``); goal ≤ 1.5 s.
* ``screen_change_ms``: median over every screen of showing it and painting it (each screen filled the way the
  flows fill it), and the slowest screen's median; goal ≤ 100 ms. Baseline for the in-process figures:
  creating, showing and painting an empty ``QWidget`` (``baseline_widget_ms``).
* ``login_500_fake_ms``: touching OK on the sign-in screen to a painted list of 500 rows, against an
  in-memory intermediary that answers at once; ``login_500_http_ms``: the same through the real
  ``IntermediaryClient`` against a local HTTP stub serving 500 rows; ``login_demo_ms``: against the local
  embedded demo (``greencert.demo.start_demo``; its applicant has a handful of monthly rows, said in
  ``demo_rows``), unless ``--no-demo``. Goal ≤ 300 ms.

Every figure also as a ratio to its baseline measured in the same run (machines here are noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure the checkout this script is in
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GOALS = {"cold_start_s": 1.5, "screen_change_ms": 100.0, "login_500_fake_ms": 300.0, "login_500_http_ms": 300.0,
         "login_demo_ms": 300.0}
ROWS = 500


# -- child processes for the cold start ----------------------------------------------------------------
def quiet_offscreen(_kind: Any, _context: Any, message: str) -> None:
    """The offscreen platform's one known complaint is noise here; anything else still goes to stderr."""
    if message != "This plugin does not support propagateSizeHints()":
        print(message, file=sys.stderr)


def child(kind: str, config_dir: str) -> None:
    """Run in a fresh interpreter: show the idle screen (or an empty widget) and say "ready"."""
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication, QWidget

    qInstallMessageHandler(quiet_offscreen)
    app = QApplication([sys.argv[0]])
    if kind == "baseline":
        widget = QWidget()
        widget.resize(1024, 600)
        widget.show()
        app.processEvents()
        widget.repaint()
    else:
        from backend_client import IntermediaryClient
        from kiosk import KioskConfig, build_window

        app.setStyle("Fusion")
        config = KioskConfig("http://127.0.0.1:9", config_dir=Path(config_dir), save_dir=Path(config_dir) / "pdf")
        window = build_window(IntermediaryClient(config.intermediary_url), config)
        window.show()
        app.processEvents()
        window.repaint()
        assert window.current_screen_name() == "login"
    print("ready", flush=True)


def cold_start(kind: str, config_dir: str) -> float:
    began = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--config-dir", config_dir],
                         capture_output=True, text=True, check=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    elapsed = time.perf_counter() - began
    if "ready" not in out.stdout:
        raise RuntimeError(f"the {kind} child did not get ready: {out.stdout} {out.stderr}")
    return elapsed


# -- in-process figures --------------------------------------------------------------------------------
def wait_until(app: Any, predicate: Callable[[], bool], timeout_s: float = 30.0) -> None:
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the kiosk did not get there in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)


def baseline_widget_ms(app: Any, runs: int) -> float:
    from PySide6.QtWidgets import QWidget

    times = []
    for _ in range(runs):
        began = time.perf_counter()
        widget = QWidget()
        widget.resize(1024, 600)
        widget.show()
        app.processEvents()
        widget.repaint()
        times.append(time.perf_counter() - began)
        widget.close()
        widget.deleteLater()
    app.processEvents()
    return 1000 * statistics.median(times)


def make_window(client: Any, tmp: Path) -> Any:
    from kiosk import KioskConfig, build_window
    from tests.helpers.fake_intermediary import FAKE_NOW, FakeDeliver, FakePrinters

    config = KioskConfig("http://127.0.0.1:9", printer="kiosk", save_dir=tmp / "pdf", config_dir=tmp / "config",
                         language="ja", timezone="Asia/Tokyo", idle_timeout_s=3600)
    window = build_window(client, config, FakeDeliver(), now=lambda: FAKE_NOW, list_printers=FakePrinters())
    window.show()
    return window


def fill_every_screen(window: Any, fake: Any) -> None:
    from kiosk.screens.done import Outcome
    from kiosk.screens.error import ErrorInfo
    from tests.helpers.fake_intermediary import FakePrinters

    window.items_list.set_items(fake.items)
    window.confirm.set_selection(fake.items[:1], fake.types)
    window.progress.set_stage("progress.issuing", cancellable=True)
    window.done.show_outcome(Outcome("ab" * 32, "printed", "kiosk", None, True, False, "", ""))
    window.already_issued.show_certificate("ab" * 32)
    window.error.show_error(ErrorInfo("unreachable", can_retry=True))
    window.manual.set_types(fake.types)
    window.reprint.set_certificates(fake.certificates(fake.login("demo", "demo")), fake.types)
    window.settings.show_settings(window.flow.store.settings, default_pin=True)
    window.settings.set_printers(FakePrinters().printers)


def screen_changes_ms(app: Any, window: Any, rounds: int) -> dict[str, float]:
    per_screen: dict[str, list[float]] = {name: [] for name in window.screen_names()}
    names = window.screen_names()
    for _ in range(rounds):
        for name in names:
            began = time.perf_counter()
            window.show_screen(name)
            app.processEvents()
            window.repaint()
            per_screen[name].append(time.perf_counter() - began)
    return {name: 1000 * statistics.median(times) for name, times in per_screen.items()}


def login_ms(app: Any, window: Any, runs: int) -> tuple[float, int]:
    """Touching OK with ID and password typed, to the list painted; median over ``runs``."""
    times, rows = [], 0
    for _ in range(runs):
        window.flow.logout()
        wait_until(app, lambda: not window.flow.worker.busy())
        window.login.applicant_id.setText("demo")
        window.login.password.setText("demo")
        app.processEvents()
        began = time.perf_counter()
        window.login.ok.click()
        wait_until(app, lambda: window.current_screen_name() in ("list", "error"))
        window.repaint()
        times.append(time.perf_counter() - began)
        if window.current_screen_name() != "list":
            raise RuntimeError(f"sign-in failed: {window.error.title.text()}")
        rows = window.items_list.model.rowCount()
    window.flow.logout()
    return 1000 * statistics.median(times), rows


class StubIntermediary(ThreadingHTTPServer):
    """The three calls of a sign-in over real HTTP, answering 500 rows (to time the client's side)."""

    def __init__(self, items: list[dict[str, Any]], types: list[dict[str, Any]]) -> None:
        bodies = {("POST", "/api/v1/sessions"): {"token": "t", "user_name": "Consumer Ca", "expires_at": 2**31},
                  ("GET", "/api/v1/eligible-transactions"): {"items": items},
                  ("GET", "/api/v1/certificate-types"): {"items": types}}
        encoded = {key: json.dumps(body).encode() for key, body in bodies.items()}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delay on replies

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                body = encoded.get((self.command, self.path.split("?")[0]))
                self.send_response(200 if body is not None else 204)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", choices=["kiosk", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--config-dir", help=argparse.SUPPRESS)
    parser.add_argument("--cold", type=int, default=5, help="cold starts of each kind")
    parser.add_argument("--runs", type=int, default=15, help="sign-ins and screen rounds")
    parser.add_argument("--no-demo", action="store_true", help="do not start the embedded demo")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.config_dir)
        return

    from dataclasses import asdict

    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from backend_client import IntermediaryClient
    from tests.helpers.fake_intermediary import FakeIntermediary, make_items

    qInstallMessageHandler(quiet_offscreen)

    figures: dict[str, Any] = {"bench": "kiosk", "platform": "offscreen", "rows": ROWS}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        kiosk_runs, base_runs = [], []
        for _ in range(args.cold):  # interleaved, so that both see the same machine load
            base_runs.append(cold_start("baseline", tmp_name))
            kiosk_runs.append(cold_start("kiosk", tmp_name))
        figures["cold_start_s"] = round(statistics.median(kiosk_runs), 3)
        figures["cold_baseline_s"] = round(statistics.median(base_runs), 3)
        figures["cold_start_ratio"] = round(figures["cold_start_s"] / figures["cold_baseline_s"], 2)

        app = QApplication([sys.argv[0]])
        app.setStyle("Fusion")
        base = baseline_widget_ms(app, args.runs)
        figures["baseline_widget_ms"] = round(base, 2)

        fake = FakeIntermediary(make_items(ROWS, certified=range(3, ROWS, 6)))
        window = make_window(fake, tmp)
        fill_every_screen(window, fake)
        screens = screen_changes_ms(app, window, args.runs)
        figures["screen_change_ms"] = round(statistics.median(screens.values()), 2)
        slowest = max(screens, key=lambda name: screens[name])
        figures["screen_change_max_ms"] = round(screens[slowest], 2)
        figures["screen_change_slowest"] = slowest
        figures["login_500_fake_ms"], _ = (round(v, 1) for v in login_ms(app, window, args.runs))
        window.close()

        http = StubIntermediary([asdict(item) for item in fake.items], [asdict(t) for t in fake.types])
        client = IntermediaryClient(http.url)
        window = make_window(client, tmp)
        ms, rows = login_ms(app, window, args.runs)
        figures["login_500_http_ms"] = round(ms, 1)
        window.close()
        client.close()
        http.shutdown()

        if not args.no_demo:
            from greencert.demo import start_demo

            demo = start_demo(tmp / "demo", port=0, node_port=0, days=35, progress=lambda _: None)
            try:
                client = IntermediaryClient(demo.url, timeout=60)
                window = make_window(client, tmp)
                ms, rows = login_ms(app, window, args.runs)
                figures["login_demo_ms"] = round(ms, 1)
                figures["demo_rows"] = rows
                window.close()
                client.close()
            finally:
                demo.stop()

    for name in ("screen_change_ms", "screen_change_max_ms", "login_500_fake_ms", "login_500_http_ms",
                 "login_demo_ms"):
        if name in figures:
            figures[name.replace("_ms", "_ratio")] = round(figures[name] / base, 1)
    figures["goals_met"] = all(figures[k] <= v for k, v in GOALS.items() if k in figures) \
        and figures["screen_change_max_ms"] <= GOALS["screen_change_ms"]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
