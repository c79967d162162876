"""S41-S48: the consumer's transaction content registration screen (Figs. 15A/15B).

``GET /portal/contents`` shows the period of use, planned usage, renewable share and the providers of the
consumer's region (S42-S45: name, production method and available amount, as check boxes) with OK and Cancel;
``POST /portal/contents`` (S46-S47) checks every field and, only if all are right, stores them (S48) and shows a
confirmation (``/portal/contents/saved``); otherwise the form again, each problem next to its field, nothing saved.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from intermediary.api.deps import DbDep
from intermediary.models import Consumer, Provider
from intermediary.portal.consumer_text import CONSUMER
from intermediary.portal.contents_form import Contents, Fields, Problem, check
from intermediary.portal.dates import period_dates
from intermediary.portal.deps import ConsumerDep, CsrfChecked
from intermediary.portal.home import consumer_of
from intermediary.portal.rendering import kwh, redirect, render
from intermediary.portal.sessions import Account

router = APIRouter(include_in_schema=False)


def offered_providers(db: DbDep, consumer: Consumer) -> list[Provider]:
    """S42-S43: the providers a consumer may choose: those of its region (Fig. 9A)."""
    return list(db.scalars(select(Provider).where(Provider.region.is_not_distinct_from(consumer.region))
                           .order_by(Provider.provider_id)))


def _fields_of(consumer: Consumer) -> Fields:
    first, last = period_dates(consumer.usage_start, consumer.usage_end)
    return Fields(usage_start=first.isoformat() if first else "", usage_end=last.isoformat() if last else "",
                  planned_kwh=kwh(consumer.planned_wh) if consumer.planned_wh is not None else "",
                  target_pct=str(consumer.renewable_target_pct), providers=tuple(consumer.providers))


def _form_page(request: Request, account: Account, providers: list[Provider], fields: Fields,
               problems: dict[str, Problem] | None = None) -> HTMLResponse:
    return render(request, "consumer/contents.html", account=account, texts=CONSUMER, nav="tab_contents",
                  status=400 if problems else 200, fields=fields, problems=problems or {}, providers=providers)


@router.get("/portal/contents")
def contents_form(request: Request, account: ConsumerDep, db: DbDep) -> HTMLResponse:
    consumer = consumer_of(db, account.consumer_id)
    return _form_page(request, account, offered_providers(db, consumer), _fields_of(consumer))


@router.post("/portal/contents", response_model=None, dependencies=[CsrfChecked])
def save_contents(request: Request, account: ConsumerDep, db: DbDep,
                  usage_start: Annotated[str, Form()] = "", usage_end: Annotated[str, Form()] = "",
                  planned_kwh: Annotated[str, Form()] = "", target_pct: Annotated[str, Form()] = "",
                  providers: Annotated[list[str] | None, Form()] = None) -> Response:
    consumer = consumer_of(db, account.consumer_id)
    offered = offered_providers(db, consumer)
    fields = Fields(usage_start=usage_start, usage_end=usage_end, planned_kwh=planned_kwh, target_pct=target_pct,
                    providers=tuple(providers or ()))
    outcome = check(fields, {p.provider_id: p.category for p in offered})
    if not isinstance(outcome, Contents):
        return _form_page(request, account, offered, fields, outcome)
    # S48: stored with the user's ID; the allocation reads them from the next usage report on
    consumer.usage_start, consumer.usage_end = outcome.usage_start, outcome.usage_end
    consumer.planned_wh, consumer.renewable_target_pct = outcome.planned_wh, outcome.target_pct
    consumer.providers = list(outcome.providers)
    db.commit()
    return redirect(request, "/portal/contents/saved")


@router.get("/portal/contents/saved")
def contents_saved(request: Request, account: ConsumerDep, db: DbDep) -> HTMLResponse:
    consumer = consumer_of(db, account.consumer_id)
    chosen = [p for p in offered_providers(db, consumer) if p.provider_id in consumer.providers]
    first, last = period_dates(consumer.usage_start, consumer.usage_end)
    return render(request, "consumer/saved.html", account=account, texts=CONSUMER, nav="tab_contents",
                  consumer=consumer, chosen=chosen, first=first, last=last)
