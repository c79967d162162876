"""Benchmark: reading a certificate's QR code from camera frames at the kiosk (issue #13), offscreen.

Prints one JSON line. Per frame (median of ``--runs``), on synthetic camera pictures with the kept good certificate
(tests/assets/verification/vectors.json):

* ``read_<kind>_ms``: ``kiosk.camera_frames.read_frame`` — luminance taken from the frame, zxing-cpp, the payload
  judged — for a 1280×720 frame in RGB32, YUYV and NV12 (the formats webcams deliver), a 1920×1080 RGB32 frame
  (scaled down first) and a 720p frame with no QR code (what the camera sees most of the time while aiming);
* ``preview_ms``: the 720p RGB32 frame made into the picture the screen paints; ``preview_yuyv_ms``: a YUYV one
  (converted by Qt);
* ``read_mjpeg_ms``: the same for a 720p MJPEG frame, which goes through Qt's own conversion (``toImage``);
* the baseline measured in the same run: ``baseline_copy_ms``, one copy of a 720p RGB32 picture (``QImage.copy``);
  every figure also as a ratio to it (``*_x_copy``);
* ``gui_share``: the share of the GUI thread's time the camera screen takes at its rates (five reads and ~12
  previews a second) with the slowest 720p read of any format, and ``worst_frame_ms``: the longest the GUI thread
  was busy with one frame while ``--frames`` 720p frames were pushed through the screen's ``QVideoSink`` at full
  speed (how long a touch may wait).

    .venv/bin/python bench/camera_scan.py [--runs 30] [--frames 150]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure the checkout this script is in
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def median_ms(action: Callable[[], Any], runs: int) -> float:
    action()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--frames", type=int, default=150)
    args = parser.parse_args(argv[1:])

    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(lambda *_: None)  # offscreen: "No RHI backend" from toImage is expected here
    app = QApplication([argv[0]])
    from PySide6.QtMultimedia import QVideoFrame

    from kiosk.camera_frames import preview_image, read_frame
    from kiosk.screens.verify_camera import DECODE_INTERVAL_S, PREVIEW_INTERVAL_S, VerifyCameraScreen
    from tests.helpers.fake_camera import FakeCameraFeed, jpeg_frame, qr_picture, yuv_frame

    vectors = json.loads((ROOT / "tests" / "assets" / "verification" / "vectors.json").read_text("utf-8"))
    payload = next(v["payload"] for v in vectors["vectors"] if v["expect"]["verdict"] == "genuine")
    picture = qr_picture(payload)
    frames = {"rgb": QVideoFrame(picture), "yuyv": yuv_frame(picture, "Format_YUYV"),
              "nv12": yuv_frame(picture, "Format_NV12"),
              "rgb_1080p": QVideoFrame(qr_picture(payload, size=(1920, 1080), qr_px=560)),
              "empty": QVideoFrame(qr_picture(None))}
    for kind, frame in frames.items():
        expected = "none" if kind == "empty" else "certificate"
        assert read_frame(frame).kind == expected, kind
    result: dict[str, Any] = {"bench": "camera_scan", "frame": "1280x720", "runs": args.runs}
    for kind, frame in frames.items():
        result[f"read_{kind}_ms"] = median_ms(lambda f=frame: read_frame(f), args.runs)
    result["preview_ms"] = median_ms(lambda: preview_image(frames["rgb"]), args.runs)
    yuyv = [yuv_frame(picture, "Format_YUYV") for _ in range(args.runs + 1)]
    result["preview_yuyv_ms"] = median_ms(lambda: preview_image(yuyv.pop()), args.runs)
    result["baseline_copy_ms"] = median_ms(lambda: picture.copy(), args.runs)
    # Qt caches a frame's converted picture: each MJPEG run gets a frame of its own.
    mjpeg = [jpeg_frame(picture) for _ in range(args.runs + 1)]
    result["read_mjpeg_ms"] = median_ms(lambda: read_frame(mjpeg.pop()), args.runs)
    base = result["baseline_copy_ms"]
    for name in [k for k in result if k.endswith("_ms") and k != "baseline_copy_ms"]:
        result[name.removesuffix("_ms") + "_x_copy"] = round(result[name] / base, 1)
    slowest_read = max(result[f"read_{k}_ms"] for k in ("rgb", "yuyv", "nv12", "empty", "mjpeg"))
    result["gui_share"] = round(slowest_read / 1000 / DECODE_INTERVAL_S
                                + max(result["preview_ms"], result["preview_yuyv_ms"]) / 1000 / PREVIEW_INTERVAL_S, 3)

    # Frames at full speed through the real screen and its sink: the longest one frame held the GUI thread.
    screen = VerifyCameraScreen("en", feed_factory=lambda parent: FakeCameraFeed(parent))
    screen.resize(1024, 480)
    screen.show()
    screen.start()
    feed = screen.feed
    assert isinstance(feed, FakeCameraFeed)
    pictures = [qr_picture(None, tilt_deg=d) for d in (2, 4, 6)]
    held = []
    for index in range(args.frames):
        frame = QVideoFrame(pictures[index % len(pictures)])
        start = time.perf_counter()
        feed.show(frame)
        app.processEvents()
        held.append((time.perf_counter() - start) * 1000)
    screen.clear()
    result["worst_frame_ms"] = max(held)
    result["median_frame_ms"] = statistics.median(held)
    result["frames_pushed"] = args.frames
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
