"""The verification's step details and notes in Japanese and English (issue #13): one catalogue for
``greencert verify --lang``, the kiosk's auditor result and the public ``/verify`` page.

``ledger_lite`` gives each step and note a message id and its parameters (``ledger_lite.detail_ids``); here each
id has a template per language, and the parameters are worded as the certificate's facts are
(``printing.facts``): amounts as ``1,234.567 kWh``, times in the site's zone, heights and counts with thousands
separators, the paper's own words for its fields (``printing.words.LABELS``). What the id does not know (a
caller's own words, an id from a newer ``ledger_lite``) is shown as the English detail it came with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger_lite.detail_ids import DETAIL_PARAMS
from ledger_lite.verification import Step, clip
from printing.document import DEFAULT_TIME_ZONE, format_amount_kwh
from printing.words import METHOD_WORDS, format_datetime, word, zone_of

LANGUAGES = ("ja", "en")

# id → (Japanese, English); ``{name}`` is the parameter worded for the language, ``{who}`` the signer with its
# registered name, ``{fields}`` the record's differing fields.
TEXTS: dict[str, tuple[str, str]] = {
    "read.ok": (
        "{name} から QR コードを読み取りました",
        "QR code read from {name}",
    ),
    "read.no_qr": (
        "{name} に QR コードが見つかりません",
        "no QR code found in {name}",
    ),
    "read.several_payloads": (
        "{name} に異なる証明書の QR コードが {count} 個あります。1 つずつ確認してください",
        "found {count} different GC1 payloads in {name}: verify each payload on its own",
    ),
    "read.not_found": (
        "「GC1:」で始まる証明書の文字列か、存在するファイルを指定してください（指定されたもの: {found}）",
        "expected a 'GC1:' payload or an existing file, found neither: {found}",
    ),
    "read.unreadable": (
        "{name} を読み取れません（ファイルが壊れているか、大きすぎます）",
        "cannot read {name}: {reason}",
    ),
    "read.unsupported": (
        "証明書の文字列、PDF、画像のいずれかを指定してください（指定されたもの: {name}）",
        "expected a payload, a .pdf or an image, found {name}",
    ),
    "read.pasted": (
        "貼り付けられた文字列、またはリンクに含まれる文字列を読み取りました",
        "text pasted or carried by the link",
    ),
    "read.pasted_foreign": (
        "貼り付けられた文字列、またはリンクに含まれる文字列を読み取りました（「GC1:」で始まっていません）",
        "text pasted or carried by the link (it does not start with GC1:)",
    ),
    "read.scanned": (
        "スキャナーで QR コードを読み取りました",
        "QR code read by the scanner",
    ),
    "read.camera": (
        "カメラで QR コードを読み取りました",
        "QR code read by the camera",
    ),
    "read.scan_too_long": (
        "読み取った文字列は {limit} 文字以内のはずですが、{found} 文字ありました",
        "expected a payload of at most {limit} characters, found {found}",
    ),
    "trust.fetched": (
        "チェーン {chain} の信頼リストをオンラインで取得しました",
        "trust list of chain {chain} fetched online",
    ),
    "trust.kept": (
        "前回オンラインで確認したときに保存した信頼リストを使いました",
        "the trust list kept from the last check online {reason}",
    ),
    "trust.never_online": (
        "信頼リストがありません。このキオスクはまだ一度もオンラインで信頼リストを取得していません",
        "no trust list: the kiosk was never online to fetch one {reason}",
    ),
    "trust.anchor": (
        "監査人が持ち込んだ信頼の起点（チェーン {chain}、バリデーター {validators} 個）を使いました。"
        "キオスクの信頼リストは使っていません。発行者の鍵 {issuers} 個を、"
        "起点のバリデーターが署名した記録で確かめました",
        "the auditor's trust anchor was used (chain {chain}, {validators} validators), not the kiosk's trust list: "
        "{issuers} issuer keys proven through what its validators signed",
    ),
    "trust.anchor_unproven": (
        "台帳ノードが監査人の信頼の起点（チェーン {chain}）を証明できません。キオスクの信頼リストは代わりに使いません",
        "the ledger node does not prove the auditor's trust anchor (chain {chain}): {reason}; the kiosk's own trust "
        "list was not used instead",
    ),
    "trust.anchor_offline": (
        "監査人が持ち込んだ信頼の起点（チェーン {chain}、バリデーター {validators} 個）を使いました。"
        "台帳ノードに接続できないため、発行者の鍵はわかりません（発行者の鍵は台帳から確かめるものです）",
        "the auditor's trust anchor was used (chain {chain}, {validators} validators), offline: no ledger node "
        "answered ({reason}), so the issuer keys, which are learnt from the ledger, are unknown",
    ),
    "trust.bad_anchor": (
        "信頼の起点（「GCT1:」で始まる文字列）として読み取れません",
        "expected a trust anchor (GCT1:), found one that is not: {reason}",
    ),
    "trust.unproven": (
        "台帳ノードの答えが、信頼するバリデーターの署名で証明されていないため、信頼リストを更新できません",
        "the ledger node's answers do not prove the trust list: {reason}",
    ),
    "trust.cache_outdated": (
        "保存されている信頼リスト {path} は古い形式です。一度オンラインで確認（--node URL）して更新してください",
        "cached trust list {path} is outdated: run once online (--node URL) to refresh it",
    ),
    "trust.cache_unreadable": (
        "保存されている信頼リスト {path} を読み込めません",
        "cached trust list {path} is unreadable: {reason}",
    ),
    "trust.none": (
        "信頼リストがありません。一度オンラインで確認して {path} に取得してください",
        "no trust list: run once online to fetch it into {path}",
    ),
    "trust.unreachable": (
        "信頼リストがありません。台帳ノードに接続できず、登録簿を読めませんでした",
        "no trust list: the ledger node cannot be reached to read its registry ({reason})",
    ),
    "payload.too_long": (
        "証明書の文字列は {limit} 文字以内のはずですが、{found} 文字ありました",
        "expected a payload of at most {limit} characters, found {found}",
    ),
    "payload.prefix": (
        "証明書の文字列は「GC1:」で始まるはずですが、{found} で始まっています",
        "expected text starting with 'GC1:', found {found}",
    ),
    "payload.base45": (
        "「GC1:」の後が Base45 の文字列ではありません（QR コードの内容が壊れています）",
        "expected Base45 text after 'GC1:', found other characters",
    ),
    "payload.zlib": (
        "QR コードのデータを展開できません（圧縮データが壊れているか、途中で切れています）",
        "expected complete zlib-compressed data, found data that does not inflate",
    ),
    "payload.zlib_too_large": (
        "QR コードのデータは展開すると {limit} バイト以内のはずですが、それを超えました",
        "expected at most {limit} bytes once inflated, found more",
    ),
    "payload.cose": (
        "QR コードのデータが署名付きの形式（COSE_Sign1）になっていません",
        "expected a signed message (COSE_Sign1), found something else",
    ),
    "payload.claims": (
        "署名された内容に、証明書の項目（発電量・期間・所有者など）がそろっていません",
        "expected the certificate's claims (amount, period, owner, ...) in the signed message",
    ),
    "payload.bad_id": (
        "証明書番号は 64 文字の 16 進数（発行取引の ID）のはずですが、{found} でした",
        "expected a certificate id of 64 lower-case hex characters, found {found}",
    ),
    "payload.other_chain": (
        "チェーン {expected} の証明書のはずですが、チェーン {found} の証明書です",
        "expected a certificate of chain {expected}, found {found}",
    ),
    "signature.unknown_key": (
        "署名した鍵（kid {kid}）は信頼リストにありません",
        "the signing key (kid {kid}) is not in the trust list",
    ),
    "signature.invalid": (
        "署名が内容と一致しません。署名の後に内容（発電量・期間・所有者など）が書き換えられたか、署名が壊れています（"
        "鍵 kid {kid}）",
        "the signature does not verify for key {kid}: the content (amount, period, owner, ...) was changed after "
        "signing, or the signature is damaged",
    ),
    "signature.issuer": (
        "信頼リストにある発行者 {who} の署名です",
        "signed by trusted issuer {who}",
    ),
    "signature.user_key": (
        "利用者 {who} の鍵による署名です（直接モード）。台帳がこの鍵を発行者として記録しているか確認します",
        "signed by the user key of {who} (direct mode); the ledger must name it as the issuer",
    ),
    "signature.anchor_offline": (
        "発行者の署名は確認できません。オフラインでは、監査人の信頼の起点にはバリデーターの鍵しかなく、発行者の鍵がありません",
        "the issuer's signature could not be checked: offline, the auditor's trust anchor holds the validators' keys "
        "only, not the issuers'",
    ),
    "signature.user_key_offline": (
        "利用者 {who} の鍵による署名です。利用者の鍵で署名された証明書（直接モード）は、台帳と照合しないと確認できま"
        "せん",
        "signed by the user key of {who}: a certificate signed by a user key (direct mode) can only be confirmed "
        "against the ledger",
    ),
    "printed.unreadable": (
        "PDF に印刷された発電量または証明書番号を読み取れません",
        "the printed amount or certificate id could not be read from the PDF",
    ),
    "printed.amount_differs": (
        "印刷された発電量 {printed_wh} が、署名された発電量 {signed_wh} と異なります",
        "printed amount {printed_wh} differs from the signed {signed_wh}",
    ),
    "printed.id_differs": (
        "印刷された証明書番号 {printed} が、署名された証明書番号 {signed} と異なります",
        "printed certificate id {printed} differs from the signed {signed}",
    ),
    "printed.reference_differs": (
        "印刷された参照番号 {printed} は、署名された証明書の参照番号 {signed} ではありません",
        "printed reference {printed} is not the signed certificate's {signed}",
    ),
    "printed.match": (
        "印刷された発電量と証明書番号は、署名された内容と一致します",
        "printed amount and certificate id match the signed payload",
    ),
    "printed.match_with_reference": (
        "印刷された発電量・証明書番号・参照番号は、署名された内容と一致します",
        "printed amount, certificate id and reference match the signed payload",
    ),
    "ledger.no_issuance": (
        "台帳に発行取引 {certificate_id} がありません",
        "the ledger has no issuance {certificate_id}",
    ),
    "ledger.unreachable": (
        "台帳ノードに接続できません。台帳とは照合していません",
        "ledger node unreachable: {reason}",
    ),
    "ledger.unreachable_cached_trust": (
        "台帳ノード {node} に接続できないため、保存されている信頼リストを使いました",
        "ledger node {node} unreachable ({reason}); using the cached trust list",
    ),
    "ledger.unreachable_anchor_only": (
        "台帳ノード {node} に接続できず、この信頼の起点から更新した信頼リストもここにありません。信頼の起点にはバリデー"
        "ターの鍵しかなく、発行者の鍵がありません。一度オンラインで、この起点とともに確認してください",
        "ledger node {node} unreachable ({reason}), and no trust list was brought up to date from this anchor here: "
        "it names the validators only, not the issuers; check once online with it",
    ),
    "ledger.unreachable_old_trust": (
        "台帳ノードに接続できないため、{when} に取得した信頼リストを使いました",
        "the ledger node cannot be reached ({reason}); the trust list it gave at {when} was used",
    ),
    "ledger.bad_answer": (
        "台帳ノードの答えに、ブロックの高さのある取引と状態がありません",
        "expected a transaction and a state answer with a height, found {reason}",
    ),
    "ledger.conflicting_headers": (
        "ブロック {height} に、それぞれバリデーターの定足数が署名した異なる 2 つのヘッダーがあります（以前確認した {k"
        "nown} と今回の {found}）。フォークの証拠として両方を保存し、どちらについても判定しません",
        "two different final headers for block {height}: {known} (checked before) and {found} (now), each signed by "
        "a quorum of validators; both are kept as evidence and no verdict is given on either",
    ),
    "inclusion.ok": (
        "発行取引はチェーン {chain} の確定したブロック {height} に含まれています（バリデーターの定足数の署名と Merkle"
        " 証明を確認）",
        "issuance is in final block {height} of {chain} (validator quorum and Merkle proof checked)",
    ),
    "inclusion.no_quorum": (
        "発行取引のブロックに、信頼するバリデーターの定足数の有効な署名がありません（確定していません）",
        "the issuance's block is not signed by a quorum of the trusted validators: {reason}",
    ),
    "inclusion.bad_proof": (
        "発行取引がブロックに含まれていることの Merkle 証明が合いません",
        "the proof that the issuance is in its block does not verify: {reason}",
    ),
    "inclusion.unproven": (
        "発行取引が確定したブロックに含まれていることを証明できません",
        "the issuance is not proven to be in a final block: {reason}",
    ),
    "inclusion.other_transaction": (
        "発行取引 {expected}（cert.issue）を求めましたが、台帳ノードは取引 {found}（{found_type}）を返しました",
        "expected the issuance {expected} (cert.issue), the node answered transaction {found} ({found_type})",
    ),
    "inclusion.bundle_of_other": (
        "PDF の監査バンドルは証明書 {bundle} のもので、署名された内容は証明書 {signed} のものです",
        "the audit bundle in the PDF is of certificate {bundle}, the signed payload of {signed}",
    ),
    "inclusion.damaged_bundle": (
        "PDF の監査バンドルが壊れています",
        "the PDF's audit bundle is damaged: {reason}",
    ),
    "record.ok": (
        "台帳の記録はすべての項目と一致します（ブロック {height} で状態証明を確認）",
        "ledger record matches every claim (state proof checked at block {height})",
    ),
    "record.ok_issuance": (
        "台帳の記録は発行取引と一致します（ブロック {height} で状態証明を確認）",
        "ledger record matches the issuance (state proof checked at block {height})",
    ),
    "record.unproven": (
        "台帳にある証明書の記録を証明できません",
        "the ledger's certificate record does not verify: {reason}",
    ),
    "record.absent": (
        "台帳は記録 {key} が存在しないことを証明しています",
        "the ledger proves there is no record {key}",
    ),
    "record.mismatch": (
        "台帳の記録が{against}と異なります。{fields}",
        "the ledger's record differs from the {against}: {fields}",
    ),
    "revocation.ok": (
        "失効していません",
        "not revoked",
    ),
    "revocation.revoked": (
        "ブロック {height} で失効しました（理由: {reason}）",
        "revoked at block {height}: {reason}",
    ),
    "lifecycle.transferred": (
        "{amount_wh} を {to} に移転しました（ブロック {height}）",
        "transferred {amount_wh} to {to} (block {height})",
    ),
    "lifecycle.retired": (
        "{beneficiary} のために {amount_wh} を償却しました（目的: {purpose}、報告年 {year}、ブロック {height}）",
        "retired for {beneficiary} ({amount_wh}): {purpose}, reporting year {year} (block {height})",
    ),
    "lifecycle.held": (
        "償却されていない {amount_wh} を {holders} 者が保有しています",
        "{amount_wh} not retired; holders: {holders}",
    ),
    "lifecycle.all_retired": (
        "この証明書の {amount_wh} はすべて償却済みです",
        "all {amount_wh} of this certificate are retired",
    ),
    "lifecycle.earlier": (
        "それ以前の移転・償却 {count} 件は表示していません",
        "{count} earlier transfers or retirements are not listed",
    ),
    "note.photo_not_compared": (
        "写真に印刷された文字は照合していません（QR コードだけを読み取りました）。印刷された発電量・期間・発電方法・"
        "所有者・発行機関・参照番号が、上の確認済みの内容と同じか確かめてください",
        "the text printed on the photo was not compared (only its QR code was read): check that the amount, period, "
        "method, owner, institution and reference printed on it are the verified facts listed above",
    ),
    "note.no_reference_printed": (
        "この PDF には参照番号が印刷されていません（参照番号の導入前の印刷です）。発電量と証明書番号の全体を照合しま"
        "した",
        "no short reference is printed on this PDF (printed before references were): its amount and full certificate "
        "id were compared",
    ),
    "note.offline_bundle": (
        "オフライン: 発行取引・確定・台帳の記録は、PDF の監査バンドル（ブロック {height} 時点の台帳）で証明しました。"
        "その後の失効は、オンラインで確認しないとわかりません",
        "offline: inclusion, finality and the record were proven from the audit bundle in the PDF (the ledger as of "
        "block {height}); a revocation after that needs the network (check online to see it)",
    ),
    "note.offline_signature_only": (
        "オフライン: 信頼リストで署名を確認しました。台帳には問い合わせていません（監査バンドル付きの PDF か、オンラ"
        "インでの確認なら、台帳に記録されていることも証明できます）",
        "offline: the signature was checked against the trust list; the ledger was not asked (a PDF with an audit "
        "bundle, or a check online, also proves it is on the ledger)",
    ),
    "note.user_signed_offline": (
        "利用者の鍵で署名された証明書は、台帳と照合しないと確認できません。オンラインで確認してください（greencert ve"
        "rify --node URL）",
        "a user-signed certificate can only be confirmed against the ledger: run greencert verify online (--node URL)",
    ),
    "note.first_use": (
        "初回の利用: チェーン {chain} の最初のバリデーターを台帳ノードから取得し、その後の変更をすべてそれに照らして"
        "確認しました。信頼できる相手から受け取った --anchor GCT1:... で固定してください",
        "first use: the genesis validators of chain {chain} were taken from the node, and every later change was "
        "checked against them; pin them with --anchor GCT1:... from someone you trust",
    ),
    "note.bundle_instead": (
        "台帳ノードに接続できないため、PDF の監査バンドルで確認しました",
        "the ledger node could not be reached; the PDF's audit bundle was checked instead",
    ),
    "time_matched.proven": (
        "記載された時間一致 {stated_wh} は、台帳の証明済みの証明書記録の値と一致します",
        "the stated time-matched {stated_wh} is the figure in the ledger's proven certificate record",
    ),
    "time_matched.differs": (
        "記載された時間一致 {stated_wh} は、台帳の証明済みの証明書記録の {proven_wh} と異なります",
        "the stated time-matched {stated_wh} differs from the {proven_wh} in the ledger's proven certificate "
        "record",
    ),
    "note.time_matched_unproven": (
        "記載された時間一致 {stated_wh} は台帳で証明できませんでした（{reason}）。発行者の記載として表示しています",
        "the stated time-matched {stated_wh} could not be proven from the ledger ({reason}); it is shown as the "
        "issuer's statement",
    ),
    "note.fully_retired": (
        "この証明書は本物で、すべて償却済みです。その電力は上に記載された受益者のために使われ、ほかの誰も主張できま"
        "せん",
        "this certificate is genuine and fully retired: its energy was claimed for the beneficiaries named above and "
        "can be claimed by no one else",
    ),
}

# record.mismatch: the record's fields in the paper's words (ja, en)
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "id": ("証明書番号", "id"),
    "height": ("ブロックの高さ", "height"),
    "recorded height": ("記録されたブロックの高さ", "recorded height"),
    "chain": ("チェーン", "chain"),
    "amount": ("発電量", "amount"),
    "method": ("発電方法", "method"),
    "start": ("期間の開始", "start"),
    "end": ("期間の終了", "end"),
    "institution": ("発行機関", "institution"),
    "owner": ("所有者", "owner"),
    "issuer": ("発行者", "issuer"),
}
AGAINST_WORDS: dict[str, tuple[str, str]] = {"certificate": ("証明書", "certificate"),
                                             "issuance": ("発行取引", "issuance")}
UNKNOWN = "?"

# What a terminal report needs besides the details (``greencert verify --lang``): the steps' names, the verdicts,
# the facts' names and the report's headings, (ja, en).
STEP_WORDS: dict[str, tuple[str, str]] = {
    "read": ("QRコード", "read"), "trust": ("信頼リスト", "trust"), "payload": ("形式", "payload"),
    "signature": ("発行者の署名", "signature"), "printed": ("印字内容", "printed"),
    "inclusion": ("確定ブロックへの記録", "inclusion"), "record": ("台帳の記録", "record"),
    "revocation": ("失効していない", "revocation"), "ledger": ("台帳", "ledger"),
    "lifecycle": ("移転・償却", "lifecycle"), "time_matched": ("時間一致", "time-matched"),
}
VERDICT_WORDS: dict[str, tuple[str, str]] = {
    "genuine": ("本物です", "GENUINE"), "not genuine": ("本物ではありません", "NOT GENUINE"),
    "could not check": ("確認できませんでした", "COULD NOT CHECK"),
}
FACT_WORDS: dict[str, tuple[str, str]] = {
    "amount": ("発電量", "amount"), "period": ("発電期間", "period"), "method": ("発電方法", "method"),
    "owner": ("所有者", "owner"), "institution": ("発行機関", "institution"), "reference": ("参照番号", "reference"),
}
REPORT_WORDS: dict[str, tuple[str, str]] = {
    "certificate": ("証明書 {cid}: {amount} {method}、所有者 {owner}",
                    "certificate {cid}: {amount} {method} for {owner}"),
    "facts_ok": ("確認済みの内容（証明書の記載と照らし合わせてください）:",
                 "verified facts (read them against the paper):"),
    "facts_unverified": ("証明書に書かれている内容（未確認）:", "what the certificate claims (NOT verified):"),
    "note": ("補足: ", "note: "),
    "verdict": ("判定: ", "verdict: "),
}


def words(table: dict[str, tuple[str, str]], key: str, language: str) -> str:
    """``key``'s word in ``language`` from one of the tables above (``key`` itself when it has none)."""
    return _pick(table[key], language) if key in table else key


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[0] if language == "ja" else pair[1]


