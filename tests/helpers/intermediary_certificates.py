"""Certificates issued by the test intermediary (``tests.helpers.intermediary_world``) through its own API, for the
revocation tests: ``issue(iw, first_slot)`` allocates two half hours of solar to Ca and certifies them."""

from __future__ import annotations

import uuid

from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld
from tests.helpers.ledger_world import slot
from tests.helpers.matched_allocations import allocate


def issue(iw: IntermediaryWorld, first_slot: int = 0, count: int = 2) -> str:
    """A certificate of this intermediary over ``count`` new half hours from ``first_slot``; its id."""
    allocate(iw, list(range(first_slot, first_slot + count)))
    http = iw.http()
    body = {"period": {"start": slot(first_slot), "end": slot(first_slot + count), "production_method": "solar"},
            "type_id": TYPE_ID, "idempotency_key": uuid.uuid4().hex}
    answer = http.post(f"{API}/certificates", headers=iw.login(http), json=body)
    assert answer.status_code == 201, answer.text
    certificate_id: str = answer.json()["certificate_id"]
    return certificate_id
