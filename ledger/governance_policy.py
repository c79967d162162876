"""How a validator node decides a governance proposal on its own, without its operator (seed S21-S25).

One kind of change is approved at once: a producer registering its intermediary. That is a proposal, signed by a
registered intermediary, that only sets ``attrs.intermediary`` of registered meters to the proposer's own address
(every other field of each meter's entry as it is, nothing removed). Anything else waits for the node's operator
(``greencert governance list|approve|reject``).

The node's operator may turn this off with a file ``governance.toml`` beside the node's ledger::

    auto_approve_meter_binding = false

read once when the node's API starts (``load_policy``); an unreadable or unknown setting stops it with a message.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.errors import Error
from ledger.registry import Entry

POLICY_FILE = "governance.toml"
BINDING_ATTR = "intermediary"


class PolicyError(Error):
    """``governance.toml`` cannot be read or names settings this node does not know."""

    code = "bad_policy"
    status = 500


@dataclass(frozen=True)
class Policy:
    auto_approve_meter_binding: bool = True


def load_policy(directory: Path) -> Policy:
    """The policy in ``directory/governance.toml``, or the default (``Policy()``) when there is no such file."""
    path = directory / POLICY_FILE
    if not path.exists():
        return Policy()
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{path}: expected TOML such as 'auto_approve_meter_binding = true', found: {exc}") from exc
    unknown = sorted(set(values) - {"auto_approve_meter_binding"})
    if unknown:
        raise PolicyError(f"{path}: expected only 'auto_approve_meter_binding', found {', '.join(unknown)}")
    flag = values.get("auto_approve_meter_binding", True)
    if not isinstance(flag, bool):
        raise PolicyError(f"{path}: expected auto_approve_meter_binding = true or false, found {flag!r:.40}")
    return Policy(auto_approve_meter_binding=flag)


def meter_bindings(proposer: str, proposer_role: str, entries: list[Entry], remove: list[str],
                   registry: Mapping[str, Entry]) -> bool:
    """Whether the change only binds registered meters to the proposing intermediary (see the docstring);
    ``registry``: the live entries by address."""
    if proposer_role != "intermediary" or remove or not entries:
        return False
    for entry in entries:
        current = registry.get(entry.address)
        if current is None or current.role != "meter" or entry.role != "meter":
            return False
        if entry.public_key != current.public_key or entry.name != current.name:
            return False
        if _without_binding(entry.attrs) != _without_binding(current.attrs):
            return False
        if entry.attrs.get(BINDING_ATTR) != proposer:
            return False
    return True


def auto_approves(policy: Policy, proposer: str, proposer_role: str, entries: list[Entry], remove: list[str],
                  registry: Mapping[str, Entry]) -> bool:
    return policy.auto_approve_meter_binding and meter_bindings(proposer, proposer_role, entries, remove, registry)


def _without_binding(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if k != BINDING_ATTR}
