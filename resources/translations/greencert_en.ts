<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>kiosk</name>
    <message>
        <source>app.title</source>
        <translation>Green Electricity Certificates</translation>
    </message>
    <message>
        <source>lang.toggle</source>
        <translation>日本語</translation>
    </message>
    <message>
        <source>header.user</source>
        <translation>Signed in: {name}</translation>
    </message>
    <message>
        <source>button.ok</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>button.cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>button.back</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>button.logout</source>
        <translation>Log out</translation>
    </message>
    <message>
        <source>button.next</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>button.retry</source>
        <translation>Try again</translation>
    </message>
    <message>
        <source>button.to_login</source>
        <translation>Back to sign-in</translation>
    </message>
    <message>
        <source>login.title</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>login.prompt</source>
        <translation>Enter your applicant ID and password, then touch OK.</translation>
    </message>
    <message>
        <source>login.applicant_id</source>
        <translation>Applicant ID</translation>
    </message>
    <message>
        <source>login.password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>login.missing</source>
        <translation>Please enter both your applicant ID and your password.</translation>
    </message>
    <message>
        <source>login.idle_logout</source>
        <translation>You were signed out because the kiosk was not used for a while.</translation>
    </message>
    <message>
        <source>list.title</source>
        <translation>Choose the transactions to certify</translation>
    </message>
    <message>
        <source>list.col.period</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>list.col.method</source>
        <translation>Production method</translation>
    </message>
    <message>
        <source>list.col.amount</source>
        <translation>Amount (kWh)</translation>
    </message>
    <message>
        <source>list.col.status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>list.status.available</source>
        <translation>Not issued</translation>
    </message>
    <message>
        <source>list.status.issued</source>
        <translation>Issued {cid}</translation>
    </message>
    <message>
        <source>list.hint</source>
        <translation>Touch rows to select them. Grey rows are already certified.</translation>
    </message>
    <message>
        <source>list.summary</source>
        <translation>{count} selected ({kwh} kWh in total)</translation>
    </message>
    <message>
        <source>list.summary_method</source>
        <translation>{count} selected ({method}, {kwh} kWh in total)</translation>
    </message>
    <message>
        <source>list.empty</source>
        <translation>There are no transactions to certify.</translation>
    </message>
    <message>
        <source>list.select_all</source>
        <translation>Select all</translation>
    </message>
    <message>
        <source>list.select_all_method</source>
        <translation>Select all {method}</translation>
    </message>
    <message>
        <source>list.hint_method</source>
        <translation>Only {method} rows can be added: one certificate covers one production method.</translation>
    </message>
    <message>
        <source>list.other_method</source>
        <translation>One certificate covers one production method. To choose {method}, clear the selection first.</translation>
    </message>
    <message>
        <source>list.clear</source>
        <translation>Clear selection</translation>
    </message>
    <message>
        <source>list.method_fossil</source>
        <translation>{method} — fossil (not renewable)</translation>
    </message>
    <message>
        <source>list.method_not_renewable</source>
        <translation>{method} — not renewable</translation>
    </message>
    <message>
        <source>list.full</source>
        <translation>One certificate holds no more {method} rows: issue these first.</translation>
    </message>
    <message>
        <source>list.select_some</source>
        <translation>Select {count} {method} rows</translation>
    </message>
    <message>
        <source>list.select_some.one</source>
        <translation>Select {count} {method} row</translation>
    </message>
    <message>
        <source>list.capacity</source>
        <translation>Rows in this certificate: {used} (at most {limit})</translation>
    </message>
    <message>
        <source>list.capacity_allocations</source>
        <translation>{used} of {limit} half-hour allocations in this certificate</translation>
    </message>
    <message>
        <source>list.as_of</source>
        <translation>Allocations up to {day} {month} {time} ({zone})</translation>
    </message>
    <message>
        <source>list.filter_all_methods</source>
        <translation>All methods</translation>
    </message>
    <message>
        <source>list.filter_all_months</source>
        <translation>All months</translation>
    </message>
    <message>
        <source>list.filter_older</source>
        <translation>◀ Older</translation>
    </message>
    <message>
        <source>list.filter_newer</source>
        <translation>Newer ▶</translation>
    </message>
    <message>
        <source>confirm.title</source>
        <translation>Confirm the certificate</translation>
    </message>
    <message>
        <source>confirm.summary</source>
        <translation>{count} transactions, {kwh} kWh in total
