"""The public ``/verify`` page as HTML (issue #13, "On a phone"): server-rendered, mobile first, Japanese and
English, no script and nothing loaded from elsewhere (one inline style sheet, allowed by its hash).

Everything shown that came from outside (a step's detail quotes the payload, a claim, a file name, a node's
answer) is HTML-escaped here, in one place: ``esc``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from html import escape
from typing import Literal
from urllib.parse import urlencode

from ledger_lite.audit import GENUINE, NOT_GENUINE, Report

Language = Literal["ja", "en"]
LANGUAGES: tuple[Language, ...] = ("ja", "en")

CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP","IPAexGothic",
sans-serif;color:#1b1b1b;background:#f4f6f4}
header{background:#14532d;color:#fff;padding:12px 16px;display:flex;justify-content:space-between;
align-items:center;gap:8px}
header h1{font-size:1.15rem;margin:0}
header a{color:#fff;font-size:.95rem;padding:10px 4px;min-height:44px;display:inline-flex;align-items:center;
white-space:nowrap;flex-shrink:0}
main{max-width:40rem;margin:0 auto;padding:16px}
section{background:#fff;border-radius:10px;padding:16px;margin:0 0 16px;box-shadow:0 1px 2px rgba(0,0,0,.12)}
h2{font-size:1.1rem;margin:0 0 8px}
p{margin:0 0 12px}
label{display:block;font-weight:600;margin:12px 0 6px}
textarea{width:100%;min-height:6.5em;font:15px/1.4 ui-monospace,monospace;padding:10px;border:1px solid #767676;
border-radius:6px;word-break:break-all}
input[type=file]{width:100%;font-size:1rem;padding:8px 0}
input[type=file]::file-selector-button{min-height:48px;padding:0 16px;margin-right:12px;font-size:1rem;
border:1px solid #14532d;border-radius:6px;background:#fff;color:#14532d}
button{display:block;width:100%;min-height:56px;margin-top:16px;font-size:1.1rem;font-weight:700;color:#fff;
background:#14532d;border:0;border-radius:8px}
button:focus-visible,a:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #f59e0b;
outline-offset:2px}
.hint{color:#4b4b4b;font-size:.92rem}
.or{text-align:center;color:#4b4b4b;margin:12px 0 0}
.verdict{border-radius:10px;padding:16px;margin:0 0 16px;border:3px solid}
.verdict .head{display:flex;align-items:center;gap:12px}
.verdict .mark{font-size:2.6rem;line-height:1;font-weight:800}
.verdict .word{font-size:1.6rem;font-weight:800;margin:0}
.verdict p{margin:6px 0 0}
.v-genuine{background:#e7f5ea;border-color:#15803d;color:#0f4d24}
.v-not{background:#fdeaea;border-color:#b91c1c;color:#7f1010}
.v-unknown{background:#fff5d9;border-color:#b45309;color:#6b3a02}
ol.steps{list-style:none;margin:0;padding:0}
ol.steps li{padding:10px 0;border-top:1px solid #e3e3e3;display:grid;grid-template-columns:5.5em 1fr;gap:2px 10px}
ol.steps li:first-child{border-top:0}
.badge{grid-row:span 2;align-self:start;text-align:center;font-weight:800;border-radius:6px;padding:4px 2px;
font-size:.9rem}
.ok .badge{background:#15803d;color:#fff}
.fail .badge{background:#b91c1c;color:#fff}
.unknown .badge{background:#b45309;color:#fff}
.step-name{font-weight:700}
.detail{overflow-wrap:anywhere;font-size:.93rem;color:#333}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 12px;margin:0}
dl.facts dt{font-weight:700}
dl.facts dd{margin:0;overflow-wrap:anywhere}
ul.notes{margin:0;padding-left:1.2em}
ul.notes li{margin:0 0 8px;overflow-wrap:anywhere}
.error{background:#fdeaea;border-left:6px solid #b91c1c;padding:12px;border-radius:6px;margin:0 0 16px}
.again{display:block;text-align:center;min-height:48px;line-height:48px;font-weight:700;color:#14532d}
""".strip()
CSS_HASH = "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
# No script at all; the one style sheet by its hash; the form posts only here; nothing may frame the page.
CSP = (f"default-src 'none'; style-src '{CSS_HASH}'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")

