"""Operator settings behind a PIN (issue 5): what a member of staff may change at the kiosk (no Qt here).

The start-up ``KioskConfig`` gives the defaults; ``<config_dir>/settings.json`` holds what the operator changed,
so a value set back to its default follows the start-up configuration again. The file is validated on load;
every error names the file, the setting, what was expected and what was found::

    {"version": 1, "mode": "manual", "intermediary_url": "http://10.0.0.5:8001", "printer": "MFP-3F",
     "paper_size": "A4", "language": "ja", "idle_timeout_s": 120,
     "backend": "direct", "node_url": "http://10.0.0.7:8701",
     "show_on_screen": true, "verify_roots": ["/media", "/run/media"],
     "pin": {"scheme": "scrypt", "n": 16384, "r": 8, "p": 1, "salt": "<hex>", "hash": "<hex>"}}

``"printer": null`` means "save certificates as PDF" (no printer); a missing key means "as started".
``show_on_screen`` also shows each issued certificate on the panel (seed S214a, issue #13); ``verify_roots`` are
the folders where the auditor's mode lists certificate files (USB sticks; ``~`` is the kiosk user's home).

**PIN.** Until an operator sets one, the PIN is ``DEFAULT_PIN`` ("0000"; the settings screen says so and asks
for a new one). A PIN is 4–8 digits and is stored only as an scrypt hash (``hashlib.scrypt``, random salt).
After ``MAX_PIN_ATTEMPTS`` wrong PINs in a row the PIN is refused for ``PIN_LOCK_S`` seconds.

``backend`` chooses how the kiosk reaches the ledger: "intermediary" (its API at ``intermediary_url``) or
"direct" (modification 2: a ledger node at ``node_url``, with the kiosk's own applicant database, see
``kiosk.direct``); the flows talk to an ``IntermediaryPort`` either way. ``node_url`` may name several validator
nodes of the same ledger, separated by commas (``"http://10.0.0.7:8701,http://10.0.0.8:8701"``): the kiosk asks
the one that answered last and goes on to the next when it is down.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from kiosk.core.config import BACKENDS, DEFAULT_VERIFY_ROOTS, MODES, PAPER_SIZES, Backend, KioskConfig, Mode
from kiosk.core.json_file import write_json_atomically
from kiosk.core.language import LANGUAGES, Language
from kiosk.errors import Error

VERSION = 1
DEFAULT_PIN = "0000"
PIN_DIGITS = (4, 8)
MAX_PIN_ATTEMPTS = 5
PIN_LOCK_S = 300.0
MAX_VERIFY_ROOTS = 16
IDLE_TIMEOUT_RANGE_S = (10.0, 3600.0)  # what an operator may set; the start-up config may use any positive value
SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # ~50 ms and 16 MiB per check: cheap at the panel, dear for a guesser


class SettingsError(Error, ValueError):
    """The settings file or a value for it is not valid; the message says where and why."""


@dataclass(frozen=True)
class KioskSettings:
    mode: Mode
    intermediary_url: str
    printer: str | None
    paper_size: str
    language: Language
    idle_timeout_s: float
    backend: Backend = "intermediary"
    node_url: str | None = None
    show_on_screen: bool = False  # S214a: show each issued certificate on the panel too (issue #13)
    verify_roots: tuple[str, ...] = DEFAULT_VERIFY_ROOTS  # where the auditor's mode looks for files

    @classmethod
    def from_config(cls, config: KioskConfig) -> KioskSettings:
        return cls(config.mode, config.intermediary_url, config.printer, config.paper_size, config.language,
                   config.idle_timeout_s, config.backend, config.node_url, config.show_on_screen,
                   config.verify_roots)

    def check(self, *, operator: bool = True, only: tuple[str, ...] | None = None) -> None:
        """Raise ``SettingsError`` naming the first bad value.

        ``operator``: also hold the values to the ranges an operator may choose; ``only``: these settings.
        """
        names = only if only is not None else SETTING_NAMES
        for name in names:
            check_setting(name, getattr(self, name), operator=operator)
        if ("backend" in names or "node_url" in names) and self.backend == "direct" and self.node_url is None:
            raise SettingsError("node_url: expected the ledger node's http:// or https:// URL for the direct "
                                "connection, found none")

    def changed_from(self, other: KioskSettings) -> tuple[str, ...]:
        return tuple(name for name in SETTING_NAMES if getattr(self, name) != getattr(other, name))


def check_setting(name: str, value: Any, *, operator: bool = True) -> None:
    def bad(expected: str) -> SettingsError:
        return SettingsError(f"{name}: expected {expected}, found {value!r}")

    if name == "mode" and value not in MODES:
        raise bad(f"one of {', '.join(MODES)}")
    if name == "intermediary_url" and not is_http_url(value):
        raise bad("an http:// or https:// URL")
    if name == "backend" and value not in BACKENDS:
        raise bad(f"one of {', '.join(BACKENDS)}")
    if name == "node_url" and value is not None and not is_http_urls(value):
        raise bad("an http:// or https:// URL (or several, separated by commas) or null")
    if name == "printer" and value is not None and (not isinstance(value, str) or not value.strip()):
        raise bad("a CUPS queue name or null (save as PDF)")
    if name == "paper_size" and value not in PAPER_SIZES:
        raise bad(f"one of {', '.join(PAPER_SIZES)}")
    if name == "language" and value not in LANGUAGES:
        raise bad(f"one of {', '.join(LANGUAGES)}")
    if name == "show_on_screen" and not isinstance(value, bool):
        raise bad("true or false")
    if name == "verify_roots" and (not isinstance(value, list | tuple) or not 1 <= len(value) <= MAX_VERIFY_ROOTS
                                   or not all(isinstance(r, str) and r.strip() for r in value)):
        raise bad(f"a list of 1 to {MAX_VERIFY_ROOTS} folder names")
    if name == "idle_timeout_s":
        low, high = IDLE_TIMEOUT_RANGE_S if operator else (0.0, float("inf"))
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high or value <= 0:
            raise bad(f"seconds from {low:g} to {high:g}")


class RootRefused(SettingsError):
    """A change of ``verify_roots`` at the panel that cannot be made; ``reason`` names why for the screen:
    ``not_a_folder``, ``listed``, ``too_many``, ``last`` or ``not_listed``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def with_verify_root(roots: tuple[str, ...], folder: str) -> tuple[str, ...]:
    """``roots`` with ``folder`` added at the end; ``RootRefused`` when it is not an existing folder (a stick
    pulled out since it was listed, a file), is listed already, or the list is full. Nothing is changed then."""
    path = Path(folder).expanduser()
    if not path.is_dir():
        found = "a file" if path.exists() else "nothing"
        raise RootRefused("not_a_folder", f"verify_roots: expected a folder at {folder}, found {found}")
    if any(Path(r).expanduser() == path for r in roots):
        raise RootRefused("listed", f"verify_roots: {folder} is listed already")
    if len(roots) >= MAX_VERIFY_ROOTS:
        raise RootRefused("too_many", f"verify_roots: expected at most {MAX_VERIFY_ROOTS} folders, found "
                                      f"{len(roots)} already")
    return (*roots, folder)


