"""The home controller's screen: a small server-rendered web page for a phone or tablet (no script, no CDN).

    GET  /                  status: the last half hour's PV and load, points, sales, purchase requests and their
                            states (sent → verifying → recorded → paid, or failed with the reason)
    GET  /buy               Fig. 4: date, time, kWh, unit price, payment
    POST /buy               checks the entry; shows it again with the question "send this request?" (yes / no)
    POST /buy/confirm       yes: signs and sends it (S203–S204) and goes back to the status; no: back to the form
    GET  /buy?token=<id>    the same form drawing on a held token (mod 8): amount up to the token's, paid already
    GET  /token             mod 8: buy a token (kWh, unit price; the contract's price now shown)
    POST /token             checks the entry; shows it again with the question "buy this token?" (yes / no)
    POST /token/confirm     yes: signs and sends the trade.token and goes back to the status; no: back to the form
    GET  /api/view          the same status as JSON
    /certificates...        with a ``CertificateDesk``: the home's certificates for energy bought from the battery
                            (``field.trading.certificates_page``, issue 14)

The language is ``?lang=ja|en`` (kept in a cookie), else the browser's first choice, else Japanese.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from field.trading import certificates_page
from field.trading.certificates import CertificateDesk
from field.trading.controller import HomeController, Token
from field.trading.controller_text import TEXT, t
from field.trading.errors import TradingError
from field.trading.page_kit import MAX_BODY
from field.trading.page_kit import kwh as _kwh
from field.trading.page_kit import lang_of as _lang
from field.trading.page_kit import page as _page
from field.trading.page_kit import when as _when
from ledger_lite.certificate import INTERVAL_S
from ledger_lite.certificate import JST_ZONE as JST
from ledger_lite.http_guard import HttpGuard

REFRESH_SECONDS = 5  # the status page follows the trading without a touch


def _badge(state: str, lang: str) -> str:
    return f'<span class="badge {state}" data-state="{state}">{t("state_" + state, lang)}</span>'


def _status(controller: HomeController, lang: str) -> str:
    view = controller.view()
    meter, home = view["meter"], view["home"]
    e = html.escape
    parts = [f'<section><h2>{e(home.name_ja if lang == "ja" else home.name_en)}</h2>'
             f'<div class="small">{t("now", lang)}: {_when(view["now"], lang)}</div>'
             f'<div class="small">{t("address", lang)}: <span class="mono">{e(view["address"])}</span></div></section>',
             f'<section><h2>{t("meter", lang)}'
             f'{" · " + _when(meter.start, lang) if meter.start else ""}</h2><div class="grid">'
             f'<div><div class="small">{t("pv", lang)}</div><div class="num" id="pv">{_kwh(meter.pv_wh)}</div></div>'
             f'<div><div class="small">{t("load", lang)}</div><div class="num" id="load">{_kwh(meter.load_wh)}</div>'
             f'</div><div><div class="small">{t("exported", lang)}</div><div class="num">{_kwh(meter.exported_wh)}'
             f'</div></div><div><div class="small">{t("utility", lang)}</div><div class="num">'
             f'{_kwh(meter.utility_wh)}</div></div></div></section>',
             f'<section><div class="grid"><div><div class="small">{t("points", lang)}</div>'
             f'<div class="num" id="points">{view["points"]:,} {t("points_unit", lang)}</div></div>'
             f'<div><div class="small">{t("sold", lang)}</div><div class="num">{_kwh(view["sold_wh"])}</div></div>'
             f'</div><a class="button" href="buy?lang={lang}" id="buy">{t("buy", lang)}</a></section>']
    rows = []
    for p in view["purchases"]:
        detail = ""
        if p.reserved_wh and p.state != "paid":
            detail = f' · {t("reserved", lang)} {_kwh(p.reserved_wh)}'
        if p.state == "paid":
            paid = t("token_pay", lang) if p.pay == "token" else \
                t("paid_points" if p.pay == "points" else "paid_yen", lang).format(n=f"{p.paid:,}")
            detail = f' · {t("delivered", lang)} {_kwh(p.delivered_wh)} · {paid}'
        why = t("why_" + p.why, lang) if "why_" + p.why in TEXT else p.reason
        reason = f'<div class="reason">{t("reason", lang)}: {e(why)}</div>' if p.state == "failed" else ""
        rows.append(f'<li class="purchase" data-state="{p.state}">{_when(p.start, lang)} · {_kwh(p.wh)} · '
                    f'{p.max_price} {"円/kWh" if lang == "ja" else "yen/kWh"}{_badge(p.state, lang)}'
                    f'<div class="small">{detail.lstrip(" ·")}</div>{reason}</li>')
    parts.append(f'<section><h2>{t("purchases", lang)}</h2><ul id="purchases">'
                 f'{"".join(rows) or "<li>" + t("none", lang) + "</li>"}</ul></section>')
    rows = []
    for s in view["sales"]:
        reason = f'<div class="reason">{t("reason", lang)}: {e(s.reason)}</div>' if s.state == "failed" else ""
        points = ""
        if s.state == "recorded":
            points = f' · +{s.points} {t("points_unit", lang)}' if s.incentive == "paid" else \
                f' · {t("incentive_" + s.incentive, lang).format(n=s.points)}'

        rows.append(f'<li class="sale" data-state="{s.state}">{_when(s.start, lang)} · {_kwh(s.sent_wh)}'
                    f'{_badge(s.state, lang)}<div class="small">{points.lstrip(" ·")}</div>{reason}</li>')
    parts.append(f'<section><h2>{t("sales", lang)}</h2><ul id="sales">'
                 f'{"".join(rows) or "<li>" + t("none", lang) + "</li>"}</ul></section>')
    parts.append(_tokens(view["tokens"], lang))
    return "".join(parts)


def _tokens(tokens: list[Any], lang: str) -> str:
    """Mod 8: the home's tokens, each with its state; a held one can be drawn on."""
    e = html.escape
    rows = []
    for k in tokens:
        use = (f'<a class="button" href="buy?lang={lang}&amp;token={k.tx_id}" data-token="{k.tx_id}">'
               f'{t("token_use", lang)}</a>') if k.state == "held" else ""
        reason = f'<div class="reason">{t("reason", lang)}: {e(k.reason)}</div>' if k.state == "failed" else ""
        rows.append(f'<li class="token" data-state="{k.state}">{_kwh(k.wh)} · {k.price} '
                    f'{"円/kWh" if lang == "ja" else "yen/kWh"}<span class="badge {_TOKEN_BADGE[k.state]}" '
                    f'data-state="{k.state}">{t("token_state_" + k.state, lang)}</span><div class="small">'
                    f'{t("token_cost", lang)} {t("yen_amount", lang).format(n=f"{k.yen:,}")}</div>{reason}{use}</li>')
    return (f'<section><h2>{t("tokens", lang)}</h2><div class="small">{t("tokens_note", lang)}</div>'
            f'<ul id="tokens">{"".join(rows) or "<li>" + t("none", lang) + "</li>"}</ul>'
            f'<a class="button" href="token?lang={lang}" id="token">{t("token_buy", lang)}</a></section>')