def _number(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return UNKNOWN if value is None else clip(value)


def _amount(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return format_amount_kwh(value)
    return UNKNOWN if value is None else clip(value)


def _field_value(name: str, value: Any, language: str, zone_name: str) -> str:
    if value is None:
        return "なし" if language == "ja" else "none"
    if name == "amount":
        return _amount(value)
    if name in ("start", "end") and isinstance(value, int) and not isinstance(value, bool):
        try:
            return format_datetime(value, zone_of(zone_name), language)
        except (OverflowError, OSError, ValueError):
            return _number(value)
    if name == "method" and isinstance(value, str) and value in METHOD_WORDS:
        return word(METHOD_WORDS, value, language)
    if name in ("height", "recorded height"):
        return _number(value)
    return clip(value)


def _fields(value: Any, against: str, language: str, zone_name: str) -> str:
    if not isinstance(value, list):
        return clip(value)
    parts = []
    for item in value:
        if not isinstance(item, Mapping):
            continue
        name = str(item.get("field"))
        label = _pick(FIELD_WORDS[name], language) if name in FIELD_WORDS else clip(name)
        ledger = _field_value(name, item.get("ledger"), language, zone_name)
        claimed = _field_value(name, item.get("claimed"), language, zone_name)
        if language == "ja":
            parts.append(f"{label}: 台帳 {ledger}、{against} {claimed}")
        else:
            parts.append(f"{label}: ledger {ledger}, {against} {claimed}")
    return ("。" if language == "ja" else "; ").join(parts)


def _worded(params: Mapping[str, Any], language: str, zone_name: str) -> dict[str, str]:
    """Each parameter as text for ``language``."""
    out: dict[str, str] = {}
    for name, value in params.items():
        if name.endswith("_wh"):
            out[name] = _amount(value)
        elif name == "against":
            out[name] = _pick(AGAINST_WORDS[value], language) if value in AGAINST_WORDS else clip(value)
        elif (isinstance(value, int) and not isinstance(value, bool)) or value is None:
            out[name] = _number(value)
        elif name != "fields":
            out[name] = clip(value, 300)
    if "fields" in params:
        out["fields"] = _fields(params["fields"], out.get("against", ""), language, zone_name)
    if "signer" in params:
        name = out.get("name", "")
        out["who"] = out["signer"] + ((f"（{name}）" if language == "ja" else f" ({name})") if name else "")
    return out


def has_text(code: str) -> bool:
    """Whether ``code`` has text here in every language."""
    return code in TEXTS


def detail_text(code: str, params: Mapping[str, Any], language: str, *, fallback: str = "",
                zone_name: str = DEFAULT_TIME_ZONE) -> str:
    """The detail ``code`` with ``params`` in ``language`` (``ja`` or ``en``); ``fallback`` (the English detail)
    for an id without text here or parameters it is not registered with."""
    pair = TEXTS.get(code)
    if pair is None or set(params) != set(DETAIL_PARAMS.get(code, ())):
        return fallback
    try:
        text = _pick(pair, language).format(**_worded(params, language, zone_name)).strip()
    except (KeyError, IndexError, ValueError, TypeError):  # a template and its parameters out of step
        return fallback
    return text + "。" if language == "ja" and not text.endswith("。") else text  # a Japanese sentence ends so


def step_text(step: Step, language: str, *, zone_name: str = DEFAULT_TIME_ZONE) -> str:
    """A report step's detail in ``language``. In English that is the step's own ``detail`` (the words the CLI
    and the logs print, with every value as found); the catalogue's English serves an id without it (a report
    read back from JSON). Without an id, the ``detail`` whatever the language."""
    if language == "en" and step.detail:
        return step.detail
    return detail_text(step.code, step.params, language, fallback=step.detail, zone_name=zone_name)


def note_text(code: str, params: Mapping[str, Any], language: str, *, fallback: str,
              zone_name: str = DEFAULT_TIME_ZONE) -> str:
    """A report's note (``Report.note_id``) in ``language``; ``fallback``: the note's English text, which is
    what English shows (as for ``step_text``)."""
    if language == "en" and fallback:
        return fallback
    return detail_text(code, params, language, fallback=fallback, zone_name=zone_name)


__all__ = ["AGAINST_WORDS", "FACT_WORDS", "FIELD_WORDS", "LANGUAGES", "REPORT_WORDS", "STEP_WORDS", "TEXTS",
           "VERDICT_WORDS", "detail_text", "has_text", "note_text", "step_text", "words"]
