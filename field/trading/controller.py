"""The home controller 101 of a house 100: reads PV 102 and the power meter 103, sells surplus into the battery
and buys from it, signing every transaction with the home's key (role ``home``).

Selling (S101–S112):
    ``tick(start)`` closes a half hour: surplus = PV − load; at least ``threshold_wh`` is exported toward the
    battery (the grid tells the storage server, which records and signs the receipt); ``settle_sales`` signs the
    ``trade.sale`` once the receipt is on the ledger (asked again on each call, ``receipt_attempts`` at most),
    submits it and keeps the verdict: recorded (points credited, S111) or failed with the ledger's reason (S108).

Buying (S201–S217):
    ``draft_request`` checks the user's entry (date, kWh, unit price — Fig. 4) and keeps it for the yes/no
    confirmation; ``confirm`` signs the ``trade.request`` and submits it; its state then moves
    sent → verifying → recorded → paid, or failed with the reason (refused by the rules, or not served in time).

Tokens (mod 8: the right to draw a given amount from the battery, bought in advance):
    ``quote`` is the contract's buy price now (what a token costs at least); ``draft_token`` checks the entry
    (kWh, unit price) and keeps it for the same yes/no confirmation; ``confirm_token`` signs the ``trade.token``;
    its state moves sent → verifying → held, or failed with the reason. A held token is used by a purchase
    request drawing on it (``draft_request(..., token=...)``): it is then in use, and used once that request is
    paid; if the request ends unserved the token is held again.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from backend_client import ApiError, ClientError, NodeClient, NotFound
from field.trading.errors import BadInput, TradingError, UnknownRecord
from field.trading.grid import Export
from field.trading.homes import HomeSite, load_series, pv_series
from ledger_lite import SigningKey, Transaction
from ledger_lite import trading as contract
from ledger_lite.certificate import INTERVAL_S

DAY_S = 86_400
MAX_REQUEST_WH = 100_000  # the screen refuses absurd amounts; the contract checks what the battery can give
MAX_PRICE = 500  # yen per kWh
REQUEST_WINDOW_S = 2 * 3600  # a request may be served within two hours of the chosen time
STATES = ("sent", "verifying", "recorded", "paid", "failed")
PAID = ("paid", "delivered", "settled", "done")
ENDED = ("expired", "lapsed", "refused", "cancelled", "failed")
WHY = {"price": "the contract's price stayed above your unit price",
       "short": "the battery held too little energy"}


def _failure(status: str, waiting: str) -> str:
    """Why a recorded request ended unpaid, in the words the home's screen shows."""
    if status == "lapsed":
        return "lapsed: the battery did not deliver the reserved energy in time (the reservation was released)"
    if status == "expired":
        return f"expired unserved: {WHY.get(waiting, 'no energy was matched within its window')}"
    return status


class GridLink(Protocol):
    def export(self, home: str, start: int, end: int, wh: int, *, minimum: int = 1) -> Export | None: ...


@dataclass
class Sale:
    start: int
    end: int
    sent_wh: int
    received_wh: int
    receipt_tx: str
    state: str = "waiting"  # waiting (for the receipt) → recorded | failed
    reason: str = ""
    sale_tx: str = ""
    points: int = 0
    attempts: int = 0
    incentive: str = "paid"  # mod 4: "pending" (after the buyers pay) or "owed" (a lump sum per period) until paid


@dataclass
class Draft:
    """A purchase request as entered, before the user says yes or no (Fig. 4)."""

    number: int
    start: int
    end: int
    wh: int
    max_price: int
    pay: str
    token: str | None = None  # mod 8: the token it draws on


@dataclass
class Purchase:
    number: int
    start: int
    end: int
    wh: int
    max_price: int
    pay: str
    tx_id: str
    state: str = "sent"
    reason: str = ""
    reserved_wh: int = 0
    delivered_wh: int = 0
    paid: int = 0  # yen or points, as the ledger settled it
    waiting: str = ""  # why the last match left it waiting ("price" or "short")
    why: str = ""  # a failure the screen words itself: "lapsed", "expired_price", "expired_short", "expired"
    token: str = ""  # the token it draws on (pay "token")


@dataclass
class TokenDraft:
    """A token as entered, before the user says yes or no (Fig. 4's pattern)."""

    number: int
    wh: int
    price: int

    @property
    def yen(self) -> int:
        return contract.cost(self.wh, self.price)


