"""S21-S25 on the producer's phone: register the intermediary a meter reports to (Figs. 12, 13A, 13B), through the
ledger's governance (``intermediary.producers``).

    GET  /portal/producer/                                  the producer's meters and where each reports now
    GET  /portal/producer/meters/{meter}/intermediary       S21: pull-down of intermediary names, OK and Cancel
    POST /portal/producer/meters/{meter}/intermediary       S22-S23: the choice, proposed to the ledger → 303
    GET  /portal/producer/registrations/{proposal_id}       waiting for approval, or S25 "registration of the
                                                            intermediary is complete" with OK, or refused and why

A producer sees only its own meters and requests ("not found" otherwise); a choice not in the list, or a
refusal, shows the form again (400) and changes nothing; a ledger that does not answer is a 503 page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from intermediary.api.deps import ServiceDep
from intermediary.errors import BadInput, LedgerUnavailable, NotFound
from intermediary.portal.deps import CsrfChecked, ProducerDep
from intermediary.portal.errors import PageNotFound
from intermediary.portal.producer_text import PRODUCER
from intermediary.portal.rendering import redirect, render
from intermediary.portal.sessions import Account
from intermediary.producers import IntermediaryChoice, MeterView, Producers
from intermediary.service import Service
from ledger_lite.keys import is_address

router = APIRouter(include_in_schema=False)
REFRESH_S = 5  # the waiting page reloads itself (no script: the Refresh header)


def producers_of(service: Service) -> Producers:
    """This intermediary's producer side, on its ledger client and key."""
    return Producers(service.node, service.settings.key, service.settings.chain_id)


def _provider(account: Account) -> str:
    if not account.provider_id:
        raise PageNotFound(f"expected the producer account's provider, found none for {account.applicant_id!r}")
    return account.provider_id


def _meter(producers: Producers, provider: str, address: str) -> MeterView:
    found = next((m for m in producers.meters(provider) if m.address == address), None) \
        if is_address(address) else None
    if found is None:
        raise PageNotFound(f"expected one of provider {provider}'s meters, found {address[:60]!r}")
    return found


def _unavailable(request: Request, account: Account) -> HTMLResponse:
    return render(request, "producer/unavailable.html", account=account, texts=PRODUCER, status=503)


def _form(request: Request, account: Account, meter: MeterView, choices: list[IntermediaryChoice], chosen: str,
          problem: str = "", detail: str = "") -> HTMLResponse:
    return render(request, "producer/register.html", account=account, texts=PRODUCER,
                  status=400 if problem else 200, meter=meter, choices=choices, chosen=chosen or meter.intermediary,
                  problem=problem, detail=detail)


@router.get("/portal/producer/", response_model=None)
def producer_home(request: Request, account: ProducerDep, service: ServiceDep) -> Response:
    try:
        meters = producers_of(service).meters(_provider(account))
    except LedgerUnavailable:
        return _unavailable(request, account)
    return render(request, "producer/home.html", account=account, texts=PRODUCER, meters=meters)


@router.get("/portal/producer/meters/{meter}/intermediary", response_model=None)
def registration_form(request: Request, meter: str, account: ProducerDep, service: ServiceDep) -> Response:
    producers = producers_of(service)
    try:
        found = _meter(producers, _provider(account), meter)
        choices = producers.intermediaries()
    except LedgerUnavailable:
        return _unavailable(request, account)
    return _form(request, account, found, choices, "")


@router.post("/portal/producer/meters/{meter}/intermediary", response_model=None, dependencies=[CsrfChecked])
def register(request: Request, meter: str, account: ProducerDep, service: ServiceDep,
             intermediary: Annotated[str, Form()] = "") -> Response:
    producers = producers_of(service)
    provider = _provider(account)
    try:
        found = _meter(producers, provider, meter)
        choices = producers.intermediaries()
        if intermediary not in {c.address for c in choices}:
            return _form(request, account, found, choices, "", "e_choose")
        try:
            asked = producers.request(provider, found.address, intermediary)
        except BadInput as exc:
            key = "e_already_registered" if exc.code == "already_registered" else "e_refused_now"
            return _form(request, account, found, choices, intermediary, key, exc.message)
        except NotFound as exc:
            raise PageNotFound(exc.message) from exc
    except LedgerUnavailable:
        return _unavailable(request, account)
    return redirect(request, f"/portal/producer/registrations/{asked.proposal_id}")


@router.get("/portal/producer/registrations/{proposal_id}", response_model=None)
def registration_state(request: Request, proposal_id: str, account: ProducerDep, service: ServiceDep) -> Response:
    producers = producers_of(service)
    try:
        registration = producers.registration(_provider(account), proposal_id)
    except NotFound as exc:
        raise PageNotFound(exc.message) from exc
    except LedgerUnavailable:
        return _unavailable(request, account)
    template = {"waiting": "producer/waiting.html", "registered": "producer/done.html"}.get(
        registration.state, "producer/refused.html")
    page = render(request, template, account=account, texts=PRODUCER, registration=registration,
                  refresh_s=REFRESH_S)
    if registration.state == "waiting":
        page.headers["Refresh"] = str(REFRESH_S)  # no script: the browser asks again
    return page
