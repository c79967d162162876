"""Benchmark: render time of one certificate PDF (S212a) against an empty reportlab page in the same run.

Prints one JSON line::

    {"bench": "render_certificate", "runs": 30, "certificate_median_s": ..., "baseline_median_s": ...,
     "ratio": ..., "budget_s": 0.1, "qr_version": ..., "qr_error": ..., ...}

The budget is issue 4's "rendering a certificate ≤ 100 ms" (median, this machine).

The baseline (an empty one-page reportlab PDF) is measured interleaved with the certificate, so the
ratio stays meaningful on a noisy machine (shared/ENVIRONMENT.md, "Machine limits").
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in
import printing
from printing.qr import make_qr

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
BUDGET_S = 0.100


def sample_document(institution_id: str, reprint: bool) -> printing.CertificateDocument:
    """A month of half-hourly solar production (1,440 values) with a payload of realistic length."""
    rnd = random.Random(2024)
    profile = tuple(rnd.randint(0, 2500) if 12 <= i % 48 < 38 else 0 for i in range(1440))
    start = 1711897200  # 2024-04-01 00:00 JST
    return printing.CertificateDocument(
        certificate_id="".join(rnd.choice("0123456789abcdef") for _ in range(64)),
        owner="Consumer Ca",
        amount_wh=sum(profile),
        period_start=start,
        period_end=start + 1440 * 1800,
        production_method="solar",
        category="renewable",
        issued_at=start + 1440 * 1800 + 86400,
        institution_id=institution_id,
        chain_id="greencert-demo",
        block_height=123456,
        payload="GC1:" + "".join(rnd.choice(BASE45) for _ in range(420)),
        profile_wh=profile,
        reprint=reprint,
    )


def empty_page() -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--institution", default="jp-green-council")
    parser.add_argument("--paper", default="A4", choices=["A4", "Letter"])
    args = parser.parse_args(argv)

    fmt = printing.load_institutions()[args.institution]
    doc = sample_document(args.institution, reprint=False)
    printing.render_certificate_pdf(doc, fmt, paper=args.paper)  # warm-up: font registration, imports
    empty_page()

    certificate: list[float] = []
    baseline: list[float] = []
    size = 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        size = len(printing.render_certificate_pdf(doc, fmt, paper=args.paper))
        t1 = time.perf_counter()
        empty_page()
        t2 = time.perf_counter()
        certificate.append(t1 - t0)
        baseline.append(t2 - t1)

    cert_median, base_median = statistics.median(certificate), statistics.median(baseline)
    symbol = make_qr(doc.payload)
    print(
        json.dumps(
            {
                "bench": "render_certificate",
                "runs": args.runs,
                "institution": args.institution,
                "paper": args.paper,
                "pdf_bytes": size,
                "certificate_median_s": round(cert_median, 6),
                "baseline_median_s": round(base_median, 6),
                "ratio": round(cert_median / base_median, 2),
                "budget_s": BUDGET_S,
                "qr_version": symbol.version,
                "qr_error": symbol.error,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