TEXT: dict[Language, dict[str, str]] = {
    "en": {
        "title": "Verify a GreenCert certificate",
        "switch": "日本語",
        "intro": "Check that a green-electricity certificate is genuine: paste the text of its QR code, or take a "
                 "photo of the QR code, or choose the certificate PDF. No log-in is needed; nothing is stored.",
        "paste": "QR code text (starts with GC1:)",
        "file": "Photo of the QR code or the certificate PDF",
        "file_hint": "On a phone, this offers the camera. PNG, JPEG or PDF, at most {mb} MB.",
        "or": "or",
        "submit": "Check the certificate",
        "result": "Result",
        "genuine": "Genuine",
        "not genuine": "Not genuine",
        "could not check": "Could not check",
        "genuine_lead": "Every check passed. Read the facts below against the paper.",
        "not_lead": "A check failed (marked FAIL below). Do not accept this certificate.",
        "unknown_lead": "Nothing failed, but not everything could be checked (marked ? below).",
        "source_node": "Checked against the ledger.",
        "source_bundle": "Checked offline, from the proofs the certificate PDF carries.",
        "source_none": "Only the issuer's signature was checked; the ledger was not asked.",
        "steps": "Checks",
        "facts_ok": "Verified facts (read them against the paper)",
        "facts_unverified": "What the certificate claims (NOT verified)",
        "notes": "Notes",
        "again": "Check another certificate",
        "pasted": "text pasted or carried by the link",
        "pasted_foreign": "text pasted or carried by the link (it does not start with GC1:)",
        "PASS": "PASS", "FAIL": "FAIL", "?": "?",
        "empty": "Paste the QR code text or choose a photo or PDF first.",
        "bad_form": "The form could not be read: {why}",
        "too_large": "The file is too large: at most {mb} MB is accepted. Take a closer photo of the QR code, or "
                     "choose a smaller image.",
        "too_large_title": "File too large",
        "read": "QR code", "trust": "Trust list", "payload": "Format", "signature": "Issuer signature",
        "printed": "Printed text", "inclusion": "In a final block", "record": "Ledger record",
        "revocation": "Not revoked", "ledger": "Ledger", "lifecycle": "Transfers and retirements",
        "amount": "Amount", "period": "Period", "method": "Method", "owner": "Owner", "institution": "Institution",
        "time_matched": "Time-matched",
        "reference": "Reference",
    },
    "ja": {
        "title": "GreenCert 証明書の確認",
        "switch": "English",
        "intro": "グリーン電力証明書が本物かどうかを確認します。QRコードの文字列を貼り付けるか、QRコードを撮影するか、"
                 "証明書のPDFを選んでください。ログインは不要で、何も保存しません。",
        "paste": "QRコードの文字列（GC1: で始まる）",
        "file": "QRコードの写真または証明書のPDF",
        "file_hint": "スマートフォンではカメラを使えます。PNG、JPEG、PDF（{mb} MBまで）。",
        "or": "または",
        "submit": "証明書を確認する",
        "result": "確認結果",
        "genuine": "本物です",
        "not genuine": "本物ではありません",
        "could not check": "確認できませんでした",
        "genuine_lead": "すべての確認に合格しました。下の内容を証明書の記載と照らし合わせてください。",
        "not_lead": "不合格の確認があります（下の「不合格」）。この証明書を受け付けないでください。",
        "unknown_lead": "不合格はありませんが、確認できなかった項目があります（下の「？」）。",
        "source_node": "台帳に照会して確認しました。",
        "source_bundle": "証明書PDFに含まれる証明データでオフライン確認しました。",
        "source_none": "発行者の署名のみ確認しました。台帳には照会していません。",
        "steps": "確認項目",
        "facts_ok": "確認済みの内容（証明書の記載と照らし合わせてください）",
        "facts_unverified": "証明書に書かれている内容（未確認）",
        "notes": "補足",
        "again": "別の証明書を確認する",
        "pasted": "貼り付けられた文字列、またはリンクに含まれる文字列",
        "pasted_foreign": "貼り付けられた文字列、またはリンクに含まれる文字列（GC1: で始まっていません）",
        "PASS": "合格", "FAIL": "不合格", "?": "？",
        "empty": "先にQRコードの文字列を貼り付けるか、写真またはPDFを選んでください。",
        "bad_form": "フォームを読み取れませんでした: {why}",
        "too_large": "ファイルが大きすぎます（{mb} MBまで）。QRコードを大きく撮影するか、小さい画像を選んでください。",
        "too_large_title": "ファイルが大きすぎます",
        "read": "QRコード", "trust": "信頼リスト", "payload": "形式", "signature": "発行者の署名",
        "printed": "印字内容", "inclusion": "確定ブロックへの記録", "record": "台帳の記録",
        "revocation": "失効していない", "ledger": "台帳", "lifecycle": "移転・償却",
        "amount": "電力量", "period": "期間", "method": "発電方法", "owner": "所有者", "institution": "発行機関",
        "time_matched": "時間一致",
        "reference": "照合番号",
    },
}


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def language_of(query: str | None, accept_language: str | None) -> Language:
    """``?lang=ja|en`` first, else the preferred of ja and en in ``Accept-Language`` (by q), else English."""
    if query in LANGUAGES:
        return query
    best: tuple[float, int, Language] | None = None
    for index, item in enumerate((accept_language or "")[:500].split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and (best is None or (q, -index) > (best[0], best[1])):
            best = (q, -index, primary)
    return best[2] if best else "en"


def _document(lang: Language, body: str, *, switch_query: Mapping[str, str] | None = None) -> str:
    t = TEXT[lang]
    other: Language = "en" if lang == "ja" else "ja"
    switch = "/verify?" + urlencode({**(switch_query or {}), "lang": other})
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">'
            f'<title>{esc(t["title"])}</title>'
            f"<style>{CSS}</style></head><body>"
            f'<header><h1>{esc(t["title"])}</h1><a href="{esc(switch)}" hreflang="{other}" lang="{other}">'
            f'{esc(t["switch"])}</a></header><main>{body}</main></body></html>')


