"""FastAPI dependencies: the service, a DB session per request, the authenticated applicant.

Those that only read the request are ``async``: FastAPI calls them on its event loop, where a plain function would
cost a hop to its thread pool and back for nothing (the DB session and the applicant's look-up stay there)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from intermediary.auth import Principal, authenticate
from intermediary.errors import SessionExpired
from intermediary.service import Service


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def get_db(service: ServiceDep) -> Iterator[Session]:
    with service.db() as session:
        yield session


DbDep = Annotated[Session, Depends(get_db)]


# Declares the bearer scheme in the OpenAPI document; the header is checked here, with our own error.
_bearer = HTTPBearer(auto_error=False, description="the token from POST /api/v1/sessions")


async def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    if credentials is None or not credentials.credentials:
        raise SessionExpired("expected an Authorization: Bearer <token> header from POST /api/v1/sessions")
    return credentials.credentials


TokenDep = Annotated[str, Depends(bearer_token)]


def get_principal(service: ServiceDep, db: DbDep, token: TokenDep) -> Principal:
    return authenticate(db, token, service.clock())


PrincipalDep = Annotated[Principal, Depends(get_principal)]
