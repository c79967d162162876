"""The kiosk's Qt-free parts load without PySide6 (import-linter checks their imports; this checks the package
``__init__`` files they pull in as well)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kiosk.core

ROOT = Path(__file__).resolve().parents[2]
QT_FREE = ["kiosk.errors", "kiosk.direct", *(f"kiosk.core.{m.name}" for m in pkgutil.iter_modules(kiosk.core.__path__))]


@pytest.mark.parametrize("module", QT_FREE)
def test_imports_no_qt(module):
    code = f"import sys, {module}; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         timeout=60)
    assert out.stdout.strip() == "False", f"{module} loads PySide6"
