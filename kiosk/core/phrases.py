"""Japanese lines that break between phrases, never inside a word (消/去, くだ/さい), issue #10.

Qt breaks Japanese text between any two characters (Unicode line breaking: ideographs and kana break anywhere),
so a zero-width space (U+200B) between phrases alone changes nothing: it adds break opportunities, it removes
none. ``phrase_wrapped`` therefore glues the characters of each phrase with WORD JOINER (U+2060, "no break
here", honoured by Qt's line breaker and drawn as nothing) and puts a U+200B between phrases. The phrases come
from BudouX (``budoux``), the same model Chrome uses for ``word-break: auto-phrase``.

A phrase longer than ``LONGEST_GLUED`` characters is left breakable, so that it can never overflow a narrow
label. Text without Japanese, rich text, and text already prepared are returned unchanged.
"""

from __future__ import annotations

import functools
import itertools
import re

ZWSP = "\u200b"  # a break opportunity
WORD_JOINER = "\u2060"  # no break opportunity
LONGEST_GLUED = 12
JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_SPACES = (" ", "\n", "\t", ZWSP, "\u3000")


@functools.cache
def _parser():  # type: ignore[no-untyped-def]
    import budoux

    return budoux.load_default_japanese_parser()


def _glue(phrase: str) -> str:
    if len(phrase) > LONGEST_GLUED:
        return phrase
    out = phrase[:1]
    for before, after in itertools.pairwise(phrase):
        joinable = before not in _SPACES and after not in _SPACES
        if joinable and (JAPANESE.match(before) or JAPANESE.match(after)):
            out += WORD_JOINER
        out += after
    return out


@functools.lru_cache(maxsize=2048)
def phrase_wrapped(text: str) -> str:
    """``text`` with breaks allowed between its Japanese phrases only (see the module docstring)."""
    if WORD_JOINER in text or not JAPANESE.search(text) or "<" in text:
        return text
    phrases = _parser().parse(text)
    out = ""
    for phrase in phrases:
        if out and out[-1] not in _SPACES and phrase[:1] not in _SPACES:
            out += ZWSP
        out += _glue(phrase)
    return out


def plain(text: str) -> str:
    """``text`` without the invisible marks of ``phrase_wrapped`` (and of ``breakable``): what a person reads."""
    return text.replace(ZWSP, "").replace(WORD_JOINER, "")
