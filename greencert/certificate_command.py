"""``greencert certificate transfer|retire|show``: a certificate's holder moves or retires its energy (issue 15).

    greencert certificate transfer <id> --to <address> --wh N --key FILE --node URL [--holder ADDRESS]
    greencert certificate retire <id> --wh N --beneficiary TEXT --purpose TEXT --year YYYY --key FILE --node URL
    greencert certificate show <id> --node URL

Each signs one transaction (``ledger_lite.lifecycle``) with the key in ``--key`` (a hex Ed25519 seed: the holder's
own user or home key, or the issuing intermediary's acting for the certificate's owner) and waits for its block.
The holder is the key's own address, or the certificate's owner when the key is its issuer's; ``--holder`` says
it outright. Exit 0 done (one line says what the ledger recorded); 2 bad input, the ledger's refusal included
(one line: what was expected and what was found); 1 the node could not be asked.
"""

from __future__ import annotations

import re
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_client import ApiError, ClientError, NodeClient, NotFound
from greencert.keystore import KeyFileError, load
from ledger_lite import SigningKey, Transaction
from ledger_lite.lifecycle import holdings, retired_wh, sign_retire, sign_transfer

CERTIFICATE_ID = re.compile(r"[0-9a-f]{64}")
BAD_INPUT, UNREACHABLE = 2, 1


class CommandError(Exception):
    """A one-line reason the command did nothing, with its exit code."""

    def __init__(self, message: str, exit_code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class LifecycleOptions:
    action: str  # "transfer", "retire" or "show"
    node: str
    certificate: str
    key: Path | None = None
    holder: str | None = None
    wh: int = 0
    to: str = ""
    beneficiary: str = ""
    purpose: str = ""
    year: int = 0


def run_certificate(options: LifecycleOptions) -> int:
    name = f"greencert certificate {options.action}"
    try:
        line = _run(options)
    except CommandError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return exc.exit_code
    print(line)
    return 0


def _run(options: LifecycleOptions) -> str:
    if not CERTIFICATE_ID.fullmatch(options.certificate):
        raise CommandError(f"expected a certificate id of 64 lower-case hex characters, found "
                           f"{options.certificate[:80]!r}")
    key = None
    if options.action != "show":
        if options.key is None:
            raise CommandError("expected --key FILE (the holder's or the issuer's key), found none")
        try:
            key = load(options.key)
        except KeyFileError as exc:
            raise CommandError(str(exc)) from exc
    try:
        with NodeClient(options.node) as node:
            record = _record(node, options.certificate)
            if key is None:
                return _describe(record)
            chain = str(node.status()["chain_id"])
            tx = _sign(options, key, record, chain)
            outcome = node.submit(tx, wait=True, timeout=30.0)
    except ApiError as exc:  # the ledger refused it: what the rule said
        raise CommandError(f"the ledger refused it ({exc.code}): {exc.message}") from exc
    except ClientError as exc:
        raise CommandError(f"cannot ask the ledger node at {options.node}: {exc}", UNREACHABLE) from exc
    result = outcome.get("result") or {}
    held = result.get("held_wh")
    if options.action == "transfer":
        return (f"transferred {options.wh:,} Wh of certificate {options.certificate} from {result.get('holder')} to "
                f"{options.to} (block {outcome.get('height')}); {held:,} Wh left with the holder")
    return (f"retired {options.wh:,} Wh of certificate {options.certificate} for {options.beneficiary} "
            f"({options.purpose}, {options.year}) (block {outcome.get('height')}); {held:,} Wh left with the holder")


def _record(node: NodeClient, certificate: str) -> dict[str, Any]:
    try:
        value = node.value(f"cert/{certificate}").get("value")
    except NotFound:
        value = None
    if not isinstance(value, dict):
        raise CommandError(f"expected a certificate issued on the ledger, found no certificate {certificate}")
    return value


def _sign(options: LifecycleOptions, key: SigningKey, record: dict[str, Any], chain: str) -> Transaction:
    holder = options.holder or (str(record["owner"]) if key.address == record.get("issuer") else key.address)
    nonce, now = secrets.randbits(62), int(time.time())
    if options.action == "transfer":
        return sign_transfer(key, chain=chain, certificate=options.certificate, holder=holder, to=options.to,
                             wh=options.wh, nonce=nonce, time=now)
    return sign_retire(key, chain=chain, certificate=options.certificate, holder=holder, wh=options.wh,
                       beneficiary=options.beneficiary, purpose=options.purpose, year=options.year, nonce=nonce,
                       time=now)


def _describe(record: dict[str, Any]) -> str:
    held = ", ".join(f"{address} {wh:,} Wh" for address, wh in sorted(holdings(record).items())) or "nobody"
    revoked = " REVOKED" if record.get("revoked") else ""
    return (f"certificate {record['id']}{revoked}: {record['wh']:,} Wh issued to {record['owner']}; held: {held}; "
            f"retired: {retired_wh(record):,} Wh")


__all__ = ["CommandError", "LifecycleOptions", "run_certificate"]
