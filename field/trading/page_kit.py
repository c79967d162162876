"""What every page of the home controller's screen shares: the document frame (language switch, no script, a
strict Content-Security-Policy), its style, the language choice and how amounts and times are written."""

from __future__ import annotations

import html
from datetime import datetime
from decimal import Decimal

from fastapi import Request
from fastapi.responses import HTMLResponse

from field.trading.controller_text import LANGS, t
from ledger_lite.certificate import JST_ZONE as JST

MAX_BODY = 4 << 10
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
STYLE = """
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,"Noto Sans CJK JP",sans-serif;background:#f4f7f2;
color:#17301c}header{background:#1f6b3a;color:#fff;padding:12px 16px;display:flex;justify-content:space-between;
align-items:center}header h1{font-size:1.15rem;margin:0}header a{color:#fff}main{max-width:640px;margin:0 auto;
padding:12px}section{background:#fff;border-radius:10px;padding:12px 14px;margin:0 0 12px;
box-shadow:0 1px 3px #0002}h2{font-size:1rem;margin:0 0 8px}.grid{display:grid;grid-template-columns:1fr 1fr;
gap:8px}.num{font-size:1.4rem;font-weight:600}.small{font-size:.85rem;color:#4d6153}ul{list-style:none;margin:0;
padding:0}li{border-top:1px solid #e3ebe4;padding:8px 0}li:first-child{border-top:0}.badge{display:inline-block;
border-radius:99px;padding:1px 10px;font-size:.85rem;font-weight:600;margin-left:6px}.sent{background:#e6eefc;
color:#1d3f8f}.verifying{background:#fff4d6;color:#7a5200}.recorded{background:#ddf3e2;color:#1d6b34}
.paid{background:#1f6b3a;color:#fff}.failed{background:#fde2e1;color:#9b1c1c}.waiting{background:#eee;color:#444}
.reason{color:#9b1c1c;font-size:.9rem}a.button,button{display:block;width:100%;text-align:center;padding:14px;
border-radius:10px;border:0;background:#1f6b3a;color:#fff;font-size:1.05rem;font-weight:600;text-decoration:none;
margin:8px 0}button.no{background:#fff;color:#1f6b3a;border:2px solid #1f6b3a}label{display:block;margin:10px 0 4px;
font-weight:600}input,select{width:100%;padding:10px;font-size:1rem;border:1px solid #9fb3a4;border-radius:8px}
.error{background:#fde2e1;color:#9b1c1c;padding:10px;border-radius:8px;overflow-wrap:anywhere}.mono{font-family:monospace;
word-break:break-all;font-size:.8rem}dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px}dt{color:#4d6153}
dd{margin:0;font-weight:600}.check{display:flex;gap:10px;align-items:flex-start;font-weight:400}.check input{width:auto;
margin-top:4px}.notice{background:#ddf3e2;color:#1d6b34;padding:10px;border-radius:8px;overflow-wrap:anywhere}
"""


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGS:
        return asked
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "ja"


def kwh(wh: int) -> str:
    return f"{Decimal(wh) / 1000:.1f} kWh" if wh < 100_000 else f"{wh // 1000} kWh"


def when(t_: int, lang: str) -> str:
    moment = datetime.fromtimestamp(t_, JST)
    return moment.strftime("%Y/%m/%d %H:%M" if lang == "ja" else "%d %b %Y %H:%M")


def page(lang: str, title: str, body: str, *, refresh: int | None = None, status: int = 200) -> HTMLResponse:
    """The whole page; with ``refresh``, the browser reloads it every that many seconds."""
    other = "en" if lang == "ja" else "ja"
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    text = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,">{meta}'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            f'<header><h1>{html.escape(title)}</h1><a href="?lang={other}" id="lang">{t("lang_other", lang)}</a>'
            f"</header><main>{body}</main></body></html>")
    response = HTMLResponse(text, status_code=status, headers={"Content-Security-Policy": CSP,
                                                               "Cache-Control": "no-store"})
    response.set_cookie("lang", lang, samesite="strict", httponly=True)
    return response
