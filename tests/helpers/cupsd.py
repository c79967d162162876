"""A private CUPS scheduler for tests: its own config, spool and port, stopped by PID.

Usage::

    with PrivateCups() as cups_server:
        cups_server.add_pdf_queue("kiosk", tmp_path / "out.pdf")
        print_pdf(pdf, "kiosk", title="t", server=cups_server.server)

Facts from shared/ENVIRONMENT.md (CUPS): own ``cupsd.conf`` + ``cups-files.conf``, ``FileDevice Yes``,
``User lp`` / ``Group lp`` / ``SystemGroup root`` when running as root, and a ``file://`` queue needs the
Generic PDF driver or it "completes" without writing anything.

The scheduler's ``ServerBin`` is a private copy of ``/usr/lib/cups`` (symbolic links) plus one test backend,
``greencert-test``: it behaves like a printer that reports state (``STATE: +media-empty-error``) and fails
the way real devices do, as scripted per queue with :meth:`PrivateCups.script_device`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

CUPSD = "/usr/sbin/cupsd"
PDF_MODEL = "lsb/usr/cupsfilters/Generic-PDF_Printer-PDF.ppd"
PDF_PPD = Path("/usr/share/ppd/cupsfilters/Generic-PDF_Printer-PDF.ppd")  # the file behind PDF_MODEL
SYSTEM_SERVER_BIN = Path("/usr/lib/cups")
TEST_BACKEND = "greencert-test"
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
ServerBin {root}/bin
FileDevice Yes
{identity}"""

