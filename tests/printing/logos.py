"""Original logo artwork of the shipped institution formats, drawn with Pillow (no one else's logo).

Regenerate the shipped files with::

    .venv/bin/python -m tests.printing.logos resources/institutions/logos

The tests use :func:`draw_logo` for institutions they add in a temp directory.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

SIZE = 256  # pixels; printed about 18 mm high, i.e. ~360 dpi
_SCALE = 4  # drawn 4x larger and scaled down, for smooth edges


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _finish(canvas: Image.Image, path: Path, size: tuple[int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.resize(size, Image.Resampling.LANCZOS).save(path, format="PNG", optimize=True)
    return path


def leaf_and_bolt(path: Path, color: str = "#1b6e3c") -> Path:
    """A ring around a leaf with a white lightning bolt across it (jp-green-council)."""
    n = SIZE * _SCALE
    img = Image.new("RGBA", (n, n), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    ink = (*_rgb(color), 255)
    pad = n * 0.04
    draw.ellipse((pad, pad, n - pad, n - pad), outline=ink, width=int(n * 0.05))
    # the leaf: the lens where two offset discs overlap, tilted by 45 degrees
    r, offset = n * 0.34, n * 0.17
    lens = ImageChops.multiply(_disc(n, -offset, r), _disc(n, offset, r))
    img.paste(ink, mask=lens.rotate(45, resample=Image.Resampling.BICUBIC))
    bolt = [(0.56, 0.24), (0.40, 0.53), (0.51, 0.53), (0.44, 0.78), (0.62, 0.46), (0.52, 0.46), (0.60, 0.24)]
    draw.polygon([(x * n, y * n) for x, y in bolt], fill=(255, 255, 255, 255))
    return _finish(img, path, (SIZE, SIZE))


def _disc(n: int, shift: float, r: float) -> Image.Image:
    image = Image.new("L", (n, n), 0)
    cx, cy = n / 2 + shift, n / 2
    ImageDraw.Draw(image).ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
    return image


def globe_and_sun(path: Path, color: str = "#0b4f8a") -> Path:
    """A globe of meridians and parallels with a small sun over it (intl-rec-registry)."""
    n = SIZE * _SCALE
    img = Image.new("RGBA", (n, n), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    ink = (*_rgb(color), 255)
    sun = (0xE0, 0xA1, 0x1B, 255)
    w = int(n * 0.035)
    cx, cy, r = n * 0.46, n * 0.56, n * 0.38
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=ink, width=w)
    for k in (0.35, 0.72):  # meridians as narrower ellipses
        draw.ellipse((cx - r * k, cy - r, cx + r * k, cy + r), outline=ink, width=w)
    draw.line((cx, cy - r, cx, cy + r), fill=ink, width=w)
    for dy in (-0.5, 0.0, 0.5):  # parallels
        y = cy + r * dy
        half = r * math.sqrt(1 - dy * dy)
        draw.line((cx - half, y, cx + half, y), fill=ink, width=w)
    sx, sy, sr = n * 0.80, n * 0.18, n * 0.09
    draw.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=sun)
    for i in range(8):
        a = i * math.pi / 4
        draw.line(
            (sx + math.cos(a) * sr * 1.35, sy + math.sin(a) * sr * 1.35,
             sx + math.cos(a) * sr * 1.85, sy + math.sin(a) * sr * 1.85),
            fill=sun,
            width=int(w * 0.8),
        )
    return _finish(img, path, (SIZE, SIZE))


def draw_logo(path: Path, color: str = "#6a1b9a", size: tuple[int, int] = (320, 160)) -> Path:
    """A plain test logo: a rounded bar with three wave lines (any size, for tests)."""
    w, h = size[0] * _SCALE, size[1] * _SCALE
    img = Image.new("RGB", (w, h), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    ink = _rgb(color)
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=min(w, h) // 5, fill=ink)
    for row in range(3):
        y0 = h * (0.3 + 0.2 * row)
        points = [(x, y0 + math.sin(x / w * 4 * math.pi) * h * 0.06) for x in range(int(w * 0.1), int(w * 0.9), 8)]
        draw.line(points, fill=(255, 255, 255), width=max(2, h // 25))
    return _finish(img, path, size)


SHIPPED: dict[str, Callable[[Path], Path]] = {
    "jp-green-council.png": leaf_and_bolt,
    "intl-rec-registry.png": globe_and_sun,
}


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("resources/institutions/logos")
    for name, draw in SHIPPED.items():
        print(draw(out / name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
