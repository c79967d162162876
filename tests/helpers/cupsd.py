"""A private CUPS scheduler for tests: its own config, spool and port, stopped by PID.

Usage::

    with PrivateCups() as cups_server:
        cups_server.add_pdf_queue("kiosk", tmp_path / "out.pdf")
        print_pdf(pdf, "kiosk", title="t", server=cups_server.server)

Facts from shared/ENVIRONMENT.md (CUPS): own ``cupsd.conf`` + ``cups-files.conf``, ``FileDevice Yes``,
``User lp`` / ``Group lp`` / ``SystemGroup root`` when running as root, and a ``file://`` queue needs the
Generic PDF driver or it "completes" without writing anything.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import pytest

CUPSD = "/usr/sbin/cupsd"
PDF_MODEL = "lsb/usr/cupsfilters/Generic-PDF_Printer-PDF.ppd"
START_TIMEOUT = 10.0
STOP_GRACE = 5.0

_CUPSD_CONF = """\
Listen 127.0.0.1:{port}
Browsing No
BrowseLocalProtocols none
WebInterface No
DefaultAuthType None
LogLevel info
MaxLogSize 0
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Location /admin>
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order allow,deny
    Allow from 127.0.0.1
  </Limit>
</Policy>
"""

_CUPS_FILES_CONF = """\
ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/state
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
FileDevice Yes
{identity}"""

_ROOT_IDENTITY = "User lp\nGroup lp\nSystemGroup root\n"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class PrivateCups:
    """Starts ``cupsd -f`` on a free loopback port with everything under one temp dir."""

    def __init__(self) -> None:
        if shutil.which(CUPSD) is None and shutil.which("cupsd") is None:
            pytest.skip(f"cupsd binary not found (expected {CUPSD}; install Debian's cups-daemon)")
        self._binary = CUPSD if Path(CUPSD).exists() else str(shutil.which("cupsd"))
        self._root: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def server(self) -> str:
        """``host:port`` for ``CUPS_SERVER``, ``lp -h`` and ``printing``'s ``server=``."""
        return f"127.0.0.1:{self.port}"

    @property
    def root(self) -> Path:
        if self._root is None:
            raise RuntimeError("PrivateCups is not started")
        return self._root

    def error_log(self) -> str:
        """The scheduler's error log, for assertion messages."""
        log = self.root / "log" / "error_log"
        return log.read_text(errors="replace") if log.exists() else ""

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> PrivateCups:
        self._root = Path(tempfile.mkdtemp(prefix="greencert-cupsd-"))
        self._layout(self._root)
        self.port = _free_port()
        (self._root / "etc" / "cupsd.conf").write_text(_CUPSD_CONF.format(port=self.port))
        identity = _ROOT_IDENTITY if os.geteuid() == 0 else ""
        (self._root / "etc" / "cups-files.conf").write_text(
            _CUPS_FILES_CONF.format(root=self._root, identity=identity)
        )
        args = [
            self._binary,
            "-f",
            "-c",
            str(self._root / "etc" / "cupsd.conf"),
            "-s",
            str(self._root / "etc" / "cups-files.conf"),
        ]
        self._proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(self.port):
            if self._proc.poll() is not None:
                stderr = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                log = self.error_log()
                self._cleanup()
                raise RuntimeError(f"cupsd exited with {self._proc.returncode}: {stderr}\n{log}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"cupsd did not answer on {self.server} within {START_TIMEOUT} s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop the cupsd this object started (by its PID only) and remove the temp dir."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_GRACE)
        if proc is not None and proc.stderr is not None:
            proc.stderr.close()
        self._cleanup()

    def _cleanup(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def __enter__(self) -> PrivateCups:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @staticmethod
    def _layout(root: Path) -> None:
        # cupsd runs filters as lp when started as root: lp must traverse the root and write the spool.
        root.chmod(0o755)
        for sub in ("etc", "log", "cache", "state", "spool", "spool/tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "etc" / "ppd").mkdir()
        for sub in ("cache", "spool/tmp"):
            (root / sub).chmod(0o1777)

    # -- queues ----------------------------------------------------------------------------------

    def _admin(self, *args: str) -> None:
        result = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")

    def add_pdf_queue(self, name: str, out_path: Path) -> None:
        """A queue whose device is ``file://out_path``, driven by the Generic PDF printer PPD."""
        out_path = Path(out_path).resolve()
        out_path.parent.mkdir(parents=True, exist_ok=True)  # cupsd itself (root) writes file:// output
        self._admin(
            "lpadmin",
            "-h",
            self.server,
            "-p",
            name,
            "-E",
            "-v",
            f"file://{out_path}",
            "-m",
            PDF_MODEL,
        )

    def queued_jobs(self, name: str) -> list[str]:
        """Ids of the jobs not yet finished on queue ``name`` (``lpstat -o``)."""
        result = subprocess.run(
            ["lpstat", "-h", self.server, "-o", name], capture_output=True, text=True, timeout=30, check=False
        )
        return [line.split()[0] for line in result.stdout.splitlines() if line.strip()]

    def set_queue_option(self, name: str, option: str) -> None:
        """``lpadmin -p NAME -o option=value``, e.g. ``job-hold-until-default=indefinite``."""
        self._admin("lpadmin", "-h", self.server, "-p", name, "-o", option)

    def stop_queue(self, name: str, reason: str = "stopped by test") -> None:
        """``cupsdisable``: the queue keeps accepting jobs but does not print them."""
        self._admin("cupsdisable", "-h", self.server, "-r", reason, name)

    def start_queue(self, name: str) -> None:
        self._admin("cupsenable", "-h", self.server, name)
