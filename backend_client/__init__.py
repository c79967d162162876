"""Typed httpx clients for the intermediary and ledger node APIs.

The names below are imported when first used (PEP 562, as ``printing`` does): ``greencert verify`` reads a node
through ``LightNode`` (the standard library's ``http.client``) and never loads httpx (issue 16)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from backend_client.light_node import LightNode
    from backend_client.node import NodeClient
    from backend_client.trust_reader import TrustReader

_WHERE = {
    "CertificateReader": "certificate_reader", "TrustReader": "trust_reader", "NodeClient": "node",
    "LightNode": "light_node", "split_urls": "lean_gets",
    **{name: "errors" for name in ("AlreadyIssued", "ApiError", "BadRequest", "ClientError", "Conflict", "Forbidden",
                                   "InvalidId", "Locked", "NotFound", "ProtocolError", "ServerError", "Unauthorized",
                                   "Unreachable")},
    **{name: "intermediary" for name in ("CertificateRecord", "CertificateType", "EligibleItem", "IntermediaryClient",
                                         "IssuedCertificate", "Session", "UsageOutcome")},
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'backend_client' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"backend_client.{module}"), name)
    globals()[name] = value
    return value


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
    "LightNode",
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
