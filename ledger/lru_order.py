"""``LruOrder``: integer keys from least to most recently used, kept where Python's cycle collector does not look.

The state tree takes its compiled form, ``ledger_lite._smt_native.LruOrder``, where that module was built (a key in
~35 bytes instead of ~80); this one is its reference (``tests/ledger/test_lru_order.py`` runs the same tests on
both) and what a checkout whose module was never built runs.

Why not an ``OrderedDict``. The state tree's cache (``ledger.state_tree``) orders its cached pairs, ~700,000 of
them at a million assets. An ``OrderedDict`` (like a ``set``) is always tracked by the cycle collector, and every
full pass of the collector walks all of its keys: 270–450 ms in a node holding 800,000 assets, in which no block
was made and no request answered. A served node freezes what it holds at start-up out of those passes
(``ledger.node.tune_serving_process``), so they come often, every 1–3 s while readings arrive. A plain ``dict``
whose keys and values are untracked objects (``int``, ``None``) is not tracked at all, and an ``array``
holds machine words, not objects: a pass has nothing in it to walk.

How. Two dicts in insertion order, ``young`` (used since the last turn) and ``old`` (before it): every key in
``old`` is older than every key in ``young``, so the oldest key is the first of ``old`` still there, and using a
key moves it to the end of ``young`` (as ``move_to_end``). Deleting at the front of a dict leaves empty entries that
iterating from the start walks over each time, so the order of ``old`` is copied once per turn into an array,
read by a cursor that skips the keys used since. When ``old`` is empty, ``young`` becomes ``old``: each key is
copied once per turn, so taking the oldest costs O(1) on average.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

_WORD = 1 << 64  # keys from here on do not fit the array: a 0 there stands for the next of them, in order


class LruOrder:
    """Keys from least to most recently used (``touch``, ``add``, ``pop_oldest``), the order an ``OrderedDict``
    keeps with ``move_to_end`` and ``popitem(last=False)``. Keys are positive ints (heap indexes)."""

    __slots__ = ("_at", "_deep", "_deep_at", "_old", "_queue", "_young")

    def __init__(self, keys: Iterable[int] = ()) -> None:
        """``keys`` oldest first."""
        self._young: dict[int, None] = {}
        self._old: dict[int, None] = {}
        self._queue = array("Q")  # the order of ``old`` when it was made, read from ``_at`` on
        self._deep: list[int] = []  # keys of ``_queue`` too large for it, in order, read from ``_deep_at`` on
        self._at = self._deep_at = 0
        for key in keys:
            self.add(key)

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def __contains__(self, key: int) -> bool:
        return key in self._young or key in self._old

    def __iter__(self) -> Iterator[int]:
        """The keys oldest first."""
        old, deep_at = self._old, self._deep_at
        for key in self._queue[self._at:]:
            if key == 0:
                key, deep_at = self._deep[deep_at], deep_at + 1
            if key in old:
                yield key
        yield from self._young

    def add(self, key: int) -> None:
        """``key`` as the most recently used, unless it is already here (it then keeps its place)."""
        if key not in self._old and key not in self._young:
            if key <= 0:
                raise ValueError(f"expected a positive key, found {key}")
            self._young[key] = None

    def touch(self, key: int) -> None:
        """``key`` as the most recently used, added if it was not here."""
        if key <= 0:
            raise ValueError(f"expected a positive key, found {key}")
        self._old.pop(key, None)
        young = self._young
        young.pop(key, None)
        young[key] = None

    def touch_present(self, keys: Iterable[int]) -> None:
        """Each of ``keys`` that is here as the most recently used, in turn; the others are left out."""
        young, old = self._young, self._old
        for key in keys:
            if key in young:
                del young[key]
                young[key] = None
            elif key in old:
                del old[key]
                young[key] = None

    def pop_oldest(self) -> int:
        """Remove and return the least recently used key; ``KeyError`` when there is none."""
        old = self._old
        queue, deep = self._queue, self._deep
        at, deep_at = self._at, self._deep_at
        while True:
            if at == len(queue):
                if not self._young:
                    self._at, self._deep_at = at, deep_at
                    raise KeyError("pop_oldest(): no keys")
                self._turn()
                old, queue, deep = self._old, self._queue, self._deep
                at = deep_at = 0
            key = queue[at]
            at += 1
            if key == 0:
                key, deep_at = deep[deep_at], deep_at + 1
            if key in old:
                del old[key]
                self._at, self._deep_at = at, deep_at
                return key

    def _turn(self) -> None:
        """``young`` becomes ``old`` (``old`` is empty by now: every key in the array was taken or used since)."""
        self._old, self._young = self._young, {}
        try:
            self._queue = array("Q", self._old)
            self._deep = []
        except OverflowError:
            self._queue = array("Q", (key if key < _WORD else 0 for key in self._old))
            self._deep = [key for key in self._old if key >= _WORD]
        self._at = self._deep_at = 0
