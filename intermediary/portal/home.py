"""``/portal/``: each role's home after log-in. A consumer's shows its transaction contents and the way to its
pages; a producer and an issuer go to their own homes, ``/portal/producer/`` (``producer_registration``) and
``/portal/issuer/`` (``issuer``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from intermediary.api.deps import DbDep
from intermediary.models import Consumer, Provider
from intermediary.portal.consumer_text import CONSUMER
from intermediary.portal.dates import period_dates
from intermediary.portal.deps import AccountDep
from intermediary.portal.errors import PageNotFound
from intermediary.portal.rendering import redirect, render

router = APIRouter(include_in_schema=False)

ROLE_HOMES = {"producer": "/portal/producer/", "issuer": "/portal/issuer/"}


def consumer_of(db: DbDep, consumer_id: str | None) -> Consumer:
    consumer = db.get(Consumer, consumer_id) if consumer_id else None
    if consumer is None:
        raise PageNotFound(f"expected the account's consumer, found none for {consumer_id!r}")
    return consumer


@router.get("/portal/", response_model=None)
def home(request: Request, account: AccountDep, db: DbDep) -> Response:
    if account.role in ROLE_HOMES:
        return redirect(request, ROLE_HOMES[account.role])
    consumer = consumer_of(db, account.consumer_id)
    chosen = db.scalars(select(Provider).where(Provider.provider_id.in_(consumer.providers))
                        .order_by(Provider.provider_id)).all()
    first, last = period_dates(consumer.usage_start, consumer.usage_end)
    return render(request, "consumer/home.html", account=account, texts=CONSUMER, nav="home",
                  consumer=consumer, chosen=chosen, first=first, last=last)

