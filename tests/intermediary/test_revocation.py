"""Issue 15: the intermediary revokes a certificate it issued, with a reason, on the ledger (``cert.revoke`` signed
with its key) and records it; every refusal says why and changes nothing, on the ledger or in its database."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend_client import NodeClient
from intermediary.errors import BadInput, LedgerUnavailable
from intermediary.models import Certificate
from intermediary.revocation import (
    AlreadyRevoked,
    NotIssuer,
    UnknownCertificate,
    check_reason,
    find,
    recent,
    revoke,
)
from tests.helpers.intermediary_certificates import issue
from tests.helpers.intermediary_world import IntermediaryWorld


def _revoke(iw: IntermediaryWorld, certificate_id: str, reason: str) -> Certificate:
    with iw.service.db() as db:
        return revoke(db, iw.service.node, iw.service.settings, certificate_id, reason, iw.clock())


def _row(iw: IntermediaryWorld, certificate_id: str) -> Certificate | None:
    with iw.service.db() as db:
        return db.get(Certificate, certificate_id)


def _ledger(iw: IntermediaryWorld, certificate_id: str) -> dict[str, Any]:
    record: dict[str, Any] = iw.service.node.value(f"cert/{certificate_id}")["value"]
    return record


def test_revoking_signs_on_the_ledger_and_records_reason_and_time(iw: IntermediaryWorld) -> None:
    cid = issue(iw)
    cert = _revoke(iw, cid, "  Meter Aa was miscalibrated / メーター較正誤り  ")
    revoked = _ledger(iw, cid)["revoked"]
    assert revoked["reason"] == "Meter Aa was miscalibrated / メーター較正誤り"  # blanks around it dropped
    assert iw.service.node.tx(revoked["tx"])["signer"] == iw.ledger.intermediary.address
    row = _row(iw, cid)
    assert row is not None and cert.certificate_id == cid
    assert (row.revoked_reason, row.revoked_at) == (revoked["reason"], revoked["time"])


@pytest.mark.parametrize("reason", ["", "   \n ", "x" * 501, "bad\x00byte", "turn\u202eback"],
                         ids=["empty", "blank", "too-long", "nul", "bidi"])
def test_a_bad_reason_is_400_and_changes_nothing(iw: IntermediaryWorld, reason: str) -> None:
    cid = issue(iw)
    with pytest.raises(BadInput, match="expected a reason") as raised:
        _revoke(iw, cid, reason)
    assert (raised.value.status, raised.value.code) == (400, "bad_reason")
    assert _ledger(iw, cid)["revoked"] is None
    row = _row(iw, cid)
    assert row is not None and row.revoked_reason is None and row.revoked_at is None


def test_a_reason_of_exactly_500_characters_is_taken() -> None:
    assert check_reason("理" * 500) == "理" * 500


def test_an_unknown_certificate_is_404(iw: IntermediaryWorld) -> None:
    with pytest.raises(UnknownCertificate, match="found no certificate") as raised:
        _revoke(iw, "ab" * 32, "issued in error")
    assert (raised.value.status, raised.value.code) == (404, "unknown_certificate")


def test_a_malformed_certificate_id_is_400(iw: IntermediaryWorld) -> None:
    with pytest.raises(BadInput, match="64 lowercase hex") as raised:
        _revoke(iw, "../etc/passwd", "issued in error")
    assert raised.value.code == "bad_certificate_id"


def test_a_certificate_issued_by_someone_else_is_403_and_stays_valid(iw: IntermediaryWorld) -> None:
    # Modification 2: the applicant's own key issued it; only that key may revoke it.
    world = iw.ledger
    assets = [world.allocated_asset(iw.node, n, 1_000) for n in (10, 11)]
    cid = world.commit(iw.node, world.issue(assets, signer=world.user))["result"]["certificate_id"]
    with pytest.raises(NotIssuer, match="issued by this intermediary") as raised:
        _revoke(iw, cid, "issued in error")
    assert (raised.value.status, raised.value.code) == (403, "not_issuer")
    assert _ledger(iw, cid)["revoked"] is None and _row(iw, cid) is None


def test_revoking_twice_is_409_with_the_first_reason(iw: IntermediaryWorld) -> None:
    cid = issue(iw)
    first = _revoke(iw, cid, "double counted")
    with pytest.raises(AlreadyRevoked, match=r"found certificate .* revoked") as raised:
        _revoke(iw, cid, "another reason")
    assert (raised.value.status, raised.value.code) == (409, "already_revoked")
    assert raised.value.extra() == {"reason": "double counted", "revoked_at": first.revoked_at}
    assert _ledger(iw, cid)["revoked"]["reason"] == "double counted"


def test_a_revocation_the_ledger_has_but_we_did_not_record_is_recorded_and_409(iw: IntermediaryWorld) -> None:
    # As if we had stopped between the ledger's commit and our row's update: nothing acknowledged is lost.
    cid = issue(iw)
    iw.ledger.commit(iw.node, iw.ledger.revoke(cid, "revoked before the crash"))
    with pytest.raises(AlreadyRevoked):
        _revoke(iw, cid, "again")
    row = _row(iw, cid)
    assert row is not None and row.revoked_reason == "revoked before the crash"


def test_a_node_that_does_not_answer_is_503_and_nothing_is_recorded(iw: IntermediaryWorld) -> None:
    cid = issue(iw)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    down = NodeClient("http://node.test", transport=httpx.MockTransport(refuse))
    with iw.service.db() as db, pytest.raises(LedgerUnavailable, match="cannot read certificate") as raised:
        revoke(db, down, iw.service.settings, cid, "issued in error", iw.clock())
    assert raised.value.status == 503
    row = _row(iw, cid)
    assert row is not None and row.revoked_reason is None


def test_find_and_recent_list_this_intermediarys_certificates_newest_first(iw: IntermediaryWorld) -> None:
    ids = [issue(iw, first_slot=n * 2) for n in range(3)]
    with iw.service.db() as db:
        assert find(db, iw.service.node, iw.service.settings, ids[1]).certificate_id == ids[1]
        page, more = recent(db, 0, per_page=2)
        assert more and len(page) == 2 and all(r.consumer_name == "Consumer Ca" for r in page)
        rest, more_after = recent(db, 1, per_page=2)
        assert not more_after
        listed = [r.certificate.certificate_id for r in page + rest]
        assert sorted(listed) == sorted(ids)
        times = [r.certificate.issued_at for r in page + rest]
        assert times == sorted(times, reverse=True)
        with pytest.raises(BadInput, match="page number"):
            recent(db, -1)


class _StaleFirstRead(NodeClient):
    """A node client whose first read of a certificate misses a revocation committed just after it (a race with
    another revocation); every later read is the node's."""

    def __init__(self, inner: NodeClient) -> None:
        self.__dict__.update(inner.__dict__)
        self._stale = True

    def value(self, key: str) -> dict[str, Any]:
        answer = super().value(key)
        if self._stale and key.startswith("cert/"):
            self._stale = False
            return {**answer, "value": {**answer["value"], "revoked": None}}
        return answer


def test_losing_a_race_with_another_revocation_is_409_with_the_winners_reason(iw: IntermediaryWorld) -> None:
    cid = issue(iw)
    iw.ledger.commit(iw.node, iw.ledger.revoke(cid, "the other revocation"))
    with iw.service.db() as db, pytest.raises(AlreadyRevoked) as raised:
        revoke(db, _StaleFirstRead(iw.service.node), iw.service.settings, cid, "ours", iw.clock())
    assert raised.value.reason == "the other revocation"  # the ledger refused ours: already_revoked
    row = _row(iw, cid)
    assert row is not None and row.revoked_reason == "the other revocation"
