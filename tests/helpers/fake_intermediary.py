"""An in-memory stand-in for ``backend_client.IntermediaryClient`` and for ``printing.deliver``.

``FakeIntermediary`` keeps eligible items and issued certificates like the real intermediary does (already
certified items make an issuance fail with ``AlreadyIssued`` naming the certificate; rows of different production
methods make it fail with ``BadRequest`` code ``mixed_methods``; an idempotency key replays the first answer)
and has a switch for each failure the kiosk must explain::

    fake = FakeIntermediary(make_items(20))  # rows like the real demo's: one per month and production method
    fake.unreachable = True                 # every call raises Unreachable
    fake.locked_retry_after = 300           # login raises Locked(retry_after=300)
    fake.locked = True                      # login raises Locked(retry_after=None)
    fake.says_attempts_left = False         # a wrong password's 401 does not say attempts_left (older server)
    fake.session_expired = True             # every call with a session raises Unauthorized("session_expired")
    fake.server_error = True                # every call raises ServerError (500)
    fake.mixed_methods = True               # issue_certificate raises BadRequest("mixed_methods") for any rows
    fake.fail["issue_certificate"] = BadRequest(400, "bad_request", "...")  # one method, any error
    fake.hold("issue_certificate")          # block that call until fake.release("issue_certificate")
    fake.user_name_ja = "需要家Ca"          # the session carries a Japanese name (default None: none sent)

A wrong password is counted like the real intermediary does it for one kiosk (``intermediary/auth.py``, per
applicant ID and address, unknown IDs alike): the 401 ``invalid_credentials`` says ``attempts_left`` 4, 3, 2, 1;
the fifth failure, and every attempt while blocked, is 429 ``locked`` with Retry-After ``LOCKOUT_S``; a success
clears the count (``fake.failed_logins``; ``fake.unlock()`` ends a block as time would).

``certificates(session)`` lists the applicant's certificates: one record per certificate id among the items
(the certified rows of ``make_items`` and whatever was issued through the fake), newest first.

``FakeDeliver`` records what would be printed and answers "printed" (or "saved" when ``printer`` is None, or
when ``printer_broken`` is set), or raises when ``broken`` is set; ``hold()``/``release()`` block it.

Calls run on the kiosk's worker threads; the recorded lists are only appended to, which is safe under the GIL.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from backend_client import (
    AlreadyIssued,
    BadRequest,
    CertificateType,
    ClientError,
    EligibleItem,
    IssuedCertificate,
    Locked,
    NotFound,
    ServerError,
    Session,
    Unauthorized,
    Unreachable,
)
from backend_client.intermediary import CertificateRecord
from ledger_lite.certificate import CHUNK

JST = timezone(timedelta(hours=9), "JST")
NEWEST_MONTH = (2026, 11)  # the month in progress in the fake's list
DAYS_SO_FAR = 11  # days of the newest month with data
METHODS = ("solar", "oil", "wind")  # a month's rows in the order the real list shows them
#           base Wh,     spread Wh: amounts of tens of thousands of kWh, like the demo's consumer Ca
AMOUNTS = {"solar": (11_000_000, 24_000_000), "oil": (20_000_000, 25_000_000), "wind": (60_000_000, 20_000_000)}

MAX_FAILED_LOGINS = 5  # intermediary.config.Settings.max_failed_logins: per (applicant ID, address)
LOCKOUT_S = 15 * 60  # intermediary.config.Settings.lockout_s: the first block
SOLAR_HOURS = (7, 17)  # solar allocations: the half-hours from 07:00 to 17:00 of each day
WIND_SHARE = 0.6  # wind allocations: the half-hours in which the wind blew
FAKE_NOW = int(datetime(2026, 11, 12, 10, tzinfo=JST).timestamp())  # "today" in the fake's world
DEFAULT_TYPES = (
    CertificateType("jgca-green", "Japan Green Certificate Agency", "Green electricity certificate"),
    CertificateType("irec-jp", "I-REC Japan", "I-REC certificate"),
)

BILINGUAL_TYPES = (  # as the real intermediary sends them: each name in English and in Japanese
    CertificateType("jgca-green", "Japan Green Certificate Agency", "Green electricity certificate", "ja",
                    "Japan Green Certificate Agency", "Green electricity certificate", "日本グリーン電力証明機構",
                    "グリーン電力証明書"),
    CertificateType("irec-jp", "I-REC Japan", "I-REC certificate", "en", "I-REC Japan", "I-REC certificate",
                    "アイレック・ジャパン", "I-REC証明書"),
)


def certificate_id_for(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def month_start(months_back: int, newest: tuple[int, int] = NEWEST_MONTH) -> datetime:
    """00:00 JST on the first day of the month ``months_back`` months before ``newest`` (year, month)."""
    index = newest[0] * 12 + newest[1] - 1 - months_back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=JST)


def realistic_allocations(method: str, start: datetime, end: datetime) -> int:
    """How many half-hour allocations a row of ``method`` over ``[start, end)`` stands for: solar's daylight
    half-hours, oil's every half-hour, wind's windy ones (at most ``CHUNK``, as the intermediary cuts rows)."""
    half_hours = int((end - start).total_seconds()) // 1800
    if method == "solar":
        days = (end.date() - start.date()).days + 1
        counted = days * 2 * (SOLAR_HOURS[1] - SOLAR_HOURS[0])
    elif method == "wind":
        counted = int(half_hours * WIND_SHARE)
    else:
        counted = half_hours
    return max(1, min(CHUNK, counted))


def make_items(count: int = 6, *, certified: Collection[int] = (4,), newest: tuple[int, int] = NEWEST_MONTH,
               days_so_far: int = DAYS_SO_FAR, allocations: int | Literal["realistic"] | None = "realistic",
               as_of: int | None = None) -> list[EligibleItem]:
    """``count`` rows shaped like the real intermediary's list (``intermediary/eligible.py``): one row per month
    and production method, newest month first (the month in progress, with ``days_so_far`` days of data), each a
    multi-day period of tens of thousands of kWh; solar runs 06:00 on the first day to 17:00 on the last,
    oil the first week, wind the whole month (so a full month's wind row ends at 00:00 on the next month's
    first day). Rows whose index is in ``certified`` are already certified (by default one: row 4, the
    previous month's oil). ``allocations``: how many allocations each row says it holds: "realistic" (the
    default), like the real intermediary's rows (``realistic_allocations``: 220 for the newest month's solar
    row, 864 for a full month of wind); a number for every row (100: nine rows fit one certificate); None: rows
    of an older server that does not say (the kiosk then allows one per certificate). ``as_of``: the list's
    "allocations up to" (default: the end of the newest row)."""
    items = []
    for n in range(count):
        months_back, slot = divmod(n, len(METHODS))
        method = METHODS[slot]
        first = month_start(months_back, newest)
        data_end = first + timedelta(days=days_so_far) if months_back == 0 else month_start(months_back - 1, newest)
        if method == "solar":
            start, end = first + timedelta(hours=6), data_end - timedelta(hours=7)
        elif method == "oil":
            start, end = first, first + timedelta(days=6, hours=7, minutes=30)
        else:
            start, end = first, data_end + (timedelta(hours=2, minutes=30) if months_back == 0 else timedelta())
        base, spread = AMOUNTS[method]
        issued = n in certified
        items.append(
            EligibleItem(
                item_id=f"item-{n:04d}",
                period_start=int(start.timestamp()),
                period_end=int(end.timestamp()),
                production_method=method,
                amount_wh=base + (n * 7_919_113 + 4_271) % spread,
                issued=issued,
                certificate_id=certificate_id_for(f"old-{n}") if issued else None,
                allocations=realistic_allocations(method, start, end) if allocations == "realistic" else allocations,
            )
        )
    newest_end = max((item.period_end for item in items), default=None)
    return [replace(item, as_of=newest_end if as_of is None else as_of) for item in items]


class FakeIntermediary:
    def __init__(
        self,
        items: Sequence[EligibleItem] | None = None,
        *,
        types: Sequence[CertificateType] = DEFAULT_TYPES,
        applicant_id: str = "demo",
        password: str = "demo",
        user_name: str = "Consumer Ca",
        user_name_ja: str | None = None,
    ) -> None:
        self.items: list[EligibleItem] = list(make_items(6) if items is None else items)
        self.types = list(types)
        self.applicant_id = applicant_id
        self.password = password
        self.user_name = user_name
        self.user_name_ja = user_name_ja  # the session's Japanese name (None: as from a server without one)
        # switches
        self.unreachable = False
        self.locked = False
        self.locked_retry_after: int | None = None
        self.session_expired = False
        self.server_error = False
        self.mixed_methods = False
        self.says_attempts_left = True
        self.failed_logins: dict[str, int] = {}  # applicant ID → wrong passwords in a row (from this kiosk)
        self.fail: dict[str, ClientError] = {}
        # records
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.issued: dict[str, IssuedCertificate] = {}  # idempotency key → answer
        self.pdf_requests: list[tuple[str, bool]] = []
        self.issued_with: dict[str, tuple[str, int]] = {}  # certificate id → (type id, issued at)
        self._sessions: set[str] = set()
        self._gates: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    # -- switches ---------------------------------------------------------------------------------
    def hold(self, method: str) -> None:
        self._gates[method] = threading.Event()

    def release(self, method: str) -> None:
        gate = self._gates.pop(method, None)
        if gate is not None:
            gate.set()

    def release_all(self) -> None:
        for method in list(self._gates):
            self.release(method)

    def called(self, method: str) -> list[tuple[object, ...]]:
        return [args for name, args in self.calls if name == method]

    def _enter(self, method: str, *args: object, session: Session | None = None) -> None:
        self.calls.append((method, args))
        gate = self._gates.get(method)
        if gate is not None and not gate.wait(timeout=10):
            raise Unreachable(f"fake {method} held for more than 10 s")
        if self.unreachable:
            raise Unreachable("cannot reach http://fake-intermediary: connection refused")
        if self.server_error:
            raise ServerError(500, "internal", "fake server error")
        if method in self.fail:
            raise self.fail[method]
        if session is not None and (self.session_expired or session.token not in self._sessions):
            raise Unauthorized(401, "session_expired", "the session has expired")

    # -- IntermediaryClient -----------------------------------------------------------------------
    def login(self, applicant_id: str, password: str) -> Session:
        self._enter("login", applicant_id)
        if self.locked or self.locked_retry_after is not None:
            raise Locked(429, "locked", "too many failed logins", self.locked_retry_after)
        failures = self.failed_logins.get(applicant_id, 0)
        if failures >= MAX_FAILED_LOGINS:  # blocked: not checked, not counted
            raise Locked(429, "locked", "too many failed logins; try again in 15 minutes", LOCKOUT_S)
        if (applicant_id, password) != (self.applicant_id, self.password):
            failures = self.failed_logins[applicant_id] = failures + 1
            if failures >= MAX_FAILED_LOGINS:
                raise Locked(429, "locked", "too many failed logins; try again in 15 minutes", LOCKOUT_S)
            left = MAX_FAILED_LOGINS - failures if self.says_attempts_left else None
            raise Unauthorized(401, "invalid_credentials", "applicant ID or password is wrong", left)
        self.failed_logins.pop(applicant_id, None)
        token = f"token-{len(self._sessions) + 1}"
        self._sessions.add(token)
        return Session(token=token, user_name=self.user_name, expires_at=2_000_000_000,
                       user_name_ja=self.user_name_ja)

    def unlock(self) -> None:
        """The block is over (time passed): every count starts again."""
        self.failed_logins.clear()

    def logout(self, session: Session) -> None:
        self.calls.append(("logout", (session.token,)))
        self._sessions.discard(session.token)

    def eligible_transactions(self, session: Session) -> list[EligibleItem]:
        self._enter("eligible_transactions", session=session)
        with self._lock:
            return list(self.items)

    def certificate_types(self) -> list[CertificateType]:
        self._enter("certificate_types")
        return list(self.types)

    def issue_certificate(
        self, session: Session, item_ids: Sequence[str], type_id: str, idempotency_key: str
    ) -> IssuedCertificate:
        self._enter("issue_certificate", tuple(item_ids), type_id, idempotency_key, session=session)
        with self._lock:
            if idempotency_key in self.issued:
                return self.issued[idempotency_key]
            by_id = {item.item_id: item for item in self.items}
            methods = {by_id[item_id].production_method for item_id in item_ids}
            if self.mixed_methods or len(methods) > 1:  # checked by the intermediary before the ledger is asked
                raise BadRequest(400, "mixed_methods",
                                 f"expected rows of one production method per certificate, found {sorted(methods)}")
            for item_id in item_ids:  # S208/S209b: all or nothing; a certified item names its certificate
                item = by_id[item_id]
                if item.issued:
                    raise AlreadyIssued(409, "already_issued", "already issued", item.certificate_id or "")
            certificate_id = certificate_id_for(f"{idempotency_key}:{','.join(item_ids)}")
            self.items = [
                replace(item, issued=True, certificate_id=certificate_id)
                if item.item_id in item_ids
                else item
                for item in self.items
            ]
            answer = IssuedCertificate(
                certificate_id, f"GC1:{certificate_id[:16]}", f"/api/v1/certificates/{certificate_id}/pdf"
            )
            self.issued[idempotency_key] = answer
            self.issued_with[certificate_id] = (type_id, FAKE_NOW + len(self.issued_with))
            return answer

    def issue_for_period(self, session: Session, start: int, end: int, production_method: str, type_id: str,
                         idempotency_key: str) -> IssuedCertificate:
        """S203: the rows of the method that overlap ``[start, end)`` (the fake certifies a row the period cuts
        whole; the real intermediary only its allocations inside the period); 404 ``no_allocations`` when there
        are none, 409 ``already_issued`` when all of them were certified."""
        self._enter("issue_for_period", start, end, production_method, type_id, idempotency_key, session=session)
        with self._lock:
            if idempotency_key in self.issued:
                return self.issued[idempotency_key]
            rows = [item for item in self.items if item.production_method == production_method
                    and item.period_start < end and item.period_end > start]
            open_ids = [item.item_id for item in rows if not item.issued]
            if not open_ids and rows:
                raise AlreadyIssued(409, "already_issued", "already issued", rows[0].certificate_id or "")
            if not open_ids:
                raise NotFound(404, "no_allocations", f"no allocations of {production_method} in {start}..{end}")
            certificate_id = certificate_id_for(f"{idempotency_key}:{','.join(open_ids)}")
            self.items = [replace(item, issued=True, certificate_id=certificate_id) if item.item_id in open_ids
                          else item for item in self.items]
            answer = IssuedCertificate(certificate_id, f"GC1:{certificate_id[:16]}",
                                       f"/api/v1/certificates/{certificate_id}/pdf")
            self.issued[idempotency_key] = answer
            self.issued_with[certificate_id] = (type_id, FAKE_NOW + len(self.issued_with))
            return answer

    def certificates(self, session: Session) -> list[CertificateRecord]:
        self._enter("certificates", session=session)
        with self._lock:
            groups: dict[str, list[EligibleItem]] = {}
            for item in self.items:
                if item.issued and item.certificate_id:
                    groups.setdefault(item.certificate_id, []).append(item)
        records = []
        for certificate_id, items in groups.items():
            earlier = min(max(i.period_end for i in items) + 3 * 86_400, FAKE_NOW - 86_400)  # before "today"
            type_id, issued_at = self.issued_with.get(
                certificate_id, (self.types[0].type_id if self.types else "jgca-green", earlier))
            records.append(CertificateRecord(
                certificate_id, sum(i.amount_wh for i in items), min(i.period_start for i in items),
                max(i.period_end for i in items), items[0].production_method, type_id, issued_at))
        return sorted(records, key=lambda r: r.issued_at, reverse=True)

    def certificate_pdf(self, session: Session, certificate_id: str, *, reprint: bool = False) -> bytes:
        self._enter("certificate_pdf", certificate_id, reprint, session=session)
        self.pdf_requests.append((certificate_id, reprint))
        return b"%PDF-1.4\n% fake certificate " + certificate_id.encode() + b"\n%%EOF\n"


@dataclass(frozen=True)
class FakeDelivery:
    kind: str
    path: Path | None
    printer: str | None
    job_id: int | None
    message_en: str
    message_ja: str


@dataclass
class FakeDeliver:
    """Callable like ``printing.deliver``; writes the PDF into ``save_dir`` when it "saves"."""

    printer_broken: bool = False
    broken: bool = False
    calls: list[dict[str, object]] = field(default_factory=list)
    gate: threading.Event | None = None

    def hold(self) -> None:
        """Block the next deliveries until ``release()`` (to look at the "printing" screen)."""
        self.gate = threading.Event()

    def release(self) -> None:
        if self.gate is not None:
            self.gate.set()

    def __call__(
        self, pdf: bytes, filename: str, *, save_dir: Path, printer: str | None, server: str | None = None,
        media: str = "A4",
    ) -> FakeDelivery:
        self.calls.append(
            {"pdf": pdf, "filename": filename, "save_dir": save_dir, "printer": printer, "server": server,
             "media": media}
        )
        if self.gate is not None and not self.gate.wait(timeout=10):
            raise TimeoutError("fake printer held for more than 10 s")
        if self.broken:
            raise OSError(28, "No space left on device")
        if printer is not None and not self.printer_broken:
            job_id = len(self.calls)
            return FakeDelivery(
                "printed",
                None,
                printer,
                job_id,
                f"Job {job_id} printed on {printer}.",
                f"ジョブ {job_id} を {printer} で印刷しました。",
            )
        save_dir.mkdir(parents=True, exist_ok=True)
        path = save_dir / filename
        path.write_bytes(pdf)
        if printer is not None:
            return FakeDelivery(
                "saved",
                path,
                printer,
                None,
                f"Printer {printer} is out of paper.",
                f"プリンター {printer} の用紙がありません。",
            )
        return FakeDelivery("saved", path, None, None, "", "")


@dataclass(frozen=True)
class FakePrinter:
    """Shaped like ``printing.PrinterInfo``."""

    name: str
    state: str = "idle"
    state_reasons: tuple[str, ...] = ()
    is_default: bool = False
    info: str = ""  # CUPS printer-info


@dataclass
class FakePrinters:
    """Callable like ``printing.list_printers(server)``; ``unavailable`` makes it raise like CUPS being down."""

    printers: list[FakePrinter] = field(default_factory=lambda: [
        FakePrinter("kiosk-printer", is_default=True),
        FakePrinter("MFP-2F", "stopped", ("media-empty-error", "door-open-report")),
        FakePrinter("MFP-3F", "printing", ("toner-low-warning",)),
    ])
    unavailable: bool = False
    calls: list[str | None] = field(default_factory=list)
    hold: threading.Event | None = None  # set: each call waits for it (a slow CUPS); ``release()`` lets them go

    def __call__(self, server: str | None = None) -> list[FakePrinter]:
        from printing import PrinterUnavailable

        self.calls.append(server)
        if self.hold is not None:
            self.hold.wait(10)
        if self.unavailable:
            raise PrinterUnavailable("The print server localhost:631 is not reachable (connection refused).",
                                     message_ja="印刷サーバー（localhost:631）に接続できません（connection refused）。")
        return list(self.printers)

    def release(self) -> None:
        if self.hold is not None:
            self.hold.set()
