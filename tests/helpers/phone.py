"""A phone in headless Chromium for the portal's browser tests (issue 15): a 390×844 touch context in the page's
language that records console errors (a refused style sheet shows there), checks that a screen fits, and takes
the screenshots kept in ``docs/screens/portal/``.

Screenshots go to ``GREENCERT_PORTAL_SCREENS=DIR`` when set (e.g. ``docs/screens/portal``), otherwise to the
test's temporary directory (fixture ``screens``). The fixture ``portal_url`` serves a test's intermediary
(fixture ``pw``, which the test module defines) over uvicorn on a free loopback port. Import them as

    from tests.helpers.phone import Phone, screens_folder, served_portal  # noqa: F401  (fixtures)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from greencert.servers import BackgroundServer, free_port
from tests.helpers.intermediary_world import IntermediaryWorld

PHONE = {"width": 390, "height": 844}
LOCALES = {"ja": "ja-JP", "en": "en-US"}


@pytest.fixture(name="screens")
def screens_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("GREENCERT_PORTAL_SCREENS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(name="portal_url")
def served_portal(pw: IntermediaryWorld) -> Iterator[str]:
    server = BackgroundServer(pw.app(), "127.0.0.1", free_port()).start()
    yield server.url
    server.stop()


class Phone:
    """A page in a 390×844 phone context that records console errors; screenshots named
    ``<prefix>-<screen>_<lang>.png``."""

    def __init__(self, browser: Any, lang: str, prefix: str) -> None:
        self.context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                           locale=LOCALES[lang])
        self.page = self.context.new_page()
        self.prefix = prefix
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def fits(self, *targets: str) -> None:
        """No sideways scrolling, each of ``targets`` (selectors) at least 48 px tall, no console errors."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"
        for target in targets:
            box = self.page.locator(target).first.bounding_box()
            assert box is not None and box["height"] >= 48, (target, box)
        assert not self.errors, self.errors

    def shot(self, folder: Path, name: str, lang: str) -> None:
        self.page.screenshot(path=str(folder / f"{self.prefix}-{name}_{lang}.png"), full_page=True)
