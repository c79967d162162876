"""Benchmark: the main embodiment's issuance (a period, S203-S213a) and the certificate's PDF on both rendering
paths, against a plain ledger round trip measured in the same run (issue 15, "Issuance").

An intermediary and a real ledger node run in this process (ASGI transports, no sockets: ``IntermediaryWorld``).
Consumer Ca has ``--days`` days of half-hourly solar allocations; each run issues one ``--span``-slot period of
them (``POST /api/v1/certificates`` with ``period``: the node's listing, the signed issuance, its commit, the
time-matched figure from the ledger's records), then reads the PDF (S212a, our record) and renders it on the node
side (S311a, ``render_at="node"``, from the ledger's records), checking the two are the same bytes. Baseline:
``GET /v1/status`` on the same node. Prints one JSON line: p50 and p95 seconds of each, and each as a ratio to the
baseline's p50.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from intermediary.documents import certificate_pdf
from intermediary.models import Certificate, Consumer
from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld
from tests.helpers.ledger_world import slot
from tests.helpers.matched_allocations import allocate


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=3, help="days of half-hourly allocations (48 a day)")
    parser.add_argument("--span", type=int, default=4, help="half hours per issued period")
    args = parser.parse_args()
    figures: dict[str, list[float]] = {"issue_by_period": [], "pdf": [], "pdf_node_side": [], "baseline_status": []}
    with tempfile.TemporaryDirectory() as tmp:
        iw = IntermediaryWorld.open(Path(tmp))
        try:
            slots = list(range(args.days * 48))
            iw.clock.set(slot(len(slots) + 1))  # every reading in the past, none expired
            allocate(iw, slots[0::2], matched=True)
            allocate(iw, slots[1::2], matched=False)
            http = iw.http()
            auth = iw.login(http)
            node_dir = Path(tmp) / "node-side"
            node_dir.mkdir()
            for first in range(0, len(slots) - args.span + 1, args.span):
                began = time.perf_counter()
                iw.service.node.status()
                figures["baseline_status"].append(time.perf_counter() - began)
                body = {"period": {"start": slot(first), "end": slot(first + args.span), "production_method": "solar"},
                        "type_id": TYPE_ID, "idempotency_key": uuid.uuid4().hex}
                began = time.perf_counter()
                answer = http.post(f"{API}/certificates", headers=auth, json=body)
                figures["issue_by_period"].append(time.perf_counter() - began)
                assert answer.status_code == 201, answer.text
                cid = answer.json()["certificate_id"]
                began = time.perf_counter()
                pdf = http.get(f"{API}/certificates/{cid}/pdf", headers=auth).content
                figures["pdf"].append(time.perf_counter() - began)
                with iw.service.db() as db:
                    cert, consumer = db.get(Certificate, cid), db.get(Consumer, "Ca")
                    assert cert is not None and consumer is not None
                    began = time.perf_counter()
                    node_pdf = certificate_pdf(cert, consumer, iw.service.institutions, node_dir, reprint=False,
                                               node=iw.service.node, render_at="node")
                    figures["pdf_node_side"].append(time.perf_counter() - began)
                assert node_pdf == pdf, "the node side's PDF differs from the intermediary's"
        finally:
            iw.close()
    base = statistics.median(figures["baseline_status"])
    out: dict[str, object] = {"runs": len(figures["pdf"]), "allocations": args.days * 48, "span_slots": args.span,
                              "same_bytes": True}
    for name, values in figures.items():
        out[f"{name}_p50_s"] = round(statistics.median(values), 5)
        out[f"{name}_p95_s"] = round(p95(values), 5)
        if name != "baseline_status":
            out[f"{name}_p50_ratio"] = round(statistics.median(values) / base, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
