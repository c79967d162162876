"""Helpers the printing tests share: a stand-in payload and small poppler wrappers."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def fixture_payload(length: int = 420, seed: int = 7) -> str:
    """A stand-in for a real ``GC1:`` payload: Base45 characters, about as long as a signed one."""
    rnd = random.Random(seed)
    return "GC1:TEST" + "".join(rnd.choice(BASE45) for _ in range(length - 8))


def pdftotext(path: Path, *, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def page_size_pts(path: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60)
    for line in info.stdout.splitlines():
        if line.startswith("Page size:"):
            parts = line.split()
            return float(parts[2]), float(parts[4])
    raise AssertionError(f"pdfinfo printed no page size: {info.stdout}")


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60)
    for line in info.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError(f"pdfinfo printed no page count: {info.stdout}")


def rasterise(path: Path, out_dir: Path, dpi: int = 150) -> list[Path]:
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(path), str(out_dir / "page")], check=True, timeout=60
    )
    return sorted(out_dir.glob("page*.png"))
