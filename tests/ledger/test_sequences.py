"""Random sequences of generate / allocate / issue / clock moves against a real node (real thread, real SQLite),
checked step by step against a model of the rules and against the ledger's invariants:

* never two certificates for one asset, even once its assets were swept out of the state (ledger/rules/expiry.py:
  a block that includes a transaction sweeps the open or certified assets that expired ``RETENTION`` before its
  time);
* per generation lineage (``gen_tx``), the Wh of all its assets never exceed what was generated;
* the state root equals a root recomputed from scratch from the SQLite rows, and the signed head commits to it.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ledger.rules.asset_record import unpack
from ledger.rules.expiry import RETENTION
from ledger.rules.periods import add_month
from ledger_lite import SigningKey, canonical, sha256
from ledger_lite.light import verify_state, verify_tx_in_block
from tests.helpers.ledger_world import HALF_HOUR, LedgerWorld, ManualClock, recompute_state_root, slot


class LedgerSequence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="greencert-seq-"))
        self.w = LedgerWorld()
        self.clock = ManualClock()
        self.node = self.w.open_node(self.dir / "node", self.clock, linger_s=0)
        self.assets: dict[str, dict[str, Any]] = {}  # the model: asset id → owner, wh, trade, cert, ...
        self.reported: dict[str, list[tuple[int, int]]] = {}  # meter address → accepted reading intervals
        self.certs: dict[str, list[str]] = {}
        self.swept: dict[str, dict[str, Any]] = {}  # assets the sweep took out of the state
        self.sweepable: set[str] = set()  # open or certified assets as of the last stored block

    def stored(self) -> None:
        """A block was stored (a transaction was included): the model's sweep, as the node's (fewer assets than a
        block sweeps at most)."""
        cutoff = self.clock() - RETENTION
        # The node sweeps from the state before the block: open or certified then (an allocated asset waits for its
        # certificate; one certified in this block leaves with a later block).
        leaving = [a for a in self.sweepable if a in self.assets and self.assets[a]["expires"] <= cutoff]
        for asset_id in leaving:
            self.swept[asset_id] = self.assets.pop(asset_id)
        self.sweepable = {a for a, v in self.assets.items() if v["trade"] == "open" or v["cert"] is not None}

    def teardown(self) -> None:
        self.node.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, tx: Any, expected: str, certificate_id: str | None = None) -> dict[str, Any]:
        event(f"{tx.type} → {expected}")
        outcome = self.w.submit_wait(self.node, tx)
        assert outcome["code"] == expected, f"{tx.type} {tx.body}: expected {expected}, node said {outcome}"
        if certificate_id is not None:
            assert outcome["certificate_id"] == certificate_id
        return outcome

    # --- operations -------------------------------------------------------------------------------------------
    @initialize()
    def some_readings(self) -> None:
        for n in range(3):
            self.generate("meter", n, 1, 60)
        for n in range(2):
            self.generate("meter_oil", 2 * n, 2, 50)
        solar, oil = ([a for a in self.assets if self.assets[a]["method"] == m] for m in ("solar", "oil"))
        w = self.w
        self.do_allocate([(solar[0], self.assets[solar[0]]["wh"])], w.user, w.intermediary)
        self.do_allocate([(solar[1], 1000), (oil[0], 2000)], w.user, w.intermediary)
        self.do_allocate([(oil[1], 5000)], w.user2, w.intermediary)

    @rule(meter=st.sampled_from(["meter", "meter_oil"]), offset=st.integers(-6, 4), length=st.integers(1, 3),
          percent=st.integers(0, 110))
    def reading(self, meter: str, offset: int, length: int, percent: int) -> None:
        """A reading near the meter's last one: usually next, sometimes late into a gap, sometimes overlapping,
        sometimes in the future or too late."""
        last = max((end for _, end in self.reported.get(getattr(self.w, meter).address, [])), default=slot(0))
        self.generate(meter, max(0, (last - slot(0)) // HALF_HOUR + offset), length, percent)

    def generate(self, meter: str, start: int, length: int, percent: int) -> None:
        key: SigningKey = getattr(self.w, meter)
        _, method, capacity = self.w.meters[key.address]
        limit = capacity * length * HALF_HOUR // 3600 * 105 // 100
        wh = limit * percent // 100
        begin, end = slot(start), slot(start + length)
        tx = self.w.generate(begin, wh, end=end, meter=key)
        if end > self.clock():
            expected = "future_reading"
        elif not 0 < wh <= limit:
            expected = "over_capacity"
        elif add_month(end) <= self.clock():
            expected = "too_late"
        elif any(b < end and begin < e for b, e in self.reported.get(key.address, [])):
            expected = "overlap"
        else:
            expected = "ok"
        self.run(tx, expected)
        if expected == "ok":
            self.reported.setdefault(key.address, []).append((begin, end))
            self.assets[tx.tx_id] = {"owner": self.w.intermediary.address, "wh": wh, "trade": "open", "cert": None,
                                     "method": method, "expires": add_month(end), "gen_tx": tx.tx_id,
                                     "generated_wh": wh}
            self.stored()

    @rule(data=st.data(), to=st.sampled_from(["user", "user2"]), signer=st.sampled_from(["intermediary"] * 4 +
                                                                                         ["intermediary2"]))
    def allocate(self, data: st.DataObject, to: str, signer: str) -> None:
        still_open = sorted(a for a, v in self.assets.items() if v["trade"] == "open")
        ids = still_open if still_open and data.draw(st.sampled_from([True, True, True, False]), label="open") \
            else sorted(self.assets)
        if not ids:  # every asset was swept out of the state
            return
        picks = data.draw(st.lists(st.tuples(st.sampled_from(ids), st.integers(1, 120)), min_size=1, max_size=3),
                          label="parts")
        parts = [(a, max(1, self.assets[a]["wh"] * percent // 100)) for a, percent in picks]
        self.do_allocate(parts, getattr(self.w, to), getattr(self.w, signer))

    def do_allocate(self, parts: list[tuple[str, int]], to_key: SigningKey, signer_key: SigningKey) -> None:
        tx = self.w.allocate(parts, to=to_key.address, signer=signer_key)
        sim = copy.deepcopy(self.assets)
        expected = "ok"
        now = self.clock()
        for index, (asset_id, wh) in enumerate(parts):
            asset = sim[asset_id]
            if asset["trade"] != "open":
                expected = "completed"
            elif asset["owner"] != signer_key.address:
                expected = "not_owner"
            elif asset["expires"] <= now:
                expected = "expired"
            elif not 0 < wh <= asset["wh"]:
                expected = "insufficient"
            if expected != "ok":
                break
            if wh == asset["wh"]:
                asset.update(owner=to_key.address, trade="completed")
            else:
                child = sha256(canonical(["split", asset_id, tx.tx_id, index])).hex()
                sim[child] = {**asset, "wh": wh, "owner": to_key.address, "trade": "completed"}
                asset["wh"] -= wh
        self.run(tx, expected)
        if expected == "ok":
            self.assets = sim
            self.stored()

    @rule(data=st.data(), owner=st.sampled_from(["user", "user2", "holder", "holder", "holder"]),
          signer=st.sampled_from(["intermediary", "intermediary", "user", "user2", "owner"]))
    def issue(self, data: st.DataObject, owner: str, signer: str) -> None:
        certifiable = sorted(a for a, v in self.assets.items() if v["trade"] == "completed")
        anything = sorted(self.assets) + sorted(self.swept)
        pool = certifiable if certifiable and data.draw(st.sampled_from([True, True, True, False]),
                                                        label="certifiable") else anything
        if not pool:
            return
        ids = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True), label="assets")
        # "holder": the owner of the first selected asset; "owner" as signer: that owner's user key.
        holder = {**self.swept, **self.assets}[ids[0]]["owner"]
        users = {k.address: k for k in (self.w.user, self.w.user2)}
        owner_address = holder if owner == "holder" else getattr(self.w, owner).address
        signer_key: SigningKey = users.get(owner_address, self.w.user) if signer == "owner" else \
            getattr(self.w, signer)
        self.do_issue(ids, owner_address, signer_key)

    def do_issue(self, ids: list[str], owner_address: str, signer_key: SigningKey) -> None:
        users = {self.w.user.address, self.w.user2.address}
        tx = self.w.issue(ids, owner=owner_address, signer=signer_key)
        expected, certificate_id = "ok", None
        if signer_key.address in users and signer_key.address != owner_address:
            expected = "not_owner"
        else:
            for asset_id in ids:
                if asset_id in self.swept:
                    expected = "unknown_asset"
                    break
                asset = self.assets[asset_id]
                if asset["cert"] is not None:
                    expected, certificate_id = "already_issued", asset["cert"]
                    break
                if asset["owner"] != owner_address or asset["trade"] != "completed":
                    expected = "not_owner"
                    break
            else:
                if len({self.assets[a]["method"] for a in ids}) != 1:
                    expected = "mixed_methods"
        self.run(tx, expected, certificate_id)
        if expected == "ok":
            for asset_id in ids:
                self.assets[asset_id]["cert"] = tx.tx_id
            self.certs[tx.tx_id] = sorted(ids)
            self.stored()

    @rule(half_hours=st.integers(0, 20 * 48))
    def time_passes(self, half_hours: int) -> None:
        self.clock.advance(half_hours * HALF_HOUR)

    # --- invariants ----------------------------------------------------------------------------------------------
    def full_assets(self) -> dict[str, dict[str, Any]]:
        """Every asset in the node's state, with the fields its stored record leaves out restored."""
        return {k.removeprefix("asset/"): unpack(k.removeprefix("asset/"), v)
                for k, v in self.node.state.items("asset/")}

    @invariant()
    def node_matches_the_model(self) -> None:
        stored = {f"asset/{a}": v for a, v in self.full_assets().items()}
        assert set(stored) == {f"asset/{a}" for a in self.assets}
        for asset_id, model in self.assets.items():
            value = stored[f"asset/{asset_id}"]
            assert {k: value[k] for k in ("owner", "wh", "trade", "cert", "method", "gen_tx")} == \
                {k: model[k] for k in ("owner", "wh", "trade", "cert", "method", "gen_tx")}

    @invariant()
    def never_two_certificates_for_one_asset(self) -> None:
        records = {k.removeprefix("cert/"): v for k, v in self.node.state.items("cert/")}
        assert set(records) == set(self.certs)
        counts = Counter(a for record in records.values() for a in record["assets"])
        assert all(n == 1 for n in counts.values()), counts
        assets = self.full_assets()
        for cert_id, record in records.items():
            for asset_id in record["assets"]:
                asset = assets.get(asset_id)
                kept = self.swept[asset_id] if asset is None else asset  # swept: as it was when it left
                assert kept["cert"] == cert_id
        marked = {a for a, v in assets.items() if v["cert"] is not None}
        assert marked == set(counts).difference(self.swept)

    @invariant()
    def lineage_never_exceeds_generation(self) -> None:
        total: dict[str, int] = defaultdict(int)
        generated: dict[str, int] = {}
        for asset in self.full_assets().values():
            total[asset["gen_tx"]] += asset["wh"]
            generated[asset["gen_tx"]] = asset["generated_wh"]
        for gen_tx, wh in total.items():
            assert wh <= generated[gen_tx], f"lineage {gen_tx}: {wh} Wh in assets, {generated[gen_tx]} generated"

    @invariant()
    def state_root_is_recomputable_from_sqlite(self) -> None:
        status = self.node.status()
        recomputed = recompute_state_root(self.dir / "node" / "ledger.sqlite").hex()
        assert recomputed == status["state_root"]
        assert self.node.head.state_root.hex() == recomputed

    @invariant()
    def every_proof_the_node_serves_verifies(self) -> None:
        """State proofs (present and absent keys) and transaction inclusion proofs, with ledger_lite alone."""
        header = self.node.head
        keys = [*sorted(self.assets)[:3], *sorted(self.certs)[:2]]
        for key in [f"asset/{a}" for a in keys] + [f"cert/{c}" for c in self.certs] + ["asset/" + "ee" * 32]:
            answer = self.node.proven_value(key)
            value = verify_state(answer, header)
            assert (value is not None) == answer["present"]
        block = self.node.block(header.height)
        for tx_id in list(self.certs)[:2]:
            tx_json = self.node.tx(tx_id)
            verify_tx_in_block(tx_json, self.node.block(tx_json["height"]), [self.w.validator.public],
                               self.w.chain_id)
        assert block["header"]["state_root"] == header.state_root.hex()


LedgerSequence.TestCase.settings = settings(
    max_examples=40, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_random_sequences_keep_the_invariants = LedgerSequence.TestCase
