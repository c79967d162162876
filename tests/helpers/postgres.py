"""A private PostgreSQL server for tests: its own cluster in a temp dir, a free loopback port, stopped by PID.

Usage::

    with PrivatePostgres() as pg:
        url = pg.new_database()        # postgresql+psycopg://app@127.0.0.1:PORT/test_1, empty
        engine = open_database(url)
        copy = pg.new_database("test_1")  # a copy of test_1 (no connections may be open to it)

Facts from shared/ENVIRONMENT.md (Databases): Debian's PostgreSQL 15; ``initdb`` and ``pg_ctl`` refuse to run as
root, so as root the temp dir belongs to the ``postgres`` user and both run through ``runuser -u postgres``. The
cluster trusts its one role ``app`` on loopback (no password); its unix socket lives in the temp dir; durability is
off (``fsync``, ``synchronous_commit``, ``full_page_writes``): it is thrown away after the tests. Skips with the
reason when PostgreSQL is not installed.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psycopg
import pytest

ROLE = "app"
START_TIMEOUT = 30.0
STOP_GRACE = 10.0


def _bin_dir() -> Path | None:
    """The newest installed server's ``bin`` (Debian keeps it off PATH), else where ``initdb`` is on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie left for its parent to reap has stopped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class PrivatePostgres:
    """Runs ``initdb`` and ``pg_ctl start`` under one temp dir; :meth:`stop` signals the postmaster's PID."""

    def __init__(self) -> None:
        bin_dir = _bin_dir()
        if bin_dir is None or not (bin_dir / "pg_ctl").exists():
            pytest.skip("PostgreSQL server not found (expected /usr/lib/postgresql/*/bin/pg_ctl; install Debian's "
                        "postgresql)")
        self._bin = bin_dir
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no 'postgres' user to run the server as (Debian's "
                            "postgresql package creates it)")
            self._as = ["runuser", "-u", "postgres", "--"]
        self._root: Path | None = None
        self.port = 0
        self.pid: int | None = None
        self._names = itertools.count(1)

    @property
    def root(self) -> Path:
        if self._root is None:
            raise RuntimeError("the server is not started")
        return self._root

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{ROLE}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} exited {done.returncode}: {done.stderr.strip()[-2000:]}")

    def start(self) -> PrivatePostgres:
        self._root = Path(tempfile.mkdtemp(prefix="greencert-pg-"))
        if self._as:
            entry = pwd.getpwnam("postgres")
            os.chown(self._root, entry.pw_uid, entry.pw_gid)
        data = self._root / "data"
        try:
            self._run(str(self._bin / "initdb"), "-D", str(data), "-A", "trust", "-U", ROLE, "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync")
            self.port = _free_port()
            options = (f"-p {self.port} -k {self._root} -c listen_addresses=127.0.0.1 -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
            self._run(str(self._bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self._root / "server.log"),
                      "-w", "-t", str(int(START_TIMEOUT)), "start")
            self.pid = int((data / "postmaster.pid").read_text().split()[0])
        except BaseException:
            self.stop()
            raise
        return self

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def new_database(self, template: str = "template0", *, name: str | None = None) -> str:
        """A new database on this server, a copy of ``template`` (default: empty); its SQLAlchemy URL. A copy of a
        small template made once (say, migrated) takes tens of milliseconds where migrating takes hundreds."""
        name = name or f"test_{next(self._names)}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user=ROLE, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def stop(self) -> None:
        """Stop the postmaster this object started (fast shutdown by its PID, then immediate, then kill) and remove
        the temp dir."""
        pid, self.pid = self.pid, None
        if pid is not None:
            for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGKILL):
                if not _alive(pid):
                    break
                os.kill(pid, sig)
                deadline = time.monotonic() + STOP_GRACE
                while _alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.05)
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def __enter__(self) -> PrivatePostgres:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