Production method: {method}
Period: {period}</translation>
    </message>
    <message>
        <source>confirm.summary.one</source>
        <translation>{count} transaction, {kwh} kWh in total
Production method: {method}
Period: {period}</translation>
    </message>
    <message>
        <source>confirm.institution</source>
        <translation>Issuing institution</translation>
    </message>
    <message>
        <source>confirm.issue</source>
        <translation>Issue</translation>
    </message>
    <message>
        <source>confirm.no_types</source>
        <translation>No issuing institution is available. Please tell a member of staff.</translation>
    </message>
    <message>
        <source>progress.login</source>
        <translation>Signing in…</translation>
    </message>
    <message>
        <source>progress.loading</source>
        <translation>Loading your transactions…</translation>
    </message>
    <message>
        <source>progress.issuing</source>
        <translation>Issuing the certificate on the ledger…</translation>
    </message>
    <message>
        <source>progress.printing</source>
        <translation>Printing…</translation>
    </message>
    <message>
        <source>progress.reprinting</source>
        <translation>Fetching the certificate…</translation>
    </message>
    <message>
        <source>progress.wait</source>
        <translation>Please wait.</translation>
    </message>
    <message>
        <source>done.title</source>
        <translation>Your certificate is ready</translation>
    </message>
    <message>
        <source>done.title_reprint</source>
        <translation>Your certificate was reprinted</translation>
    </message>
    <message>
        <source>done.printed</source>
        <translation>Printed on printer &quot;{printer}&quot;. Please take it from the output tray.</translation>
    </message>
    <message>
        <source>done.printed_here</source>
        <translation>Printed on the kiosk&apos;s printer. Please take it from the output tray.</translation>
    </message>
    <message>
        <source>done.saved</source>
        <translation>Your certificate was saved. A member of staff can print it for you.</translation>
    </message>
    <message>
        <source>done.certificate_id</source>
        <translation>Reference: {cid}</translation>
    </message>
    <message>
        <source>done.print_another</source>
        <translation>Print another</translation>
    </message>
    <message>
        <source>already.title</source>
        <translation>A certificate was already issued</translation>
    </message>
    <message>
        <source>already.message</source>
        <translation>The same transaction cannot be certified twice. You can reprint the existing certificate if you need another copy.</translation>
    </message>
    <message>
        <source>already.reprint</source>
        <translation>Reprint</translation>
    </message>
    <message>
        <source>error.unreachable.title</source>
        <translation>Cannot reach the server</translation>
    </message>
    <message>
        <source>error.unreachable.message</source>
        <translation>The certificate server is not answering. Please wait a moment and try again. If this keeps happening, please tell a member of staff.</translation>
    </message>
    <message>
        <source>error.credentials.title</source>
        <translation>Wrong ID or password</translation>
    </message>
    <message>
        <source>error.credentials.message</source>
        <translation>Please check your applicant ID and password and enter them again. After several wrong attempts, the ID is locked for a while.</translation>
    </message>
    <message>
        <source>error.credentials.attempts</source>
        <translation>Please check your applicant ID and password and enter them again. {count} attempts left before this ID is locked for a while.</translation>
    </message>
    <message>
        <source>error.credentials.last</source>
        <translation>Please check your applicant ID and password and enter them again. 1 attempt left before this ID is locked for a while — ask staff if you have forgotten your password.</translation>
    </message>
    <message>
        <source>error.locked.title</source>
        <translation>Your account is locked for now</translation>
    </message>
    <message>
        <source>error.locked.until</source>
        <translation>After several wrong attempts, this applicant ID is locked for a while. You can sign in again from {time}. If you need help now, please ask a member of staff.</translation>
    </message>
    <message>
        <source>error.locked.later</source>
        <translation>After several wrong attempts, this applicant ID is locked for a while. Please try again later, or ask a member of staff.</translation>
    </message>
    <message>
        <source>error.expired.title</source>
        <translation>Your session has expired</translation>
    </message>
    <message>
        <source>error.expired.message</source>
        <translation>You were signed out for your security. Please sign in again.</translation>
    </message>
    <message>
        <source>error.print.title</source>
        <translation>Could not print or save</translation>
    </message>
    <message>
        <source>error.print.message</source>
        <translation>The certificate was issued but could not be printed or saved. Please try again, or tell a member of staff.
