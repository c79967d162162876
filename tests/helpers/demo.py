"""A running embedded demo (node + intermediary on free loopback ports, a few days of field data)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from greencert.demo import Demo, start_demo


@contextmanager
def running_demo(data_dir: Path, days: int = 2) -> Iterator[Demo]:
    demo = start_demo(data_dir, port=0, node_port=0, days=days, progress=lambda _: None)
    try:
        yield demo
    finally:
        demo.stop()
