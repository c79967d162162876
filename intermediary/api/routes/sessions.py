"""POST/DELETE /api/v1/sessions: applicant log-in (S503/S504) and log-out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from intermediary import auth
from intermediary.api.deps import DbDep, ServiceDep, TokenDep
from intermediary.api.schemas import errors

router = APIRouter(tags=["sessions"])


class LoginIn(BaseModel):
    applicant_id: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    token: str
    user_name: str = Field(description="the consumer's name (English), shown by the kiosk")
    expires_at: int
    user_name_ja: str | None = Field(default=None, description="the consumer's Japanese name, shown by a kiosk in "
                                     "Japanese; null when it has none (then user_name is shown)")


@router.post("/sessions", status_code=201, responses=errors(400, 401, 403, 429))
def create_session(body: LoginIn, request: Request, service: ServiceDep, db: DbDep) -> LoginOut:
    client = request.client.host if request.client else "unknown"
    login = auth.login(db, service.settings, body.applicant_id, body.password, service.clock(), client)
    return LoginOut(token=login.token, user_name=login.user_name, expires_at=login.expires_at,
                    user_name_ja=login.user_name_ja)


@router.delete("/sessions/current", status_code=204, response_class=Response, responses=errors(401))
def delete_session(db: DbDep, token: TokenDep) -> Response:
    auth.logout(db, token)
    return Response(status_code=204)
