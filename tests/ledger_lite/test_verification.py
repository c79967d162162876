"""``ledger_lite.verification``: the light node's certificate checks that ``greencert verify`` and the direct-mode
kiosk both run, against a real ledger node in-process (``tests/helpers/ledger_world.py``). A failed check is a
step, never an exception; the node client's own errors pass through."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from backend_client import NodeClient, NotFound
from ledger.api import create_app
from ledger.node import Node
from ledger_lite import Claims, SigningKey, encode_payload
from ledger_lite.verification import (
    LedgerReader,
    Step,
    Trust,
    TrustFormatError,
    first_failure,
    is_certificate_id,
    verify_issuance,
    verify_payload,
)
from tests.helpers.ledger_world import (  # noqa: F401 - fixtures
    LedgerWorld,
    SyncASGITransport,
    ledger_clock,
    ledger_node,
    ledger_world,
)


@pytest.fixture
def world(ledger_world: LedgerWorld) -> LedgerWorld:  # noqa: F811
    return ledger_world


@pytest.fixture
def node_(ledger_node: Node) -> Node:  # noqa: F811
    """The ledger node, in-process."""
    return ledger_node


@pytest.fixture
def client(node_: Node) -> Iterator[NodeClient]:
    with NodeClient("http://node", transport=SyncASGITransport(create_app(node_))) as node_client:
        yield node_client


@pytest.fixture
def trust(world: LedgerWorld, client: NodeClient) -> Trust:
    return Trust.from_registry(world.chain_id, client.registry())


@pytest.fixture
def issued(world: LedgerWorld, node_: Node, client: NodeClient) -> Claims:
    """Two solar half-hours of Consumer Ca, certified through Intermediary Da: the claims its payload makes."""
    w = world
    assets = [w.allocated_asset(node_, n, 10_000) for n in range(2)]
    cid = w.commit(node_, w.issue(assets))["result"]["certificate_id"]
    record = client.value(f"cert/{cid}")["value"]
    return Claims(cid=cid, chain=w.chain_id, h=record["height"], own="Consumer Ca", m=record["method"],
                  wh=record["wh"], ps=record["start"], pe=record["end"], inst=record["institution"],
                  iat=record["time"])


def outcomes(steps: list[Step]) -> list[tuple[str, bool | None]]:
    return [(s.name, s.ok) for s in steps]


def online(node: LedgerReader, trust: Trust, cid: str, **options: Any) -> dict[str, tuple[bool | None, str]]:
    checked = verify_issuance(node, cid, trust.validators, trust.chain_id, **options)
    return {s.name: (s.ok, s.detail) for s in checked.steps}


# -- online: the issuance ------------------------------------------------------------------------------------

def test_an_issuance_checks_against_itself_without_claims(client: NodeClient, trust: Trust, issued: Claims) -> None:
    """What the kiosk asks (it has no claims yet): the record it gets back is the proven one."""
    checked = verify_issuance(client, issued.cid, trust.validators, trust.chain_id)
    assert outcomes(checked.steps) == [("inclusion", True), ("record", True), ("revocation", True)]
    assert checked.failure is None and checked.height == issued.h
    assert checked.record is not None and checked.record["wh"] == 20_000
    assert "matches the issuance" in checked.steps[1].detail


def test_claims_signer_and_owner_name_are_compared(world: LedgerWorld, client: NodeClient, trust: Trust,
                                                   issued: Claims) -> None:
    signer = world.intermediary.address
    steps = online(client, trust, issued.cid, claims=issued, names=trust.names, signer=signer)
    assert steps["record"][0] is True and "matches every claim" in steps["record"][1]
    forged = dataclasses.replace(issued, wh=issued.wh * 2, own="Consumer Cb")
    steps = online(client, trust, issued.cid, claims=forged, names=trust.names, signer=world.user.address)
    assert steps["record"] == (False, f"amount: ledger 20000, certificate 40000; owner: ledger 'Consumer Ca', "
                                      f"certificate 'Consumer Cb'; issuer: ledger {signer!r}, certificate "
                                      f"{world.user.address!r}")
    assert steps["revocation"][0] is True


def test_a_revoked_certificate_fails_at_revocation(world: LedgerWorld, node_: Node,
                                                   client: NodeClient, trust: Trust, issued: Claims) -> None:
    world.commit(node_, world.revoke(issued.cid, "duplicate meter feed"))
    checked = verify_issuance(client, issued.cid, trust.validators, trust.chain_id)
    failure = first_failure(checked.steps)
    assert failure is not None and failure.name == "revocation" and failure.ok is False
    assert failure.detail.startswith("revoked at block ") and failure.detail.endswith(": duplicate meter feed")


@pytest.mark.parametrize("cid", ["AB" * 32, "ab" * 32 + "/x", "../txs", 42])
def test_an_id_that_is_not_a_transaction_id_is_not_asked_about(cid: Any, trust: Trust) -> None:
    class Silent:
        def tx(self, tx_id: str) -> dict[str, Any]:
            raise AssertionError("the node was asked")

        def block(self, height: int) -> dict[str, Any]:
            raise AssertionError("the node was asked")

        def proven_value(self, key: str) -> dict[str, Any]:
            raise AssertionError("the node was asked")

    assert not is_certificate_id(cid)
    steps = online(Silent(), trust, cid)
    assert list(steps) == ["payload"] and steps["payload"][0] is False


class Lying:
    """Passes every question to ``node`` and lets ``edit(method, answer)`` change the answers."""

    def __init__(self, node: NodeClient, **answers: Any) -> None:
        self.node, self.answers = node, answers

    def tx(self, tx_id: str) -> dict[str, Any]:
        return self.answers.get("tx", self.node.tx)(tx_id)  # type: ignore[no-any-return]

    def block(self, height: int) -> dict[str, Any]:
        return self.node.block(height)

    def proven_value(self, key: str) -> dict[str, Any]:
        return self.answers.get("proven_value", self.node.proven_value)(key)  # type: ignore[no-any-return]


def test_a_node_answering_with_another_issuance_fails_inclusion(client: NodeClient, trust: Trust,
                                                                issued: Claims) -> None:
    node = Lying(client, tx=lambda _: client.tx(issued.cid))
    steps = online(node, trust, "ab" * 32)
    assert steps == {"inclusion": (False, f"expected the issuance {'ab' * 32} (cert.issue), the node answered "
                                          f"transaction '{issued.cid}' ('cert.issue')")}


def test_a_proof_of_another_key_fails_the_record(client: NodeClient, trust: Trust, issued: Claims) -> None:
    node = Lying(client, proven_value=lambda _: client.proven_value("cert/" + "ab" * 32))
    ok, detail = online(node, trust, issued.cid)["record"]
    assert ok is False and f"expected a proof for cert/{issued.cid}, found one for 'cert/{'ab' * 32}'" in detail


def test_an_answer_without_a_height_cannot_be_checked(client: NodeClient, trust: Trust, issued: Claims) -> None:
    node = Lying(client, tx=lambda tx_id: {k: v for k, v in client.tx(tx_id).items() if k != "height"})
    steps = online(node, trust, issued.cid)
    assert list(steps) == ["ledger"] and steps["ledger"][0] is None


def test_blocks_of_untrusted_validators_fail_inclusion(client: NodeClient, issued: Claims,
                                                       world: LedgerWorld) -> None:
    stranger = SigningKey.derive("test/not-the-validator").public
    checked = verify_issuance(client, issued.cid, [stranger], world.chain_id)
    assert outcomes(checked.steps) == [("inclusion", False)]


def test_the_node_clients_own_errors_pass_through(client: NodeClient, trust: Trust) -> None:
    with pytest.raises(NotFound):
        verify_issuance(client, "ab" * 32, trust.validators, trust.chain_id)


# -- offline: the payload ------------------------------------------------------------------------------------

def test_an_intermediary_signature_is_trusted_alone(world: LedgerWorld, trust: Trust,
                                                    issued: Claims) -> None:
    checked = verify_payload(encode_payload(issued, world.intermediary), trust, ledger=False)
    assert outcomes(checked.steps) == [("signature", True)] and not checked.failed
    assert checked.claims == issued and checked.signer == world.intermediary.public
    assert checked.steps[0].detail == f"signed by trusted issuer {world.intermediary.address} " \
                                      f"(Intermediary Da)"


def test_a_user_signature_needs_the_ledger(world: LedgerWorld, trust: Trust, issued: Claims) -> None:
    payload = encode_payload(issued, world.user)
    offline = verify_payload(payload, trust, ledger=False)
    assert outcomes(offline.steps) == [("signature", None)] and not offline.failed
    assert offline.notes == ["a user-signed certificate can only be confirmed against the ledger: run greencert "
                             "verify online (--node URL)"]
    assert outcomes(verify_payload(payload, trust, ledger=True).steps) == [("signature", True)]


@pytest.mark.parametrize(("change", "step", "message"), [
    ({"cid": "AB" * 32}, "payload", "expected a certificate id of 64 lower-case hex characters"),
    ({"chain": "elsewhere"}, "payload", "expected a certificate of chain 'greencert-test', found 'elsewhere'"),
])
def test_claims_that_cannot_be_asked_about_fail(world: LedgerWorld, trust: Trust, issued: Claims,
                                                change: dict[str, Any], step: str, message: str) -> None:
    checked = verify_payload(encode_payload(dataclasses.replace(issued, **change), world.intermediary),
                             trust, ledger=True)
    assert checked.failed and checked.steps[-1].name == step and message in checked.steps[-1].detail


def test_unknown_signers_and_garbage_fail(trust: Trust, issued: Claims) -> None:
    unknown = verify_payload(encode_payload(issued, SigningKey.generate()), trust, ledger=True)
    assert outcomes(unknown.steps) == [("signature", False)] and unknown.failed and unknown.claims is None
    assert outcomes(verify_payload("GC1:!!!", trust, ledger=True).steps) == [("payload", False)]


def test_the_trust_list_keeps_roles_and_refuses_the_old_format(world: LedgerWorld, trust: Trust) -> None:
    assert set(trust.issuers) == {world.intermediary.public.kid, world.intermediary2.public.kid}
    assert set(trust.users) == {world.user.public.kid, world.user2.public.kid}
    assert Trust.from_json(trust.to_json()) == trust
    with pytest.raises(TrustFormatError, match="expected trust list format 2"):
        Trust.from_json({k: v for k, v in trust.to_json().items() if k != "format"})
