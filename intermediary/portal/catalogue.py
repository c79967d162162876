"""The portal's words in Japanese and English: the layout's, the log-in page's and the error pages' (``BASE``).

A group of pages keeps its own words in a module of its own (``consumer_text.py``; the producer and issuer pages
theirs) with the same keys in both languages, and renders with ``texts=`` its catalogue: a template sees both as
``t``. ``check(catalogue)`` (run by the tests) says which keys one language lacks.
"""

from __future__ import annotations

from collections.abc import Mapping

from intermediary.web.page import LANGUAGES, Language, language_of

__all__ = ["BASE", "LANGUAGES", "Catalogue", "Language", "check", "language_of", "merged"]

Catalogue = Mapping[Language, Mapping[str, str]]

BASE: Catalogue = {
    "en": {
        "site": "GreenCert",
        "switch": "日本語",
        "home": "Home",
        "logout": "Log out",
        "login_title": "Log in",
        "login_intro": "Log in with the applicant ID and password you were given (the same as at the kiosk).",
        "applicant_id": "Applicant ID",
        "password": "Password",
        "login_button": "Log in",
        "wrong": "The applicant ID or password is wrong. {left} more attempts before this is blocked for a while.",
        "wrong_nocount": "The applicant ID or password is wrong.",
        "locked": "Too many failed log-ins. Try again in {minutes} minutes.",
        "locked_title": "Log-in blocked for now",
        "expired": "Your session has ended (it expires {ttl} minutes after log-in, or after {idle} minutes "
                   "without use). Log in again.",
        "logged_out": "You have logged out.",
        "field_missing": "Enter your applicant ID and password.",
        "error_title": "Something is wrong with the request",
        "error_text": "The page could not do what was asked.",
        "csrf_title": "Refused: the form was not from this session",
        "csrf_text": "The form did not carry this session's security token (it may be an old page or come from "
                     "another site). Nothing was changed. Open the page again and repeat.",
        "role_title": "Not for this account",
        "role_text": "This page is for another kind of account. Nothing was changed.",
        "missing_title": "Not found",
        "missing_text": "There is nothing here for this account.",
        "back_home": "Back to the home page",
        "role_consumer": "Consumer", "role_producer": "Producer", "role_issuer": "Issuer",
        "signed_in_as": "Logged in as {who}",
        "tab_contents": "Contents", "tab_allocations": "Allocations", "tab_certificates": "Certificates",
    },
    "ja": {
        "site": "GreenCert",
        "switch": "English",
        "home": "ホーム",
        "logout": "ログアウト",
        "login_title": "ログイン",
        "login_intro": "配布された申請者IDとパスワード（キオスクと同じもの）でログインしてください。",
        "applicant_id": "申請者ID",
        "password": "パスワード",
        "login_button": "ログインする",
        "wrong": "申請者IDまたはパスワードが違います。あと{left}回失敗すると、しばらくログインできなくなります。",
        "wrong_nocount": "申請者IDまたはパスワードが違います。",
        "locked": "ログインの失敗が続いたため、一時的にログインできません。{minutes}分後にもう一度お試しください。",
        "locked_title": "一時的にログインできません",
        "expired": "セッションが終了しました（ログインから{ttl}分後、または{idle}分間操作がないと終了します）。"
                   "もう一度ログインしてください。",
        "logged_out": "ログアウトしました。",
        "field_missing": "申請者IDとパスワードを入力してください。",
        "error_title": "リクエストに問題があります",
        "error_text": "ご依頼の操作を実行できませんでした。",
        "csrf_title": "拒否しました：このセッションのフォームではありません",
        "csrf_text": "フォームにこのセッションのセキュリティトークンがありませんでした（古いページか、別のサイトからの"
                     "送信の可能性があります）。何も変更していません。ページを開き直してもう一度操作してください。",
        "role_title": "このアカウントでは使えません",
        "role_text": "このページは別の種類のアカウント用です。何も変更していません。",
        "missing_title": "見つかりません",
        "missing_text": "このアカウントで表示できるものはありません。",
        "back_home": "ホームに戻る",
        "role_consumer": "需要家", "role_producer": "発電事業者", "role_issuer": "発行機関",
        "signed_in_as": "{who} でログイン中",
        "tab_contents": "取引内容", "tab_allocations": "割り当て", "tab_certificates": "証明書",
    },
}


def merged(lang: Language, *catalogues: Catalogue) -> dict[str, str]:
    """``BASE`` and the given catalogues in ``lang``, later ones winning."""
    words: dict[str, str] = dict(BASE[lang])
    for catalogue in catalogues:
        words.update(catalogue[lang])
    return words


def check(catalogue: Catalogue) -> list[str]:
    """The keys that one language has and the other lacks, as "lang: key"."""
    keys = {lang: set(catalogue[lang]) for lang in LANGUAGES}
    return sorted(f"{lang}: {key}" for lang in LANGUAGES for other in LANGUAGES if other != lang
                  for key in keys[other] - keys[lang])
