"""Concurrent reads of the eligible list never give server errors (issue #9: never a 5xx under concurrency)."""

from __future__ import annotations

import threading

from tests.helpers.intermediary_world import API, IntermediaryWorld


def test_concurrent_first_reads_of_the_list_all_succeed(iw: IntermediaryWorld) -> None:
    iw.allocate(3)
    app = iw.app()
    clients = [iw.http(app=app) for _ in range(8)]
    auth = iw.login(clients[0])
    answers: list[tuple[int, object]] = []
    start = threading.Barrier(len(clients))

    def read(index: int) -> None:
        start.wait()
        response = clients[index].get(f"{API}/eligible-transactions", headers=auth)
        answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {status for status, _ in answers} == {200}
    assert len({str(body) for _, body in answers}) == 1
