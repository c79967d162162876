"""Producers register their intermediary against their meter (seed S21-S25, Figs. 12, 13A, 13B), through the
ledger's governance: what the producer's phone shows and does, the ledger reached only through ``backend_client``.

* ``intermediaries``: the registered intermediaries, for the pull-down (S21).
* ``meters``: the producer's meters (registry entries of role ``meter`` bound to its provider) and the
  intermediary each reports to now: this one, or another (``elsewhere``: its readings go to that intermediary,
  which alone may then record them on the ledger; this intermediary no longer gets them).
* ``request``: the producer chose an intermediary for a meter (S22): this intermediary proposes, signed with its
  ledger key, that the meter's registry entry name it (``attrs.intermediary``; S23: the meter stores the chosen
  intermediary). A validator node approves a producer's move *to the proposing intermediary* at once; a move to
  another waits for the validators' operators.
* ``registration``: what became of a request: ``waiting`` (for approval), ``registered`` (final on the ledger: the
  meter's production goes to that intermediary from now on; S25 "registration of the intermediary is complete"),
  or ``refused`` with the reason.

A producer sees only its own meters and requests: any other is "not found". Names come from the registry
entries: ``name`` in English and, where the entry's attributes carry one, ``name_ja`` in Japanese (``""`` if not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from backend_client import ApiError, ClientError
from backend_client import NotFound as NodeNotFound
from backend_client.node import GovernanceClient, NodeClient, sign_proposal
from intermediary.errors import BadInput, LedgerUnavailable, NotFound, shown
from ledger_lite import SigningKey
from ledger_lite.keys import is_address

BINDING = "intermediary"
PROPOSAL_ID = re.compile(r"[0-9a-f]{64}")
REFUSERS = (("operator", "rejected by the operator: "), ("ledger", "refused by the ledger: "))
STATES = {"waiting": "waiting", "submitted": "waiting", "registered": "registered", "refused": "refused"}


@dataclass(frozen=True)
class IntermediaryChoice:
    address: str
    name: str
    name_ja: str = field(default="", compare=False)
    here: bool = field(default=False, compare=False)   # this intermediary (the one whose portal shows it)


@dataclass(frozen=True)
class MeterView:
    address: str
    name: str
    provider: str
    method: str
    capacity_w: int
    intermediary: str | None       # the address it reports to, if registered
    intermediary_name: str | None
    name_ja: str = field(default="", compare=False)
    intermediary_name_ja: str = field(default="", compare=False)
    elsewhere: bool = field(default=False, compare=False)  # registered to another intermediary than this one


@dataclass(frozen=True)
class Registration:
    proposal_id: str
    meter: str
    intermediary: str
    intermediary_name: str
    state: str                     # waiting | registered | refused
    reason: str
    height: int | None
    intermediary_name_ja: str = field(default="", compare=False)
    elsewhere: bool = field(default=False, compare=False)  # to another intermediary than this one

    @property
    def refused_by(self) -> str:
        """Who refused it: ``operator`` (a validator's operator, ``reason`` theirs), ``ledger`` (the registry's
        rule) or ``""``."""
        for who, prefix in REFUSERS:
            if self.reason.startswith(prefix):
                return who
        return ""

    @property
    def reason_detail(self) -> str:
        """``reason`` without the node's "rejected by the operator: " / "refused by the ledger: " prefix."""
        for _, prefix in REFUSERS:
            if self.reason.startswith(prefix):
                return self.reason[len(prefix):]
        return self.reason


