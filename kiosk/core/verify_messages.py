"""The message ids of the auditor's verification mode and the on-screen certificate (issue #13, seed S214a), in
screen order. No Qt here.

They are a catalogue of their own, ``resources/translations/greencert_verify_{ja,en}.ts`` (context ``kiosk``,
source text = the message id) compiled to the ``.qm`` files beside them; ``kiosk.i18n.tr`` looks an id up in the
kiosk's main catalogue (``kiosk.core.messages``) and then here. After adding an id::

    .venv/bin/pyside6-lupdate kiosk/core/verify_messages.py -no-obsolete -locations none \
        -ts resources/translations/greencert_verify_ja.ts resources/translations/greencert_verify_en.ts
    .venv/bin/pyside6-lrelease resources/translations/greencert_verify_ja.ts \
        resources/translations/greencert_verify_en.ts

``tests/kiosk/test_verify_translations.py`` checks both files the way ``test_translations.py`` checks the main ones.
"""

from __future__ import annotations

CATALOGUE = "greencert_verify"  # resources/translations/<CATALOGUE>_<lang>.ts / .qm

STEPS = ("read", "trust", "payload", "signature", "printed", "inclusion", "record", "revocation", "ledger",
         "lifecycle", "time_matched")
FACTS = ("amount", "time_matched", "period", "method", "owner", "institution", "reference")


def QT_TRANSLATE_NOOP(context: str, message_id: str) -> str:  # the name pyside6-lupdate looks for
    """Mark ``message_id`` for the translation tools; returns it unchanged."""
    return message_id


VERIFY_MESSAGE_IDS: tuple[str, ...] = (
    # The idle screen's way in (no log-in)
    QT_TRANSLATE_NOOP("kiosk", "login.verify"),
    # The verify screen: scanner (keyboard wedge), camera, USB stick
    QT_TRANSLATE_NOOP("kiosk", "verify.title"),
    QT_TRANSLATE_NOOP("kiosk", "verify.prompt"),
    QT_TRANSLATE_NOOP("kiosk", "verify.prompt_camera"),
    QT_TRANSLATE_NOOP("kiosk", "verify.ready"),
    QT_TRANSLATE_NOOP("kiosk", "verify.not_payload"),
    QT_TRANSLATE_NOOP("kiosk", "verify.too_long"),
    QT_TRANSLATE_NOOP("kiosk", "verify.files"),
    QT_TRANSLATE_NOOP("kiosk", "verify.camera"),
    # The auditor's own trust anchor (a GCT1: QR), for this auditor only
    QT_TRANSLATE_NOOP("kiosk", "verify.anchor_hint"),
    QT_TRANSLATE_NOOP("kiosk", "verify.anchor_in_use"),
    QT_TRANSLATE_NOOP("kiosk", "verify.anchor_stop"),
    QT_TRANSLATE_NOOP("kiosk", "verify.anchor_loaded"),
    QT_TRANSLATE_NOOP("kiosk", "verify.anchor_bad"),
    QT_TRANSLATE_NOOP("kiosk", "verify.anchor_stopped"),
    QT_TRANSLATE_NOOP("kiosk", "progress.verifying"),
    QT_TRANSLATE_NOOP("kiosk", "progress.finding_files"),
    # The files on a USB stick
    QT_TRANSLATE_NOOP("kiosk", "verify_files.title"),
    QT_TRANSLATE_NOOP("kiosk", "verify_files.hint"),
    QT_TRANSLATE_NOOP("kiosk", "verify_files.empty"),
    QT_TRANSLATE_NOOP("kiosk", "verify_files.refresh"),
    QT_TRANSLATE_NOOP("kiosk", "verify_files.row"),
    QT_TRANSLATE_NOOP("kiosk", "verify_files.top"),
    # The result
    QT_TRANSLATE_NOOP("kiosk", "verify_result.title"),
    QT_TRANSLATE_NOOP("kiosk", "verdict.genuine"),
    QT_TRANSLATE_NOOP("kiosk", "verdict.not_genuine"),
    QT_TRANSLATE_NOOP("kiosk", "verdict.could_not_check"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.failed_at"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.source.node"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.source.bundle"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.source.none"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.source.unreachable"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.no_trust"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.photo"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.steps"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.mark.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.mark.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.mark.unchecked"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.read"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.read.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.read.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.trust"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.trust.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.trust.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.payload"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.payload.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.payload.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.signature"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.signature.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.signature.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.printed"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.printed.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.printed.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.inclusion"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.inclusion.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.inclusion.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.record"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.record.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.record.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.revocation"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.revocation.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.revocation.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.ledger"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.ledger.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.ledger.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.lifecycle"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.lifecycle.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.lifecycle.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.time_matched"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.time_matched.ok"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.time_matched.fail"),
    QT_TRANSLATE_NOOP("kiosk", "verify_step.unchecked"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.facts"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.facts_unverified"),
    QT_TRANSLATE_NOOP("kiosk", "verify_fact.amount"),
    QT_TRANSLATE_NOOP("kiosk", "verify_fact.time_matched"),
    QT_TRANSLATE_NOOP("kiosk", "verify_fact.period"),
    QT_TRANSLATE_NOOP("kiosk", "verify_fact.method"),
    QT_TRANSLATE_NOOP("kiosk", "verify_fact.owner"),
    QT_TRANSLATE_NOOP("kiosk", "verify_fact.institution"),
    QT_TRANSLATE_NOOP("kiosk", "verify_fact.reference"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.show_page"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.another"),
    QT_TRANSLATE_NOOP("kiosk", "verify_result.finish"),
    # S214a: the certificate on the screen
    QT_TRANSLATE_NOOP("kiosk", "view.title"),
    QT_TRANSLATE_NOOP("kiosk", "view.hint"),
    QT_TRANSLATE_NOOP("kiosk", "view.loading"),
    QT_TRANSLATE_NOOP("kiosk", "view.failed"),
    QT_TRANSLATE_NOOP("kiosk", "view.zoom_in"),
    QT_TRANSLATE_NOOP("kiosk", "view.zoom_out"),
    QT_TRANSLATE_NOOP("kiosk", "view.fit"),
    QT_TRANSLATE_NOOP("kiosk", "view.qr"),
    QT_TRANSLATE_NOOP("kiosk", "done.show_on_screen"),
    # The staff settings for both (general section)
    QT_TRANSLATE_NOOP("kiosk", "settings.show_on_screen"),
    QT_TRANSLATE_NOOP("kiosk", "settings.show_on_screen.off"),
    QT_TRANSLATE_NOOP("kiosk", "settings.show_on_screen.on"),
    QT_TRANSLATE_NOOP("kiosk", "settings.verify_roots"),
    QT_TRANSLATE_NOOP("kiosk", "settings.verify_roots_reset"),
)


