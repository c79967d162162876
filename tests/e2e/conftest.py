"""End-to-end fixtures: the real ``greencert demo --headless`` as a subprocess and a private cupsd queue."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from tests.helpers.cupsd import PrivateCups
from tests.helpers.demo import RunningDemo
from tests.helpers.demo import demo_process as start_demo_process

OFFSCREEN_NOISE = r"^This plugin does not support propagateSizeHints\(\)$"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def demo_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    with start_demo_process(tmp_path_factory.mktemp("demo")) as running:
        yield running


@pytest.fixture(scope="package")
def cups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PrivateCups, Path]]:
    out = tmp_path_factory.mktemp("printed") / "kiosk-output.pdf"
    with PrivateCups() as server:
        server.add_pdf_queue("kiosk", out)
        yield server, out
