"""``greencert node --audit``: the full check of a solo node's store, then exit (issue #16).

A node starts by checking its stored state tree's root against the last signed header and each value when first
read; the audit reads every stored value, recomputes the state root from them alone and compares it with the
signed header's, showing its progress in percent on stderr. Exit status 0: the store matches; 1: it does not
(the message says what differs); 2: the store or its files cannot be opened.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def run_audit(args: argparse.Namespace) -> int:
    from greencert.keystore import KeyFileError, load_or_create
    from ledger.errors import Error as LedgerError
    from ledger.errors import StoreError
    from ledger.genesis import Genesis
    from ledger.node import open_node

    data_dir = Path(args.data_dir).expanduser()
    try:
        genesis = Genesis.load(Path(args.genesis).expanduser())
        node = open_node(data_dir, genesis, load_or_create(Path(args.key).expanduser()))
    except (LedgerError, KeyFileError) as exc:
        print(f"greencert node --audit: the ledger in {data_dir} cannot be opened: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, StoreError) else 2
    shown = [-1]

    def progress(percent: int, what: str) -> None:
        if percent != shown[0]:
            shown[0] = percent
            print(f"\rAuditing the ledger in {data_dir}: {percent:3d}% ({what})\033[K", end="", file=sys.stderr,
                  flush=True)

    began = time.monotonic()
    try:
        count = node.audit(progress)
    except LedgerError as exc:
        print(f"\ngreencert node --audit: the store does not match its signed header: {exc}", file=sys.stderr)
        return 1
    finally:
        node.close()
    print(f"\nAudit passed: {count:,} state values at height {node.head.height} hash to the state root of the "
          f"signed header, and the owner, open-asset and expiry indexes match them ({time.monotonic() - began:.1f} s).",
          file=sys.stderr)
    return 0
