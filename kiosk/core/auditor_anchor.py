"""The auditor's own trust anchor at the kiosk (issue #13: "a trust file ... that an auditor can load from a QR").

An independent auditor need not trust the kiosk's operator: scanning a ``GCT1:`` anchor QR (chain id and validator
keys, ``ledger_lite.trust_anchor``) loads it for that auditor's session (held by the verify screen, in memory only,
forgotten on Finish, Back and the idle timeout). Every check until then is made from the anchor alone:

1. online, the trust list is brought up to date from the anchor through what its validators signed
   (``refresh(anchor, TrustReader(node))``) against the kiosk's ledger node URLs, and the issuance is checked
   through ``HeaderWatch(CertificateReader(node), trust)`` — the kiosk's own trust list is never used;
2. a node that cannot prove the anchor's chain (another chain, other validators, answers that do not verify)
   fails the trust step with the reason;
3. with no node at hand, only what the anchor proves: a PDF's audit bundle against the anchor's validators; the
   issuer keys are learnt from the ledger, so the signature cannot be checked, and the steps say so.

No Qt here: the check runs on the kiosk's worker thread like every other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger_lite import Claims
from ledger_lite.anchor_offline import audit_anchor_offline
from ledger_lite.audit import AuditBundle, Report, audit
from ledger_lite.trust_anchor import ANCHOR_PREFIX, ConflictingHeaders, HeaderWatch, TrustError, decode_anchor, refresh
from ledger_lite.verification import Trust, clip

if TYPE_CHECKING:
    from backend_client import NodeClient

log = logging.getLogger(__name__)

SHORT_CHAIN_CHARS = 16
OpenClient = Callable[[Sequence[str]], "NodeClient"]
Facts = Callable[[Claims], dict[str, str]]


@dataclass(frozen=True)
class LoadedAnchor:
    """An anchor loaded for one auditor's session: the trust list it starts from (its ``headers`` fill with the
    final headers checked during the session, so two conflicting ones are seen)."""

    trust: Trust

    @property
    def chain_id(self) -> str:
        return self.trust.chain_id

    @property
    def validator_count(self) -> int:
        return len(self.trust.validators)

    @property
    def short_chain(self) -> str:
        """The chain id shortened for the screen."""
        return short_chain(self.chain_id)


def short_chain(chain_id: str) -> str:
    chain = clip(chain_id, 200)
    return chain if len(chain) <= SHORT_CHAIN_CHARS else chain[: SHORT_CHAIN_CHARS - 1] + "…"


def looks_like_anchor(text: str) -> bool:
    """Scanned text meant as a trust anchor (``GCT1:``, in any case: a malformed one gets a plain notice)."""
    return text.strip()[: len(ANCHOR_PREFIX)].upper() == ANCHOR_PREFIX


def load_anchor(text: str) -> LoadedAnchor:
    """The anchor ``text`` is; ``TrustError`` (what was expected, what found) when it is not one."""
    return LoadedAnchor(decode_anchor(text))


class NodeNotReached(Exception):
    """No ledger node answered (the check goes on offline, with what the anchor proves)."""


def audit_with_anchor(payload: str, anchor: LoadedAnchor, report: Report, *, printed: dict[str, Any],
                      bundle: AuditBundle | None, node_urls: Sequence[str], open_client: OpenClient | None,
                      facts: Facts, unreached: str) -> None:
    """Steps from ``trust`` on, made from ``anchor`` alone (see the module docstring). ``unreached``: why no node
    URL is known, when ``node_urls`` is empty."""
    if node_urls and open_client is not None:
        try:
            _online(payload, anchor, report, printed=printed, bundle=bundle, client=open_client(node_urls),
                    facts=facts)
            return
        except NodeNotReached as exc:
            unreached = clip(exc, 200)
    audit_anchor_offline(payload, anchor.trust, report, bundle=bundle, reason=unreached)


def _online(payload: str, anchor: LoadedAnchor, report: Report, *, printed: dict[str, Any],
            bundle: AuditBundle | None, client: NodeClient, facts: Facts) -> None:
    from backend_client import CertificateReader, TrustReader, Unreachable

    chain = clip(anchor.chain_id)
    try:
        trust, _ = refresh(anchor.trust, TrustReader(client))
    except ConflictingHeaders as exc:  # a fork: kept as evidence, no verdict
        report.add("trust", None, str(exc), exc.detail_code, exc.params)
        report.evidence.append(exc.evidence)
        return
    except TrustError as exc:
        report.add("trust", False, f"the ledger node does not prove the auditor's trust anchor (chain {chain}): "
                                   f"{clip(exc, 300)}; the kiosk's own trust list was not used instead",
                   code="trust.anchor_unproven", params={"chain": chain, "reason": clip(exc, 300)})
        return
    except Unreachable as exc:
        raise NodeNotReached(str(exc)) from None
    except Exception as exc:  # an answer that is not the documented one (a 4xx, a protocol error): not proven
        report.add("trust", False, f"the ledger node does not prove the auditor's trust anchor (chain {chain}): "
                                   f"{clip(exc, 300)}; the kiosk's own trust list was not used instead",
                   code="trust.anchor_unproven", params={"chain": chain, "reason": clip(exc, 300)})
        return
    report.add("trust", True, f"the auditor's trust anchor was used (chain {chain}, {len(trust.validators)} "
                              f"validators), not the kiosk's trust list: {len(trust.issuers)} issuer keys proven "
                              f"through what its validators signed",
               code="trust.anchor", params={"chain": chain, "validators": len(trust.validators),
                                            "issuers": len(trust.issuers)})
    online = Report(steps=list(report.steps), notes=list(report.notes), note_ids=list(report.note_ids))
    reader = CertificateReader(client)
    try:
        audit(payload, trust, online, printed=printed, node=HeaderWatch(reader, trust), facts=facts)
    finally:
        reader.close()
    unreached = next((s for s in online.steps if s.name == "ledger" and s.ok is None), None)
    if unreached is None or bundle is None:
        _take(report, online)
        return
    report.note(f"{unreached.detail}; the PDF's audit bundle was checked instead", code="note.bundle_instead",
                params={})
    audit(payload, trust, report, printed=printed, bundle=bundle, facts=facts)


def _take(report: Report, other: Report) -> None:
    for name in ("steps", "claims", "notes", "facts", "printed_compared", "source", "evidence", "note_ids"):
        setattr(report, name, getattr(other, name))


__all__ = ["LoadedAnchor", "NodeNotReached", "audit_with_anchor", "load_anchor", "looks_like_anchor", "short_chain"]