_TOKEN_BADGE = {"sent": "sent", "verifying": "verifying", "held": "recorded", "in_use": "waiting", "used": "paid",
                "failed": "failed"}


def _form(controller: HomeController, lang: str, values: dict[str, str], error: str = "") -> str:
    token = _held_token(controller, values.get("token", ""))
    now = controller.clock()
    start = now - now % INTERVAL_S + INTERVAL_S
    moment = datetime.fromtimestamp(start, JST)
    date = values.get("date", moment.strftime("%Y-%m-%d"))
    time_ = values.get("time", moment.strftime("%H:%M"))
    e = html.escape
    pay = values.get("pay", "yen")
    problem = f'<div class="error" role="alert" id="error">{t("error", lang)}: {e(error)}</div>' if error else ""
    if token is None:
        price = (f'<label for="price">{t("price", lang)}</label><input id="price" name="price" inputmode="numeric" '
                 f'value="{e(values.get("price", "25"))}" required>'
                 f'<label for="pay">{t("pay", lang)}</label><select id="pay" name="pay">'
                 f'<option value="yen"{" selected" if pay == "yen" else ""}>{t("pay_yen", lang)}</option>'
                 f'<option value="points"{" selected" if pay == "points" else ""}>{t("pay_points", lang)}</option>'
                 f'</select>')
        amount = values.get("kwh", "2.0")
    else:  # mod 8: the token fixes the price and is paid already
        price = (f'<input type="hidden" name="token" value="{e(token.tx_id)}"><label>{t("pay", lang)}</label>'
                 f'<div id="pay-token">{t("token_pay", lang)} · {token.price} '
                 f'{"円/kWh" if lang == "ja" else "yen/kWh"} · {_kwh(token.wh)}</div>')
        amount = values.get("kwh", f"{Decimal(token.wh) / 1000}")
    return (f'<section><h2>{t("form_title", lang)}</h2>{problem}<form method="post" action="buy?lang={lang}">'
            f'<label for="date">{t("date", lang)}</label><input id="date" name="date" type="date" '
            f'value="{e(date)}" required>'
            f'<label for="time">{t("time", lang)}</label><input id="time" name="time" type="time" step="1800" '
            f'value="{e(time_)}" required>'
            f'<label for="kwh">{t("amount", lang)}</label><input id="kwh" name="kwh" inputmode="decimal" '
            f'value="{e(amount)}" required>{price}'
            f'<button type="submit" id="next">{t("next", lang)}</button></form>'
            f'<a href="./?lang={lang}">{t("back", lang)}</a></section>')


