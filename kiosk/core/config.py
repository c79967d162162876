"""Kiosk configuration, typed and validated once at start-up (no Qt here).

``KioskConfig`` is what the kiosk is started with (command line, ``greencert demo``). The values a member of
staff may change at the kiosk (mode, connection and its URLs, printer, paper size, language, idle timeout) start
from it and are then overridden by the operator's settings file, ``settings_path`` (see ``kiosk.core.settings``).

``backend`` is how the kiosk reaches the ledger: through the intermediary's API (the main embodiment and
modifications 1 and 3) or directly to a ledger node with its own applicant database (modification 2, S401–S412,
``kiosk.direct``). It is independent of ``mode``, the way requests are entered (a list or a period).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kiosk.core.language import LANGUAGES, Language

Mode = Literal["list", "manual"]
MODES: tuple[Mode, ...] = ("list", "manual")  # S501–S520 (the default) | S201–S214 (the main embodiment)
Backend = Literal["intermediary", "direct"]
BACKENDS: tuple[Backend, ...] = ("intermediary", "direct")  # through the intermediary | S401–S412
PAPER_SIZES = ("A4", "A3", "B5", "Letter")  # CUPS ``media`` names
SETTINGS_FILE = "settings.json"
APPLICANTS_FILE = "applicants.sqlite"  # direct mode: the applicant management DB 7001 (Fig. 11A)
TRUST_FILE = "validators.json"  # direct mode: the validator keys pinned on first use
VERIFY_TRUST_FILE = "verify-trust.json"  # the auditor's mode: the trust list kept for offline checks
# Where the auditor's mode looks for certificate files: USB sticks (udisks mounts them under /media/<user>,
# other distributions under /run/media/<user>) and, on a desktop, the user's Downloads.
DEFAULT_VERIFY_ROOTS = ("/media", "/run/media", "~/Downloads")


def _default_save_dir() -> Path:
    return Path.home() / "GreenCert" / "certificates"


@dataclass(frozen=True)
class KioskConfig:
    """``printer`` None: save certificates as PDF in ``save_dir`` instead of printing (and say where).

    ``config_dir`` holds the operator's settings file and, for the direct mode, the applicant database and the
    pinned validator keys; None means a ``kiosk`` folder next to ``save_dir`` (so a demo's data directory holds
    everything the demo's kiosk writes). ``node_url`` is the ledger node of the direct mode (required there), or
    several validator nodes of one ledger separated by commas (the kiosk fails over between them).
    """

    intermediary_url: str
    printer: str | None = None
    cups_server: str | None = None
    save_dir: Path = field(default_factory=_default_save_dir)
    language: Language = "ja"
    idle_timeout_s: float = 120.0
    fullscreen: bool = False
    timezone: str | None = None  # IANA zone for showing periods; None = the machine's local time
    mode: Mode = "list"
    paper_size: str = "A4"
    config_dir: Path | None = None
    on_screen_keyboard: bool = True  # our own keyboard for the text fields: the panel has no keys
    backend: Backend = "intermediary"
    node_url: str | None = None
    show_on_screen: bool = False  # S214a: also show each issued certificate on the panel (issue #13)
    verify_roots: tuple[str, ...] = DEFAULT_VERIFY_ROOTS

    def __post_init__(self) -> None:
        if not self.intermediary_url.startswith(("http://", "https://")):
            raise ValueError(f"intermediary_url must be an http(s) URL, got {self.intermediary_url!r}")
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {self.language!r}")
        if not self.idle_timeout_s > 0:
            raise ValueError(f"idle_timeout_s must be positive, got {self.idle_timeout_s}")
        if self.printer == "":
            raise ValueError("printer must be a queue name or None (save as PDF), got an empty string")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.paper_size not in PAPER_SIZES:
            raise ValueError(f"paper_size must be one of {PAPER_SIZES}, got {self.paper_size!r}")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {self.backend!r}")
        if self.node_url is not None and not all(part.strip().startswith(("http://", "https://"))
                                                 for part in self.node_url.split(",")):
            raise ValueError(f"node_url must be an http(s) URL (or several, separated by commas) or None, "
                             f"got {self.node_url!r}")
        if self.backend == "direct" and self.node_url is None:
            raise ValueError("backend 'direct' needs node_url, the ledger node to talk to")
        if isinstance(self.verify_roots, str) or not all(isinstance(r, str) and r for r in self.verify_roots):
            raise ValueError(f"verify_roots must be folder names, got {self.verify_roots!r}")
        object.__setattr__(self, "verify_roots", tuple(self.verify_roots))
        object.__setattr__(self, "save_dir", Path(self.save_dir))
        if self.config_dir is not None:
            object.__setattr__(self, "config_dir", Path(self.config_dir))

    @property
    def kiosk_dir(self) -> Path:
        return self.config_dir or self.save_dir.parent / "kiosk"

    @property
    def settings_path(self) -> Path:
        """The operator's settings file: ``<config_dir>/settings.json``."""
        return self.kiosk_dir / SETTINGS_FILE

    @property
    def applicants_path(self) -> Path:
        """Direct mode: the kiosk's own applicant database, ``<config_dir>/applicants.sqlite``."""
        return self.kiosk_dir / APPLICANTS_FILE

    @property
    def verify_trust_path(self) -> Path:
        """The auditor's mode: the trust list kept from the last check online, ``<config_dir>/verify-trust.json``."""
        return self.kiosk_dir / VERIFY_TRUST_FILE

    @property
    def trust_path(self) -> Path:
        """Direct mode: the validator keys pinned on first use, ``<config_dir>/validators.json``."""
        return self.kiosk_dir / TRUST_FILE
