"""The stateless admission checks spread over worker processes (``ledger.verifier``)."""

from __future__ import annotations

import os
import pickle

from ledger.errors import Rejected
from ledger.verifier import (
    CHUNK,
    FIRST_CHUNK,
    INLINE_BELOW,
    SHARED_TEXT,
    WORKER_NICENESS,
    Admitted,
    ParallelAdmission,
    check_chunk,
    chunk_bounds,
    rebuild,
)
from ledger_lite import SigningKey, decode_tx, sign_tx
from tests.helpers.waiting import wait_for

CHAIN = "test-chain"


def test_warming_starts_every_worker_before_the_first_batch() -> None:
    admission = ParallelAdmission(CHAIN, workers=2)
    try:
        admission.warm()
        assert admission._pool is not None
        assert len(admission._pool._processes) == 2  # the pool's own record of its processes
    finally:
        admission.close()


def test_workers_yield_the_cores_to_the_node() -> None:
    admission = ParallelAdmission(CHAIN, workers=2)
    try:
        admission.warm()
        pool = admission._pool
        assert pool is not None and len(pool._processes) == 2
        expected = min(19, os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS)

        def niceness() -> list[int]:
            return [os.getpriority(os.PRIO_PROCESS, pid) for pid in pool._processes]

        # a worker that another one beat to every warming task may still be in its initializer
        assert wait_for(lambda: niceness() == [expected] * 2), niceness()
    finally:
        admission.close()


def test_workers_answer_as_the_inline_checks_do() -> None:
    key = SigningKey.generate()
    raws = [sign_tx(key, chain=CHAIN, type="asset.generate", body={"n": n}, nonce=n, time=n).encode()
            for n in range(INLINE_BELOW * 5)]  # tasks of FIRST_CHUNK, then larger ones
    raws[3] = raws[3][:-1]  # cut short: no longer CBOR
    raws[7] = sign_tx(key, chain="other", type="asset.generate", body={}, nonce=7, time=7).encode()
    parallel, inline = ParallelAdmission(CHAIN, workers=2), ParallelAdmission(CHAIN, workers=1)
    try:
        checked, expected = parallel.check(raws), inline.check(raws)
    finally:
        parallel.close()
    assert [type(c) for c in checked] == [type(e) for e in expected]
    assert [(c.code, c.status) for c in checked if isinstance(c, Rejected)] == \
        [("bad_encoding", 400), ("wrong_chain", 400)]
    assert [(c.tx.tx_id, c.stored) for c in checked if isinstance(c, Admitted)] == \
        [(e.tx.tx_id, e.stored) for e in expected if isinstance(e, Admitted)]


def test_results_travel_back_with_their_recurring_texts_once() -> None:
    owner = "gc1" + "ab" * 20
    long_text = "x" * (SHARED_TEXT + 1)
    raws = [sign_tx(SigningKey.generate(), chain=CHAIN, type="asset.generate",
                    body={"method": "wind", "owner": owner, "note": long_text, "wh": n}, nonce=n, time=n).encode()
            for n in range(2)]
    first, second = (payload for _, payload in pickle.loads(pickle.dumps(check_chunk(raws, CHAIN))))
    # chain, type, the body's keys and short texts: one object each in the chunk's pickle, so one after it
    assert first[0] is second[0] and first[1] is second[1]
    assert all(a is b for a, b in zip(first[2], second[2], strict=True))
    assert first[2]["owner"] is second[2]["owner"] and first[2]["method"] is second[2]["method"]
    assert first[2]["note"] is not second[2]["note"]  # a long text travels as it is
    for raw, checked in zip(raws, check_chunk(raws, CHAIN), strict=True):
        admitted = rebuild(raw, checked)
        assert isinstance(admitted, Admitted)
        expected = decode_tx(raw)
        assert admitted.tx == expected and list(admitted.tx.body) == list(expected.body)
        assert (admitted.tx.tx_id, admitted.tx.signer_address, admitted.tx.encode()) == \
            (expected.tx_id, expected.signer_address, raw)


def test_a_batch_is_cut_into_small_first_tasks_then_larger_ones() -> None:
    for count, workers in [(256, 2), (600, 2), (2000, 2), (20_000, 2), (20_000, 4), (1001, 3)]:
        bounds = chunk_bounds(count, workers)
        assert [i for start, end in bounds for i in range(start, end)] == list(range(count))  # all, once, in order
        sizes = [end - start for start, end in bounds]
        assert max(sizes) <= CHUNK and min(sizes) > 0
        if count > workers * CHUNK:
            assert sizes[:workers] == [FIRST_CHUNK] * workers  # the first block starts early
            assert sizes[workers] == CHUNK
        else:
            assert len(bounds) <= workers  # a small batch: one task a worker