def _held_token(controller: HomeController, tx_id: str) -> Token | None:
    if not tx_id:
        return None
    try:
        return controller.token(tx_id)
    except TradingError:
        return None


def _token_form(controller: HomeController, lang: str, values: dict[str, str], error: str = "") -> str:
    e = html.escape
    quote = controller.quote()
    known = (f'{t("token_quote", lang)}: <span id="quote">{quote}</span> {"円/kWh" if lang == "ja" else "yen/kWh"}'
             if quote is not None else t("token_quote_unknown", lang))
    problem = f'<div class="error" role="alert" id="error">{t("error", lang)}: {e(error)}</div>' if error else ""
    return (f'<section><h2>{t("token_form_title", lang)}</h2><div class="small">{t("tokens_note", lang)}</div>'
            f'{problem}<p>{known}</p><form method="post" action="token?lang={lang}">'
            f'<label for="token-kwh">{t("token_amount", lang)}</label><input id="token-kwh" name="kwh" '
            f'inputmode="decimal" value="{e(values.get("kwh", "2.0"))}" required>'
            f'<label for="token-price">{t("token_price", lang)}</label><input id="token-price" name="price" '
            f'inputmode="numeric" value="{e(values.get("price", str(quote or 25)))}" required>'
            f'<button type="submit" id="token-next">{t("next", lang)}</button></form>'
            f'<a href="./?lang={lang}">{t("back", lang)}</a></section>')


