"""Fixtures for the printing tests: a certificate document, the shipped formats and a private cupsd."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the project is not installed in the venv; tests import it from the tree
    sys.path.insert(0, str(ROOT))

from printing import CertificateDocument, InstitutionFormat, load_institutions  # noqa: E402
from tests.helpers.cupsd import PrivateCups  # noqa: E402
from tests.printing.support import fixture_payload  # noqa: E402

CERTIFICATE_ID = "3f9a0c5e7b1d24f68a0e9c3b5d7f1a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f"
APRIL_1_2024_JST = 1711897200  # 2024-04-01 00:00 JST = 2024-03-31 15:00 UTC


@pytest.fixture
def payload() -> str:
    return fixture_payload()


@pytest.fixture(scope="session")
def formats() -> dict[str, InstitutionFormat]:
    return load_institutions()


@pytest.fixture
def make_document(payload: str) -> Callable[..., CertificateDocument]:
    """A solar certificate of two days (96 half-hours); keyword arguments replace fields."""
    profile = tuple((i % 48) * 40 for i in range(96))
    base = CertificateDocument(
        certificate_id=CERTIFICATE_ID,
        owner="Consumer Ca",
        amount_wh=1_234_567,
        period_start=APRIL_1_2024_JST,
        period_end=APRIL_1_2024_JST + 96 * 1800,
        production_method="solar",
        category="renewable",
        issued_at=APRIL_1_2024_JST + 3 * 86400 + 3600,
        institution_id="jp-green-council",
        chain_id="greencert-demo",
        block_height=4711,
        payload=payload,
        profile_wh=profile,
    )

    def make(**changes: Any) -> CertificateDocument:
        return replace(base, **changes)

    return make


@pytest.fixture
def private_cups() -> Iterator[PrivateCups]:
    with PrivateCups() as server:
        yield server
