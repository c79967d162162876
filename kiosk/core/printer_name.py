"""A printer as a person reads its name (issue #10, item 2): CUPS ``printer-info`` when the administrator set one,
else the queue name made readable ("Canon_iR-ADV_C3530" → "Canon iR-ADV C3530": underscores stand for spaces,
hyphens stay as on the printer's label); never a raw token such as ``((default))``
(no Qt here). "" means no readable name: the screen then says "the kiosk's printer".
"""

from __future__ import annotations

import re

TOKENS = frozenset({"default", "none", "null", "printer", "queue"})  # words that name no particular printer


def printer_label(queue: str | None, info: str = "") -> str:
    """The printer's name for people; "" when neither ``info`` nor ``queue`` holds a readable one."""
    if info.strip():
        return " ".join(info.split())
    words = " ".join(re.sub(r"[^\w.-]+|_", " ", queue or "").split()).strip(" .-")
    return "" if words.lower() in TOKENS or not words else words