Reference: {cid}</translation>
    </message>
    <message>
        <source>error.server.title</source>
        <translation>The server had a problem</translation>
    </message>
    <message>
        <source>error.server.message</source>
        <translation>The server could not handle the request. Please try again. If this keeps happening, please tell a member of staff.</translation>
    </message>
    <message>
        <source>error.rejected.title</source>
        <translation>The request was refused</translation>
    </message>
    <message>
        <source>error.rejected.message</source>
        <translation>A certificate cannot be issued for this choice. Please choose again.</translation>
    </message>
    <message>
        <source>error.mixed_methods.title</source>
        <translation>One certificate covers one production method</translation>
    </message>
    <message>
        <source>error.mixed_methods.message</source>
        <translation>The transactions you chose have different production methods. Please go back to the list and choose transactions of one production method only.</translation>
    </message>
    <message>
        <source>error.unexpected.title</source>
        <translation>Something went wrong</translation>
    </message>
    <message>
        <source>error.unexpected.message</source>
        <translation>Something unexpected happened. Please try again, or tell a member of staff.</translation>
    </message>
    <message>
        <source>error.server_said</source>
        <translation>The server&apos;s reason: {message}</translation>
    </message>
    <message>
        <source>error.code.selection_too_large</source>
        <translation>The rows you chose are more than one certificate can hold. Please go back and choose fewer rows.</translation>
    </message>
    <message>
        <source>error.code.period_too_large</source>
        <translation>This period holds more transactions than one certificate can. Please go back and choose a shorter period.</translation>
    </message>
    <message>
        <source>error.code.not_found</source>
        <translation>Some of the rows you chose are no longer on your list. Please go back: the list will be loaded again.</translation>
    </message>
    <message>
        <source>error.code.in_progress</source>
        <translation>This request is still being processed. Please wait a moment and try again.</translation>
    </message>
    <message>
        <source>method.solar</source>
        <translation>Solar</translation>
    </message>
    <message>
        <source>method.wind</source>
        <translation>Wind</translation>
    </message>
    <message>
        <source>method.hydro</source>
        <translation>Hydro</translation>
    </message>
    <message>
        <source>method.geothermal</source>
        <translation>Geothermal</translation>
    </message>
    <message>
        <source>method.biomass</source>
        <translation>Biomass</translation>
    </message>
    <message>
        <source>method.oil</source>
        <translation>Oil</translation>
    </message>
    <message>
        <source>method.coal</source>
        <translation>Coal</translation>
    </message>
    <message>
        <source>method.gas</source>
        <translation>Natural gas</translation>
    </message>
    <message>
        <source>method.lng</source>
        <translation>LNG</translation>
    </message>
    <message>
        <source>method.nuclear</source>
        <translation>Nuclear</translation>
    </message>
    <message>
        <source>header.settings</source>
        <translation>Staff settings</translation>
    </message>
    <message>
        <source>list.separator</source>
        <translation>, </translation>
    </message>
    <message>
        <source>lang.name.ja</source>
        <translation>日本語</translation>
    </message>
    <message>
        <source>lang.name.en</source>
        <translation>English</translation>
    </message>
    <message>
        <source>manual.title</source>
        <translation>Request a certificate</translation>
    </message>
    <message>
        <source>manual.period</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>manual.period_to</source>
        <translation>to</translation>
    </message>
    <message>
        <source>manual.method</source>
        <translation>Production method</translation>
    </message>
    <message>
        <source>manual.institution</source>
        <translation>Issuing institution</translation>
    </message>
    <message>
        <source>manual.reprint</source>
        <translation>Reprint a certificate</translation>
    </message>
    <message>
        <source>manual.missing_method</source>
        <translation>Please choose a production method.</translation>
    </message>
    <message>
        <source>manual.missing_institution</source>
        <translation>Please choose an issuing institution.</translation>
    </message>
    <message>
        <source>manual.bad_period</source>
        <translation>The last day must not be before the first day.</translation>
    </message>
    <message>
        <source>manual.institutions_loading</source>
        <translation>Loading the institutions…</translation>
    </message>
    <message>
        <source>manual.institutions_failed</source>
        <translation>Could not load the issuing institutions: the server cannot be reached. Touch OK to try again.</translation>
    </message>
    <message>
        <source>date.format</source>
        <translation>{year}-{month:02d}-{day:02d}</translation>
    </message>
    <message>
        <source>date.month</source>
        <translation>{month} {year}</translation>
    </message>
    <message>
        <source>date.months</source>
        <translation>January,February,March,April,May,June,July,August,September,October,November,December</translation>
    </message>
    <message>
        <source>date.months_short</source>
        <translation>Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec</translation>
    </message>
    <message>
        <source>date.weekdays</source>
        <translation>Sun,Mon,Tue,Wed,Thu,Fri,Sat</translation>
    </message>
    <message>
        <source>date.pick_first</source>
        <translation>Choose the first day of the period</translation>
    </message>
    <message>
        <source>date.pick_last</source>
        <translation>Choose the last day of the period</translation>
    </message>
    <message>
        <source>list.reprint</source>
        <translation>Reprint a certificate</translation>
    </message>
    <message>
        <source>reprint.title</source>
        <translation>Choose a certificate to reprint</translation>
    </message>
    <message>
        <source>reprint.hint</source>
        <translation>Touch a certificate, then Reprint. Nothing is issued again.</translation>
    </message>
    <message>
        <source>reprint.hint_filtered</source>
        <translation>These certificates were already issued for this period. Choose one, then Reprint.</translation>
    </message>
    <message>
        <source>reprint.col.issued</source>
        <translation>Issued</translation>
    </message>
    <message>
        <source>reprint.col.period</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>reprint.col.method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>reprint.col.amount</source>
        <translation>Amount (kWh)</translation>
    </message>
    <message>
        <source>reprint.col.institution</source>
        <translation>Institution</translation>
    </message>
    <message>
        <source>reprint.empty</source>
        <translation>You have no certificates to reprint yet.</translation>
    </message>
    <message>
        <source>reprint.selected</source>
        <translation>Selected: {cid}</translation>
    </message>
    <message>
        <source>progress.certificates</source>
        <translation>Loading your certificates…</translation>
    </message>
    <message>
        <source>progress.manual</source>
        <translation>Signing in and checking your transactions…</translation>
    </message>
    <message>
        <source>done.reprint_another</source>
        <translation>Reprint another</translation>
    </message>
    <message>
        <source>done.new_request</source>
        <translation>New request</translation>
    </message>
    <message>
        <source>done.reprint_note</source>
        <translation>This is a copy of a certificate issued before; nothing was issued again.</translation>
    </message>
    <message>
        <source>done.skipped</source>
        <translation>{count} transactions in this period already had a certificate and were left out.</translation>
    </message>
    <message>
        <source>done.skipped.one</source>
        <translation>{count} transaction in this period already had a certificate and was left out.</translation>
    </message>
    <message>
        <source>already.message_many</source>
        <translation>{count} certificates were already issued for this period. The same transaction cannot be certified twice; you can reprint them if you need another copy.</translation>
    </message>
    <message>
        <source>error.no_match.title</source>
        <translation>No matching transactions</translation>
    </message>
    <message>
        <source>error.no_match.message</source>
        <translation>There are no {method} transactions from {period} to certify. Please check the period and the production method.</translation>
    </message>
    <message>
        <source>error.no_match.partial</source>
        <translation>{count} {method} transactions only partly overlap {period}. Transactions are grouped by month: please choose a period that covers whole months.</translation>
    </message>
    <message>
        <source>error.no_match.partial.one</source>
        <translation>{count} {method} transaction only partly overlaps {period}. Transactions are grouped by month: please choose a period that covers whole months.</translation>
    </message>
    <message>
        <source>error.no_match.any</source>
        <translation>There are no transactions from {period} to certify. Please check the period.</translation>
    </message>
    <message>
        <source>pin.title</source>
        <translation>Staff settings</translation>
    </message>
    <message>
        <source>pin.prompt</source>
        <translation>Enter the staff PIN, then touch OK.</translation>
    </message>
    <message>
        <source>pin.label</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>pin.wrong</source>
        <translation>Wrong PIN.</translation>
    </message>
    <message>
        <source>pin.locked</source>
        <translation>Too many wrong PINs. The PIN can be entered again in {minutes} min.</translation>
    </message>
    <message>
        <source>pin.change_prompt</source>
        <translation>The staff PIN is still the default. Choose a new PIN of 4 to 8 digits, enter it twice, then touch OK.</translation>
    </message>
    <message>
        <source>pin.not_default</source>
        <translation>Please choose a PIN other than {pin}.</translation>
    </message>
    <message>
        <source>settings.title</source>
        <translation>Staff settings</translation>
    </message>
    <message>
        <source>settings.section.general</source>
        <translation>General</translation>
    </message>
    <message>
        <source>settings.section.printer</source>
        <translation>Printer</translation>
    </message>
    <message>
        <source>settings.section.pin</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>settings.mode</source>
        <translation>Requests</translation>
    </message>
    <message>
        <source>settings.mode.list</source>
        <translation>Choose from a list</translation>
    </message>
    <message>
        <source>settings.mode.manual</source>
        <translation>Enter a period</translation>
    </message>
    <message>
        <source>settings.language</source>
        <translation>Default language</translation>
    </message>
    <message>
        <source>settings.idle</source>
        <translation>Sign out after</translation>
    </message>
    <message>
        <source>settings.seconds</source>
        <translation>{count} s</translation>
    </message>
    <message>
        <source>settings.minutes</source>
        <translation>{count} min</translation>
    </message>
    <message>
        <source>settings.url</source>
        <translation>Server URL</translation>
    </message>
    <message>
        <source>settings.printer</source>
        <translation>Printer</translation>
    </message>
    <message>
        <source>settings.printer_none</source>
        <translation>No printer (save as PDF)</translation>
    </message>
    <message>
        <source>settings.printer_row</source>
        <translation>{name} — {state}</translation>
    </message>
    <message>
        <source>settings.printer_default</source>
        <translation>{name} (default)</translation>
    </message>
    <message>
        <source>settings.printers_loading</source>
        <translation>Looking for printers…</translation>
    </message>
    <message>
        <source>settings.printers_failed</source>
        <translation>Cannot reach the print server: {reason}</translation>
    </message>
    <message>
        <source>settings.printers_found</source>
        <translation>{count} printers found</translation>
    </message>
    <message>
        <source>settings.printers_found.one</source>
        <translation>{count} printer found</translation>
    </message>
    <message>
        <source>settings.printer_missing</source>
        <translation>{name} (not found)</translation>
    </message>
    <message>
        <source>settings.refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>settings.paper</source>
        <translation>Paper size</translation>
    </message>
    <message>
        <source>settings.new_pin</source>
        <translation>New PIN</translation>
    </message>
    <message>
        <source>settings.repeat_pin</source>
        <translation>Repeat new PIN</translation>
    </message>
    <message>
        <source>settings.pin_hint</source>
        <translation>Leave both empty to keep the current PIN (4 to 8 digits).</translation>
    </message>
    <message>
        <source>settings.default_pin</source>
        <translation>The PIN is still the default ({pin}). Please set a new one.</translation>
    </message>
    <message>
        <source>settings.pin_mismatch</source>
        <translation>The two PINs do not match.</translation>
    </message>
    <message>
        <source>settings.pin_format</source>
        <translation>The PIN must be 4 to 8 digits.</translation>
    </message>
    <message>
        <source>settings.bad_url</source>
        <translation>The server URL must start with http:// or https://.</translation>
    </message>
    <message>
        <source>settings.save</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>settings.saved</source>
        <translation>Settings saved.</translation>
    </message>
    <message>
        <source>settings.save_failed</source>
        <translation>Could not save the settings: {reason}</translation>
    </message>
    <message>
        <source>settings.file_problem</source>
        <translation>The settings file has a problem, so the kiosk uses its start-up settings: {reason}</translation>
    </message>
    <message>
        <source>printer.state.idle</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>printer.state.printing</source>
        <translation>Printing</translation>
    </message>
    <message>
        <source>printer.state.stopped</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <source>printer.state_with_reasons</source>
        <translation>{state}: {reasons}</translation>
    </message>
    <message>
        <source>printer.reason.media-empty</source>
        <translation>out of paper</translation>
    </message>
    <message>
        <source>printer.reason.media-needed</source>
        <translation>out of paper</translation>
    </message>
    <message>
        <source>printer.reason.media-low</source>
        <translation>paper low</translation>
    </message>
    <message>
        <source>printer.reason.media-jam</source>
        <translation>paper jam</translation>
    </message>
    <message>
        <source>printer.reason.toner-low</source>
        <translation>toner low</translation>
    </message>
    <message>
        <source>printer.reason.toner-empty</source>
        <translation>out of toner</translation>
    </message>
    <message>
        <source>printer.reason.marker-supply-low</source>
        <translation>ink or toner low</translation>
    </message>
    <message>
        <source>printer.reason.marker-supply-empty</source>
        <translation>out of ink or toner</translation>
    </message>
    <message>
        <source>printer.reason.door-open</source>
        <translation>door open</translation>
    </message>
    <message>
        <source>printer.reason.cover-open</source>
        <translation>cover open</translation>
    </message>
    <message>
        <source>printer.reason.input-tray-missing</source>
        <translation>paper tray missing</translation>
    </message>
    <message>
        <source>printer.reason.output-area-full</source>
        <translation>output tray full</translation>
    </message>
    <message>
        <source>printer.reason.offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>printer.reason.timed-out</source>
        <translation>not responding</translation>
    </message>
    <message>
        <source>printer.reason.connecting-to-device</source>
        <translation>connecting to the printer</translation>
    </message>
    <message>
        <source>printer.reason.paused</source>
        <translation>paused by an administrator</translation>
    </message>
    <message>
        <source>printer.reason.moving-to-paused</source>
        <translation>pausing</translation>
    </message>
    <message>
        <source>printer.reason.shutdown</source>
        <translation>switched off</translation>
    </message>
    <message>
        <source>printer.reason.spool-area-full</source>
        <translation>print queue full</translation>
    </message>
    <message>
        <source>printer.reason.cups-missing-filter</source>
        <translation>print filter missing</translation>
    </message>
    <message>
        <source>printer.reason.other</source>
        <translation>another problem</translation>
    </message>
    <message>
        <source>idle.title</source>
        <translation>Are you still there?</translation>
    </message>
    <message>
        <source>idle.message</source>
        <translation>The kiosk has not been used for a while. In {seconds} s you will be signed out and the screen cleared. Touch the screen to continue.</translation>
    </message>
    <message>
        <source>idle.continue</source>
        <translation>Continue</translation>
    </message>
    <message>
        <source>keyboard.space</source>
        <translation>Space</translation>
    </message>
    <message>
        <source>keyboard.enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <source>keyboard.done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>keyboard.symbols</source>
        <translation>?123</translation>
    </message>
    <message>
        <source>keyboard.letters</source>
        <translation>ABC</translation>
    </message>
    <message>
        <source>keyboard.shift</source>
        <translation>⇧</translation>
    </message>
    <message>
        <source>keyboard.backspace</source>
        <translation>⌫</translation>
    </message>
    <message>
        <source>settings.section.connection</source>
        <translation>Connection</translation>
    </message>
    <message>
        <source>settings.backend</source>
        <translation>Connect to</translation>
    </message>
    <message>
        <source>settings.backend.intermediary</source>
        <translation>Certificate server</translation>
    </message>
    <message>
        <source>settings.backend.direct</source>
        <translation>Ledger node (direct)</translation>
    </message>
    <message>
        <source>settings.node_url</source>
        <translation>Ledger node URL</translation>
    </message>
    <message>
        <source>settings.bad_node_url</source>
        <translation>The ledger node URL must start with http:// or https://.</translation>
    </message>
    <message>
        <source>settings.direct_applicants</source>
        <translation>Applicants enrolled at this kiosk: {count}</translation>
    </message>
    <message>
        <source>settings.trust_pinned</source>
        <translation>Validator keys: {count} pinned on first use (chain {chain})</translation>
    </message>
    <message>
        <source>settings.trust_unpinned</source>
        <translation>Validator keys: fetched from the node and pinned on first use</translation>
    </message>
    <message>
        <source>settings.trust_problem</source>
        <translation>The pinned validator keys cannot be read: {reason}</translation>
    </message>
    <message>
        <source>error.node_unreachable.title</source>
        <translation>Cannot reach the ledger node</translation>
    </message>
    <message>
        <source>error.node_unreachable.message</source>
        <translation>The ledger node is not answering. Please wait a moment and try again. If this keeps happening, please tell a member of staff.</translation>
    </message>
    <message>
        <source>error.unverified.title</source>
        <translation>The ledger&apos;s answer did not verify</translation>
    </message>
    <message>
        <source>error.unverified.message</source>
        <translation>The ledger node&apos;s answer did not pass this kiosk&apos;s checks, so nothing was printed. Please try again, or tell a member of staff.</translation>
    </message>
    <message>
        <source>error.applicant_record.title</source>
        <translation>Your sign-in record has a problem</translation>
    </message>
    <message>
        <source>error.applicant_record.message</source>
        <translation>Your record stored at this kiosk could not be read. Please tell a member of staff.</translation>
    </message>
    <message>
        <source>not_printed.title</source>
        <translation>Your certificate was issued but not printed</translation>
    </message>
    <message>
        <source>not_printed.message</source>
        <translation>The certificate is issued and kept safe; only the printing failed. You can try printing it again.</translation>
    </message>
    <message>
        <source>not_printed.message_reprint</source>
        <translation>The copy could not be printed. You can try printing it again.</translation>
    </message>
    <message>
        <source>not_printed.printer</source>
        <translation>Printer: {state}</translation>
    </message>
    <message>
        <source>not_printed.printer_checking</source>
        <translation>Checking the printer…</translation>
    </message>
    <message>
        <source>not_printed.printer_missing</source>
        <translation>Printer: not found. It may have been switched off or removed.</translation>
    </message>
    <message>
        <source>not_printed.printer_unreachable</source>
        <translation>Printer: cannot be reached.</translation>
    </message>
    <message>
        <source>not_printed.ask_staff</source>
        <translation>If it still does not print, please ask a member of staff and tell them this reference.</translation>
    </message>
    <message>
        <source>not_printed.print_again</source>
        <translation>Print again</translation>
    </message>
    <message>
        <source>manual_confirm.title</source>
        <translation>Please check your request</translation>
    </message>
    <message>
        <source>manual_confirm.prompt</source>
        <translation>This certificate will be issued. Touch Issue to confirm, or Back to change the request.</translation>
    </message>
    <message>
        <source>manual_confirm.institution</source>
        <translation>Issuing institution: {institution}</translation>
    </message>
    <message>
        <source>manual_confirm.too_large</source>
        <translation>This period holds more transactions than one certificate can. Please go back and choose a shorter period.</translation>
    </message>
    <message>
        <source>manual_confirm.skipped</source>
        <translation>{count} transactions in this period already have a certificate and are left out.</translation>
    </message>
    <message>
        <source>manual_confirm.skipped.one</source>
        <translation>{count} transaction in this period already has a certificate and is left out.</translation>
    </message>
    <message>
        <source>manual_confirm.period_summary</source>
        <translation>The allocations inside this period: at most {kwh} kWh
