"""``greencert governance list|approve|reject``: a validator node's operator decides the registry changes proposed
to it (``ledger.governance_proposals``; issue 15, seed S21-S25).

    greencert governance list --node URL --key FILE [--state waiting|submitted|registered|refused] [--json]
    greencert governance approve <id> --node URL --key FILE
    greencert governance reject <id> --reason TEXT --node URL --key FILE

``--key`` is the validator key file of the node's operator (a hex Ed25519 seed, as ``greencert node --key``); the
node takes decisions only from a key it holds, and shows every proposal only to a validator. Exit 0 done (one
line per proposal, or the decision's outcome); 2 bad input, the node's refusal included (one line: what was
expected and what was found); 1 the node could not be asked.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

PROPOSAL_ID = re.compile(r"[0-9a-f]{64}")
STATES = ("waiting", "submitted", "registered", "refused")
BAD_INPUT, UNREACHABLE = 2, 1


class CommandError(Exception):
    """A one-line reason the command did nothing, with its exit code."""

    def __init__(self, message: str, exit_code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_governance_parser(sub: Any) -> None:
    """``greencert governance ...`` on the command's sub-parsers (``sub``: argparse's ``add_subparsers()``)."""
    governance = sub.add_parser("governance", help="a validator's operator lists, approves or rejects proposed "
                                                   "registry changes (e.g. a producer's new intermediary)")
    actions = governance.add_subparsers(dest="governance_command", required=True)
    listing = actions.add_parser("list", help="the proposals the node was sent, newest first")
    listing.add_argument("--state", choices=STATES, help="only proposals in this state (e.g. waiting)")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    approve = actions.add_parser("approve", help="approve a waiting proposal with the node's validator keys")
    reject = actions.add_parser("reject", help="refuse a waiting proposal, saying why (the proposer reads it)")
    reject.add_argument("--reason", required=True, help="why (1 to 500 characters)")
    for action in (approve, reject):
        action.add_argument("proposal", help="proposal id (64 hex characters)")
    for action in (listing, approve, reject):
        action.add_argument("--key", required=True, help="the operator's validator key file (hex seed)")
        action.add_argument("--node", required=True, help="the validator node's URL")
    governance.set_defaults(func=run_governance)


def run_governance(args: argparse.Namespace) -> int:
    name = f"greencert governance {args.governance_command}"
    try:
        lines = _run(args)
    except CommandError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return exc.exit_code
    for line in lines:
        print(line)
    return 0


def _run(args: argparse.Namespace) -> list[str]:
    from backend_client import ApiError, ClientError
    from backend_client.node import GovernanceClient
    from greencert.keystore import KeyFileError, load

    if args.governance_command != "list" and not PROPOSAL_ID.fullmatch(args.proposal):
        raise CommandError(f"expected a proposal id of 64 lower-case hex characters, found {args.proposal[:80]!r}")
    try:
        key = load(Path(args.key).expanduser())
    except KeyFileError as exc:
        raise CommandError(str(exc)) from exc
    try:
        with GovernanceClient(args.node, timeout=30.0, signer=key) as node:
            if args.governance_command == "list":
                items = node.proposals(state=args.state)
                if args.json:
                    return [json.dumps(items, ensure_ascii=False, indent=2)]
                return [describe(p) for p in items] or ["no proposals" + (f" {args.state}" if args.state else "")]
            if args.governance_command == "approve":
                return [describe(node.approve_proposal(args.proposal, key))]
            return [describe(node.reject_proposal(args.proposal, key, args.reason))]
    except ApiError as exc:
        raise CommandError(f"the node refused it ({exc.code}): {exc.message}") from exc
    except ClientError as exc:
        raise CommandError(f"cannot ask the ledger node at {args.node}: {exc}", UNREACHABLE) from exc


def describe(proposal: dict[str, Any]) -> str:
    """One line: id, state, who proposed it and what it changes (and why it waits or was refused)."""
    changes = [f"set {e.get('role')} {e.get('name')!r} {_attrs(e.get('attrs'))}" for e in proposal.get("set", [])]
    changes += [f"remove {address}" for address in proposal.get("remove", [])]
    line = f"{proposal.get('id')} {proposal.get('state')}: by {proposal.get('proposer_role')} " \
           f"{proposal.get('proposer')}: {'; '.join(changes)}"
    if proposal.get("state") == "registered":
        line += f" (block {proposal.get('height')})"
    if proposal.get("reason"):
        line += f" — {proposal['reason']}"
    return line


def _attrs(attrs: Any) -> str:
    if not isinstance(attrs, dict):
        return ""
    return ", ".join(f"{k}={v}" for k, v in sorted(attrs.items()))


__all__ = ["CommandError", "add_governance_parser", "describe", "run_governance"]
