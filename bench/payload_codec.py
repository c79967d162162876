"""Benchmark: certificate QR payload encode+sign and decode+verify (issue #4 goals: ≤ 2 ms and ≤ 5 ms median),
against a bare Ed25519 sign and verify of the same claims measured in the same run.

Prints one JSON line with medians in microseconds and the ratios to the baseline.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from ledger_lite import Claims, SigningKey, canonical, decode_payload, encode_payload

RUNS = 2000


def median_us(fn: object, runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1e6


def main() -> None:
    key = SigningKey.generate()
    claims = Claims(cid="9c71a967ca74cad3013301c760f2da7b1d6a6e0f8af27e76fbb4f9f2b0cdb585", chain="greencert-demo",
                    h=168, own="Consumer Ca", m="solar", wh=11_919_060, ps=1_793_480_400, pe=1_794_384_000,
                    inst="jp-green-council", iat=1_795_255_014)
    payload = encode_payload(claims, key)
    trust = {key.public.kid: key.public}
    message = canonical(claims.to_cbor())
    signature = key.sign(message)
    figures = {
        "encode_sign_us": median_us(lambda: encode_payload(claims, key)),
        "decode_verify_us": median_us(lambda: decode_payload(payload, trust)),
        "baseline_sign_us": median_us(lambda: key.sign(message)),
        "baseline_verify_us": median_us(lambda: key.public.verify(signature, message)),
    }
    print(json.dumps({"bench": "payload_codec", "runs": RUNS, "payload_chars": len(payload),
                      **{k: round(v, 1) for k, v in figures.items()},
                      "encode_ratio": round(figures["encode_sign_us"] / figures["baseline_sign_us"], 2),
                      "decode_ratio": round(figures["decode_verify_us"] / figures["baseline_verify_us"], 2)}))


if __name__ == "__main__":
    main()