# -- the staff settings' folder list (issue #13), a Python catalogue ---------------------------------------------
# These texts are kept here, not in the .ts files: id → (Japanese, English); ``panel_text`` fills ``{params}``.
PANEL_TEXTS: dict[str, tuple[str, str]] = {
    "settings.verify_roots_edit": ("フォルダーを編集", "Edit folders"),
    "settings.folders.listed": ("いま探すフォルダー（外すものに触れてください）",
                                "Looked in now (touch one to remove it)"),
    "settings.folders.remove": ("選んだフォルダーを外す", "Remove the chosen folder"),
    "settings.folders.mounted": ("つながっているドライブ（追加するものに触れてください）",
                                 "Mounted drives (touch one to add it)"),
    "settings.folders.none_mounted": ("つながっているドライブが見つかりません。USB メモリを差し込んで「探し直す」に"
                                      "触れてください。",
                                      "No mounted drive found. Insert a USB stick and touch Look again."),
    "settings.folders.refresh": ("探し直す", "Look again"),
    "settings.folders.add": ("選んだドライブを追加", "Add the chosen drive"),
    "settings.folders.done": ("一般設定に戻る", "Back to general"),
    "settings.folders.added": ("{folder} を追加しました。「保存」で確定します。",
                               "{folder} added. Touch Save to keep it."),
    "settings.folders.removed": ("{folder} を外しました。「保存」で確定します。",
                                 "{folder} removed. Touch Save to keep it."),
    "settings.folders.not_a_folder": ("{folder} はフォルダーではありません（USB メモリが抜かれた可能性があります）。"
                                      "フォルダーを選んでください。",
                                      "{folder} is not a folder (was the USB stick taken out?). Choose a folder."),
    "settings.folders.listed_already": ("{folder} はすでに一覧にあります。", "{folder} is in the list already."),
    "settings.folders.too_many": ("フォルダーは {count} 個までです。先にどれかを外してください。",
                                  "At most {count} folders: remove one first."),
    "settings.folders.last": ("最後のフォルダーは外せません。少なくとも 1 つ必要です。",
                              "The last folder cannot be removed: at least one is needed."),
    "settings.folders.choose_first": ("先に一覧からフォルダーを選んでください。", "Choose a folder in the list first."),
}


def panel_text(lang: str, message_id: str, **params: object) -> str:
    """The text of ``message_id`` (``PANEL_TEXTS``) in ``lang`` (``ja`` or ``en``), ``params`` filled in; an
    unknown id is a bug (KeyError)."""
    ja, en = PANEL_TEXTS[message_id]
    text = ja if lang == "ja" else en
    return text.format(**params) if params else text
