"""Typed httpx clients for the intermediary and ledger node APIs."""

from backend_client.certificate_reader import CertificateReader
from backend_client.errors import (
    AlreadyIssued,
    ApiError,
    BadRequest,
    ClientError,
    Conflict,
    Forbidden,
    InvalidId,
    Locked,
    NotFound,
    ProtocolError,
    ServerError,
    Unauthorized,
    Unreachable,
)
from backend_client.http import split_urls
from backend_client.intermediary import (
    CertificateRecord,
    CertificateType,
    EligibleItem,
    IntermediaryClient,
    IssuedCertificate,
    Session,
    UsageOutcome,
)
from backend_client.node import NodeClient
from backend_client.trust_reader import TrustReader

__all__ = [
    "AlreadyIssued",
    "ApiError",
    "BadRequest",
    "CertificateReader",
    "CertificateRecord",
    "CertificateType",
    "ClientError",
    "Conflict",
    "EligibleItem",
    "Forbidden",
    "IntermediaryClient",
    "InvalidId",
    "IssuedCertificate",
    "Locked",
    "NodeClient",
    "NotFound",
    "ProtocolError",
    "ServerError",
    "Session",
    "TrustReader",
    "Unauthorized",
    "Unreachable",
    "UsageOutcome",
    "split_urls",
]
