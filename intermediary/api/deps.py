"""FastAPI dependencies: the service, a DB session per request, the authenticated applicant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from intermediary.auth import Principal, authenticate
from intermediary.errors import SessionExpired
from intermediary.service import Service


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def get_db(service: ServiceDep) -> Iterator[Session]:
    with service.db() as session:
        yield session


DbDep = Annotated[Session, Depends(get_db)]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise SessionExpired("expected an Authorization: Bearer <token> header from POST /api/v1/sessions")
    return token


TokenDep = Annotated[str, Depends(bearer_token)]


def get_principal(service: ServiceDep, db: DbDep, token: TokenDep) -> Principal:
    return authenticate(db, token, service.clock())


PrincipalDep = Annotated[Principal, Depends(get_principal)]
