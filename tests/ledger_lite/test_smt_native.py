"""The compiled walks of the state tree (``ledger_lite/_smt_native.c``) against the Python ones they mirror
(``ledger_lite.smt_tree``): from the same nodes and changes, the very same nodes, replaced values, leaf counts and
touched positions, including paths that share more than 62 bits (heap indexes beyond a machine word), and a
clear error for input of the wrong shape that changes nothing. ``test_smt.py`` checks the tree itself against
the reference ``root_of``; that tree runs on these walks once they are built."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_lite import SparseMerkleTree, smt_tree
from ledger_lite.smt_tree import PresentKeyError

if smt_tree.NATIVE:
    from ledger_lite import _smt_native


def test_the_compiled_walks_are_built() -> None:
    assert smt_tree.NATIVE, ("expected ledger_lite._smt_native to be importable, found it missing: "
                             "`scripts/bootstrap.sh setup` (pip install -e .) compiles it")


needs_native = pytest.mark.skipif(not smt_tree.NATIVE, reason="ledger_lite._smt_native is not built")


@st.composite
def paths(draw: st.DrawFn) -> list[bytes]:
    """Distinct 32-byte paths, sorted; many share a long prefix with a common base (down to 255 bits), so the
    walks reach depths past a machine word's bits."""
    base = draw(st.binary(min_size=32, max_size=32))
    found = set()
    for _ in range(draw(st.integers(1, 24))):
        shared = draw(st.sampled_from([0, 0, 3, 40, 62, 63, 64, 90, 200, 255]))
        tail = int.from_bytes(draw(st.binary(min_size=32, max_size=32)), "big")
        keep = ((1 << 256) - 1) ^ ((1 << (256 - shared)) - 1)
        path = (int.from_bytes(base, "big") & keep) | (tail & ~keep & ((1 << 256) - 1))
        found.add(path.to_bytes(32, "big"))
    return sorted(found)


def values(n: int) -> list[bytes]:
    return [hashlib.sha256(b"value %d" % i).digest() for i in range(n)]


@needs_native
@settings(max_examples=200, deadline=None)
@given(data=st.data(), pool=paths())
def test_compiled_and_python_walks_leave_the_same_nodes(data: st.DataObject, pool: list[bytes]) -> None:
    python_nodes: dict[int, bytes] = {}
    native_nodes: dict[int, bytes] = {}
    table = _smt_native.NodeTable()  # the same walks on the stored tree's table: the same nodes again
    marked_nodes: dict[int, bytes] = {}
    marks = _smt_native.IndexSet()  # ... noting what they touch in the stored tree's set: the same positions
    # ... and both together, as the stored tree walks them: without the GIL, its deep positions taking it back
    detached, detached_marks = _smt_native.NodeTable(), _smt_native.IndexSet()
    ever_touched: set[int] = set()
    for step in range(data.draw(st.integers(1, 6))):
        changed = sorted(data.draw(st.lists(st.sampled_from(pool), min_size=1, unique=True)))
        # new value hashes each step (shifted by the step), some of them deletions once there is something to delete
        new = [None if data.draw(st.booleans()) and step else value
               for value in values(len(changed) + 7 * step)[7 * step:]]
        python_old: list[tuple[bytes, bytes | None]] = []
        native_old: list[tuple[bytes, bytes | None]] = []
        python_touched: list[int] = []
        native_touched: list[int] = []
        added = smt_tree._apply(python_nodes, 1, 0, list(changed), list(new), 0, len(changed), python_old,
                                python_touched)
        assert _smt_native.apply(native_nodes, list(changed), list(new), native_old, native_touched) == added
        table_old: list[tuple[bytes, bytes | None]] = []
        table_touched: list[int] = []
        assert _smt_native.apply(table, list(changed), list(new), table_old, table_touched) == added
        assert native_old == python_old == table_old
        assert native_touched == python_touched == table_touched
        assert native_nodes == python_nodes == dict(table.items())
        assert _smt_native.apply(marked_nodes, list(changed), list(new), None, marks) == added
        assert marked_nodes == python_nodes
        detached_old: list[tuple[bytes, bytes | None]] = []
        assert _smt_native.apply(detached, list(changed), list(new), detached_old, detached_marks) == added
        assert detached_old == python_old
        assert dict(detached.items()) == python_nodes
        ever_touched.update(python_touched)
        assert sorted(marks) == sorted(ever_touched) and len(marks) == len(ever_touched)
        assert sorted(detached_marks) == sorted(ever_touched) and len(detached_marks) == len(ever_touched)
        for path in pool:
            assert _smt_native.leaf(native_nodes, path) == smt_tree._leaf_of(python_nodes, path) \
                == _smt_native.leaf(table, path)


@needs_native
@settings(max_examples=100, deadline=None)
@given(pool=paths())
def test_compiled_and_python_builds_agree(pool: list[bytes]) -> None:
    python_nodes: dict[int, bytes] = {}
    native_nodes: dict[int, bytes] = {}
    python_touched: list[int] = []
    native_touched: list[int] = []
    hashes = values(len(pool))
    root = smt_tree._build(python_nodes, pool, hashes, 0, len(pool), 0, 1, python_touched)
    assert _smt_native.build(native_nodes, pool, hashes, native_touched) == root
    assert native_nodes == python_nodes
    assert native_touched == python_touched
    table, marks = _smt_native.NodeTable(), _smt_native.IndexSet()
    assert _smt_native.build(table, pool, hashes, marks) == root
    assert dict(table.items()) == python_nodes
    assert sorted(marks) == sorted(set(python_touched))


