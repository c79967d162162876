"""A camera frame → the certificate QR code in it (issue #13): real QImages and QVideoFrames in the formats cameras
deliver, with a kept certificate payload (tests/assets/verification), its /verify link form, no QR code at all and
a QR code that is not a certificate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtMultimedia")

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from kiosk.camera import MAX_CAPTURE, choose_format
from kiosk.camera_frames import MAX_DECODE_SIDE, judge, preview_image, read_frame, read_image
from ledger_lite.audit import payload_text
from printing.qr import verify_link
from tests.helpers.fake_camera import jpeg_frame, qr_picture, yuv_frame

VECTORS = Path(__file__).resolve().parents[1] / "assets" / "verification" / "vectors.json"


@pytest.fixture(scope="module")
def payload() -> str:
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]
    good = next(v for v in vectors if v["expect"]["verdict"] == "genuine")
    assert good["payload"].startswith("GC1:")
    return str(good["payload"])


def test_a_certificate_in_an_rgb_frame_is_read_whole(qapp, payload):
    reading = read_frame(QVideoFrame(qr_picture(payload)))
    assert reading.kind == "certificate"
    assert reading.payload == payload


@pytest.mark.parametrize("pixel_format", ["Format_NV12", "Format_YUV420P", "Format_YUYV", "Format_UYVY"])
def test_a_certificate_in_a_webcams_yuv_frame_is_read_from_its_luminance(qapp, payload, pixel_format):
    frame = yuv_frame(qr_picture(payload, size=(640, 480), qr_px=300), pixel_format)
    assert frame.pixelFormat().name == pixel_format and frame.size() == QSize(640, 480)
    reading = read_frame(frame)
    assert (reading.kind, reading.payload) == ("certificate", payload)


def test_the_verify_link_form_is_a_certificate_too(qapp, payload):
    link = verify_link(payload, "https://greencert.example.jp")
    reading = read_frame(QVideoFrame(qr_picture(link)))
    assert reading.kind == "certificate"
    assert reading.payload == link and payload_text(reading.payload) == payload


def test_a_frame_without_a_qr_code_is_none(qapp):
    assert read_frame(QVideoFrame(qr_picture(None))).kind == "none"
    assert read_frame(QVideoFrame()).kind == "none", "an invalid frame is not an error"


def test_a_qr_code_that_is_not_a_certificate_is_named_as_such(qapp):
    reading = read_frame(QVideoFrame(qr_picture("https://example.com/menu")))
    assert reading.kind == "other"
    assert reading.payload is None and reading.others == ("https://example.com/menu",)


def test_the_first_certificate_wins_over_other_codes():
    assert judge(["WIFI:S:office;;", "GC1:ABC", "GC1:DEF"]).payload == "GC1:ABC"
    assert judge([]).kind == "none"


def test_a_large_frame_is_scaled_down_and_still_read(qapp, payload):
    big = qr_picture(payload, size=(2592, 1944), qr_px=900)
    assert max(big.width(), big.height()) > MAX_DECODE_SIDE
    assert read_image(big).payload == payload
    assert read_frame(QVideoFrame(big)).payload == payload


@pytest.mark.parametrize("image_format", ["Format_RGB32", "Format_ARGB32", "Format_RGBX8888", "Format_RGBA8888"])
def test_every_32_bit_rgb_layout_is_read_from_its_green_byte(qapp, payload, image_format):
    picture = qr_picture(payload, size=(640, 480), qr_px=300).convertToFormat(getattr(QImage.Format, image_format))
    frame = QVideoFrame(picture)
    assert frame.isValid()
    assert read_frame(frame).payload == payload, frame.pixelFormat().name


def test_an_mjpeg_frame_goes_through_qts_own_conversion(qapp, payload):
    frame = jpeg_frame(qr_picture(payload, size=(640, 480), qr_px=300))
    assert frame.pixelFormat().name == "Format_Jpeg"
    assert read_frame(frame).payload == payload
    assert read_frame(jpeg_frame(qr_picture(None, size=(640, 480)))).kind == "none"


def test_a_16_bit_grey_frame_is_read_from_its_high_bytes(qapp, payload):
    picture = qr_picture(payload, size=(640, 480), qr_px=300).convertToFormat(QImage.Format.Format_Grayscale16)
    frame = QVideoFrame(picture)
    assert frame.pixelFormat().name == "Format_Y16"
    assert read_frame(frame).payload == payload


def test_the_preview_is_the_frame_in_colour(qapp, payload):
    picture = qr_picture(payload, size=(320, 240), qr_px=160)
    shown = preview_image(QVideoFrame(picture))
    assert shown is not None and shown.size() == picture.size()
    assert shown.pixelColor(5, 5) == picture.pixelColor(5, 5), "the desk's colour, not grey"
    assert preview_image(QVideoFrame()) is None


class Mode:
    """What QCameraFormat answers (a camera's mode), without a camera."""

    def __init__(self, width: int, height: int, fps: float, pixel_format: str = "Format_YUYV") -> None:
        self.size, self.fps = QSize(width, height), fps
        self.format = getattr(QVideoFrameFormat.PixelFormat, pixel_format)

    def resolution(self) -> QSize:
        return self.size

    def maxFrameRate(self) -> float:
        return self.fps

    def pixelFormat(self) -> QVideoFrameFormat.PixelFormat:
        return self.format


def test_the_camera_mode_is_the_largest_within_720p_at_its_fastest():
    modes = [Mode(1920, 1080, 30), Mode(640, 480, 30), Mode(1280, 720, 10), Mode(1280, 720, 30), Mode(0, 0, 60)]
    chosen = choose_format(modes)
    assert chosen is modes[3]
    assert chosen.resolution().width() <= MAX_CAPTURE.width()
    assert choose_format([Mode(3840, 2160, 30)]) is None, "only larger modes: the camera's default is kept"


def test_uncompressed_frames_are_preferred_to_mjpeg_unless_too_slow():
    webcam = [Mode(1280, 720, 30, "Format_Jpeg"), Mode(1280, 720, 7.5), Mode(640, 480, 30), Mode(320, 240, 30)]
    assert choose_format(webcam) is webcam[2], "YUYV at 640x480 and 30 fps beats MJPEG at 720p"
    assert choose_format(webcam[:2]) is webcam[0], "YUYV at 7.5 fps is too slow to aim with"
