"""Is there a camera to read a certificate's QR code with (issue #13)? Asked once at start-up.

QtMultimedia is not part of every PySide6 installation (PySide6-Essentials has none) and most MFP panels have no
camera, so both are checked at run time and the auditor's mode simply offers no camera button without them.
Reading QR codes from the camera's frames is not built yet: until it is, ``CAMERA_SCANNING`` keeps the button
hidden even where a camera is attached (a button that does nothing would be worse than none).
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

CAMERA_SCANNING = False  # frames → zxing-cpp is not implemented yet


def video_inputs() -> int:
    """How many cameras Qt sees (0 without QtMultimedia)."""
    try:
        multimedia = importlib.import_module("PySide6.QtMultimedia")
    except ImportError:
        return 0
    try:
        return len(multimedia.QMediaDevices.videoInputs())
    except Exception as exc:  # a broken multimedia backend must not stop the kiosk
        log.info("no camera: QtMultimedia could not list video inputs (%s)", exc)
        return 0


def camera_available() -> bool:
    return CAMERA_SCANNING and video_inputs() > 0
