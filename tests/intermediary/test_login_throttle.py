"""Issue #9 (3): log-in throttling says nothing about which accounts exist and cannot be used to keep someone
else's account locked from another address. Policy: intermediary/auth.py."""

from __future__ import annotations

import httpx
import pytest

from intermediary import auth
from tests.helpers.intermediary_world import API, PASSWORD, IntermediaryWorld

ATTACKER, KIOSK = "198.51.100.66", "192.0.2.10"


def attempt(http: httpx.Client, applicant: str, password: str = "wrong") -> httpx.Response:
    return http.post(f"{API}/sessions", json={"applicant_id": applicant, "password": password})


def test_known_and_unknown_ids_are_answered_alike(iw: IntermediaryWorld) -> None:
    http = iw.http(ATTACKER)
    answers = {}
    for applicant in ("ca", "nobody-by-that-name"):
        responses = [attempt(http, applicant) for _ in range(iw.service.settings.max_failed_logins + 1)]
        answers[applicant] = [(r.status_code, r.json(), r.headers.get("Retry-After")) for r in responses]
    assert answers["ca"] == answers["nobody-by-that-name"]
    assert [a[0] for a in answers["ca"]] == [401] * (iw.service.settings.max_failed_logins - 1) + [429, 429]


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(iw: IntermediaryWorld) -> None:
    attacker, kiosk = iw.http(ATTACKER), iw.http(KIOSK)
    for _ in range(iw.service.settings.max_failed_logins + 3):
        attempt(attacker, "ca")
    assert attempt(attacker, "ca", PASSWORD).status_code == 429  # the guesser is held back, even when right
    assert attempt(kiosk, "ca", PASSWORD).status_code == 201     # the owner at the kiosk is not


def test_backoff_doubles_with_each_lock(iw: IntermediaryWorld) -> None:
    http, settings = iw.http(ATTACKER), iw.service.settings
    for _ in range(settings.max_failed_logins - 1):
        assert attempt(http, "ca").status_code == 401
    first = attempt(http, "ca")
    assert first.status_code == 429 and int(first.headers["Retry-After"]) == settings.lockout_s
    iw.clock.advance(settings.lockout_s)
    second = attempt(http, "ca")
    assert second.status_code == 429 and int(second.headers["Retry-After"]) == 2 * settings.lockout_s
    iw.clock.advance(2 * settings.lockout_s)
    assert attempt(http, "ca", PASSWORD).status_code == 201  # and a success clears the count
    assert attempt(http, "ca").status_code == 401


def test_a_client_guessing_many_accounts_is_throttled(iw: IntermediaryWorld) -> None:
    http, settings = iw.http(ATTACKER), iw.service.settings
    statuses = [attempt(http, f"user-{n}").status_code for n in range(auth.client_ceiling(settings))]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}
    assert attempt(http, "ca", PASSWORD).status_code == 429
    assert attempt(iw.http(KIOSK), "ca", PASSWORD).status_code == 201


def test_an_account_guessed_from_many_addresses_hits_its_ceiling(iw: IntermediaryWorld) -> None:
    settings = iw.service.settings
    per_host = settings.max_failed_logins - 1  # stay under each address's own limit
    hosts = -(-auth.account_ceiling(settings) // per_host)
    for h in range(hosts):
        http = iw.http(f"203.0.113.{h + 1}")
        for _ in range(per_host):
            attempt(http, "cb")
    assert attempt(iw.http(KIOSK), "cb", PASSWORD).status_code == 429
    assert attempt(iw.http(KIOSK), "nobody-else", "x").status_code == 401  # other accounts are untouched


def test_counters_survive_a_restart(iw: IntermediaryWorld) -> None:
    from intermediary.api.app import create_app

    http = iw.http(ATTACKER)
    for _ in range(iw.service.settings.max_failed_logins):
        attempt(http, "ca")
    restarted = IntermediaryWorld.service_over(iw.ledger, iw.data_dir, httpx.MockTransport(lambda r: httpx.Response(
        503, json={"error": "x", "message": "x"})), iw.clock)
    try:
        again = iw.http(ATTACKER, app=create_app(restarted))
        assert attempt(again, "ca", PASSWORD).status_code == 429
    finally:
        restarted.engine.dispose()
        restarted.node.close()


@pytest.mark.parametrize("applicant", ["ca", "nobody"])
def test_the_password_hash_runs_for_unknown_ids_too(iw: IntermediaryWorld, monkeypatch: pytest.MonkeyPatch,
                                                    applicant: str) -> None:
    calls: list[str] = []
    real = auth.check_password
    monkeypatch.setattr(auth, "check_password", lambda pw, stored: calls.append(stored) or real(pw, stored))
    assert attempt(iw.http(ATTACKER), applicant).status_code == 401
    assert len(calls) == 1


def test_concurrent_failures_never_give_server_errors(iw: IntermediaryWorld) -> None:
    import threading

    app = iw.app()
    clients = [iw.http(ATTACKER, app=app) for _ in range(8)]
    statuses: list[int] = []
    start = threading.Barrier(len(clients))

    def guess(http: httpx.Client) -> None:
        start.wait()
        statuses.append(attempt(http, "brand-new-id").status_code)

    threads = [threading.Thread(target=guess, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == len(clients) and set(statuses) <= {401, 429}
    assert attempt(clients[0], "brand-new-id").status_code == 429  # every failure was counted


def test_a_wrong_password_says_how_many_attempts_are_left_for_known_and_unknown_ids_alike(
        iw: IntermediaryWorld) -> None:
    limit = iw.service.settings.max_failed_logins
    for applicant in ("ca", "nobody-by-that-name"):
        http = iw.http(ATTACKER)
        left = [attempt(http, applicant).json().get("attempts_left") for _ in range(limit - 1)]
        assert left == list(range(limit - 1, 0, -1))  # ... 2, 1: the kiosk can warn before the last attempt
        assert attempt(http, applicant).status_code == 429
