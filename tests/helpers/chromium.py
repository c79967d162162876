"""Debian's headless Chromium for the browser tests, driven by Playwright (never a browser Playwright downloads).

A test module imports the ``browser`` fixture (one Chromium per module; the module is skipped with the reason when
Playwright or Debian's chromium is missing, or Chromium does not start)::

    from tests.helpers.chromium import chromium_browser  # noqa: F401  (the fixture ``browser``)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install "
                                                                    "playwright; its browser download is not needed)")
CHROMIUM = os.environ.get("GREENCERT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (Debian package chromium)", allow_module_level=True)


@pytest.fixture(scope="module", name="browser")
def chromium_browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        except playwright_api.Error as exc:
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {str(exc)[:300]}")
        yield chromium
        chromium.close()