def _amount_price(values: dict[str, str], lang: str) -> tuple[int, int]:
    try:
        wh = Decimal(values.get("kwh", "").strip()) * 1000
        price = int(values.get("price", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise TradingError(t("bad_number", lang), code="bad_amount") from exc
    if not wh.is_finite() or wh != wh.to_integral_value():
        raise TradingError(t("bad_number", lang), code="bad_amount")
    return int(wh), price


def _parse(controller: HomeController, values: dict[str, str], lang: str) -> tuple[int, int, int, str]:
    try:
        moment = datetime.strptime(f"{values.get('date', '')} {values.get('time', '')}", "%Y-%m-%d %H:%M")
    except ValueError as exc:
        raise TradingError(t("bad_datetime", lang), code="bad_time") from exc
    start = int(moment.replace(tzinfo=JST).timestamp())
    if values.get("token"):  # the token fixes the price
        values = {**values, "price": "0"}
    wh, price = _amount_price(values, lang)
    return start, wh, price, values.get("pay", "yen")


async def _fields(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, max_num_fields=20).items()}


def create_app(controller: HomeController, certificates: CertificateDesk | None = None, *,
               refresh: int | None = REFRESH_SECONDS) -> FastAPI:
    """The page; with ``certificates``, also its certificates part (``field.trading.certificates_page``). The status
    page reloads itself every ``refresh`` seconds (``None``: never)."""
    app = FastAPI(title="GreenCert home controller", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(HttpGuard, max_body=MAX_BODY)

    @app.get("/")
    def status(request: Request) -> Response:
        lang = _lang(request)
        extra = certificates_page.link(lang) if certificates is not None else ""
        return _page(lang, t("title", lang), _status(controller, lang) + extra, refresh=refresh)

    @app.get("/buy")
    def form(request: Request) -> Response:
        lang = _lang(request)
        token = request.query_params.get("token", "")[:64]
        return _page(lang, t("buy", lang), _form(controller, lang, {"token": token} if token else {}))

    @app.post("/buy")
    async def review(request: Request) -> Response:
        lang = _lang(request)
        values = await _fields(request)
        try:
            start, wh, price, pay = _parse(controller, values, lang)
            draft = controller.draft_request(start, wh, price, pay=pay, token=values.get("token") or None)
        except TradingError as exc:
            return _page(lang, t("buy", lang), _form(controller, lang, values, exc.message), status=422)
        pay_text = t("token_pay", lang) if draft.token else t("pay_" + draft.pay, lang)
        body = (f'<section><h2 id="question">{t("confirm_title", lang)}</h2><dl>'
                f'<dt>{t("date", lang)}</dt><dd id="c-date">{_when(draft.start, lang)}</dd>'
                f'<dt>{t("window", lang)}</dt><dd>{_when(draft.start, lang)} – {_when(draft.end, lang)[-5:]}</dd>'
                f'<dt>{t("amount", lang)}</dt><dd id="c-amount">{_kwh(draft.wh)}</dd>'
                f'<dt>{t("price", lang)}</dt><dd id="c-price">{draft.max_price}</dd>'
                f'<dt>{t("pay", lang)}</dt><dd>{pay_text}</dd></dl>'
                f'<form method="post" action="buy/confirm?lang={lang}"><input type="hidden" name="draft" '
                f'value="{draft.number}"><button name="answer" value="yes" id="yes">{t("yes", lang)}</button>'
                f'<button name="answer" value="no" class="no" id="no">{t("no", lang)}</button></form></section>')
        return _page(lang, t("buy", lang), body)

    @app.post("/buy/confirm")
    async def confirm(request: Request) -> Response:
        lang = _lang(request)
        values = await _fields(request)
        return _answered(values, lang, controller.confirm, back="../buy")

    @app.get("/token")
    def token_form(request: Request) -> Response:
        lang = _lang(request)
        return _page(lang, t("token_buy", lang), _token_form(controller, lang, {}))

    @app.post("/token")
    async def token_review(request: Request) -> Response:
        lang = _lang(request)
        values = await _fields(request)
        try:
            draft = controller.draft_token(*_amount_price(values, lang))
        except TradingError as exc:
            return _page(lang, t("token_buy", lang), _token_form(controller, lang, values, exc.message), status=422)
        unit = "円/kWh" if lang == "ja" else "yen/kWh"
        body = (f'<section><h2 id="token-question">{t("token_confirm_title", lang)}</h2><dl>'
                f'<dt>{t("token_amount", lang)}</dt><dd id="t-amount">{_kwh(draft.wh)}</dd>'
                f'<dt>{t("price", lang)}</dt><dd id="t-price">{draft.price} {unit}</dd>'
                f'<dt>{t("token_cost", lang)}</dt><dd id="t-cost">'
                f'{t("yen_amount", lang).format(n=f"{draft.yen:,}")}</dd></dl>'
                f'<form method="post" action="token/confirm?lang={lang}"><input type="hidden" name="draft" '
                f'value="{draft.number}"><button name="answer" value="yes" id="token-yes">{t("yes", lang)}</button>'
                f'<button name="answer" value="no" class="no" id="token-no">{t("no", lang)}</button></form>'
                f'</section>')
        return _page(lang, t("token_buy", lang), body)

    @app.post("/token/confirm")
    async def token_confirm(request: Request) -> Response:
        lang = _lang(request)
        values = await _fields(request)
        return _answered(values, lang, controller.confirm_token, back="../token")

    @app.get("/api/view")
    def api_view() -> dict[str, Any]:
        view = controller.view()
        return {"address": view["address"], "home": view["home"].id, "now": view["now"], "points": view["points"],
                "meter": vars(view["meter"]), "sales": [vars(s) for s in view["sales"]],
                "purchases": [vars(p) for p in view["purchases"]], "tokens": [vars(k) for k in view["tokens"]]}

    if certificates is not None:
        certificates_page.add_routes(app, certificates)
    return app


def _answered(values: dict[str, str], lang: str, confirm: Callable[[int, bool], object], *, back: str) -> Response:
    """Fig. 4's yes/no on a draft (a purchase request or a token): the draft's number checked, the answer given to
    ``confirm``; yes goes to the status page, no back to the form; a refusal is a ``{error, message}``."""
    number = values.get("draft", "")
    if not number.isdigit() or len(number) > 9:
        return JSONResponse({"error": "bad_request", "message": f"expected a draft number, found {number!r:.20}"},
                            status_code=400)
    yes = values.get("answer") == "yes"
    try:
        confirm(int(number), yes)
    except TradingError as exc:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)
    return RedirectResponse(f"{'../' if yes else back}?lang={lang}", status_code=303)