def without_verify_root(roots: tuple[str, ...], folder: str) -> tuple[str, ...]:
    """``roots`` without ``folder``; ``RootRefused`` for the last one (the auditor's list needs a folder)."""
    if folder not in roots:
        raise RootRefused("not_listed", f"verify_roots: expected one of {', '.join(roots)}, found {folder}")
    if len(roots) == 1:
        raise RootRefused("last", "verify_roots: expected at least one folder to remain, found only this one")
    return tuple(r for r in roots if r != folder)


def is_http_url(value: Any) -> bool:
    return (isinstance(value, str) and value.startswith(("http://", "https://"))
            and bool(value.split("://", 1)[1].strip("/")) and not any(c.isspace() for c in value))


def is_http_urls(value: Any) -> bool:
    """One http(s) URL, or several separated by commas (the validator nodes of a consortium ledger)."""
    return isinstance(value, str) and all(is_http_url(part.strip()) for part in value.split(","))


SETTING_NAMES = tuple(f.name for f in fields(KioskSettings))


# -- the PIN ------------------------------------------------------------------------------------------
def check_pin_format(pin: str) -> None:
    low, high = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise SettingsError(f"pin: expected {low} to {high} digits, found {len(pin)} character(s)")


def hash_pin(pin: str, *, salt: bytes | None = None) -> dict[str, Any]:
    check_pin_format(pin)
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = _scrypt(pin, salt, **SCRYPT)
    return {"scheme": "scrypt", **SCRYPT, "salt": salt.hex(), "hash": digest.hex()}


def verify_pin(pin: str, record: Mapping[str, Any]) -> bool:
    digest = _scrypt(pin, bytes.fromhex(record["salt"]), n=record["n"], r=record["r"], p=record["p"])
    return hmac.compare_digest(digest, bytes.fromhex(record["hash"]))


def _scrypt(pin: str, salt: bytes, *, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=129 * r * n * p + (1 << 20), dklen=32)


def _check_pin_record(record: Any, where: str) -> dict[str, Any]:
    def bad(what: str) -> SettingsError:
        return SettingsError(f"{where}: pin: expected {what}, found {str(record)[:80]}")

    if not isinstance(record, dict) or record.get("scheme") != "scrypt":
        raise bad('an object with "scheme": "scrypt"')
    if set(record) != {"scheme", "n", "r", "p", "salt", "hash"}:
        raise bad("exactly the keys scheme, n, r, p, salt, hash")
    n, r, p = record["n"], record["r"], record["p"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p)) \
            or not (2**10 <= n <= 2**17 and n & (n - 1) == 0 and 1 <= r <= 16 and 1 <= p <= 4):
        raise bad("n a power of two from 1024 to 131072, r from 1 to 16 and p from 1 to 4")
    try:
        salt, digest = bytes.fromhex(record["salt"]), bytes.fromhex(record["hash"])
    except (TypeError, ValueError):
        raise bad("salt and hash in hex") from None
    if not 16 <= len(salt) <= 64 or len(digest) != 32:
        raise bad("a salt of 16 to 64 bytes and a 32-byte hash")
    return dict(record)


