"""Pages of the phone portal: Jinja2 templates (autoescaped) in the layout, with the catalogue's words, and the
headers every portal page carries.

No script at all; one inline style sheet (``templates/portal.css``) allowed by its hash; forms post only here;
nothing may frame a page; no page is stored by a cache (they show personal data) or sends a referrer.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from intermediary.portal.catalogue import Catalogue, Language, language_of, merged
from intermediary.portal.sessions import Account

TEMPLATES = Path(__file__).parent / "templates"
CSS = (TEMPLATES / "portal.css").read_text(encoding="utf-8").strip()
CSS_HASH = "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
CSP = (f"default-src 'none'; style-src '{CSS_HASH}'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store", "X-Frame-Options": "DENY",
           "Referrer-Policy": "no-referrer", "Vary": "Accept-Language, Cookie"}
LANG_COOKIE = "gc_portal_lang"
PATH = "/portal"

ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def page_language(request: Request) -> Language:
    """``?lang=ja|en`` first, then the language cookie (set by the switch link), then Accept-Language."""
    query = request.query_params.get("lang")
    cookie = request.cookies.get(LANG_COOKIE)
    return language_of(query if query in ("ja", "en") else cookie, request.headers.get("accept-language"))


def switch_link(request: Request, lang: Language) -> str:
    """This page in the other language (its other query parameters kept)."""
    other = "en" if lang == "ja" else "ja"
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    return f"{request.url.path}?{urlencode({**query, 'lang': other})}"


def secure_cookies(request: Request) -> bool:
    """Cookies are Secure when this intermediary's public address is https (or the request came over https)."""
    public_url: str = request.app.state.service.settings.public_url
    return public_url.startswith("https://") or request.url.scheme == "https"


def csrf_field(account: Account | None) -> Markup:
    """The hidden field every form of a logged-in page carries (``{{ csrf_field }}``)."""
    token = account.csrf_token if account else ""
    return Markup('<input type="hidden" name="csrf" value="{}">').format(token)


def render(request: Request, template: str, *, account: Account | None = None, texts: Catalogue | None = None,
           status: int = 200, title: str = "", nav: str = "", **values: Any) -> HTMLResponse:
    """``template`` (a path under templates/, extending ``layout.html``) as a page in the request's language.

    The template sees ``t`` (BASE and ``texts``), ``lang``, ``account``, ``csrf_field``, ``title``, ``nav`` (the
    current tab's name) and ``values``."""
    lang = page_language(request)
    words = merged(lang, texts) if texts else merged(lang)
    html = ENV.get_template(template).render(
        t=words, lang=lang, css=Markup(CSS), account=account, csrf_field=csrf_field(account), title=title,
        nav=nav, switch=switch_link(request, lang), other_lang="en" if lang == "ja" else "ja", **values)
    response = HTMLResponse(html, status_code=status, headers=HEADERS)
    remember_language(request, response)
    return response


def remember_language(request: Request, response: HTMLResponse | RedirectResponse) -> None:
    """A ``?lang=`` the switch link sent is kept in a cookie, so the next pages keep the language."""
    query = request.query_params.get("lang")
    if query in ("ja", "en") and request.cookies.get(LANG_COOKIE) != query:
        response.set_cookie(LANG_COOKIE, query, max_age=365 * 24 * 3600, path=PATH, httponly=True,
                            samesite="strict", secure=secure_cookies(request))


def redirect(request: Request, to: str, headers: Mapping[str, str] | None = None) -> RedirectResponse:
    """303 See Other to ``to`` (after a POST, or to the log-in page), with the portal's headers."""
    response = RedirectResponse(to, status_code=303, headers={**HEADERS, **(headers or {})})
    remember_language(request, response)
    return response


def kwh(wh: int) -> str:
    """Wh as kWh with up to three decimals and no trailing zeros: 1500 → "1.5", 20000 → "20"."""
    whole, rest = divmod(wh, 1000)
    return f"{whole}.{rest:03d}".rstrip("0").rstrip(".") if rest else str(whole)


def grouped(number: int) -> str:
    """12,345"""
    return f"{number:,}"


@pass_context
def local(context: Context, english: str, japanese: str | None) -> str:
    """A stored name in the page's language: ``japanese`` on a Japanese page when there is one (names were first
    stored in English only, and an entry or row may still have no Japanese), else ``english``."""
    return japanese if context.get("lang") == "ja" and japanese else english


ENV.globals.update(kwh=kwh, grouped=grouped, local=local)
