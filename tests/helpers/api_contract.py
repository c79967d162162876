"""Shared by the schemathesis contract tests of the node and the intermediary."""

from __future__ import annotations

from typing import Any


def has_invalid_requests(operation: Any) -> bool:
    """Whether schemathesis can make an invalid request for ``operation``: one without path parameters, query or
    body has none (negative generation has nothing to break)."""
    return any(map(list, (operation.path_parameters, operation.query, operation.body)))
