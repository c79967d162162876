"""The node's HTTP API against its own OpenAPI document (issue #9), with schemathesis in-process over ASGI: for
generated requests, valid and not, no server error, and every status code, content type and JSON body is one the
document declares. Bounded examples; ``/v1/events`` streams without end, so it is checked on its own below."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import BaseSchema

from ledger.api import create_app
from ledger.node import Node
from tests.helpers.api_contract import has_invalid_requests
from tests.helpers.ledger_world import LedgerWorld, ManualClock

pytestmark = pytest.mark.api_contract

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# application/cbor bodies are bytes (``format: binary``): sent as they are, like application/octet-stream.
schemathesis.serializer.alias("application/cbor", "application/octet-stream")


@pytest.fixture(scope="module")
def contract_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A node with one committed block, so reads find something besides 404s."""
    world = LedgerWorld()
    node = world.open_node(Path(tmp_path_factory.mktemp("contract")) / "node", ManualClock())
    world.new_asset(node, 1)
    yield node
    node.close()


@pytest.fixture(scope="module")
def node_app(contract_node: Node) -> FastAPI:
    return create_app(contract_node)


@pytest.fixture(scope="module")
def node_schema(node_app: FastAPI) -> BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", node_app).exclude(path="/v1/events")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_node_api_conforms_to_its_openapi(node_schema: BaseSchema, mode: GenerationMode) -> None:
    # One bounded Hypothesis run per operation (schemathesis' lazy ``from_fixture`` sets a pytest attribute that
    # pytest 9 no longer has, so the operations are walked here, with the module's node behind the app).
    operations = [result.ok() for result in node_schema.get_all_operations()]
    assert len(operations) == 18  # 12 + 6 governance routes (issue 15)
    if mode is GenerationMode.NEGATIVE:  # an operation without parameters or body has no invalid request
        operations = [op for op in operations if has_invalid_requests(op)]
        assert len(operations) == 16
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def conforms(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        conforms()


def test_events_is_declared_as_an_event_stream(node_app: FastAPI) -> None:
    responses = node_app.openapi()["paths"]["/v1/events"]["get"]["responses"]
    assert set(responses) == {"200"} and set(responses["200"]["content"]) == {"text/event-stream"}


def test_the_contract_run_sees_a_committed_block(contract_node: Node) -> None:
    assert contract_node.head.height == 1 and contract_node.block(1)["tx_count"] == 1