def _form(lang: Language, *, payload: str = "", max_mb: int, error: str | None = None) -> str:
    t = TEXT[lang]
    problem = f'<div class="error" role="alert">{esc(error)}</div>' if error else ""
    return (f'<section id="check">{problem}<p>{esc(t["intro"])}</p>'
            f'<form method="post" action="/verify?lang={lang}" enctype="multipart/form-data">'
            f'<input type="hidden" name="lang" value="{lang}">'
            f'<label for="payload">{esc(t["paste"])}</label>'
            f'<textarea id="payload" name="payload" rows="4" autocomplete="off" autocapitalize="characters" '
            f'spellcheck="false" placeholder="GC1:...">{esc(payload)}</textarea>'
            f'<p class="or">{esc(t["or"])}</p>'
            f'<label for="file">{esc(t["file"])}</label>'
            f'<input id="file" name="file" type="file" accept="image/*,application/pdf" capture="environment">'
            f'<p class="hint">{esc(t["file_hint"].format(mb=max_mb))}</p>'
            f'<button type="submit">{esc(t["submit"])}</button></form></section>')


def form_page(lang: Language, *, max_mb: int, payload: str = "", error: str | None = None) -> str:
    return _document(lang, _form(lang, payload=payload, max_mb=max_mb, error=error))


VERDICT_CLASS = {GENUINE: ("v-genuine", "✓", "genuine_lead"), NOT_GENUINE: ("v-not", "✗", "not_lead")}
STEP_CLASS: dict[bool | None, tuple[str, str]] = {True: ("ok", "PASS"), False: ("fail", "FAIL"), None: ("unknown", "?")}


def _result(lang: Language, report: Report) -> str:
    t = TEXT[lang]
    css, mark, lead = VERDICT_CLASS.get(report.exit_code, ("v-unknown", "?", "unknown_lead"))
    source = t[f"source_{report.source}"] if report.steps and report.claims is not None else ""
    verdict = (f'<div class="verdict {css}" role="status" data-verdict="{esc(report.verdict)}">'
               f'<div class="head"><span class="mark" aria-hidden="true">{mark}</span>'
               f'<p class="word">{esc(t[report.verdict])}</p></div><p>{esc(t[lead])}</p>'
               + (f"<p>{esc(source)}</p>" if source else "") + "</div>")
    steps = "".join(
        f'<li class="{STEP_CLASS[s.ok][0]}" data-step="{esc(s.name)}">'
        f'<span class="badge">{esc(t[STEP_CLASS[s.ok][1]])}</span>'
        f'<span class="step-name">{esc(t.get(s.name, s.name))}</span>'
        f'<span class="detail">{esc(s.detail)}</span></li>' for s in report.steps)
    parts = [verdict, f'<section><h2>{esc(t["steps"])}</h2><ol class="steps">{steps}</ol></section>']
    if report.facts:
        title = t["facts_ok"] if report.exit_code == GENUINE else t["facts_unverified"]
        facts = "".join(f"<dt>{esc(t.get(name, name))}</dt><dd>{esc(value)}</dd>"
                        for name, value in report.facts.items())
        parts.append(f'<section><h2>{esc(title)}</h2><dl class="facts">{facts}</dl></section>')
    if report.notes:
        notes = "".join(f"<li>{esc(n)}</li>" for n in report.notes)
        parts.append(f'<section><h2>{esc(t["notes"])}</h2><ul class="notes">{notes}</ul></section>')
    return "".join(parts)


def result_page(lang: Language, report: Report, *, switch_query: Mapping[str, str] | None = None) -> str:
    t = TEXT[lang]
    body = (f'<h2 class="result-title">{esc(t["result"])}</h2>{_result(lang, report)}'
            f'<a class="again" href="/verify?lang={lang}">{esc(t["again"])}</a>')
    return _document(lang, body, switch_query=switch_query)


def too_large_page(lang: Language, *, max_mb: int) -> str:
    t = TEXT[lang]
    body = (f'<section><div class="error" role="alert"><strong>{esc(t["too_large_title"])}</strong><br>'
            f'{esc(t["too_large"].format(mb=max_mb))}</div></section>{_form(lang, max_mb=max_mb)}')
    return _document(lang, body)