# -- the file -----------------------------------------------------------------------------------------
def parse_settings(text: str, defaults: KioskSettings, where: str) -> tuple[KioskSettings, dict[str, Any] | None]:
    """The effective settings and the PIN record (None: the default PIN) from the file's ``text``."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SettingsError(f"{where}: expected JSON, found a syntax error ({exc})") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{where}: expected a JSON object, found {type(data).__name__}")
    if data.get("version") != VERSION:
        raise SettingsError(f"{where}: expected \"version\": {VERSION}, found {data.get('version')!r}")
    unknown = sorted(set(data) - {"version", "pin", *SETTING_NAMES})
    if unknown:
        raise SettingsError(f"{where}: unknown setting(s) {', '.join(unknown)}; expected some of "
                            f"{', '.join(SETTING_NAMES)}, pin")
    overrides = {name: data[name] for name in SETTING_NAMES if name in data}
    try:
        check_setting("verify_roots", overrides.get("verify_roots", defaults.verify_roots))
    except SettingsError as exc:
        raise SettingsError(f"{where}: {exc}") from None
    if "verify_roots" in overrides:
        overrides["verify_roots"] = tuple(overrides["verify_roots"])
    settings = replace(defaults, **overrides)
    try:
        settings.check(only=tuple(overrides))
    except SettingsError as exc:
        raise SettingsError(f"{where}: {exc}") from None
    pin = _check_pin_record(data["pin"], where) if "pin" in data else None
    return settings, pin


class SettingsStore:
    """The effective settings, the operator's PIN and the file behind them.

    ``SettingsStore.open`` never fails: a missing file means the start-up values and the default PIN; a bad
    file is reported in ``problem`` (and logged by the caller) and the start-up values are used until an
    operator saves new settings, which replaces the file.
    """

    def __init__(self, path: Path, defaults: KioskSettings, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(path)
        self.defaults = defaults
        self.settings = defaults
        self.problem: str | None = None
        self._pin: dict[str, Any] | None = None
        self._clock = clock
        self._failures = 0
        self._locked_until = 0.0

    @classmethod
    def open(cls, config: KioskConfig, *, clock: Callable[[], float] = time.monotonic) -> SettingsStore:
        store = cls(config.settings_path, KioskSettings.from_config(config), clock=clock)
        try:
            store.load()
        except SettingsError as exc:
            store.problem = str(exc)
        return store

    def load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.settings, self._pin = self.defaults, None
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{self.path}: cannot be read ({exc})") from None
        self.settings, self._pin = parse_settings(text, self.defaults, str(self.path))
        self.problem = None

    def save(self, settings: KioskSettings, *, new_pin: str | None = None) -> None:
        """Validate, then write atomically (temp file + rename, owner-only); raises ``SettingsError``."""
        settings.check(operator=False)
        settings.check(only=settings.changed_from(self.defaults))  # what the file will hold: the operator's ranges
        pin = hash_pin(new_pin) if new_pin is not None else self._pin
        document: dict[str, Any] = {"version": VERSION}
        document.update({k: v for k, v in asdict(settings).items() if v != getattr(self.defaults, k)})
        if pin is not None:
            document["pin"] = pin
        try:
            write_json_atomically(self.path, document, indent=2, ensure_ascii=False)
        except OSError as exc:
            raise SettingsError(f"{self.path}: cannot be written ({exc.strerror or exc})") from None
        self.settings, self._pin, self.problem = settings, pin, None

    # -- PIN ------------------------------------------------------------------------------------------
    @property
    def uses_default_pin(self) -> bool:
        return self._pin is None

    def locked_for(self) -> float:
        """Seconds until the PIN may be tried again (0 when it may)."""
        return max(0.0, self._locked_until - self._clock())

    def check_pin(self, pin: str) -> bool:
        """True for the right PIN; wrong PINs count towards the lock-out (and a locked PIN is never checked)."""
        if self.locked_for() > 0:
            return False
        if self._pin is None:
            ok = hmac.compare_digest(pin.encode(), DEFAULT_PIN.encode())
        else:
            ok = verify_pin(pin, self._pin)
        if ok:
            self._failures = 0
            return True
        self._failures += 1
        if self._failures >= MAX_PIN_ATTEMPTS:
            self._failures = 0
            self._locked_until = self._clock() + PIN_LOCK_S
        return False
