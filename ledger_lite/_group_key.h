/* The key of a stored row of the state tree's groups read back (ledger.tree_groups.tree_key: the group root's path
 * prefix, left-aligned, above its depth in the low 6 bits), for the two compiled modules that read those rows:
 * ledger_lite/_smt_native.c (a tree loaded whole) and ledger/_state_codec.c (group_nodes). */
#ifndef GREENCERT_GROUP_KEY_H
#define GREENCERT_GROUP_KEY_H

#include <Python.h>

static int group_root_of(PyObject *key_object, unsigned long long *key, unsigned long long *root) {
    /* the row's key and the heap index of its group's root; -1 with an exception set for a key that is not an int
     * below 2^64 or holds no group's root depth (a multiple of ledger.tree_groups.LEVELS, 4, up to KEYED_DEPTH, 56) */
    unsigned long long value = PyLong_AsUnsignedLongLong(key_object);
    if (value == (unsigned long long)-1 && PyErr_Occurred())
        return -1;
    int depth = (int)(value & 63);
    if (depth > 56 || depth % 4) {
        PyErr_Format(PyExc_ValueError, "expected the state tree's row %llu to hold a group's root depth, a multiple of "
                     "4 up to 56, found %d", value, depth);
        return -1;
    }
    *key = value;
    *root = (1ULL << depth) | value >> (62 - depth);
    return 0;
}

#endif