@needs_native
@pytest.mark.parametrize("native", [False, True], ids=["python", "compiled"])
def test_a_batch_with_a_key_said_absent_but_present_leaves_the_tree_as_it_was(
        native: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smt_tree, "NATIVE", native)
    tree = SparseMerkleTree.from_items({b"a": values(1)[0], b"b": values(2)[1]})
    before, root = dict(tree._nodes), tree.root()
    with pytest.raises(PresentKeyError):
        tree.update({b"a": values(3)[2], b"c": values(4)[3]}, absent=[b"a", b"c"])
    assert tree._nodes == before
    assert tree.root() == root


@needs_native
@pytest.mark.parametrize(("args", "error", "says"), [
    (({}, [b"\x01" * 32, b"\x00" * 32], [None, None], [], []), ValueError, "expected sorted distinct paths"),
    (({}, [b"\x00" * 32, b"\x00" * 32], [None, None], [], []), ValueError, "expected sorted distinct paths"),
    (({}, [b"short"], [None], [], []), TypeError, "expected 32-byte paths"),
    (({}, [b"\x00" * 32], [b"short"], [], []), TypeError, "expected 32-byte paths"),
    (({}, [b"\x00" * 32], [], [], []), TypeError, "expected two lists of the same length"),
    (({1: b"neither 32 nor 96 bytes"}, [b"\x00" * 32], [bytes(32)], [], []), TypeError,
     "expected a state tree entry of 32 or 96 bytes"),
    (([], [b"\x00" * 32], [bytes(32)], [], []), TypeError, "expected the nodes as a dict or a NodeTable"),
], ids=["unsorted", "twice", "short-path", "short-value", "lengths", "bad-entry", "not-a-dict"])
def test_the_compiled_update_refuses_input_of_the_wrong_shape(args: tuple[object, ...], error: type[Exception],
                                                               says: str) -> None:
    nodes = args[0]
    before = dict(nodes) if isinstance(nodes, dict) else None
    with pytest.raises(error, match=says):
        _smt_native.apply(*args)  # type: ignore[arg-type]
    if before is not None:
        assert nodes == before


@needs_native
def test_walks_without_the_gil_in_threads_at_once_give_each_tree_its_own_root() -> None:
    """Two threads update a NodeTable each (walked without the GIL, each with its own digest context) while this
    one hashes through the module's shared context (merkle_root): every root is the reference's, every time."""
    paths = sorted(hashlib.sha256(b"key %d" % i).digest() for i in range(6000))
    rounds = [[hashlib.sha256(b"round %d value %d" % (r, i)).digest() for i in range(len(paths))] for r in range(4)]
    reference = [smt_tree.root_of_sorted(paths, hashes) for hashes in rounds]
    leaves = [b"tx %d" % i for i in range(900)]
    merkle_reference = _smt_native.merkle_root(leaves)
    roots: dict[int, list[bytes]] = {0: [], 1: []}
    failures: list[BaseException] = []

    def walk(name: int) -> None:
        try:
            table, marks = _smt_native.NodeTable(), _smt_native.IndexSet()
            for hashes in rounds:
                _smt_native.apply(table, list(paths), list(hashes), [], marks)
                roots[name].append(table[1])
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=walk, args=(name,)) for name in roots]
    for thread in threads:
        thread.start()
    merkle_roots = []
    while any(thread.is_alive() for thread in threads):
        merkle_roots.append(_smt_native.merkle_root(leaves))
    for thread in threads:
        thread.join()
    assert failures == []
    assert roots == {0: reference, 1: reference}
    assert merkle_roots and set(merkle_roots) == {merkle_reference}


@needs_native
def test_the_compiled_build_refuses_a_leaf_without_a_value() -> None:
    nodes: dict[int, bytes] = {}
    with pytest.raises(TypeError, match="expected a value hash for every leaf"):
        _smt_native.build(nodes, [bytes(32)], [None], [])  # type: ignore[list-item]
    assert nodes == {}


@needs_native
def test_a_node_dict_with_internal_nodes_below_the_last_bit_is_refused() -> None:
    """Internal nodes along a path at all 257 depths (only a corrupt dict has them): the walk stops with an error
    instead of addressing a 258th level."""
    path = hashlib.sha256(b"deep").digest()
    bits = int.from_bytes(path, "big")
    nodes = {(1 << depth) | (bits >> (256 - depth)): bytes(32) for depth in range(257)}
    with pytest.raises(ValueError, match="expected a leaf or an empty slot within 256 levels"):
        _smt_native.apply(nodes, [path], [bytes(32)], [], [])


def test_a_module_built_from_other_source_is_left_aside_with_a_warning() -> None:
    # A checkout updated without building again: the walks run in Python, with a warning that says what to do.
    code = """
import sys, types, warnings
stale = types.ModuleType("ledger_lite._smt_native")
stale.BUILD = 1
sys.modules["ledger_lite._smt_native"] = stale
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from ledger_lite import smt_tree
from ledger.state_tree import StoredTree
tree = StoredTree(lambda indexes: {}, None, 0)
tree.update({b"key": bytes(32)})
print(smt_tree.NATIVE, type(tree._dirty).__name__, [str(w.message) for w in caught])
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode == 0, done.stderr
    native, dirty, messages = done.stdout.split(" ", 2)
    assert (native, dirty) == ("False", "dict")
    assert f"interface 1, expected {smt_tree.NATIVE_BUILD}" in messages and "scripts/bootstrap.sh setup" in messages