# A CUPS backend (see backend(7)): copies the job to the file named in its device URI, after replaying the
# lines of "<file>.control": "exit=N" sets the exit status (0 ok, 1 failed, 4 stop the queue), "sleep=N"
# waits N seconds (a slow printer), every other line goes to stderr, where cupsd reads
# "STATE: +media-empty-error", "INFO: ..." and so on.
_BACKEND_SCRIPT = """\
#!/bin/sh
if [ $# -eq 0 ]; then
  echo 'direct {scheme} "Unknown" "GreenCert test device"'
  exit 0
fi
out="${{DEVICE_URI#{scheme}:}}"
status=0
if [ -f "$out.control" ]; then
  while IFS= read -r line; do
    case "$line" in
      exit=*) status="${{line#exit=}}" ;;
      sleep=*) sleep "${{line#sleep=}}" ;;
      *) printf '%s\\n' "$line" >&2 ;;
    esac
  done < "$out.control"
fi
if [ "$status" -eq 0 ]; then
  if [ $# -ge 6 ]; then cat "$6" > "$out"; else cat > "$out"; fi
fi
exit "$status"
"""

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
        PrivateCups._server_bin(root / "bin")

    @staticmethod
    def _server_bin(bin_dir: Path) -> None:
        """``/usr/lib/cups`` by symbolic links, with the test backend added to ``backend/``.

        The backend is mode 0700 so that a root cupsd runs it as root (like ``file://`` output) and it may
        write anywhere the test asks; cupsd refuses programs that others can write to.
        """
        bin_dir.mkdir(mode=0o755)
        for entry in sorted(SYSTEM_SERVER_BIN.iterdir()):
            if entry.name != "backend":
                (bin_dir / entry.name).symlink_to(entry)
        backends = bin_dir / "backend"
        backends.mkdir(mode=0o755)
        system_backends = SYSTEM_SERVER_BIN / "backend"
        if system_backends.is_dir():
            for entry in sorted(system_backends.iterdir()):
                (backends / entry.name).symlink_to(entry)
        script = backends / TEST_BACKEND
        script.write_text(_BACKEND_SCRIPT.format(scheme=TEST_BACKEND))
        script.chmod(0o700)

    # -- queues ----------------------------------------------------------------------------------

    def _admin(self, *args: str) -> None:
        result = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")

    def add_pdf_queue(self, name: str, out_path: Path, *, duplex_unit: bool = True) -> None:
        """A queue whose device is ``file://out_path``, driven by the Generic PDF printer PPD.

        That PPD declares a duplex unit (``sides-supported`` has the two-sided values); with
        ``duplex_unit=False`` the queue gets a copy of it without the ``Duplex`` option, like a
        printer that can only print on one side.
        """
        out_path = Path(out_path).resolve()
        out_path.parent.mkdir(parents=True, exist_ok=True)  # cupsd itself (root) writes file:// output
        # The device file must exist, empty, as a device node would: Debian's CUPS 2.4.2-3+deb12u10 (a security
        # update of November 2026) opens file:// output with O_WRONLY|O_EXCL and no O_CREAT, so a job to a
        # missing file stops with "the scheduler could not open the output file". Nothing printed: still empty.
        out_path.touch(mode=0o600, exist_ok=True)
        self._admin("lpadmin", "-h", self.server, "-p", name, "-E", "-v", f"file://{out_path}",
                    *self._driver(name, duplex_unit))

    def add_scripted_queue(self, name: str, out_path: Path) -> None:
        """A queue on the ``greencert-test`` device: prints to ``out_path`` as scripted by ``script_device``."""
        out_path = Path(out_path).resolve()
        out_path.parent.mkdir(parents=True, exist_ok=True)
        self._admin("lpadmin", "-h", self.server, "-p", name, "-E", "-v", f"{TEST_BACKEND}:{out_path}",
                    *self._driver(name, True))

    @staticmethod
    def script_device(out_path: Path, lines: Iterable[str] = (), *, exit_code: int = 0) -> None:
        """What the ``greencert-test`` device does for the next jobs: say ``lines``, exit with ``exit_code``.

        A line ``sleep=N`` makes the device take N seconds (the queue is "printing" meanwhile).
        E.g. ``["STATE: +toner-low-warning"]`` (prints, reports low toner), ``["STATE: +media-empty-error"]``
        with exit code 4 (stops the queue), ``["STATE: +media-jam-error"]`` with 1 (the job fails).
        """
        control = Path(f"{Path(out_path).resolve()}.control")
        control.write_text("".join(f"{line}\n" for line in lines) + f"exit={exit_code}\n")
        control.chmod(0o644)

    def _driver(self, name: str, duplex_unit: bool) -> list[str]:
        if duplex_unit:
            return ["-m", PDF_MODEL]
        ppd = self.root / "etc" / f"{name}-one-sided.ppd"
        ppd.write_text(_without_duplex(PDF_PPD.read_text(encoding="latin-1")), encoding="latin-1")
        return ["-P", str(ppd)]

    def job_attributes(self, job_id: int) -> dict[str, Any]:
        """All attributes of a job, also once it has ended (``JobPrivateValues none``), through pycups."""
        import cups

        previous = (cups.getServer(), cups.getPort())
        try:
            cups.setServer(self.server)
            attributes: dict[str, Any] = cups.Connection().getJobAttributes(job_id)
            return attributes
        finally:
            cups.setServer(previous[0])
            cups.setPort(previous[1])

    def printer_attributes(self, name: str, attributes: list[str]) -> dict[str, Any]:
        import cups

        previous = (cups.getServer(), cups.getPort())
        try:
            cups.setServer(self.server)
            found: dict[str, Any] = cups.Connection().getPrinterAttributes(name, requested_attributes=attributes)
            return found
        finally:
            cups.setServer(previous[0])
            cups.setPort(previous[1])

    def submit(self, name: str, path: Path) -> None:
        """``lp``: queue ``path`` on ``name`` and return at once, while it prints."""
        self._admin("lp", "-h", self.server, "-d", name, str(path))

    def queued_jobs(self, name: str) -> list[str]:
        """Ids of the jobs not yet finished on queue ``name`` (``lpstat -o``)."""
        result = subprocess.run(
            ["lpstat", "-h", self.server, "-o", name], capture_output=True, text=True, timeout=30, check=False
        )
        return [line.split()[0] for line in result.stdout.splitlines() if line.strip()]

    def cancel_all(self, name: str) -> None:
        """``cancel -a``: cancel every job on queue ``name``."""
        self._admin("cancel", "-h", self.server, "-a", name)

    def set_queue_option(self, name: str, option: str) -> None:
        """``lpadmin -p NAME -o option=value``, e.g. ``job-hold-until-default=indefinite``."""
        self._admin("lpadmin", "-h", self.server, "-p", name, "-o", option)

    def stop_queue(self, name: str, reason: str = "stopped by test") -> None:
        """``cupsdisable``: the queue keeps accepting jobs but does not print them."""
        self._admin("cupsdisable", "-h", self.server, "-r", reason, name)

    def start_queue(self, name: str) -> None:
        self._admin("cupsenable", "-h", self.server, name)


def _without_duplex(ppd: str) -> str:
    """The PPD text without its ``*Duplex`` option group (``*OpenUI``/``*JCLOpenUI *Duplex`` … ``CloseUI``)."""
    kept: list[str] = []
    inside = False
    for line in ppd.splitlines(keepends=True):
        if "OpenUI *Duplex" in line:
            inside = True
        if not inside and "Duplex" not in line:
            kept.append(line)
        if inside and "CloseUI: *Duplex" in line:
            inside = False
    return "".join(kept)
