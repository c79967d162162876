"""Fixtures for the kiosk's widget tests: a real window on the offscreen platform, a fake intermediary, a fake
printer and a fake clock. Qt must not be imported before QT_QPA_PLATFORM is set."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from kiosk import KioskConfig, build_window
from kiosk.core.settings import KioskSettings
from kiosk.main_window import MainWindow
from tests.helpers.fake_intermediary import FAKE_NOW, FakeDeliver, FakeIntermediary, FakePrinters, make_items
from tests.helpers.kiosk_driver import FakeClock, KioskDriver

# The offscreen platform plugin warns when a top-level window with a layout gets its size hints; a real
# display (xcb, eglfs) does not. Only this exact message is ignored.
OFFSCREEN_NOISE = r"^This plugin does not support propagateSizeHints\(\)$"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def fake() -> FakeIntermediary:
    return FakeIntermediary(make_items(6))


@pytest.fixture
def deliver() -> FakeDeliver:
    return FakeDeliver()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def printers() -> FakePrinters:
    return FakePrinters()


@pytest.fixture
def connected() -> list[str]:
    """The URLs the kiosk connected to after an operator changed the server."""
    return []


@pytest.fixture
def config(tmp_path: Path) -> KioskConfig:
    return KioskConfig("http://fake-intermediary", printer="kiosk-printer", save_dir=tmp_path / "saved",
                       language="en", timezone="Asia/Tokyo", config_dir=tmp_path / "config")


@pytest.fixture
def make_window(qtbot: Any, fake: FakeIntermediary, deliver: FakeDeliver, config: KioskConfig,
                clock: FakeClock, printers: FakePrinters, connected: list[str]) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def connect(settings: KioskSettings) -> FakeIntermediary:
        connected.append(settings.node_url if settings.backend == "direct" else settings.intermediary_url)
        return fake

    def make(*, auditor: Any = None, camera: bool = False, **overrides: Any) -> MainWindow:
        """``overrides``: of the config; ``auditor``, ``camera``: the auditor's mode (no camera by default)."""
        window = build_window(fake, replace(config, **overrides), deliver, clock=clock, now=lambda: FAKE_NOW,
                              connect=connect, list_printers=printers, auditor=auditor, camera=camera)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    fake.release_all()
    deliver.release()
    printers.release()
    for window in windows:
        window.close()  # stops the idle watcher and waits for the worker threads


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window()


@pytest.fixture
def kiosk(qtbot: Any, window: MainWindow) -> KioskDriver:
    return KioskDriver(qtbot, window)


@pytest.fixture(scope="package")
def verify_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real node and intermediary with one issued certificate (its payload and PDF) for the auditor's mode."""
    from tests.kiosk.verify_world import open_verify_world

    world = open_verify_world(tmp_path_factory.mktemp("verify-world"))
    yield world
    world.close()