class Producers:
    """The producer side of one intermediary: ``node`` its ledger client, ``key`` its registered ledger key."""

    def __init__(self, node: NodeClient, key: SigningKey, chain_id: str) -> None:
        self.governance = GovernanceClient.over(node)
        self.key = key
        self.chain_id = chain_id

    def intermediaries(self) -> list[IntermediaryChoice]:
        """S21: every live registered intermediary, by name."""
        return sorted((IntermediaryChoice(e["address"], str(e["name"]), name_ja(e), e["address"] == self.key.address)
                       for e in self._registry() if e.get("role") == "intermediary"),
                      key=lambda c: (c.name, c.address))

    def meters(self, provider: str) -> list[MeterView]:
        """The meters registered for ``provider`` and the intermediary each reports to now."""
        entries = self._registry()
        names = {e["address"]: e for e in entries if e.get("role") == "intermediary"}
        found = []
        for entry in entries:
            attrs = entry.get("attrs") or {}
            if entry.get("role") != "meter" or attrs.get("provider") != provider:
                continue
            bound = attrs.get(BINDING)
            to = names.get(bound) if bound else None
            found.append(MeterView(entry["address"], str(entry["name"]), provider, str(attrs.get("method")),
                                   int(attrs.get("capacity_w", 0)), bound,
                                   str(to["name"]) if to else (bound or None), name_ja=name_ja(entry),
                                   intermediary_name_ja=name_ja(to) if to else "",
                                   elsewhere=bool(bound) and bound != self.key.address))
        return sorted(found, key=lambda m: (m.name, m.address))

    def request(self, provider: str, meter: str, intermediary: str) -> Registration:
        """S22-S23: propose that ``provider``'s ``meter`` report to ``intermediary`` (addresses)."""
        entries = self._registry()
        own = next((e for e in entries if e["address"] == meter and e.get("role") == "meter"
                    and (e.get("attrs") or {}).get("provider") == provider), None)
        if own is None:
            raise NotFound(f"expected one of provider {provider}'s meters, found {shown(meter)}")
        chosen = next((e for e in entries if e["address"] == intermediary and e.get("role") == "intermediary"), None)
        if chosen is None or not is_address(intermediary):
            raise BadInput(f"expected a registered intermediary, found {shown(intermediary)}", "unknown_intermediary")
        attrs = dict(own["attrs"])
        if attrs.get(BINDING) == intermediary:
            raise BadInput(f"meter {meter} already reports to {chosen['name']}", "already_registered")
        attrs[BINDING] = intermediary
        entry = {"public_key": bytes.fromhex(own["public_key"]), "role": "meter", "name": own["name"],
                 "attrs": attrs}
        proposal = sign_proposal(self.key, self.chain_id, set_entries=[entry])
        try:
            record = self.governance.propose(proposal)
        except ApiError as exc:
            if exc.status >= 500:
                raise LedgerUnavailable(f"the ledger node could not take the request: {exc}") from exc
            raise BadInput(f"the ledger node refused the request ({exc.code}): {exc.message}", exc.code) from exc
        except ClientError as exc:
            raise LedgerUnavailable(f"the ledger node did not answer: {exc}") from exc
        return self._registration(record, provider, entries)

    def registration(self, provider: str, proposal_id: str) -> Registration:
        """What became of ``provider``'s request ``proposal_id``."""
        if not PROPOSAL_ID.fullmatch(proposal_id):
            raise NotFound(f"expected one of provider {provider}'s requests, found {shown(proposal_id)}")
        try:
            record = self.governance.proposal(proposal_id)
        except NodeNotFound as exc:
            raise NotFound(f"expected one of provider {provider}'s requests, found {shown(proposal_id)}") from exc
        except ClientError as exc:
            raise LedgerUnavailable(f"the ledger node did not answer: {exc}") from exc
        return self._registration(record, provider, self._registry())

    def _registration(self, record: dict[str, Any], provider: str, entries: list[dict[str, Any]]) -> Registration:
        changes = record.get("set") or []
        mine = (record.get("proposer") == self.key.address and not record.get("remove") and len(changes) == 1
                and changes[0].get("role") == "meter" and (changes[0].get("attrs") or {}).get("provider") == provider)
        if not mine:
            raise NotFound(f"expected one of provider {provider}'s requests, found {shown(record.get('id'))}")
        change = changes[0]
        intermediary = str(change["attrs"].get(BINDING, ""))
        to = next((e for e in entries if e.get("role") == "intermediary" and e["address"] == intermediary), None)
        meter = next((e["address"] for e in entries if e.get("public_key") == change["public_key"]), "")
        return Registration(proposal_id=str(record["id"]), meter=meter, intermediary=intermediary,
                            intermediary_name=str(to["name"]) if to else intermediary,
                            state=STATES.get(str(record.get("state")), "waiting"), reason=str(record.get("reason", "")),
                            height=record.get("height"), intermediary_name_ja=name_ja(to) if to else "",
                            elsewhere=intermediary != self.key.address)

    def _registry(self) -> list[dict[str, Any]]:
        try:
            return [e for e in self.governance.registry() if not e.get("removed")]
        except ClientError as exc:
            raise LedgerUnavailable(f"the ledger node did not answer: {exc}") from exc


def name_ja(entry: dict[str, Any]) -> str:
    """A registry entry's Japanese name (``attrs.name_ja``), ``""`` when it has none (English is shown then)."""
    value = (entry.get("attrs") or {}).get("name_ja")
    return value.strip() if isinstance(value, str) else ""
