"""Numbers under 64-bit prefixes (ledger/prefix_map.py): a prefix may hold several, kept in the order added."""

from __future__ import annotations

import random

from ledger.prefix_map import PrefixMap


def test_numbers_under_a_shared_prefix_keep_their_order_as_some_leave() -> None:
    found = PrefixMap([(7, 1), (9, 2), (7, 3), (7, 4)])
    assert len(found) == 4 and 7 in found and 8 not in found
    assert found.numbers(7) == [1, 3, 4] and found.numbers(8) == []
    found.discard(7, 1)  # the first leaves: the next takes its place
    assert found.numbers(7) == [3, 4]
    found.discard(7, 4)
    found.discard(7, 99)  # not there: nothing changes
    found.discard(5, 1)
    assert found.numbers(7) == [3] and len(found) == 2
    found.discard(7, 3)
    assert 7 not in found and found.entries() == [(9, 2)]
    found.clear()
    assert not found and found.entries() == []


def test_entries_come_in_key_order_as_a_dict_of_lists_would_give_them() -> None:
    rng = random.Random(5)
    found = PrefixMap()
    model: dict[int, list[int]] = {}
    for number in range(2_000):
        prefix = rng.randrange(-50, 50)
        if model.get(prefix) and rng.random() < 0.3:
            gone = rng.choice(model[prefix])
            model[prefix].remove(gone)
            found.discard(prefix, gone)
        found.add(prefix, number)
        model.setdefault(prefix, []).append(number)
    assert found.entries() == sorted((p, n) for p, numbers in model.items() for n in numbers)
    assert len(found) == sum(map(len, model.values()))
    assert all(found.numbers(p) == numbers for p, numbers in model.items())
