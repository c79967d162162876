"""The home controller screen's words, in Japanese and English (one table; the page picks by ``lang``)."""

from __future__ import annotations

LANGS = ("ja", "en")

TEXT: dict[str, dict[str, str]] = {
    "title": {"ja": "ホームコントローラー", "en": "Home controller"},
    "now": {"ja": "現在", "en": "Now"},
    "meter": {"ja": "直近30分", "en": "Last half hour"},
    "pv": {"ja": "太陽光発電", "en": "Solar generation"},
    "load": {"ja": "消費", "en": "Consumption"},
    "exported": {"ja": "蓄電池へ送電", "en": "Sent to the battery"},
    "utility": {"ja": "電力会社へ", "en": "To the utility"},
    "points": {"ja": "インセンティブ", "en": "Incentive"},
    "points_unit": {"ja": "ポイント", "en": "points"},
    "sold": {"ja": "売電量（記録済み）", "en": "Sold (recorded)"},
    "sales": {"ja": "売電", "en": "Sales"},
    "purchases": {"ja": "買電リクエスト", "en": "Purchase requests"},
    "none": {"ja": "まだありません", "en": "None yet"},
    "buy": {"ja": "電力を買う", "en": "Buy electricity"},
    "back": {"ja": "戻る", "en": "Back"},
    "form_title": {"ja": "買電リクエストの入力", "en": "Enter a purchase request"},
    "date": {"ja": "日付", "en": "Date"},
    "time": {"ja": "時刻", "en": "Time"},
    "amount": {"ja": "買電量（kWh）", "en": "Amount (kWh)"},
    "price": {"ja": "買電単価（円/kWh）", "en": "Unit price (yen/kWh)"},
    "pay": {"ja": "支払い", "en": "Payment"},
    "pay_yen": {"ja": "円", "en": "Yen"},
    "pay_points": {"ja": "ポイント", "en": "Points"},
    "next": {"ja": "確認へ", "en": "Review"},
    "confirm_title": {"ja": "この内容で買電しますか？", "en": "Send this purchase request?"},
    "window": {"ja": "受電時間帯", "en": "Delivery window"},
    "yes": {"ja": "はい", "en": "Yes"},
    "no": {"ja": "いいえ", "en": "No"},
    "error": {"ja": "入力を確認してください", "en": "Please check your entry"},
    "reason": {"ja": "理由", "en": "Reason"},
    "address": {"ja": "ブロックチェーンアドレス", "en": "Blockchain address"},
    "state_sent": {"ja": "送信済み", "en": "Sent"},
    "state_verifying": {"ja": "検証中", "en": "Verifying"},
    "state_recorded": {"ja": "記録済み", "en": "Recorded"},
    "state_paid": {"ja": "受電・支払い完了", "en": "Delivered and paid"},
    "state_failed": {"ja": "失敗", "en": "Failed"},
    "state_waiting": {"ja": "受電記録待ち", "en": "Waiting for the receipt"},
    "reserved": {"ja": "予約", "en": "reserved"},
    "delivered": {"ja": "受電", "en": "delivered"},
    "paid_yen": {"ja": "支払い {n} 円", "en": "paid {n} yen"},
    "paid_points": {"ja": "支払い {n} ポイント", "en": "paid {n} points"},
    "why_expired_price": {"ja": "期限切れ：買電単価が契約の価格に届きませんでした",
                          "en": "Expired unserved: the contract's price stayed above your unit price"},
    "why_expired_short": {"ja": "期限切れ：蓄電池の電力が足りませんでした",
                          "en": "Expired unserved: the battery held too little energy"},
    "why_expired": {"ja": "期限切れ：時間内に電力を確保できませんでした",
                    "en": "Expired unserved: no energy was matched within its window"},
    "why_lapsed": {"ja": "失効：蓄電池が予約の電力を時間内に送りませんでした",
                   "en": "Lapsed: the battery did not deliver the reserved energy in time"},
    "lang_other": {"ja": "English", "en": "日本語"},
    "bad_number": {"ja": "数値を入力してください", "en": "Enter a number"},
    "bad_datetime": {"ja": "日付と時刻を入力してください", "en": "Enter a date and a time"},
}


def t(key: str, lang: str) -> str:
    return TEXT[key][lang if lang in LANGS else "ja"]
