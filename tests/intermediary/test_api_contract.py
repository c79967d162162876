"""Issue #9 (7): the intermediary answers what its OpenAPI document says — schemathesis generates requests for
every operation (valid and invalid ones) against the real app in this process, over a real node, authenticated.

Checks: no server errors; status codes, content types and bodies as declared.

The schema is loaded when this module is imported (``schemathesis.pytest.from_fixture`` does not work with this
pytest), from an app whose service each test (one an operation) then sets to a fresh intermediary world.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from intermediary.api.app import create_app
from tests.helpers.api_contract import has_invalid_requests
from tests.helpers.intermediary_world import IntermediaryWorld

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

APP = create_app(None)  # type: ignore[arg-type]  # the service comes from the ``auth`` fixture
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# One test item per operation, each with its own id (``schema.parametrize()`` gives them all one node id, and
# pytest-xdist runs only one of items that share an id).
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def auth(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh intermediary over a fresh node behind ``APP``, two solar half-hours allocated; a session's header."""
    world = IntermediaryWorld.open(tmp_path)
    world.allocate(2)
    APP.state.service = world.service
    yield world.login(world.http(app=APP))
    APP.state.service = None
    world.close()


@pytest.mark.api_contract
@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.label for operation in OPERATIONS])
def test_the_intermediary_answers_as_documented(operation: Any, auth: dict[str, str]) -> None:
    # Valid and invalid requests (an operation without parameters or body has no invalid one), as before.
    modes = list(GenerationMode) if has_invalid_requests(operation) else [GenerationMode.POSITIVE]

    @given(case=strategies.one_of([operation.as_strategy(generation_mode=mode) for mode in modes]))
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    def answers_as_documented(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=auth, checks=CHECKS)

    answers_as_documented()
