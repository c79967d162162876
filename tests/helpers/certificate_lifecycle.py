"""An in-process ledger state for the certificate lifecycle rules (``cert.transfer``, ``cert.retire``): a registry
and certificate records as ``cert.issue`` writes them, executed through the real dispatcher without a node.

    world = LifecycleWorld()
    cid = world.certificate(10_000)                           # issued by ``issuer`` for ``owner``
    world.transfer(world.owner, cid, world.owner, world.user2, 4_000)   # result, or raises ledger.errors.Rejected
    world.retire(world.user2, cid, world.user2, 1_000, beneficiary="Cb Ltd.")
    world.record(cid)                                         # the record as it stands
"""

from __future__ import annotations

from typing import Any

from ledger.registry import Entry
from ledger.rules.certificates import cert_key
from ledger.rules.context import Context
from ledger.rules.dispatch import execute
from ledger.state import Overlay, State
from ledger_lite import SigningKey, Transaction, sha256
from ledger_lite.lifecycle import sign_retire, sign_transfer

CHAIN = "greencert-test"
TIME = 1_790_899_200  # 2026-10-02 00:00 UTC
PERIOD_START = 1_790_812_800  # 2026-10-01 00:00 UTC


class LifecycleWorld:
    def __init__(self) -> None:
        self.issuer = SigningKey.derive("lifecycle/intermediary/Da")
        self.other_issuer = SigningKey.derive("lifecycle/intermediary/Db")
        self.owner = SigningKey.derive("lifecycle/user/Ca")
        self.user2 = SigningKey.derive("lifecycle/user/Cb")
        self.user3 = SigningKey.derive("lifecycle/user/Cc")
        self.home = SigningKey.derive("lifecycle/home/H01")
        self.meter = SigningKey.derive("lifecycle/meter/Aa")
        self.outsider = SigningKey.derive("lifecycle/outsider")
        self.state = Overlay(State())
        self.height = 10
        self._nonce = 0
        for key, role, name, attrs in (
                (self.issuer, "intermediary", "Intermediary Da", {"name": "Intermediary Da"}),
                (self.other_issuer, "intermediary", "Intermediary Db", {"name": "Intermediary Db"}),
                (self.owner, "user", "Consumer Ca", {"user_name": "Consumer Ca"}),
                (self.user2, "user", "Consumer Cb", {"user_name": "Consumer Cb"}),
                (self.user3, "user", "Consumer Cc", {"user_name": "Consumer Cc"}),
                (self.home, "home", "House H01", {"battery": "B1", "node": "n1"}),
                (self.meter, "meter", "Meter Aa", {"provider": "Aa", "method": "solar", "capacity_w": 50_000})):
            entry = Entry(key.address, key.public.raw, role, name, attrs)
            self.state.put(f"registry/{key.address}", entry.to_state())

    def certificate(self, wh: int, *, owner: SigningKey | None = None, issuer: SigningKey | None = None,
                    revoked: bool = False) -> str:
        """A certificate record of ``wh`` Wh as ``cert.issue`` writes it; its id."""
        owner, issuer = owner or self.owner, issuer or self.issuer
        self._nonce += 1
        cid = sha256(f"certificate {self._nonce}".encode()).hex()
        asset = sha256(f"asset {self._nonce}".encode()).hex()
        self.state.put(cert_key(cid), {
            "id": cid, "owner": owner.address, "method": "solar", "category": "renewable", "wh": wh, "count": 1,
            "start": PERIOD_START, "end": PERIOD_START + 1800, "institution": "jp-green-council",
            "issuer": issuer.address, "time": TIME - 3600, "height": 5, "assets": [asset],
            "assets_root": bytes(32),
            "revoked": {"reason": "test", "time": TIME, "height": 6, "tx": "00" * 32} if revoked else None})
        return cid

    def record(self, certificate_id: str) -> dict[str, Any]:
        value = self.state.get(cert_key(certificate_id))
        assert isinstance(value, dict)
        return value

    def run(self, tx: Transaction) -> dict[str, Any]:
        """Execute ``tx`` in the next block (raises ``Rejected``, leaving the state unchanged)."""
        self.height += 1
        return execute(tx, Context(state=self.state, time=TIME, height=self.height))

    def transfer(self, signer: SigningKey, certificate: str, holder: SigningKey | str, to: SigningKey | str,
                 wh: int) -> dict[str, Any]:
        self._nonce += 1
        return self.run(sign_transfer(signer, chain=CHAIN, certificate=certificate, holder=_address(holder),
                                      to=_address(to), wh=wh, nonce=self._nonce, time=TIME))

    def retire(self, signer: SigningKey, certificate: str, holder: SigningKey | str, wh: int, *,
               beneficiary: str = "Consumer Ca Ltd.", purpose: str = "RE100 report",
               year: int = 2026) -> dict[str, Any]:
        self._nonce += 1
        return self.run(sign_retire(signer, chain=CHAIN, certificate=certificate, holder=_address(holder), wh=wh,
                                    beneficiary=beneficiary, purpose=purpose, year=year, nonce=self._nonce,
                                    time=TIME))

    def writes(self) -> dict[str, Any]:
        """Everything written so far (to compare before and after a refusal)."""
        return dict(self.state.writes)


def _address(who: SigningKey | str) -> str:
    return who if isinstance(who, str) else who.address
