"""Fixtures for the protocol tests: stored vectors from ``tests/assets`` (sigstore-python's ``asset(name)``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ASSETS = Path(__file__).resolve().parents[1] / "assets"


@pytest.fixture
def asset() -> Callable[[str], str]:
    """The text of ``tests/assets/<name>``."""

    def read(name: str) -> str:
        return (ASSETS / name).read_text(encoding="utf-8")

    return read


@pytest.fixture
def asset_json() -> Callable[[str], Any]:
    """The parsed JSON of ``tests/assets/<name>``."""

    def read(name: str) -> Any:
        return json.loads((ASSETS / name).read_text(encoding="utf-8"))

    return read
