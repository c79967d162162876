"""The phone portal (``intermediary.portal``) from a test: a world whose intermediary has the portal's accounts
and providers, and a client that logs in through the real log-in form.

    world = portal_world(tmp_path)                    # IntermediaryWorld + providers, regions, staff accounts
    http = world.http()
    response = portal_login(http, "ca")               # GET the form, POST it with its CSRF token → 303 /portal/
    page = http.get("/portal/contents")
    http.post("/portal/contents", data={"csrf": csrf_of(page.text), ...})

Accounts (password ``PASSWORD``): ``ca`` and ``cb`` (consumers Ca and Cb, region kanto), ``producer-aa``
(producer, provider Aa) and ``issuer``. Providers: Aa (solar), Aw (wind), Ab (oil) in kanto; Xk (solar) in kansai.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import httpx

from intermediary.models import Applicant, Consumer, Provider, Usage
from intermediary.passwords import hash_password
from tests.helpers.intermediary_world import PASSWORD, IntermediaryWorld

REGION = "kanto"
PROVIDERS = (("Aa", "Producer Aa", "solar", "renewable", REGION, 500_000),
             ("Aw", "Wind Farm Aw", "wind", "renewable", REGION, 2_000_000),
             ("Ab", "Producer Ab", "oil", "fossil", REGION, 1_000_000),
             ("Xk", "Kansai Solar Xk", "solar", "renewable", "kansai", 300_000))
STAFF = (("producer-aa", "producer", "Aa"), ("issuer", "issuer", None))
CSRF = re.compile(r'name="csrf" value="([^"]*)"')


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # scrypt once per test session, not per account and world


def add_portal_data(world: IntermediaryWorld) -> None:
    """Providers with regions, Ca and Cb in kanto, and the producer and issuer accounts."""
    with world.service.db() as db:
        db.add_all([Provider(provider_id=pid, name=name, method=method, category=category, region=region,
                             available_wh=available) for pid, name, method, category, region, available in PROVIDERS])
        for consumer in db.query(Consumer):
            consumer.region = REGION
        db.flush()
        db.add_all([Applicant(applicant_id=aid, password_hash=_password_hash(), consumer_id=None, role=role,
                              provider_id=provider, failed_logins=0, locked_until=0) for aid, role, provider in STAFF])
        db.commit()


def portal_world(data_dir: Path, db_url: str | None = None) -> IntermediaryWorld:
    world = IntermediaryWorld.open(data_dir, db_url=db_url)
    add_portal_data(world)
    return world


def csrf_of(html: str) -> str:
    """The CSRF token in a page's first form."""
    found = CSRF.search(html)
    assert found is not None, "expected a form with a csrf field"
    return found.group(1)


def portal_login(http: httpx.Client, applicant: str, password: str = PASSWORD) -> httpx.Response:
    """Log in through the form as a browser would (the form's token and its cookie); the POST's response."""
    form = http.get("/portal/login")
    assert form.status_code == 200, form.text
    return http.post("/portal/login", data={"applicant_id": applicant, "password": password,
                                            "csrf": csrf_of(form.text)})


def add_usage_history(world: IntermediaryWorld, consumer_id: str = "Ca", days: int = 30) -> None:
    """``days`` days of half-hourly history rows for a consumer up to today (JST), renewable by day like a solar
    bell that varies with the weather: data for the allocations page's charts."""
    now = world.clock()
    today = now - (now + 9 * 3600) % 86_400  # 00:00 JST today
    rows = []
    for d in range(days):
        first = today - (days - d) * 86_400
        weather = (3, 10, 7, 9, 5, 10, 8)[d % 7]
        for i in range(48):
            wh = 1_000 + 20 * ((i * 7 + d) % 11)
            sun = max(0, 12 - abs(i - 24)) * weather // 10  # 06:00-18:00 JST
            renewable = min(wh, wh * sun // 8)
            rows.append(Usage(consumer_id=consumer_id, start=first + i * 1800, end=first + (i + 1) * 1800, wh=wh,
                              renewable_wh=renewable, fossil_wh=wh - renewable, unallocated_wh=0, tx_id=None,
                              status="allocated"))
    with world.service.db() as db:
        db.add_all(rows)
        db.commit()
