"""The producer pages' words (seed S21-S25: intermediary registration, Figs. 13A and 13B), Japanese and English."""

from __future__ import annotations

from intermediary.portal.catalogue import Catalogue

PRODUCER: Catalogue = {
    "en": {
        "producer_title": "Your meters",
        "producer_intro": "Each smart meter sends its production to the intermediary registered for it on the "
                          "ledger.",
        "meter": "Meter",
        "method": "Production method",
        "capacity": "Capacity",
        "reports_to": "Intermediary",
        "no_intermediary": "none registered yet",
        "register_button": "Register the intermediary",
        "no_meters": "No meter is registered for your provider on the ledger.",
        "method_solar": "Solar", "method_wind": "Wind", "method_oil": "Oil", "method_hydro": "Hydro",
        # S21 / Fig. 13A
        "register_title": "Intermediary registration",
        "register_intro": "Choose the intermediary this meter sends its production to, then press OK.",
        "choose_intermediary": "Intermediary",
        "current": "Now: {name}",
        "ok": "OK",
        "cancel": "Cancel",
        "this_intermediary": " (this intermediary)",
        "register_elsewhere": "If you choose another intermediary, this meter's readings go to that intermediary "
                              "from then on, and only it can record them on the ledger; this portal then shows "
                              "the meter as reporting elsewhere. A move to another intermediary takes effect once "
                              "the ledger's validators approve it.",
        "e_choose": "Choose an intermediary from the list.",
        "e_already_registered": "This meter already reports to that intermediary.",
        "e_refused_now": "The ledger refused the request: {reason}",
        # waiting for approval
        "waiting_title": "Waiting for approval",
        "waiting_text": "Your request to register {name} for this meter was sent to the ledger's validators. It "
                        "takes effect once they approve it.",
        "waiting_elsewhere": "{name} is another intermediary: once approved, this meter's readings go to it "
                             "instead of this one.",
        "check_again": "Check again",
        "waiting_auto": "This page checks again every {seconds} seconds.",
        # S25 / Fig. 13B
        "done_title": "Registration complete",
        "done_text": "Registration of the intermediary is complete.",
        "done_detail": "From now on this meter sends its production to {name} (ledger block {height}).",
        "done_elsewhere": "That is another intermediary: its readings are recorded there, and this portal shows "
                          "the meter as reporting elsewhere.",
        "reports_elsewhere": "Reports to another intermediary ({name}): its readings go there and are recorded by "
                             "it, not by this one.",
        # refused
        "refused_title": "Registration refused",
        "refused_text": "The request to register {name} for this meter was refused.",
        "reason": "Reason",
        "refused_by": "Refused by",
        "refused_by_operator": "a validator's operator",
        "refused_by_ledger": "the ledger's registry rules",
        "try_again": "Choose again",
        "unavailable_title": "The ledger cannot be reached",
        "unavailable_text": "The ledger node did not answer. Nothing was changed. Try again in a moment.",
        "back": "Back",
    },
    "ja": {
        "producer_title": "お持ちのメーター",
        "producer_intro": "各スマートメーターは、台帳に登録された仲介事業者へ発電量を送ります。",
        "meter": "メーター",
        "method": "発電方法",
        "capacity": "容量",
        "reports_to": "仲介事業者",
        "no_intermediary": "未登録",
        "register_button": "仲介事業者を登録する",
        "no_meters": "台帳にはお客様のメーターが登録されていません。",
        "method_solar": "太陽光", "method_wind": "風力", "method_oil": "石油", "method_hydro": "水力",
        # S21 / 図13A
        "register_title": "仲介事業者登録",
        "register_intro": "このメーターが発電量を送る仲介事業者を選んで、OKを押してください。",
        "choose_intermediary": "仲介事業者",
        "current": "現在：{name}",
        "ok": "OK",
        "cancel": "キャンセル",
        "this_intermediary": "（当事業者）",
        "register_elsewhere": "別の仲介事業者を選ぶと、このメーターの計測値はそれ以降その仲介事業者へ送られ、"
                              "台帳に記録できるのもその仲介事業者だけになります。このポータルでは、このメーターは"
                              "他の仲介事業者へ送信中と表示されます。別の仲介事業者への変更は、台帳の検証者が"
                              "承認すると有効になります。",
        "e_choose": "一覧から仲介事業者を選んでください。",
        "e_already_registered": "このメーターはすでにその仲介事業者に登録されています。",
        "e_refused_now": "台帳が申請を受け付けませんでした：{reason}",
        # 承認待ち
        "waiting_title": "承認待ち",
        "waiting_text": "このメーターに{name}を登録する申請を台帳の検証者へ送りました。承認されると有効になります。",
        "waiting_elsewhere": "{name}は別の仲介事業者です。承認されると、このメーターの計測値は当事業者ではなく"
                             "{name}へ送られます。",
        "check_again": "もう一度確認する",
        "waiting_auto": "このページは{seconds}秒ごとに状態を確認します。",
        # S25 / 図13B
        "done_title": "登録完了",
        "done_text": "仲介事業者の登録が完了しました。",
        "done_detail": "このメーターの発電量は今後{name}へ送られます（台帳ブロック{height}）。",
        "done_elsewhere": "別の仲介事業者のため、計測値はそちらで記録され、このポータルではこのメーターを"
                          "他の仲介事業者へ送信中と表示します。",
        "reports_elsewhere": "他の仲介事業者（{name}）へ送信中：計測値はそちらへ送られ、そちらで記録されます"
                             "（当事業者では記録しません）。",
        # 拒否
        "refused_title": "登録できませんでした",
        "refused_text": "このメーターに{name}を登録する申請は拒否されました。",
        "reason": "理由",
        "refused_by": "拒否した者",
        "refused_by_operator": "検証者の運用者",
        "refused_by_ledger": "台帳の登録ルール",
        "try_again": "選び直す",
        "unavailable_title": "台帳に接続できません",
        "unavailable_text": "台帳ノードが応答しませんでした。何も変更していません。"
                            "しばらくしてからもう一度お試しください。",
        "back": "戻る",
    },
}
