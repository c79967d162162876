"""Row numbers under 64-bit key prefixes, in memory: what a store keeps of the rows written since their index was last
merged (``ledger.storage``: the transactions in ``tx_recent``, the asset rows not yet in ``asset_rows``).

A prefix is the first 8 bytes of a hash-like key, so it is not unique: anyone can make two keys share it with 2^32
tries. The first number under a prefix is kept in a plain dict (about 100 bytes an entry), the others in a second one,
which stays empty unless someone made such keys."""

from __future__ import annotations

from collections.abc import Iterable


class PrefixMap:
    """Numbers (row ids, transaction seqs) under prefixes; a prefix may hold several."""

    def __init__(self, entries: Iterable[tuple[int, int]] = ()) -> None:
        self._first: dict[int, int] = {}
        self._more: dict[int, list[int]] = {}
        self._size = 0
        for prefix, number in entries:
            self.add(prefix, number)

    def __len__(self) -> int:
        return self._size

    def __contains__(self, prefix: int) -> bool:
        return prefix in self._first

    def add(self, prefix: int, number: int) -> None:
        if prefix in self._first:
            self._more.setdefault(prefix, []).append(number)
        else:
            self._first[prefix] = number
        self._size += 1

    def discard(self, prefix: int, number: int) -> None:
        """Take ``number`` from under ``prefix`` if it is there."""
        more = self._more.get(prefix)
        if self._first.get(prefix) == number:
            if more:
                self._first[prefix] = more.pop(0)
            else:
                del self._first[prefix]
        elif more and number in more:
            more.remove(number)
        else:
            return
        if more is not None and not more:
            del self._more[prefix]
        self._size -= 1

    def numbers(self, prefix: int) -> list[int]:
        """The numbers under ``prefix``, in the order they were added."""
        first = self._first.get(prefix)
        return [] if first is None else [first, *self._more.get(prefix, ())]

    def entries(self) -> list[tuple[int, int]]:
        """Every (prefix, number), in key order: how they are merged into a table."""
        entries = list(self._first.items())
        entries += [(prefix, number) for prefix, more in self._more.items() for number in more]
        entries.sort()
        return entries

    def clear(self) -> None:
        self._first.clear()
        self._more.clear()
        self._size = 0
