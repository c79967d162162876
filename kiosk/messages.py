"""Every text the kiosk shows, in Japanese and English: ``MESSAGES[message_id][lang]``.

A plain table so that a test can check it (both languages present, the same ``{placeholders}``) and so that it
can later be generated into Qt ``.ts`` files without touching the screens. Widget code asks ``kiosk.i18n.tr``.
"""

from __future__ import annotations

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
    # Header: staff settings (shown on the idle screen only)
    "header.settings": {"ja": "係員設定", "en": "Staff settings"},
    "list.separator": {"ja": "、", "en": ", "},
    "lang.name.ja": {"ja": "日本語", "en": "日本語"},
    "lang.name.en": {"ja": "English", "en": "English"},
    # S201/S202: the certificate issuance screen of the main embodiment (Fig. 21A)
    "manual.title": {"ja": "証明書の発行", "en": "Request a certificate"},
    "manual.period": {"ja": "利用期間", "en": "Period"},
    "manual.period_to": {"ja": "～", "en": "to"},
    "manual.method": {"ja": "発電方法", "en": "Production method"},
    "manual.institution": {"ja": "発行機関", "en": "Issuing institution"},
    "manual.reprint": {"ja": "過去の証明書を再印刷", "en": "Reprint a certificate"},
    "manual.missing_method": {"ja": "発電方法を選んでください。", "en": "Please choose a production method."},
    "manual.missing_institution": {"ja": "発行機関を選んでください。", "en": "Please choose an issuing institution."},
    "manual.bad_period": {"ja": "終了日は開始日と同じか、それより後の日付にしてください。",
                          "en": "The last day must not be before the first day."},
    "manual.institutions_loading": {"ja": "発行機関を読み込んでいます…", "en": "Loading the institutions…"},
    "manual.institutions_failed": {"ja": "発行機関を読み込めませんでした（サーバーに接続できません）。"
                                         "OKを押すともう一度読み込みます。",
                                   "en": "Could not load the issuing institutions: the server cannot be reached. "
                                         "Touch OK to try again."},
    # Touch date picker
    "date.format": {"ja": "{year}年{month}月{day}日", "en": "{year}-{month:02d}-{day:02d}"},
    "date.month": {"ja": "{year}年 {month}", "en": "{month} {year}"},
    "date.months": {"ja": "1月,2月,3月,4月,5月,6月,7月,8月,9月,10月,11月,12月",
                    "en": "January,February,March,April,May,June,July,August,September,October,November,"
                          "December"},
    "date.weekdays": {"ja": "日,月,火,水,木,金,土", "en": "Sun,Mon,Tue,Wed,Thu,Fri,Sat"},
    "date.pick_first": {"ja": "期間の最初の日を選んでください", "en": "Choose the first day of the period"},
    "date.pick_last": {"ja": "期間の最後の日を選んでください", "en": "Choose the last day of the period"},
    # Reprint of earlier certificates
    "list.reprint": {"ja": "証明書の再印刷", "en": "Reprint a certificate"},
    "reprint.title": {"ja": "再印刷する証明書を選んでください", "en": "Choose a certificate to reprint"},
    "reprint.hint": {"ja": "証明書をタッチして選び、「再印刷」を押してください。新しく発行はされません。",
                     "en": "Touch a certificate, then Reprint. Nothing is issued again."},
    "reprint.hint_filtered": {"ja": "この期間にすでに発行された証明書です。選んで「再印刷」を押してください。",
                              "en": "These certificates were already issued for this period. "
                                    "Choose one, then Reprint."},
    "reprint.col.issued": {"ja": "発行日", "en": "Issued"},
    "reprint.col.period": {"ja": "期間", "en": "Period"},
    "reprint.col.method": {"ja": "発電方法", "en": "Method"},
    "reprint.col.amount": {"ja": "電力量 (kWh)", "en": "Amount (kWh)"},
    "reprint.col.institution": {"ja": "発行機関", "en": "Institution"},
    "reprint.empty": {"ja": "再印刷できる証明書はまだありません。", "en": "You have no certificates to reprint yet."},
    "reprint.selected": {"ja": "選択中：{cid}", "en": "Selected: {cid}"},
    "progress.certificates": {"ja": "証明書の一覧を読み込んでいます…", "en": "Loading your certificates…"},
    "progress.manual": {"ja": "取引を確認して、証明書を発行しています…",
                        "en": "Checking your transactions and issuing the certificate…"},
    "done.reprint_another": {"ja": "別の証明書を再印刷", "en": "Reprint another"},
    "done.new_request": {"ja": "別の期間で発行", "en": "New request"},
    "done.reprint_note": {"ja": "以前に発行した証明書の控えです。新しく発行はしていません。",
                          "en": "This is a copy of a certificate issued before; nothing was issued again."},
    "done.skipped": {"ja": "この期間の取引のうち {count} 件はすでに証明書が発行されていたため、含めていません。",
                     "en": "{count} transaction(s) in this period already had a certificate and were left out."},
    "already.message_many": {"ja": "この期間の取引には、すでに {count} 枚の証明書が発行されています。"
                                   "同じ取引の証明書を二重に発行することはできません。控えが必要な場合は再印刷できます。",
                             "en": "{count} certificates were already issued for this period. The same transaction "
                                   "cannot be certified twice; you can reprint them if you need another copy."},
    "error.no_match.title": {"ja": "該当する取引がありません", "en": "No matching transactions"},
    "error.no_match.message": {
        "ja": "{period}の{method}の取引で、証明書を発行できるものはありません。期間と発電方法を確かめてください。",
        "en": "There are no {method} transactions from {period} to certify. "
              "Please check the period and the production method."},
    "error.no_match.partial": {
        "ja": "{period}に一部だけ重なる{method}の取引が {count} 件あります。取引は月ごとにまとめられているため、"
              "月の初日から末日までを含む期間を選んでください。",
        "en": "{count} {method} transaction(s) only partly overlap {period}. Transactions are grouped by month: "
              "please choose a period that covers whole months."},
    # Staff PIN and settings
    "pin.title": {"ja": "係員設定", "en": "Staff settings"},
    "pin.prompt": {"ja": "係員用の暗証番号を入力して、OKを押してください。",
                   "en": "Enter the staff PIN, then touch OK."},
    "pin.label": {"ja": "暗証番号", "en": "PIN"},
    "pin.wrong": {"ja": "暗証番号が違います。", "en": "Wrong PIN."},
    "pin.locked": {"ja": "暗証番号の誤りが続いたため、約{minutes}分間は入力できません。",
                   "en": "Too many wrong PINs. Please try again in about {minutes} minute(s)."},
    "settings.title": {"ja": "係員設定", "en": "Staff settings"},
    "settings.section.general": {"ja": "基本", "en": "General"},
    "settings.section.printer": {"ja": "プリンター", "en": "Printer"},
    "settings.section.pin": {"ja": "暗証番号", "en": "PIN"},
    "settings.mode": {"ja": "発行の方法", "en": "Requests"},
    "settings.mode.list": {"ja": "一覧から選ぶ", "en": "Choose from a list"},
    "settings.mode.manual": {"ja": "期間を入力する", "en": "Enter a period"},
    "settings.language": {"ja": "最初の言語", "en": "Default language"},
    "settings.idle": {"ja": "自動ログアウト", "en": "Sign out after"},
    "settings.seconds": {"ja": "{count}秒", "en": "{count} s"},
    "settings.minutes": {"ja": "{count}分", "en": "{count} min"},
    "settings.url": {"ja": "サーバーURL", "en": "Server URL"},
    "settings.printer": {"ja": "プリンター", "en": "Printer"},
    "settings.printer_none": {"ja": "プリンターを使わない（PDFで保存）", "en": "No printer (save as PDF)"},
    "settings.printer_row": {"ja": "{name}　{state}", "en": "{name} — {state}"},
    "settings.printer_default": {"ja": "{name}（既定）", "en": "{name} (default)"},
    "settings.printers_loading": {"ja": "プリンターを探しています…", "en": "Looking for printers…"},
    "settings.printers_failed": {"ja": "印刷サーバーに接続できません：{reason}",
                                 "en": "Cannot reach the print server: {reason}"},
    "settings.printers_found": {"ja": "プリンター {count} 台", "en": "{count} printer(s) found"},
    "settings.printer_missing": {"ja": "{name}（見つかりません）", "en": "{name} (not found)"},
    "settings.refresh": {"ja": "再検索", "en": "Refresh"},
    "settings.paper": {"ja": "用紙サイズ", "en": "Paper size"},
    "settings.new_pin": {"ja": "新しい暗証番号", "en": "New PIN"},
    "settings.repeat_pin": {"ja": "もう一度入力", "en": "Repeat new PIN"},
    "settings.pin_hint": {"ja": "変更しない場合は空欄のままにしてください（4～8桁の数字）。",
                          "en": "Leave both empty to keep the current PIN (4 to 8 digits)."},
    "settings.default_pin": {"ja": "暗証番号が初期値（{pin}）のままです。新しい暗証番号を設定してください。",
                             "en": "The PIN is still the default ({pin}). Please set a new one."},
    "settings.pin_mismatch": {"ja": "2つの暗証番号が一致しません。", "en": "The two PINs do not match."},
    "settings.pin_format": {"ja": "暗証番号は4～8桁の数字にしてください。", "en": "The PIN must be 4 to 8 digits."},
    "settings.bad_url": {"ja": "サーバーURLは http:// または https:// で始めてください。",
                         "en": "The server URL must start with http:// or https://."},
    "settings.save": {"ja": "保存", "en": "Save"},
    "settings.saved": {"ja": "設定を保存しました。", "en": "Settings saved."},
    "settings.save_failed": {"ja": "設定を保存できませんでした：{reason}",
                             "en": "Could not save the settings: {reason}"},
    "settings.file_problem": {"ja": "設定ファイルに問題があったため、起動時の設定で動いています：{reason}",
                              "en": "The settings file has a problem, so the kiosk uses its start-up settings: "
                                    "{reason}"},
    # Printer state in words (CUPS printer-state and printer-state-reasons)
    "printer.state.idle": {"ja": "待機中", "en": "Ready"},
    "printer.state.printing": {"ja": "印刷中", "en": "Printing"},
    "printer.state.stopped": {"ja": "停止中", "en": "Stopped"},
    "printer.state_with_reasons": {"ja": "{state}（{reasons}）", "en": "{state}: {reasons}"},
    "printer.reason.media-empty": {"ja": "用紙切れ", "en": "out of paper"},
    "printer.reason.media-needed": {"ja": "用紙切れ", "en": "out of paper"},
    "printer.reason.media-low": {"ja": "用紙残りわずか", "en": "paper low"},
    "printer.reason.media-jam": {"ja": "紙詰まり", "en": "paper jam"},
    "printer.reason.toner-low": {"ja": "トナー残りわずか", "en": "toner low"},
    "printer.reason.toner-empty": {"ja": "トナー切れ", "en": "out of toner"},
    "printer.reason.marker-supply-low": {"ja": "インク・トナー残りわずか", "en": "ink or toner low"},
    "printer.reason.marker-supply-empty": {"ja": "インク・トナー切れ", "en": "out of ink or toner"},
    "printer.reason.door-open": {"ja": "扉が開いています", "en": "door open"},
    "printer.reason.cover-open": {"ja": "カバーが開いています", "en": "cover open"},
    "printer.reason.input-tray-missing": {"ja": "給紙トレイがありません", "en": "paper tray missing"},
    "printer.reason.output-area-full": {"ja": "排紙トレイがいっぱいです", "en": "output tray full"},
    "printer.reason.offline": {"ja": "オフライン", "en": "offline"},
    "printer.reason.timed-out": {"ja": "応答がありません", "en": "not responding"},
    "printer.reason.connecting-to-device": {"ja": "接続中", "en": "connecting to the printer"},
    "printer.reason.paused": {"ja": "管理者が一時停止中", "en": "paused by an administrator"},
    "printer.reason.moving-to-paused": {"ja": "一時停止しています", "en": "pausing"},
    "printer.reason.shutdown": {"ja": "電源が切れています", "en": "switched off"},
    "printer.reason.spool-area-full": {"ja": "印刷待ちがいっぱいです", "en": "print queue full"},
    "printer.reason.cups-missing-filter": {"ja": "印刷フィルターがありません", "en": "print filter missing"},
    "printer.reason.other": {"ja": "その他の問題", "en": "another problem"},
    # Idle timeout warning (before the logout)
    "idle.title": {"ja": "まだご利用中ですか？", "en": "Are you still there?"},
    "idle.message": {"ja": "しばらく操作がないため、{seconds}秒後に自動的にログアウトして画面を消去します。"
                           "続けるには画面に触れてください。",
                     "en": "The kiosk has not been used for a while. In {seconds} s you will be signed out and "
                           "the screen cleared. Touch the screen to continue."},
    "idle.continue": {"ja": "続ける", "en": "Continue"},
    # On-screen keyboard
    "keyboard.space": {"ja": "空白", "en": "Space"},
    "keyboard.enter": {"ja": "決定", "en": "Enter"},
    "keyboard.done": {"ja": "完了", "en": "Done"},
    "keyboard.symbols": {"ja": "記号", "en": "?123"},
    "keyboard.letters": {"ja": "ABC", "en": "ABC"},
    "keyboard.shift": {"ja": "⇧", "en": "⇧"},
    "keyboard.backspace": {"ja": "⌫", "en": "⌫"},
}
