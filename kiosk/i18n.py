"""Every text the kiosk shows, in Japanese and English, plus locale-aware formatting.

Widget code never holds a literal string: it asks ``tr(lang, message_id, **params)``. The table is plain
Python so that it can be checked by a test (both languages present, same ``{placeholders}``) and later be
generated into Qt ``.ts`` files without touching the screens.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

Language = Literal["ja", "en"]
LANGUAGES: tuple[Language, ...] = ("ja", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # Header bar (every screen)
    "app.title": {"ja": "グリーン電力証明書 発行", "en": "Green Electricity Certificates"},
    "lang.toggle": {"ja": "English", "en": "日本語"},
    "header.user": {"ja": "{name} 様", "en": "Signed in: {name}"},
    # Common buttons
    "button.ok": {"ja": "OK", "en": "OK"},
    "button.cancel": {"ja": "キャンセル", "en": "CANCEL"},
    "button.back": {"ja": "戻る", "en": "Back"},
    "button.logout": {"ja": "ログアウト", "en": "Log out"},
    "button.next": {"ja": "次へ", "en": "Next"},
    "button.retry": {"ja": "もう一度試す", "en": "Try again"},
    "button.to_login": {"ja": "ログイン画面へ", "en": "Back to sign-in"},
    # S501/S502: applicant information input screen (Fig. 33A)
    "login.title": {"ja": "ログイン", "en": "Sign in"},
    "login.prompt": {"ja": "申請者IDとパスワードを入力して、OKを押してください。",
                     "en": "Enter your applicant ID and password, then touch OK."},
    "login.applicant_id": {"ja": "申請者ID", "en": "Applicant ID"},
    "login.password": {"ja": "パスワード", "en": "Password"},
    "login.missing": {"ja": "申請者IDとパスワードの両方を入力してください。",
                      "en": "Please enter both your applicant ID and your password."},
    "login.idle_logout": {"ja": "しばらく操作がなかったため、ログアウトしました。",
                          "en": "You were signed out because the kiosk was not used for a while."},
    # S510: certificate issuance screen (Fig. 33B)
    "list.title": {"ja": "証明書を発行する取引を選んでください", "en": "Choose the transactions to certify"},
    "list.col.period": {"ja": "期間", "en": "Period"},
    "list.col.method": {"ja": "発電方法", "en": "Production method"},
    "list.col.amount": {"ja": "電力量 (kWh)", "en": "Amount (kWh)"},
    "list.col.status": {"ja": "状態", "en": "Status"},
    "list.status.available": {"ja": "未発行", "en": "Not issued"},
    "list.status.issued": {"ja": "発行済み {cid}", "en": "Issued {cid}"},
    "list.hint": {"ja": "行をタッチして選びます。灰色の行は発行済みです。",
                  "en": "Touch rows to select them. Grey rows are already certified."},
    "list.summary": {"ja": "{count} 件を選択（合計 {kwh} kWh）",
                     "en": "{count} selected ({kwh} kWh in total)"},
    "list.summary_method": {"ja": "{count} 件を選択（{method}、合計 {kwh} kWh）",
                            "en": "{count} selected ({method}, {kwh} kWh in total)"},
    "list.empty": {"ja": "証明書を発行できる取引はありません。",
                   "en": "There are no transactions to certify."},
    "list.select_all": {"ja": "すべて選択", "en": "Select all"},
    "list.select_all_method": {"ja": "{method}をすべて選択", "en": "Select all {method}"},
    "list.hint_method": {"ja": "追加できるのは{method}の行だけです（証明書1枚に発電方法は1つ）。",
                         "en": "Only {method} rows can be added: one certificate covers one production method."},
    "list.other_method": {"ja": "証明書1枚に発電方法は1つだけです。{method}を選ぶには「選択を解除」を押してください。",
                          "en": "One certificate covers one production method. To choose {method}, "
                                "clear the selection first."},
    "list.clear": {"ja": "選択を解除", "en": "Clear selection"},
    # S511: confirm selection and certificate type
    "confirm.title": {"ja": "発行内容の確認", "en": "Confirm the certificate"},
    "confirm.summary": {"ja": "{count} 件の取引　合計 {kwh} kWh\n発電方法：{method}\n期間：{period}",
                        "en": "{count} transaction(s), {kwh} kWh in total\nProduction method: {method}\n"
                              "Period: {period}"},
    "confirm.institution": {"ja": "発行機関", "en": "Issuing institution"},
    "confirm.issue": {"ja": "発行する", "en": "Issue"},
    "confirm.no_types": {"ja": "選べる発行機関がありません。係員にお知らせください。",
                         "en": "No issuing institution is available. Please tell a member of staff."},
    # Progress while the background work runs
    "progress.login": {"ja": "ログインしています…", "en": "Signing in…"},
    "progress.loading": {"ja": "取引を読み込んでいます…", "en": "Loading your transactions…"},
    "progress.issuing": {"ja": "台帳に証明書を発行しています…",
                         "en": "Issuing the certificate on the ledger…"},
    "progress.printing": {"ja": "印刷しています…", "en": "Printing…"},
    "progress.reprinting": {"ja": "証明書を取得しています…", "en": "Fetching the certificate…"},
    "progress.wait": {"ja": "しばらくお待ちください。", "en": "Please wait."},
    # S214a / S520: output done
    "done.title": {"ja": "証明書を発行しました", "en": "Your certificate is ready"},
    "done.title_reprint": {"ja": "証明書を再印刷しました", "en": "Your certificate was reprinted"},
    "done.printed": {"ja": "プリンター「{printer}」で印刷しました。排紙トレイからお取りください。",
                     "en": "Printed on printer \"{printer}\". Please take it from the output tray."},
    "done.saved": {"ja": "PDFファイルとして保存しました：\n{path}", "en": "Saved as a PDF file:\n{path}"},
    "done.printer_problem": {
        "ja": "プリンターで印刷できなかったため、代わりにPDFファイルとして保存しました：\n{path}",
        "en": "The printer could not print it, so it was saved as a PDF file instead:\n{path}"},
    "done.certificate_id": {"ja": "証明書ID：{cid}", "en": "Certificate ID: {cid}"},
    "done.print_another": {"ja": "別の証明書を発行", "en": "Print another"},
    # S209b / S210b: issued notification
    "already.title": {"ja": "この取引の証明書は発行済みです", "en": "A certificate was already issued"},
    "already.message": {"ja": "同じ取引の証明書を二重に発行することはできません。"
                              "控えが必要な場合は再印刷できます。",
                        "en": "The same transaction cannot be certified twice. You can reprint the existing "
                              "certificate if you need another copy."},
    "already.reprint": {"ja": "再印刷", "en": "Reprint"},
    # Error screens
    "error.unreachable.title": {"ja": "サーバーに接続できません", "en": "Cannot reach the server"},
    "error.unreachable.message": {
        "ja": "証明書発行サーバーが応答しません。少し待ってからもう一度お試しください。"
              "続く場合は係員にお知らせください。",
        "en": "The certificate server is not answering. Please wait a moment and try again. "
              "If this keeps happening, please tell a member of staff."},
    "error.credentials.title": {"ja": "IDまたはパスワードが違います", "en": "Wrong ID or password"},
    "error.credentials.message": {"ja": "申請者IDとパスワードを確かめて、もう一度入力してください。",
                                  "en": "Please check your applicant ID and password and enter them again."},
    "error.locked.title": {"ja": "アカウントが一時的にロックされています",
                           "en": "Your account is locked for now"},
    "error.locked.minutes": {"ja": "ログインの失敗が続いたため、ロックされました。"
                                   "約{minutes}分後にもう一度お試しください。",
                             "en": "Too many failed sign-ins. Please try again in about {minutes} minute(s)."},
    "error.locked.later": {"ja": "ログインの失敗が続いたため、ロックされました。"
                                 "しばらくしてからもう一度お試しください。",
                           "en": "Too many failed sign-ins. Please try again later."},
    "error.expired.title": {"ja": "ログインの有効期限が切れました", "en": "Your session has expired"},
    "error.expired.message": {"ja": "安全のためログアウトしました。もう一度ログインしてください。",
                              "en": "You were signed out for your security. Please sign in again."},
    "error.print.title": {"ja": "印刷も保存もできませんでした", "en": "Could not print or save"},
    "error.print.message": {
        "ja": "証明書は発行されましたが、印刷もPDFの保存もできませんでした。もう一度お試しいただくか、"
              "係員にお知らせください。\n証明書ID：{cid}",
        "en": "The certificate was issued but could not be printed or saved. Please try again, "
              "or tell a member of staff.\nCertificate ID: {cid}"},
    "error.server.title": {"ja": "サーバーで問題が起きました", "en": "The server had a problem"},
    "error.server.message": {"ja": "サーバーが要求を処理できませんでした。もう一度お試しください。"
                                   "続く場合は係員にお知らせください。",
                             "en": "The server could not handle the request. Please try again. "
                                   "If this keeps happening, please tell a member of staff."},
    "error.rejected.title": {"ja": "要求が受け付けられませんでした", "en": "The request was refused"},
    "error.rejected.message": {"ja": "この内容では証明書を発行できません。選び直してください。",
                               "en": "A certificate cannot be issued for this choice. Please choose again."},
    "error.mixed_methods.title": {"ja": "発電方法の違う取引は1枚の証明書にできません",
                                  "en": "One certificate covers one production method"},
    "error.mixed_methods.message": {
        "ja": "選んだ取引に、違う発電方法のものが含まれていました。"
              "一覧に戻り、同じ発電方法の取引だけを選んでください。",
        "en": "The transactions you chose have different production methods. Please go back to the list "
              "and choose transactions of one production method only."},
    "error.unexpected.title": {"ja": "問題が起きました", "en": "Something went wrong"},
    "error.unexpected.message": {"ja": "予期しない問題が起きました。"
                                       "もう一度お試しいただくか、係員にお知らせください。",
                                 "en": "Something unexpected happened. Please try again, "
                                       "or tell a member of staff."},
    # Production methods in words (S510)
    "method.solar": {"ja": "太陽光", "en": "Solar"},
    "method.wind": {"ja": "風力", "en": "Wind"},
    "method.hydro": {"ja": "水力", "en": "Hydro"},
    "method.geothermal": {"ja": "地熱", "en": "Geothermal"},
    "method.biomass": {"ja": "バイオマス", "en": "Biomass"},
    "method.oil": {"ja": "石油火力", "en": "Oil"},
    "method.coal": {"ja": "石炭火力", "en": "Coal"},
    "method.gas": {"ja": "ガス火力", "en": "Natural gas"},
    "method.lng": {"ja": "LNG火力", "en": "LNG"},
    "method.nuclear": {"ja": "原子力", "en": "Nuclear"},
}


def tr(lang: Language, message_id: str, **params: object) -> str:
    """The text of ``message_id`` in ``lang`` with ``params`` filled in; a missing id is a bug (KeyError)."""
    text = MESSAGES[message_id][lang]
    return text.format(**params) if params else text


def other_language(lang: Language) -> Language:
    return "en" if lang == "ja" else "ja"


def method_name(lang: Language, method: str) -> str:
    """A production method in words; an unknown code is shown as it came, never hidden."""
    key = f"method.{method.lower()}"
    return tr(lang, key) if key in MESSAGES else method


def format_kwh(amount_wh: int) -> str:
    """Integer Wh as kWh with three decimals and thousands separators, no floats: 1234567 → '1,234.567'."""
    sign = "-" if amount_wh < 0 else ""
    whole, frac = divmod(abs(amount_wh), 1000)
    return f"{sign}{whole:,}.{frac:03d}"


def _zone(timezone: str | None) -> tzinfo | None:
    return ZoneInfo(timezone) if timezone else None


def _ja_date(day: date, *, with_year: bool = True) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def format_period(start: int, end: int, timezone: str | None = None, lang: Language = "en") -> str:
    """A period ``[start, end)`` (Unix seconds) as a person reads it, in ``timezone`` (IANA name; None = the
    machine's local time).

    Within one day, the date and the times: '2024-04-01 10:00–10:30' / '2024年4月1日 10:00～10:30'.
    Over several days, the dates only: '2026-11-01 – 2026-11-11' / '2026年11月1日～11月11日'.
    The end is exclusive: a period ending at 00:00 ends the day before (shown as '24:00' within a day).
    """
    zone = _zone(timezone)
    a = datetime.fromtimestamp(start, zone)
    b = datetime.fromtimestamp(max(start, end), zone)
    ends_at_midnight = b > a and b.time() == time(0, 0)
    last_day = b.date() - timedelta(days=1) if ends_at_midnight else b.date()
    if last_day == a.date():
        until = "24:00" if ends_at_midnight else f"{b:%H:%M}"
        if lang == "ja":
            return f"{_ja_date(a.date())} {a:%H:%M}～{until}"
        return f"{a:%Y-%m-%d %H:%M}–{until}"
    if lang == "ja":
        return f"{_ja_date(a.date())}～{_ja_date(last_day, with_year=last_day.year != a.year)}"
    return f"{a:%Y-%m-%d} – {last_day:%Y-%m-%d}"
