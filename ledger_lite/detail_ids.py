"""The message ids of the verification's details (issue #13): each step and note of a ``Report``
(``ledger_lite.audit``) carries, besides its English text (for the CLI and logs), an id and its parameters, so
that every front end can word it in the reader's language (``printing.step_texts``: Japanese and English).

``DETAIL_PARAMS`` is the registry: id → the names of its parameters, always the same for one id. Parameters are
plain JSON values (text, integers; ``record.mismatch``'s ``fields`` a list of ``{field, ledger, claimed}``):
amounts in Wh (``*_wh``), heights and counts as integers, times in Unix seconds; the front end formats them.
``tests/ledger_lite/test_detail_ids.py`` reads every call that names an id in the source and checks it here, and
that the catalogue has Japanese and English for each.
"""

from __future__ import annotations

from typing import Any

Params = dict[str, Any]

DETAIL_PARAMS: dict[str, tuple[str, ...]] = {
    # read: the QR code (the caller's step)
    "read.ok": ("name",),
    "read.no_qr": ("name",),
    "read.several_payloads": ("count", "name"),
    "read.not_found": ("found",),
    "read.unreadable": ("name", "reason"),
    "read.unsupported": ("name",),
    "read.pasted": (),
    "read.pasted_foreign": (),
    "read.scanned": (),
    "read.camera": (),
    "read.scan_too_long": ("limit", "found"),
    # trust: the trust list (the caller's step)
    "trust.bad_anchor": ("reason",),
    "trust.unproven": ("reason",),
    "trust.cache_outdated": ("path",),
    "trust.cache_unreadable": ("path", "reason"),
    "trust.none": ("path",),
    "trust.unreachable": ("reason",),
    "trust.fetched": ("chain",),
    "trust.kept": ("reason",),
    "trust.never_online": ("reason",),
    "trust.anchor": ("chain", "validators", "issuers"),
    "trust.anchor_unproven": ("chain", "reason"),
    "trust.anchor_offline": ("chain", "validators", "reason"),
    # payload
    "payload.too_long": ("limit", "found"),
    "payload.prefix": ("found",),
    "payload.base45": (),
    "payload.zlib": (),
    "payload.zlib_too_large": ("limit",),
    "payload.cose": (),
    "payload.claims": (),
    "payload.bad_id": ("found",),
    "payload.other_chain": ("expected", "found"),
    # signature
    "signature.unknown_key": ("kid",),
    "signature.invalid": ("kid",),
    "signature.issuer": ("signer", "name"),
    "signature.user_key": ("signer", "name"),
    "signature.user_key_offline": ("signer", "name"),
    "signature.anchor_offline": (),
    # printed: the paper against the signed claims
    "printed.unreadable": (),
    "printed.amount_differs": ("printed_wh", "signed_wh"),
    "printed.id_differs": ("printed", "signed"),
    "printed.reference_differs": ("printed", "signed"),
    "printed.match": (),
    "printed.match_with_reference": (),
    # ledger: the node's answers
    "ledger.no_issuance": ("certificate_id",),
    "ledger.unreachable": ("reason",),
    "ledger.unreachable_cached_trust": ("node", "reason"),
    "ledger.unreachable_anchor_only": ("node", "reason"),
    "ledger.unreachable_old_trust": ("reason", "when"),
    "ledger.bad_answer": ("reason",),
    "ledger.conflicting_headers": ("height", "known", "found"),
    # inclusion and finality
    "inclusion.ok": ("height", "chain"),
    "inclusion.no_quorum": ("reason",),
    "inclusion.bad_proof": ("reason",),
    "inclusion.unproven": ("reason",),
    "inclusion.other_transaction": ("expected", "found", "found_type"),
    "inclusion.bundle_of_other": ("bundle", "signed"),
    "inclusion.damaged_bundle": ("reason",),
    # record
    "record.ok": ("height",),
    "record.ok_issuance": ("height",),
    "record.unproven": ("reason",),
    "record.absent": ("key",),
    "record.mismatch": ("against", "fields"),
    # revocation
    "revocation.ok": (),
    "revocation.revoked": ("height", "reason"),
    # lifecycle: transfers and retirements (issue 15, ledger_lite.lifecycle_steps)
    "lifecycle.transferred": ("amount_wh", "to", "height"),
    "lifecycle.retired": ("beneficiary", "amount_wh", "purpose", "year", "height"),
    "lifecycle.held": ("amount_wh", "holders"),
    "lifecycle.all_retired": ("amount_wh",),
    "lifecycle.earlier": ("count",),
    # time_matched: the stated time-matched Wh (claim "tm") against the ledger's proven certificate record
    "time_matched.proven": ("stated_wh",),
    "time_matched.differs": ("stated_wh", "proven_wh"),
    # notes
    "note.time_matched_unproven": ("stated_wh", "reason"),
    "note.photo_not_compared": (),
    "note.no_reference_printed": (),
    "note.offline_bundle": ("height",),
    "note.offline_signature_only": (),
    "note.user_signed_offline": (),
    "note.first_use": ("chain",),
    "note.bundle_instead": (),
    "note.fully_retired": (),
}


def params_fit(code: str, params: Params) -> bool:
    """Whether ``params`` are exactly the parameters ``code`` is registered with."""
    names = DETAIL_PARAMS.get(code)
    return names is not None and set(params) == set(names)


__all__ = ["DETAIL_PARAMS", "Params", "params_fit"]