@dataclass
class Token:
    number: int
    wh: int
    price: int
    yen: int
    tx_id: str
    state: str = "sent"  # sent → verifying → held → in_use → used, or failed
    reason: str = ""
    request: str = ""  # the request drawing on it


@dataclass
class Meter:
    start: int = 0
    pv_wh: int = 0
    load_wh: int = 0
    exported_wh: int = 0
    utility_wh: int = 0  # surplus the battery could not take: to the utility


@dataclass
class _Series:
    day: int = -1
    pv: list[int] = field(default_factory=list)
    load: list[int] = field(default_factory=list)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int_of(value: Any, *names: str) -> int:
    """An integer ledger value, or the first integer field of ``names`` in a dict (0 if none)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, dict):
        for name in names:
            found = value.get(name)
            if isinstance(found, int) and not isinstance(found, bool):
                return found
    return 0


class HomeController:
    def __init__(self, home: HomeSite, key: SigningKey, chain_id: str, battery: str, node: NodeClient,
                 grid: GridLink, *, clock: Callable[[], int], seed: int = 0, threshold_wh: int = 200,
                 receipt_attempts: int = 6, background: bool = True, commit_timeout: float = 10.0) -> None:
        self.home = home
        self.key = key
        self.chain_id = chain_id
        self.battery = battery
        self.node = node
        self.grid = grid
        self.clock = clock
        self.seed = seed
        self.threshold_wh = threshold_wh
        self.receipt_attempts = receipt_attempts
        self.commit_timeout = commit_timeout
        self.sales: list[Sale] = []
        self.purchases: list[Purchase] = []
        self.tokens: list[Token] = []
        self._token_drafts: dict[int, TokenDraft] = {}
        self.meter = Meter()
        self.points = 0
        self._drafts: dict[int, Draft] = {}
        self._numbers = itertools.count(1)
        self._nonce = itertools.count(1)
        self._series = _Series()
        self._lock = threading.RLock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"home-{home.id}") if background else None
        self._pending: list[Future[None]] = []

    @property
    def address(self) -> str:
        return self.key.address

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    # --- meters --------------------------------------------------------------------------------------------
    def measure(self, start: int) -> tuple[int, int]:
        """PV 102 and power meter 103 over ``[start, start + 1800)``: (generated Wh, used Wh)."""
        day = start - start % DAY_S
        if self._series.day != day:
            per_day = DAY_S // INTERVAL_S
            self._series = _Series(day, pv_series(self.home, day, per_day, seed=self.seed),
                                   load_series(self.home, day, per_day, seed=self.seed))
        index = (start - day) // INTERVAL_S
        return self._series.pv[index], self._series.load[index]

    # --- selling -------------------------------------------------------------------------------------------
    def tick(self, start: int) -> Sale | None:
        """The half hour ``[start, start + 1800)`` has ended: export its surplus toward the battery (S101–S102)."""
        pv, load = self.measure(start)
        end = start + INTERVAL_S
        surplus = pv - load
        with self._lock:
            self.meter = Meter(start, pv, load)
        if surplus < self.threshold_wh:
            return None
        export = self.grid.export(self.address, start, end, surplus, minimum=self.threshold_wh)
        with self._lock:
            if export is None:
                self.meter.utility_wh = surplus
                return None
            self.meter.exported_wh, self.meter.utility_wh = export.sent_wh, surplus - export.sent_wh
            receipt = str(export.reception.get("receipt_tx", ""))
            sale = Sale(start, end, export.sent_wh, export.received_wh, receipt)
            if export.reception.get("status") == "refused":
                sale.state = "failed"
                sale.reason = f"the battery's receipt was refused: {export.reception.get('reason')}"
            self.sales.append(sale)
            return sale

    def ready_sales(self) -> list[tuple[Sale, Transaction]]:
        """Sales whose receipt is now on the ledger, signed (S103); the others wait (up to ``receipt_attempts``)."""
        ready = []
        with self._lock:
            waiting = [s for s in self.sales if s.state == "waiting"]
        for sale in waiting:
            if self._on_ledger(f"trade/receipt/{sale.receipt_tx}"):
                body = contract.sale_body(self.battery, sale.start, sale.end, sale.sent_wh)
                tx = self._sign(contract.TRADE_SALE, body, sale.end)
                sale.sale_tx = tx.tx_id
                ready.append((sale, tx))
                continue
            sale.attempts += 1
            if sale.attempts >= self.receipt_attempts:
                sale.state = "failed"
                sale.reason = (f"the battery's receipt {sale.receipt_tx[:12]}… was not on the ledger after "
                               f"{sale.attempts} checks")
        return ready

    def sale_outcome(self, sale: Sale, outcome: dict[str, Any]) -> None:
        """Keep the ledger's verdict on a sale (S107–S108 and S111)."""
        with self._lock:
            if outcome.get("code") == "ok":
                sale.state, sale.reason = "recorded", ""
                result = _dict(outcome.get("result"))
                sale.incentive = str(result.get("incentive", "paid"))
                if sale.incentive == "owed":
                    sale.points = _int_of(result, "owed")
                elif "points" in result:
                    sale.points = _int_of(result, "points")
                else:
                    sale.points = sale.sent_wh * contract.POINTS_PER_KWH // 1000
            else:
                sale.state = "failed"
                sale.reason = f"{outcome.get('code', outcome.get('error'))}: {outcome.get('message', '')}"

    def settle_sales(self) -> list[Sale]:
        """Sign and submit every sale whose receipt is recorded, one at a time; returns them."""
        done = []
        for sale, tx in self.ready_sales():
            self.sale_outcome(sale, self._submit(tx))
            done.append(sale)
        return done

    # --- buying --------------------------------------------------------------------------------------------
    def draft_request(self, start: int, wh: int, max_price: int, *, pay: str = "yen",
                      window_s: int = REQUEST_WINDOW_S, token: str | None = None) -> Draft:
        """Check a purchase request as entered (Fig. 4) and keep it for the user's confirmation; with ``token``
        (a held token's tx id) it draws on that token (mod 8) and pays nothing more."""
        if token is not None:
            held = self.token(token)
            if held.state != "held":
                raise BadInput(f"expected a held token, found token {held.number} {held.state}", code="token_unusable")
            if isinstance(wh, int) and not isinstance(wh, bool) and wh > held.wh:
                raise BadInput(f"expected at most the token's {held.wh} Wh, found {wh} Wh", code="over_token")
            pay, max_price = "token", held.price
        for name, value in (("start", start), ("wh", wh), ("max_price", max_price), ("window_s", window_s)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadInput(f"expected {name} as an integer, found {value!r:.40}")
        if start % INTERVAL_S:
            raise BadInput(f"expected a time on a half hour, found {start % INTERVAL_S} s past one", code="bad_time")
        if start + window_s <= self.clock():
            raise BadInput("expected a time that is not over yet, found one that ended before now", code="past_time")
        if not 0 < wh <= MAX_REQUEST_WH:
            raise BadInput(f"expected 0 < amount <= {MAX_REQUEST_WH} Wh, found {wh} Wh", code="bad_amount")
        if not 0 < max_price <= MAX_PRICE:
            raise BadInput(f"expected a unit price of 1–{MAX_PRICE} yen/kWh, found {max_price}", code="bad_price")
        if pay not in contract.PAYMENTS and not (pay == "token" and token is not None):
            raise BadInput(f"expected payment in {contract.PAYMENTS}, found {pay!r:.20}", code="bad_payment")
        if not 0 < window_s <= DAY_S or window_s % INTERVAL_S:
            raise BadInput(f"expected a window of whole half hours up to a day, found {window_s} s", code="bad_time")
        with self._lock:
            draft = Draft(next(self._numbers), start, start + window_s, wh, max_price, pay, token)
            self._drafts[draft.number] = draft
            return draft

    def draft(self, number: int) -> Draft:
        with self._lock:
            found = self._drafts.get(number)
        if found is None:
            raise UnknownRecord(f"expected a request waiting for confirmation, found none numbered {number}",
                                code="unknown_draft")
        return found

    def confirm(self, number: int, yes: bool) -> Purchase | None:
        """The user's answer to Fig. 4's question: yes signs and sends the request (S203–S204), no drops it."""
        draft = self.draft(number)
        with self._lock:
            self._drafts.pop(number, None)
        if not yes:
            return None
        body = contract.request_body(self.battery, draft.start, draft.end, draft.wh, draft.max_price,
                                     pay="yen" if draft.pay == "token" else draft.pay, token=draft.token)
        tx = self._sign(contract.TRADE_REQUEST, body, max(self.clock(), 0))
        purchase = Purchase(draft.number, draft.start, draft.end, draft.wh, draft.max_price, draft.pay, tx.tx_id,
                            token=draft.token or "")
        with self._lock:
            self.purchases.append(purchase)
            if draft.token is not None:
                held = self.token(draft.token)
                held.state, held.request = "in_use", tx.tx_id
        if self._pool is None:
            self._send_request(purchase, tx)
        else:
            self._pending.append(self._pool.submit(self._send_request, purchase, tx))
        return purchase

    def request(self, start: int, wh: int, max_price: int, *, pay: str = "yen",
                window_s: int = REQUEST_WINDOW_S) -> Purchase:
        """Enter and confirm in one step (an automatic request, or a test)."""
        purchase = self.confirm(self.draft_request(start, wh, max_price, pay=pay, window_s=window_s).number, True)
        assert purchase is not None
        return purchase

    # --- tokens (mod 8) ---------------------------------------------------------------------------------------
    def quote(self) -> int | None:
        """The contract's buy price now (yen/kWh) from the battery's state on the ledger; None if unknown."""
        try:
            battery = self._value(f"trade/battery/{self.battery}")
            server = self._value(f"registry/{battery['server']}") if isinstance(battery, dict) else None
        except TradingError:
            return None
        capacity = _int_of(_dict(server).get("attrs"), "capacity_wh")
        if not isinstance(battery, dict) or capacity <= 0:
            return None
        return contract.buy_price(self.clock(), _int_of(battery, "stored_wh"), capacity)

    def draft_token(self, wh: int, price: int) -> TokenDraft:
        """Check a token as entered (kWh, unit price) and keep it for the user's confirmation."""
        for name, value in (("wh", wh), ("price", price)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadInput(f"expected {name} as an integer, found {value!r:.40}")
        if not 0 < wh <= MAX_REQUEST_WH:
            raise BadInput(f"expected 0 < amount <= {MAX_REQUEST_WH} Wh, found {wh} Wh", code="bad_amount")
        if not 0 < price <= MAX_PRICE:
            raise BadInput(f"expected a unit price of 1–{MAX_PRICE} yen/kWh, found {price}", code="bad_price")
        with self._lock:
            draft = TokenDraft(next(self._numbers), wh, price)
            self._token_drafts[draft.number] = draft
            return draft

    def token_draft(self, number: int) -> TokenDraft:
        with self._lock:
            found = self._token_drafts.get(number)
        if found is None:
            raise UnknownRecord(f"expected a token waiting for confirmation, found none numbered {number}",
                                code="unknown_draft")
        return found

    def confirm_token(self, number: int, yes: bool) -> Token | None:
        """The user's answer: yes signs and sends the ``trade.token``, no drops it."""
        draft = self.token_draft(number)
        with self._lock:
            self._token_drafts.pop(number, None)
        if not yes:
            return None
        tx = self._sign(contract.TRADE_TOKEN, contract.token_body(self.battery, draft.wh, draft.price),
                        max(self.clock(), 0))
        token = Token(draft.number, draft.wh, draft.price, draft.yen, tx.tx_id)
        with self._lock:
            self.tokens.append(token)
        if self._pool is None:
            self._send_token(token, tx)
        else:
            self._pending.append(self._pool.submit(self._send_token, token, tx))
        return token

    def token(self, tx_id: str) -> Token:
        with self._lock:
            found = next((t for t in self.tokens if t.tx_id == tx_id), None)
        if found is None:
            raise UnknownRecord(f"expected one of this home's tokens, found none with id {tx_id[:64]!r}",
                                code="unknown_token")
        return found

    def _send_token(self, token: Token, tx: Transaction) -> None:
        with self._lock:
            token.state = "verifying"
        outcome = self._submit(tx)
        with self._lock:
            if outcome.get("code") == "ok":
                token.state = "held"
            else:
                token.state = "failed"
                token.reason = f"{outcome.get('code')}: {outcome.get('message', '')}"

    def wait_sent(self, timeout: float = 30.0) -> None:
        """Wait until every confirmed request has the ledger's first answer (recorded or failed)."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result(timeout)

    def _send_request(self, purchase: Purchase, tx: Transaction) -> None:
        with self._lock:
            purchase.state = "verifying"  # S205–S208: the validators check it and agree
        outcome = self._submit(tx)
        with self._lock:
            if outcome.get("code") == "ok":
                purchase.state = "recorded"
            else:
                purchase.state = "failed"
                purchase.reason = f"{outcome.get('code')}: {outcome.get('message', '')}"

    def refresh(self) -> None:
        """Read the ledger: each recorded request's reservation and delivery, and the points balance."""
        with self._lock:
            open_ = [p for p in self.purchases if p.state == "recorded"]
        now = self.clock()
        for purchase in open_:
            request = self._value(f"trade/request/{purchase.tx_id}")
            reservation = self._value(f"trade/reservation/{purchase.tx_id}")
            with self._lock:
                self._follow(purchase, request, reservation, now)
        with self._lock:
            waiting = [s for s in self.sales[-50:] if s.state == "recorded" and s.incentive != "paid"]
        for sale in waiting:  # mod 4: an incentive paid after the buyers paid, or with its period's lump sum
            incentive = _dict(_dict(self._value(f"trade/sale/{sale.sale_tx}")).get("incentive"))
            if incentive.get("status") == "paid":
                with self._lock:
                    sale.incentive, sale.points = "paid", _int_of(incentive, "points")
        balance = self._value(f"trade/points/{self.address}")
        with self._lock:
            self.points = _int_of(balance, "points", "balance")
            for token in self.tokens:
                if token.state != "in_use":
                    continue
                drawn = next((p for p in self.purchases if p.tx_id == token.request), None)
                if drawn is not None and drawn.state == "paid":
                    token.state = "used"
                elif drawn is not None and drawn.state == "failed":  # the contract freed the token again
                    token.state, token.request = "held", ""

    def note_waiting(self, request_id: str, reason: str) -> None:
        """A match left this request waiting (S212): ``price`` (the contract's price is above its maximum) or
        ``short`` (the battery holds too little); kept to explain a request that expires unserved."""
        with self._lock:
            for purchase in self.purchases:
                if purchase.tx_id == request_id:
                    purchase.waiting = reason

    @staticmethod
    def _follow(purchase: Purchase, request: Any, reservation: Any, now: int) -> None:
        status = request.get("status") if isinstance(request, dict) else None
        held = _dict(reservation)
        delivery = _dict(held.get("delivery"))
        purchase.reserved_wh = _int_of(held, "wh") or purchase.reserved_wh
        if status in PAID or held.get("status") in PAID or delivery:
            purchase.state = "paid"
            purchase.delivered_wh = _int_of(delivery, "wh") or purchase.reserved_wh
            paid = _dict(delivery.get("paid"))
            purchase.paid = _int_of(paid, "amount")
            purchase.pay = str(paid.get("pay", purchase.pay))
        elif status in ENDED or (status is None and not held and now >= purchase.end):
            ended = "expired" if status is None else str(status)
            purchase.state = "failed"
            purchase.reason = _failure(ended, purchase.waiting)
            purchase.why = ended if ended != "expired" or not purchase.waiting else f"expired_{purchase.waiting}"

    # --- the ledger ----------------------------------------------------------------------------------------
    def _submit(self, tx: Transaction) -> dict[str, Any]:
        try:
            return self.node.submit(tx, wait=True, timeout=self.commit_timeout)
        except ApiError as exc:
            return {"code": exc.code, "message": exc.message, "status": exc.status}
        except ClientError as exc:
            return {"code": "unreachable", "message": str(exc), "status": 503}

    def _value(self, key: str) -> Any:
        try:
            return self.node.value(key).get("value")
        except NotFound:
            return None
        except ClientError as exc:
            raise TradingError(f"cannot read {key} on the ledger: {exc}", code="ledger_unreachable",
                               status=503) from exc

    def _on_ledger(self, key: str) -> bool:
        try:
            return self._value(key) is not None
        except TradingError:
            return False

    def _sign(self, kind: str, body: dict[str, Any], time: int) -> Transaction:
        return contract.signed(self.key, self.chain_id, kind, body, nonce=next(self._nonce), time=time)

    # --- the screen's view ---------------------------------------------------------------------------------
    def view(self) -> dict[str, Any]:
        with self._lock:
            return {"home": self.home, "address": self.address, "meter": Meter(**vars(self.meter)),
                    "sales": [Sale(**vars(s)) for s in self.sales[-20:]][::-1],
                    "purchases": [Purchase(**vars(p)) for p in self.purchases[-20:]][::-1],
                    "tokens": [Token(**vars(t)) for t in self.tokens[-20:]][::-1],
                    "points": self.points, "now": self.clock(),
                    "sold_wh": sum(s.sent_wh for s in self.sales if s.state == "recorded")}
