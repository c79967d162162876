"""One issued certificate on a node of the test world (``tests.helpers.ledger_world``): its id, its signed QR
payload (the intermediary's key) and the trust list a verifier checks it against — for the online-verification
tests and ``bench/verification.py``."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.node import Node, Pending
from ledger_lite import Claims, encode_payload
from ledger_lite.verification import Trust
from tests.helpers.ledger_world import LedgerWorld, slot


@dataclass(frozen=True)
class IssuedCertificate:
    certificate_id: str
    payload: str
    trust: Trust


def issue_certificate(world: LedgerWorld, node: Node, *, first_slot: int = 0,
                      later_blocks: int = 1) -> IssuedCertificate:
    """Allocate two assets to the user Ca, certify them, then commit ``later_blocks`` more readings (so the
    record's proof is against a newer header than the issuance's block)."""
    assets = [world.allocated_asset(node, first_slot + n, 10_000) for n in range(2)]
    cid: str = world.commit(node, world.issue(assets))["result"]["certificate_id"]
    for n in range(later_blocks):
        world.new_asset(node, first_slot + 2 + n)
    return _issued(world, node, cid)


def issue_among_readings(world: LedgerWorld, node: Node, readings: int, *, first_slot: int) -> IssuedCertificate:
    """A certificate whose issuance is submitted together with ``readings`` meter readings (half hours from
    ``first_slot`` + 2 on), as a busy node's blocks hold it among many transactions. The node's clock must be
    past those half hours."""
    assets = [world.allocated_asset(node, first_slot + n, 10_000) for n in range(2)]
    issue = world.issue(assets)
    txs = [issue] + [world.generate(slot(first_slot + 2 + n), 1_000) for n in range(readings)]
    admitted = node.submit_many([tx.encode() for tx in txs])
    outcomes = [p.wait(30) if isinstance(p, Pending) else {"code": p.code} for p in admitted]
    assert all(o is not None and o["code"] == "ok" for o in outcomes), outcomes[:3]
    return _issued(world, node, issue.tx_id)


def _issued(world: LedgerWorld, node: Node, cid: str) -> IssuedCertificate:
    record = node.value(f"cert/{cid}")
    claims = Claims(cid=cid, chain=world.chain_id, h=record["height"], own="Consumer Ca", m=record["method"],
                    wh=record["wh"], ps=record["start"], pe=record["end"], inst=record["institution"],
                    iat=record["time"])
    return IssuedCertificate(cid, encode_payload(claims, world.intermediary),
                             Trust.from_registry(world.chain_id, node.registry()))