Production method: {method}
Period: {period}</translation>
    </message>
    <message>
        <source>manual_confirm.cut</source>
        <translation>The period cuts transactions grouped by month: only their allocations inside the period are certified. The certificate states the exact amount.</translation>
    </message>
    <message>
        <source>verify_camera.title</source>
        <translation>Scan with the camera</translation>
    </message>
    <message>
        <source>verify_camera.hint</source>
        <translation>Hold the QR code on the certificate 15–25 cm from the camera, inside the green frame, and keep it still.</translation>
    </message>
    <message>
        <source>verify_camera.starting</source>
        <translation>Starting the camera…</translation>
    </message>
    <message>
        <source>verify_camera.looking</source>
        <translation>Looking for a QR code…</translation>
    </message>
    <message>
        <source>verify_camera.not_certificate</source>
        <translation>That QR code is not a GreenCert certificate. Show the QR code printed on the certificate.</translation>
    </message>
    <message>
        <source>verify_camera.no_camera</source>
        <translation>No camera was found. Use the barcode scanner or the files on a USB stick instead.</translation>
    </message>
    <message>
        <source>verify_camera.failed</source>
        <translation>The camera could not be used. Try again, or use the barcode scanner or the files on a USB stick.</translation>
    </message>
    <message>
        <source>verify_camera.unplugged</source>
        <translation>The camera was disconnected. Connect it again and try again, or use the barcode scanner or the files on a USB stick.</translation>
    </message>
</context>
</TS>
