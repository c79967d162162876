"""Screenshots of the auditor's camera screen (issue #13) in Japanese and English, with synthetic camera frames:
docs/screens/verify-camera_<lang>.png (a certificate being aimed, its QR code still blurred by the moving hand) and
docs/screens/verify-camera-other_<lang>.png (a QR code that is not a certificate: the notice).

The real kiosk window of ``scripts/screenshots.py`` (same options, same Xvfb re-run without a display); the frames
are pictures pushed through the camera screen's ``QVideoSink`` by the fake camera of ``tests/helpers/fake_camera``,
since the machine taking them has no camera. The certificate is the kept good vector of
``tests/assets/verification/vectors.json``.

    .venv/bin/python scripts/screenshots_camera.py
    .venv/bin/python scripts/screenshots_camera.py --size 800x1280 --out docs/screens/portrait
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import screenshots  # scripts/screenshots.py, beside this file

BLUR = 8  # the QR code drawn from an image this many times smaller: plainly a QR code, too blurred to read


class CameraWalk(screenshots.Walk):
    def run(self) -> None:
        for lang in ("ja", "en"):
            self.lang = lang
            self.set_mode("list")
            self.walk_camera()
        print(f"{len(self.taken)} screenshots in {self.out}")

    def walk_camera(self) -> None:
        from tests.helpers.fake_camera import FakeCameraFeed, qr_picture

        window = self.window
        vectors = json.loads((screenshots.ROOT / "tests" / "assets" / "verification" / "vectors.json")
                             .read_text(encoding="utf-8"))["vectors"]
        payload = next(v["payload"] for v in vectors if v["expect"]["verdict"] == "genuine")
        feeds: list[Any] = []

        def fake_camera(parent: Any) -> Any:
            feeds.append(FakeCameraFeed(parent))
            return feeds[-1]

        flow = window.flow
        assert flow is not None
        flow.verifier.find_camera = lambda: True  # "a camera is attached"
        window.verify_camera.feed_factory = fake_camera
        self.logout()
        self.touch(window.login.verify)
        self.go("verify")
        self.touch(window.verify.camera)
        self.go("verifyCamera")
        screen = window.verify_camera
        feed = screen.feed  # made at the first walk's start, kept for the next language
        assert isinstance(feed, FakeCameraFeed) and feed.active
        screen.decode_interval_s = 0  # every frame pushed is read
        feed.show(qr_picture(payload, blur=BLUR))
        assert screen.last_reading is not None and screen.last_reading.kind == "none", screen.last_reading
        self.shoot("verify-camera")
        feed.show(qr_picture("https://example.com/lunch-menu", tilt_deg=-6))
        assert screen.last_reading is not None and screen.last_reading.kind == "other", screen.last_reading
        self.shoot("verify-camera-other")
        self.logout()


def main(argv: list[str]) -> int:
    screenshots.Walk = CameraWalk  # type: ignore[misc]  # the same options and window, this walk
    return screenshots.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
