"""GreenCert kiosk: the touchscreen app on the MFP operation panel (seed 000, image processing device 7).

Qt is imported only when a window is built, so ``from kiosk import KioskConfig`` works on headless machines.
"""

from kiosk.app import KioskConfig, build_window, run_kiosk

__all__ = ["KioskConfig", "build_window", "run_kiosk"]
