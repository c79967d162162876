/* The batch update of ledger_lite.smt_tree, compiled: the same walks over the same map of heap index -> entry (a
 * dict, or the NodeTable below, which ledger.state_tree caches its nodes in), with SHA-256 taken from OpenSSL's
 * libcrypto directly (a hashlib call on a 65-byte node costs ~1.1 us here, mostly in making objects; the same hash
 * through EVP ~0.25 us). Measured by bench/smt.py in the same run: 1.6-1.7 times the Python walks at a million
 * leaves, 2.4 times at 200,000; what is left is mostly waiting on memory, a dict lookup of a node at every level.
 *
 * Each function here is the one of the same name in smt_tree.py, line for line: the Python code is the
 * reference (tests/ledger_lite/test_smt_native.py checks that both give the very same nodes, replaced values and
 * touched positions), and the place to read first. What differs is only how a heap index is made: Python keeps
 * it as an int and doubles it going down; here the node at depth d along a path is addressed by (path, d), and
 * its index is made when the dict is asked, (1 << d) | the path's first d bits (index_of; on a NodeTable, down to
 * depth 62, it stays a machine word: word_at).
 *
 * Entries are 32 bytes (an internal node's hash) or 96 (a leaf's path || value_hash || leaf hash): bytes objects
 * in a dict, records of their own in a NodeTable (a leaf's without its hash, made when asked); the walks read
 * either through a View (below). Every
 * function returns -1 (or NULL) with a Python exception set on failure.
 *
 * apply on a NodeTable noting into an IndexSet walks without the GIL (the node's other threads run meanwhile, and
 * a caller may do other work beside it: ledger.state_tree): the table, the set and the buffers of the walk are
 * plain memory (PyMem_Raw*), the walk hashes with a digest context of its own, and notes the replaced values in a
 * buffer made into Python objects once it holds the GIL again. What needs the interpreter on the way (an error, a
 * position past 62 bits, which random paths reach with a chance of ~n^2 / 2^63) takes the GIL back for that step
 * (hold_gil, free_gil). The caller makes sure no other thread touches that table or set meanwhile (the node's
 * lock); every other function holds the GIL throughout and hashes with the module's one digest context.
 *
 * load_pairs, loaded_below, walk and pending are the stored tree's bookkeeping (ledger.state_tree._load_checked,
 * _loaded_below, _walk and _pending_of, which are their reference the same way: tests/ledger/test_state_tree.py);
 * dirty_groups and group_rows write a tree its cache holds whole as the rows of its groups (ledger.tree_groups's
 * dirty_group_keys and cached_rows are their reference: tests/ledger/test_tree_groups.py).
 *
 * merkle_root is ledger_lite.merkle's RFC 6962 root over a block's transactions or a certificate's assets, with the
 * same hashing (4 times the Python levels at 900 leaves); test_merkle.py checks it against them and the published
 * vectors.
 */
#define MODULE_BUILD 8 /* this module's interface: ledger_lite.smt_tree.NATIVE_BUILD says the same */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

#include "_group_key.h"

#define HASH 32
#define RECORD 96 /* a leaf's entry: path || value_hash || its hash */
#define LEAF 64   /* a leaf's record in a NodeTable: path || value_hash, its hash made when asked (hash_of) */
#define MAX_DEPTH 256
#define LEAF_FLAG (1ull << 63) /* a packed position's top bit: a leaf's (smt_pending) */

static EVP_MD_CTX *digest_ctx;  /* the hashing context of calls that hold the GIL */
static EVP_MD_CTX *fresh_ctx; /* set up for SHA-256 once, copied into a context for every hash (below) */
static EVP_MD *sha256_md;     /* fetched once: an implicit fetch at every init costs more than the hash */
static const unsigned char EMPTY[HASH];
static _Thread_local EVP_MD_CTX *own_ctx;       /* this thread's walk without the GIL hashes with its own */
static _Thread_local PyThreadState *released;  /* this thread's state while its walk runs without the GIL */

/* ---- the GIL ------------------------------------------------------------------------------------------------- */

static PyThreadState *hold_gil(void) {
    /* take the GIL back for a step that needs the interpreter if this thread's walk runs without it; free_gil
     * with what this returns after the step */
    PyThreadState *state = released;
    if (state != NULL) {
        released = NULL;
        PyEval_RestoreThread(state);
    }
    return state;
}

static void free_gil(PyThreadState *state) {
    if (state != NULL)
        released = PyEval_SaveThread();
}

static int fail(PyObject *type, const char *message) {
    /* PyErr_SetString from a walk with or without the GIL; -1 */
    PyThreadState *state = hold_gil();
    PyErr_SetString(type, message);
    free_gil(state);
    return -1;
}

static int fail_memory(void) {
    PyThreadState *state = hold_gil();
    PyErr_NoMemory();
    free_gil(state);
    return -1;
}

/* ---- hashing ------------------------------------------------------------------------------------------------- */

/* OpenSSL 3 sets up its provider's context again at every EVP_DigestInit_ex. Copying a context initialised once,
 * then one update of the whole message rather than three of its parts, costs less (CPU time of a C loop here:
 * ~240 -> ~195 ns a 65-byte node; a 900-key update of a 120,000-leaf tree 3-5 % less, which mostly waits on
 * memory). */
static int start_digest(EVP_MD_CTX *ctx) {
    return EVP_MD_CTX_copy_ex(ctx, fresh_ctx) == 1 ? 0 : -1;
}

static int sha256_of(unsigned char prefix, const unsigned char *a, const unsigned char *b, unsigned char *out) {
    /* H(prefix || a || b), a and b 32 bytes each; ``out`` may be ``a`` or ``b`` */
    unsigned char message[1 + 2 * HASH];
    message[0] = prefix;
    memcpy(message + 1, a, HASH);
    memcpy(message + 1 + HASH, b, HASH);
    EVP_MD_CTX *ctx = own_ctx != NULL ? own_ctx : digest_ctx;
    if (start_digest(ctx) < 0 || EVP_DigestUpdate(ctx, message, sizeof message) != 1
        || EVP_DigestFinal_ex(ctx, out, NULL) != 1)
        return fail(PyExc_RuntimeError, "expected OpenSSL to hash a state tree node, found it failing");
    return 0;
}

static int make_leaf(const unsigned char *path, const unsigned char *value, unsigned char *out) {
    /* a leaf's entry, path || value || H(0 || path || value), into out[RECORD] */
    memmove(out, path, HASH);
    memmove(out + HASH, value, HASH);
    return sha256_of(0, out, out + HASH, out + 64);
}

/* An entry as the walks read it, wherever it lives: its bytes (NULL: absent) and their count: HASH, RECORD (a leaf in a
 * dict, hash included) or LEAF (a leaf in a NodeTable, its hash made when hash_of asks). The
 * bytes stay valid until the entry at that position is replaced or removed (in a NodeTable, its record is then
 * handed out again; in a dict, its bytes object released): a walk that writes a position it has read copies what it
 * still needs first. */
typedef struct {
    const unsigned char *data;
    Py_ssize_t size;
} View;

static const View ABSENT = {NULL, 0};

static const unsigned char *hash_of(View entry, unsigned char *scratch) {
    /* _hash_of: the hash of an entry; a NodeTable's leaf record has it made into scratch[HASH] (a SHA-256 of 65
     * bytes, ~0.3 us: a walk asks for the hash of a leaf or two, and a cached leaf takes 64 bytes rather than 96).
     * NULL with an exception set if hashing failed. */
    if (entry.data == NULL)
        return EMPTY;
    if (entry.size == HASH)
        return entry.data;
    if (entry.size == RECORD)
        return entry.data + 64;
    return sha256_of(0, entry.data, entry.data + HASH, scratch) < 0 ? NULL : scratch;
}

static PyObject *entry_object(View entry) {
    /* an entry as Python holds it: a hash, or a leaf's RECORD (a NodeTable's record with its hash made) */
    if (entry.size != LEAF)
        return PyBytes_FromStringAndSize((const char *)entry.data, entry.size);
    PyObject *record = PyBytes_FromStringAndSize(NULL, RECORD);
    if (record == NULL)
        return NULL;
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(record);
    memcpy(out, entry.data, LEAF);
    if (sha256_of(0, out, out + HASH, out + LEAF) < 0) {
        Py_DECREF(record);
        return NULL;
    }
    return record;
}

/* ---- NodeTable: the stored tree's cache of nodes (ledger.state_tree) ------------------------------------------
 *
 * A map from heap index to entry, as the node dict of smt_tree is, for the tree a node keeps behind its store: an
 * open-addressing table (linear probing, deletions by backward shift) of heap indexes as machine words, each with
 * the number of its entry's record; the records (32 bytes for an internal node, 64 for a leaf: its path and value
 * hash, its own hash made when a walk asks, hash_of) lie in two pools of fixed chunks, which never move, and a
 * record given back is handed out again first. A walk's lookup reads the
 * key's slot and the record, instead of a dict's index array, entry, key object and bytes object; and an entry
 * costs its bytes and 12 bytes of slot at most three quarters full, rather than a dict entry, an int and a bytes
 * object (80 and 144 bytes from Python's allocator for a hash and a leaf): measured by bench/ledger_steady.py's
 * tree_cache_bytes_per_entry. Python sees a mapping of int -> bytes: its bytes objects are made when asked.
 * Indexes from 2^63 on (paths sharing more than 62 bits) and anything else a dict would take are kept in a plain
 * dict beside, as bytes objects. The table holds no references to containers: no part in the cycle collector. */

#define CHUNK_BITS 12 /* records per chunk of a pool: 4,096 */
#define LEAF_REF 0x80000000u /* a slot's record number with this bit: in the leaves' pool */
#define NO_RECORD 0xFFFFFFFFu

typedef struct {
    unsigned char **chunks;
    uint32_t chunk_count, chunk_room;
    uint32_t made;      /* records handed out from the chunks so far */
    uint32_t free_head; /* the last record given back (NO_RECORD: none); each given back holds the one before */
    uint32_t size;      /* bytes a record */
} Pool;

static inline unsigned char *pool_at(const Pool *p, uint32_t n) {
    return p->chunks[n >> CHUNK_BITS] + (size_t)(n & ((1u << CHUNK_BITS) - 1)) * p->size;
}

static int pool_take(Pool *p, uint32_t *n) {
    /* a record to fill: one given back if there is one */
    if (p->free_head != NO_RECORD) {
        *n = p->free_head;
        memcpy(&p->free_head, pool_at(p, *n), sizeof p->free_head);
        return 0;
    }
    if (p->made >= LEAF_REF - 1)
        return fail(PyExc_MemoryError, "expected fewer than 2^31 state tree entries in one table, found more");
    if ((p->made >> CHUNK_BITS) == p->chunk_count) {
        if (p->chunk_count == p->chunk_room) {
            uint32_t room = p->chunk_room ? 2 * p->chunk_room : 16;
            unsigned char **grown = PyMem_RawRealloc(p->chunks, room * sizeof *grown);
            if (grown == NULL)
                return fail_memory();
            p->chunks = grown;
            p->chunk_room = room;
        }
        unsigned char *chunk = PyMem_RawMalloc((size_t)p->size << CHUNK_BITS);
        if (chunk == NULL)
            return fail_memory();
        p->chunks[p->chunk_count++] = chunk;
    }
    *n = p->made++;
    return 0;
}

static inline void pool_give(Pool *p, uint32_t n) {
    memcpy(pool_at(p, n), &p->free_head, sizeof p->free_head);
    p->free_head = n;
}

static void pool_release(Pool *p) {
    for (uint32_t i = 0; i < p->chunk_count; i++)
        PyMem_RawFree(p->chunks[i]);
    PyMem_RawFree(p->chunks);
    *p = (Pool){NULL, 0, 0, 0, NO_RECORD, p->size};
}

typedef struct {
    PyObject_HEAD
    uint64_t *keys;   /* heap index; 0: an empty slot */
    uint32_t *refs;   /* the record of the entry at keys[i]: LEAF_REF | a leaf's, or an internal node's */
    size_t mask;      /* slots - 1, slots a power of two */
    int shift;        /* 64 - log2(slots): a key's home slot is the top bits of key * a large odd constant */
    Py_ssize_t used;  /* slots in use */
    Pool hashes;      /* internal nodes' records, HASH bytes */
    Pool leaves;      /* leaves' records, LEAF bytes */
    PyObject *others; /* dict: the keys that are not a machine word (above) */
} NodeTable;

static PyTypeObject NodeTableType;

#define MIN_SLOTS 64

static inline size_t slot_of(uint64_t key, int shift) {
    /* a key's home slot in a table of 2^(64 - shift) slots: the top bits of key * a large odd constant */
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> shift);
}

static int shift_of(size_t slots) {
    /* 64 - log2(slots), slots a power of two */
    int bits = 0;
    while (((size_t)1 << bits) < slots)
        bits++;
    return 64 - bits;
}

static inline size_t home_of(const NodeTable *t, uint64_t key) {
    return slot_of(key, t->shift);
}

static int word_of(PyObject *index, uint64_t *key) {
    /* 1: ``index`` is a heap index below 2^63, in *key; 0: another key (kept in ``others``); -1: not an int */
    if (!PyLong_Check(index)) {
        PyErr_Format(PyExc_TypeError, "expected an int heap index, found %.80s", Py_TYPE(index)->tp_name);
        return -1;
    }
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(index, &overflow);
    if (value == -1 && PyErr_Occurred())
        return -1;
    if (overflow || value < 1)
        return 0;
    *key = (uint64_t)value;
    return 1;
}

static inline Py_ssize_t table_find(const NodeTable *t, uint64_t key) {
    /* the slot of ``key``, -1: absent */
    for (size_t i = home_of(t, key);; i = (i + 1) & t->mask) {
        if (t->keys[i] == key)
            return (Py_ssize_t)i;
        if (t->keys[i] == 0)
            return -1;
    }
}

static inline View table_view(const NodeTable *t, Py_ssize_t slot) {
    /* the entry in ``slot`` (-1: absent) */
    if (slot < 0)
        return ABSENT;
    uint32_t ref = t->refs[slot];
    if (ref & LEAF_REF)
        return (View){pool_at(&t->leaves, ref & ~LEAF_REF), LEAF};
    return (View){pool_at(&t->hashes, ref), HASH};
}

static int table_resize(NodeTable *t, size_t slots) {
    uint64_t *old_keys = t->keys;
    uint32_t *old_refs = t->refs;
    size_t old_count = old_keys == NULL ? 0 : t->mask + 1;
    uint64_t *keys = PyMem_RawCalloc(slots, sizeof *keys);
    uint32_t *refs = PyMem_RawMalloc(slots * sizeof *refs);
    if (keys == NULL || refs == NULL) {
        PyMem_RawFree(keys);
        PyMem_RawFree(refs);
        return fail_memory();
    }
    t->keys = keys;
    t->refs = refs;
    t->mask = slots - 1;
    t->shift = shift_of(slots);
    for (size_t i = 0; i < old_count; i++)
        if (old_keys[i] != 0) {
            size_t j = home_of(t, old_keys[i]);
            while (keys[j] != 0)
                j = (j + 1) & t->mask;
            keys[j] = old_keys[i];
            refs[j] = old_refs[i];
        }
    PyMem_RawFree(old_keys);
    PyMem_RawFree(old_refs);
    return 0;
}

static int table_put(NodeTable *t, uint64_t key, const unsigned char *data, Py_ssize_t size) {
    /* table[key] = the entry of ``size`` bytes (HASH, or a leaf's RECORD or LEAF) at ``data``, copied (it may be this
     * very key's): a leaf's record holds its first LEAF bytes */
    int leaf = size != HASH;
    size = leaf ? LEAF : HASH;
    Pool *pool = leaf ? &t->leaves : &t->hashes;
    Py_ssize_t slot = table_find(t, key);
    uint32_t n;
    if (slot >= 0) {
        uint32_t ref = t->refs[slot];
        if (((ref & LEAF_REF) != 0) == leaf) { /* the same shape: in place */
            memmove(pool_at(pool, ref & ~LEAF_REF), data, (size_t)size);
            return 0;
        }
        if (pool_take(pool, &n) < 0) /* a record of the other shape: a free one, never the one ``data`` is in */
            return -1;
        memcpy(pool_at(pool, n), data, (size_t)size);
        pool_give(ref & LEAF_REF ? &t->leaves : &t->hashes, ref & ~LEAF_REF);
        t->refs[slot] = leaf ? LEAF_REF | n : n;
        return 0;
    }
    if ((size_t)(t->used + 1) * 4 > (t->mask + 1) * 3 && table_resize(t, 2 * (t->mask + 1)) < 0)
        return -1;
    if (pool_take(pool, &n) < 0)
        return -1;
    memcpy(pool_at(pool, n), data, (size_t)size);
    size_t i = home_of(t, key);
    while (t->keys[i] != 0)
        i = (i + 1) & t->mask;
    t->keys[i] = key;
    t->refs[i] = leaf ? LEAF_REF | n : n;
    t->used++;
    return 0;
}

static int table_put_absent(NodeTable *t, uint64_t key, const unsigned char *data, Py_ssize_t size) {
    /* table[key] = the entry of ``size`` bytes (HASH or LEAF) at ``data``, copied, unless the table holds ``key``
     * already (one probe where a lookup and table_put take two): 1 if put, 0 if held, -1 out of memory */
    if ((size_t)(t->used + 1) * 4 > (t->mask + 1) * 3 && table_resize(t, 2 * (t->mask + 1)) < 0)
        return -1;
    size_t i = home_of(t, key);
    for (; t->keys[i] != 0; i = (i + 1) & t->mask)
        if (t->keys[i] == key)
            return 0;
    int leaf = size != HASH;
    Pool *pool = leaf ? &t->leaves : &t->hashes;
    uint32_t n;
    if (pool_take(pool, &n) < 0)
        return -1;
    memcpy(pool_at(pool, n), data, leaf ? LEAF : HASH);
    t->keys[i] = key;
    t->refs[i] = leaf ? LEAF_REF | n : n;
    t->used++;
    return 1;
}

static int table_remove(NodeTable *t, uint64_t key) {
    /* del table[key]: 1 if it was there, 0 if not */
    Py_ssize_t slot = table_find(t, key);
    if (slot < 0)
        return 0;
    uint32_t ref = t->refs[slot];
    pool_give(ref & LEAF_REF ? &t->leaves : &t->hashes, ref & ~LEAF_REF);
    size_t hole = (size_t)slot;
    for (size_t j = (hole + 1) & t->mask; t->keys[j] != 0; j = (j + 1) & t->mask) {
        /* move back each entry of the run after the hole whose home is not between the hole and it */
        size_t home = home_of(t, t->keys[j]);
        if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
            t->keys[hole] = t->keys[j];
            t->refs[hole] = t->refs[j];
            hole = j;
        }
    }
    t->keys[hole] = 0;
    t->used--;
    if (t->mask + 1 > MIN_SLOTS && (size_t)t->used * 16 < t->mask + 1 && table_resize(t, (t->mask + 1) / 4) < 0) {
        PyThreadState *state = hold_gil(); /* shrinking failed for memory: the table stays as large as it was */
        PyErr_Clear();
        free_gil(state);
    }
    return 1;
}

static int view_of_object(PyObject *index, PyObject *entry, View *view) {
    /* the bytes of an entry object (NULL: absent); a TypeError for anything but bytes of HASH or RECORD */
    if (entry == NULL) {
        *view = ABSENT;
        return 0;
    }
    if (!PyBytes_CheckExact(entry) || (PyBytes_GET_SIZE(entry) != HASH && PyBytes_GET_SIZE(entry) != RECORD)) {
        PyErr_Format(PyExc_TypeError, "expected a state tree entry of %d or %d bytes at %R, found %R", HASH, RECORD,
                     index, entry);
        return -1;
    }
    *view = (View){(const unsigned char *)PyBytes_AS_STRING(entry), PyBytes_GET_SIZE(entry)};
    return 0;
}

/* The primitives every walk below uses on its nodes, a dict or a NodeTable. */

static int route(PyObject **nodes, PyObject *index, uint64_t *key) {
    /* Where ``index`` lives in ``*nodes``: 1 in a NodeTable's slots (its word in *key); 0 in the dict *nodes names
     * now (the nodes themselves, or a table's ``others``); -1 on error */
    if (!Py_IS_TYPE(*nodes, &NodeTableType))
        return 0;
    int word = word_of(index, key);
    if (word == 0)
        *nodes = ((NodeTable *)*nodes)->others;
    return word;
}

static int nodes_get(PyObject *nodes, PyObject *index, View *entry) {
    /* nodes.get(index) (ABSENT: not there); -1 on error, a TypeError for a dict's entry of another shape */
    uint64_t key;
    int word = route(&nodes, index, &key);
    if (word != 0) {
        *entry = word < 0 ? ABSENT : table_view((NodeTable *)nodes, table_find((NodeTable *)nodes, key));
        return word < 0 ? -1 : 0;
    }
    PyObject *found = PyDict_GetItemWithError(nodes, index);
    if (found == NULL && PyErr_Occurred())
        return -1;
    return view_of_object(index, found, entry);
}

static int nodes_set(PyObject *nodes, PyObject *index, const unsigned char *data, Py_ssize_t size) {
    /* nodes[index] = the entry of ``size`` bytes at ``data`` (HASH, RECORD or LEAF), copied */
    uint64_t key;
    int word = route(&nodes, index, &key);
    if (word < 0)
        return -1;
    if (word)
        return table_put((NodeTable *)nodes, key, data, size);
    PyObject *entry = entry_object((View){data, size});
    if (entry == NULL)
        return -1;
    int failed = PyDict_SetItem(nodes, index, entry);
    Py_DECREF(entry);
    return failed;
}

static int nodes_discard(PyObject *nodes, PyObject *index) {
    /* del nodes[index] if there: 1 if it was, 0 if not, -1 on error */
    uint64_t key;
    int word = route(&nodes, index, &key);
    if (word != 0)
        return word < 0 ? -1 : table_remove((NodeTable *)nodes, key);
    int present = PyDict_Contains(nodes, index);
    if (present <= 0)
        return present;
    return PyDict_DelItem(nodes, index) < 0 ? -1 : 1;
}

static int nodes_contain(PyObject *nodes, PyObject *index) {
    uint64_t key;
    int word = route(&nodes, index, &key);
    if (word != 0)
        return word < 0 ? -1 : table_find((NodeTable *)nodes, key) >= 0;
    return PyDict_Contains(nodes, index);
}

static int nodes_check(PyObject *nodes) {
    if (PyDict_Check(nodes) || Py_IS_TYPE(nodes, &NodeTableType))
        return 0;
    PyErr_Format(PyExc_TypeError, "expected the nodes as a dict or a NodeTable, found %.80s", Py_TYPE(nodes)->tp_name);
    return -1;
}


/* The table as Python sees it: a mutable mapping of int -> bytes (get, keys, items, update besides). */

static PyObject *table_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    if (PyTuple_GET_SIZE(args) > 0 || (kwargs != NULL && PyDict_GET_SIZE(kwargs) > 0))
        return PyErr_Format(PyExc_TypeError, "expected no arguments to NodeTable(), found some");
    NodeTable *t = (NodeTable *)type->tp_alloc(type, 0);
    if (t == NULL)
        return NULL;
    t->hashes = (Pool){NULL, 0, 0, 0, NO_RECORD, HASH};
    t->leaves = (Pool){NULL, 0, 0, 0, NO_RECORD, LEAF};
    t->others = PyDict_New();
    if (t->others == NULL || table_resize(t, MIN_SLOTS) < 0) {
        Py_DECREF(t);
        return NULL;
    }
    return (PyObject *)t;
}

static void table_dealloc(NodeTable *t) {
    PyMem_RawFree(t->keys);
    PyMem_RawFree(t->refs);
    pool_release(&t->hashes);
    pool_release(&t->leaves);
    Py_XDECREF(t->others);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static Py_ssize_t table_length(NodeTable *t) {
    return t->used + PyDict_GET_SIZE(t->others);
}

static PyObject *table_subscript(NodeTable *t, PyObject *index) {
    View entry;
    if (nodes_get((PyObject *)t, index, &entry) < 0)
        return NULL;
    if (entry.data == NULL) {
        PyErr_SetObject(PyExc_KeyError, index);
        return NULL;
    }
    return entry_object(entry);
}

static int table_set_object(NodeTable *t, PyObject *index, PyObject *entry) {
    View view;
    if (view_of_object(index, entry, &view) < 0) /* a table holds entries only */
        return -1;
    uint64_t key;
    int word = word_of(index, &key);
    if (word < 0)
        return -1;
    if (word)
        return table_put(t, key, view.data, view.size);
    return PyDict_SetItem(t->others, index, entry);
}

static int table_ass_subscript(NodeTable *t, PyObject *index, PyObject *entry) {
    if (entry != NULL)
        return table_set_object(t, index, entry);
    int removed = nodes_discard((PyObject *)t, index);
    if (removed == 0)
        PyErr_SetObject(PyExc_KeyError, index);
    return removed > 0 ? 0 : -1;
}

static int table_contains(NodeTable *t, PyObject *index) {
    return nodes_contain((PyObject *)t, index);
}

static PyObject *table_keys(NodeTable *t, PyObject *unused) {
    PyObject *keys = PyDict_Keys(t->others);
    for (size_t i = 0; keys != NULL && i <= t->mask; i++)
        if (t->keys[i] != 0) {
            PyObject *key = PyLong_FromUnsignedLongLong(t->keys[i]);
            if (key == NULL || PyList_Append(keys, key) < 0)
                Py_CLEAR(keys);
            Py_XDECREF(key);
        }
    return keys;
}

static PyObject *table_items(NodeTable *t, PyObject *unused) {
    PyObject *items = PyDict_Items(t->others);
    for (size_t i = 0; items != NULL && i <= t->mask; i++)
        if (t->keys[i] != 0) {
            PyObject *entry = entry_object(table_view(t, (Py_ssize_t)i));
            PyObject *item = entry == NULL ? NULL : Py_BuildValue("(KN)", (unsigned long long)t->keys[i], entry);
            if (item == NULL || PyList_Append(items, item) < 0)
                Py_CLEAR(items);
            Py_XDECREF(item);
        }
    return items;
}

static PyObject *table_iter(NodeTable *t) {
    PyObject *keys = table_keys(t, NULL);
    PyObject *iter = keys == NULL ? NULL : PyObject_GetIter(keys);
    Py_XDECREF(keys);
    return iter;
}

static PyObject *table_get(NodeTable *t, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs < 1 || nargs > 2)
        return PyErr_Format(PyExc_TypeError, "expected get(index, default=None), found %zd arguments", nargs);
    View entry;
    if (nodes_get((PyObject *)t, args[0], &entry) < 0)
        return NULL;
    return entry.data != NULL ? entry_object(entry) : Py_NewRef(nargs == 2 ? args[1] : Py_None);
}

static PyObject *table_update(NodeTable *t, PyObject *source) {
    /* update(mapping or iterable of (index, entry) pairs) */
    PyObject *pairs = PyDict_Check(source) ? PyDict_Items(source)
                      : Py_IS_TYPE(source, &NodeTableType) ? table_items((NodeTable *)source, NULL)
                                                            : Py_NewRef(source);
    PyObject *iter = pairs == NULL ? NULL : PyObject_GetIter(pairs);
    Py_XDECREF(pairs);
    if (iter == NULL)
        return NULL;
    PyObject *pair;
    int failed = 0;
    while (!failed && (pair = PyIter_Next(iter)) != NULL) {
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_Format(PyExc_TypeError, "expected (index, entry) pairs, found %R", pair);
            failed = 1;
        } else {
            failed = table_set_object(t, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1)) < 0;
        }
        Py_DECREF(pair);
    }
    Py_DECREF(iter);
    if (failed || PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef table_methods[] = {
    {"get", (PyCFunction)(void (*)(void))table_get, METH_FASTCALL, "get(index, default=None) -> the entry or default"},
    {"keys", (PyCFunction)table_keys, METH_NOARGS, "keys() -> a list of the heap indexes held"},
    {"items", (PyCFunction)table_items, METH_NOARGS, "items() -> a list of the (index, entry) pairs held"},
    {"update", (PyCFunction)table_update, METH_O, "update(mapping or (index, entry) pairs)"},
    {NULL, NULL, 0, NULL},
};

static PyMappingMethods table_as_mapping = {
    (lenfunc)table_length, (binaryfunc)table_subscript, (objobjargproc)table_ass_subscript,
};

static PySequenceMethods table_as_sequence = {
    .sq_contains = (objobjproc)table_contains,
};

static PyTypeObject NodeTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ledger_lite._smt_native.NodeTable",
    .tp_doc = "NodeTable(): heap index -> state tree entry, the nodes a stored tree caches (see _smt_native.c)",
    .tp_basicsize = sizeof(NodeTable),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = table_new,
    .tp_dealloc = (destructor)table_dealloc,
    .tp_as_mapping = &table_as_mapping,
    .tp_as_sequence = &table_as_sequence,
    .tp_iter = (getiterfunc)table_iter,
    .tp_methods = table_methods,
};

/* ---- IndexSet ---------------------------------------------------------------------------------------------------
 * A set of heap indexes: the positions a stored tree changed since it last wrote them (ledger.state_tree). The walks
 * below note each position they write or empty in it straight from the path's bits, where a list would take an int
 * object for each and a dict then hash it again. Words in an open-addressed table of machine words (0: empty), as
 * NodeTable's keys; indexes from 2^63 on in a plain set beside. ``clear`` keeps the table's size: the set fills up
 * to about the same size again before the next write. */

typedef struct {
    PyObject_HEAD
    uint64_t *keys;
    size_t mask;
    int shift;
    Py_ssize_t used;
    PyObject *others; /* set: the indexes that are not a machine word */
} IndexSet;

static PyTypeObject IndexSetType;

static inline int marks_find(const IndexSet *s, uint64_t key, size_t *at) {
    /* 1 if ``key`` is held; its slot, or the empty slot where it would go, in *at */
    size_t i = slot_of(key, s->shift);
    while (s->keys[i] != 0 && s->keys[i] != key)
        i = (i + 1) & s->mask;
    *at = i;
    return s->keys[i] == key;
}

static int marks_resize(IndexSet *s, size_t slots) {
    uint64_t *old = s->keys;
    size_t old_count = old == NULL ? 0 : s->mask + 1;
    uint64_t *fresh = PyMem_RawCalloc(slots, sizeof(uint64_t));
    if (fresh == NULL)
        return fail_memory();
    s->keys = fresh;
    s->mask = slots - 1;
    s->shift = shift_of(slots);
    for (size_t i = 0; i < old_count; i++) { /* each key into the first empty slot from its home */
        size_t j;
        if (old[i] != 0 && !marks_find(s, old[i], &j))
            fresh[j] = old[i];
    }
    PyMem_RawFree(old);
    return 0;
}

static int marks_add_word(IndexSet *s, uint64_t key) {
    size_t at;
    if (marks_find(s, key, &at))
        return 0;
    if ((size_t)(s->used + 1) * 4 > (s->mask + 1) * 3) {
        if (marks_resize(s, 2 * (s->mask + 1)) < 0)
            return -1;
        marks_find(s, key, &at);
    }
    s->keys[at] = key;
    s->used++;
    return 0;
}

static int marks_add(IndexSet *s, PyObject *index) {
    uint64_t key;
    int word = word_of(index, &key);
    if (word < 0)
        return -1;
    return word ? marks_add_word(s, key) : PySet_Add(s->others, index);
}

static PyObject *marks_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    if (PyTuple_GET_SIZE(args) > 0 || (kwargs != NULL && PyDict_GET_SIZE(kwargs) > 0))
        return PyErr_Format(PyExc_TypeError, "expected no arguments to IndexSet(), found some");
    IndexSet *s = (IndexSet *)type->tp_alloc(type, 0);
    if (s == NULL)
        return NULL;
    s->others = PySet_New(NULL);
    if (s->others == NULL || marks_resize(s, MIN_SLOTS) < 0) {
        Py_DECREF(s);
        return NULL;
    }
    return (PyObject *)s;
}

static void marks_dealloc(IndexSet *s) {
    PyMem_RawFree(s->keys);
    Py_XDECREF(s->others);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

static Py_ssize_t marks_length(IndexSet *s) {
    return s->used + PySet_GET_SIZE(s->others);
}

static int marks_contains(IndexSet *s, PyObject *index) {
    uint64_t key;
    size_t at;
    if (!PyLong_Check(index))
        return 0; /* as a set: what is not a heap index is not in it */
    int word = word_of(index, &key);
    if (word < 0)
        return -1;
    return word ? marks_find(s, key, &at) : PySet_Contains(s->others, index);
}

static PyObject *marks_iter(IndexSet *s) {
    PyObject *indexes = PySequence_List(s->others);
    for (size_t i = 0; indexes != NULL && i <= s->mask; i++)
        if (s->keys[i] != 0) {
            PyObject *index = PyLong_FromUnsignedLongLong(s->keys[i]);
            if (index == NULL || PyList_Append(indexes, index) < 0)
                Py_CLEAR(indexes);
            Py_XDECREF(index);
        }
    PyObject *iter = indexes == NULL ? NULL : PyObject_GetIter(indexes);
    Py_XDECREF(indexes);
    return iter;
}

static PyObject *marks_add_method(IndexSet *s, PyObject *index) {
    if (marks_add(s, index) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *marks_update(IndexSet *s, PyObject *indexes) {
    PyObject *iter = PyObject_GetIter(indexes), *index;
    if (iter == NULL)
        return NULL;
    int failed = 0;
    while (!failed && (index = PyIter_Next(iter)) != NULL) {
        failed = marks_add(s, index) < 0;
        Py_DECREF(index);
    }
    Py_DECREF(iter);
    if (failed || PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *marks_clear(IndexSet *s, PyObject *unused) {
    if (s->used > 0)
        memset(s->keys, 0, (s->mask + 1) * sizeof(uint64_t));
    s->used = 0;
    if (PySet_Clear(s->others) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef marks_methods[] = {
    {"add", (PyCFunction)marks_add_method, METH_O, "add(index)"},
    {"update", (PyCFunction)marks_update, METH_O, "update(iterable of indexes)"},
    {"clear", (PyCFunction)marks_clear, METH_NOARGS, "clear(): empty, keeping the table's size"},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods marks_as_sequence = {
    .sq_length = (lenfunc)marks_length,
    .sq_contains = (objobjproc)marks_contains,
};

static PyTypeObject IndexSetType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ledger_lite._smt_native.IndexSet",
    .tp_doc = "IndexSet(): a set of heap indexes, the positions a stored tree changed (see _smt_native.c)",
    .tp_basicsize = sizeof(IndexSet),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = marks_new,
    .tp_dealloc = (destructor)marks_dealloc,
    .tp_as_sequence = &marks_as_sequence,
    .tp_iter = (getiterfunc)marks_iter,
    .tp_methods = marks_methods,
};

/* ---- LruOrder ---------------------------------------------------------------------------------------------------
 * ledger.lru_order.LruOrder compiled, the same methods and the same order (tests/ledger/test_lru_order.py runs its
 * tests on both): the stored tree's cached pairs, by their parent's heap index, from least to most recently used.
 * A doubly linked list of links in one array (a link's neighbours by their place in it, so a link never moves)
 * and an open-addressed table of those places by key. A key costs a 16-byte link and a 4-byte place at most three
 * quarters full (~35 bytes with the arrays' spare room), against ~80 bytes of dict entries, int objects and array in
 * Python; and a touch is a lookup and four stores, not two dict operations. Keys from 2^63 on stand in the links as
 * words from 2^63 on, handed out in turn and mapped both ways in two dicts (``big`` and ``small``): positions that
 * deep are rare. Holds no objects but those ints, so the type needs no part in the cycle collector. */

typedef struct {
    uint64_t key;       /* 0: a free link (on the free list, through next) */
    uint32_t prev, next; /* places in ``links``; 0 is the list's head, whose next is the oldest, prev the newest */
} Link;

typedef struct {
    PyObject_HEAD
    Link *links;         /* links[0]: the head */
    uint32_t allocated;  /* links in the array */
    uint32_t unused;     /* the first place never used yet */
    uint32_t free;       /* a freed place to use again, 0: none */
    uint32_t count;
    uint32_t *places;    /* open-addressed: the place of a key's link, 0: empty */
    size_t mask;
    int shift;
    uint64_t next_big;   /* the word the next key from 2^63 on stands as */
    PyObject *big;       /* dict: key from 2^63 on -> its word (an int) */
    PyObject *small;     /* dict: that word -> the key */
} LruOrder;

static PyTypeObject LruOrderType;

#define BIG_WORDS (1ull << 63)

static inline uint32_t order_find(const LruOrder *o, uint64_t key, size_t *at) {
    /* the place of ``key``'s link, 0 if none; the table's slot for it (or the empty slot where it would go) in *at */
    size_t i = slot_of(key, o->shift);
    while (o->places[i] != 0 && o->links[o->places[i]].key != key)
        i = (i + 1) & o->mask;
    *at = i;
    return o->places[i];
}

static int order_resize(LruOrder *o, size_t slots) {
    uint32_t *old = o->places;
    size_t old_count = old == NULL ? 0 : o->mask + 1;
    uint32_t *fresh = PyMem_Calloc(slots, sizeof(uint32_t));
    if (fresh == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    o->places = fresh;
    o->mask = slots - 1;
    o->shift = shift_of(slots);
    for (size_t i = 0; i < old_count; i++)
        if (old[i] != 0) {
            size_t j = slot_of(o->links[old[i]].key, o->shift);
            while (fresh[j] != 0)
                j = (j + 1) & o->mask;
            fresh[j] = old[i];
        }
    PyMem_Free(old);
    return 0;
}

static inline void order_unlink(LruOrder *o, uint32_t place) {
    Link *link = &o->links[place];
    o->links[link->prev].next = link->next;
    o->links[link->next].prev = link->prev;
}

static inline void order_append(LruOrder *o, uint32_t place) {
    /* the link at ``place`` as the newest */
    Link *head = &o->links[0];
    o->links[place].prev = head->prev;
    o->links[place].next = 0;
    o->links[head->prev].next = place;
    head->prev = place;
}

static int order_insert(LruOrder *o, uint64_t key, size_t at) {
    /* a new link for ``key`` (not held; ``at``: its slot from order_find) as the newest */
    if ((size_t)(o->count + 1) * 4 > (o->mask + 1) * 3) {
        if (order_resize(o, 2 * (o->mask + 1)) < 0)
            return -1;
        order_find(o, key, &at);
    }
    uint32_t place = o->free;
    if (place != 0)
        o->free = o->links[place].next;
    else {
        if (o->unused == o->allocated) {
            if (o->allocated > UINT32_MAX / 2) {
                PyErr_SetString(PyExc_OverflowError, "expected fewer than 2^31 keys in an LruOrder, found more");
                return -1;
            }
            Link *grown = PyMem_Realloc(o->links, 2 * (size_t)o->allocated * sizeof(Link));
            if (grown == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            o->links = grown;
            o->allocated *= 2;
        }
        place = o->unused++;
    }
    o->links[place].key = key;
    order_append(o, place);
    o->places[at] = place;
    o->count++;
    return 0;
}

static void order_remove(LruOrder *o, uint32_t place, size_t at) {
    /* drop the link at ``place``, whose slot is ``at`` (backward shift, as NodeTable's table_remove) */
    size_t hole = at;
    for (size_t j = (hole + 1) & o->mask; o->places[j] != 0; j = (j + 1) & o->mask) {
        size_t home = slot_of(o->links[o->places[j]].key, o->shift);
        if (((j - home) & o->mask) >= ((j - hole) & o->mask)) {
            o->places[hole] = o->places[j];
            hole = j;
        }
    }
    o->places[hole] = 0;
    order_unlink(o, place);
    o->links[place].key = 0;
    o->links[place].next = o->free;
    o->free = place;
    o->count--;
}

static int order_word(LruOrder *o, PyObject *key, int make, uint64_t *word) {
    /* 1: ``key``'s word in *word; 0: none (a key from 2^63 on without one yet, or with ``make`` false anything but
     * a positive int); -1: an error. With ``make``, a key from 2^63 on gets a word, and what is not a positive int
     * is refused (ValueError, as ledger.lru_order's). */
    if (!PyLong_Check(key)) {
        if (!make)
            return 0;
        PyErr_Format(PyExc_TypeError, "expected an int key, found %.80s", Py_TYPE(key)->tp_name);
        return -1;
    }
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(key, &overflow);
    if (value == -1 && PyErr_Occurred())
        return -1;
    if (overflow < 0 || (!overflow && value < 1)) {
        if (!make)
            return 0;
        PyErr_Format(PyExc_ValueError, "expected a positive key, found %R", key);
        return -1;
    }
    if (!overflow) {
        *word = (uint64_t)value;
        return 1;
    }
    PyObject *known = PyDict_GetItemWithError(o->big, key);
    if (known != NULL) {
        *word = PyLong_AsUnsignedLongLong(known);
        return 1;
    }
    if (PyErr_Occurred())
        return -1;
    if (!make)
        return 0;
    PyObject *stand = PyLong_FromUnsignedLongLong(o->next_big);
    int failed = stand == NULL || PyDict_SetItem(o->big, key, stand) < 0 || PyDict_SetItem(o->small, stand, key) < 0;
    Py_XDECREF(stand);
    if (failed)
        return -1;
    *word = o->next_big++;
    return 1;
}

static PyObject *order_key(LruOrder *o, uint64_t word) {
    /* the key a word stands for (a new reference) */
    if (word < BIG_WORDS)
        return PyLong_FromUnsignedLongLong(word);
    PyObject *stand = PyLong_FromUnsignedLongLong(word);
    if (stand == NULL)
        return NULL;
    PyObject *key = PyDict_GetItemWithError(o->small, stand);
    Py_DECREF(stand);
    if (key == NULL && !PyErr_Occurred())
        PyErr_SetString(PyExc_SystemError, "an LruOrder lost the key of one of its words");
    return Py_XNewRef(key);
}

static int order_forget(LruOrder *o, uint64_t word) {
    /* a word from 2^63 on left the order: drop its mapping */
    if (word < BIG_WORDS)
        return 0;
    PyObject *stand = PyLong_FromUnsignedLongLong(word);
    if (stand == NULL)
        return -1;
    PyObject *key = PyDict_GetItemWithError(o->small, stand);
    int failed = key == NULL || PyDict_DelItem(o->big, key) < 0 || PyDict_DelItem(o->small, stand) < 0;
    Py_DECREF(stand);
    return failed ? -1 : 0;
}

static int order_use_word(LruOrder *o, uint64_t word, int mode) {
    /* mode 0: add (a held key keeps its place); 1: touch (moved to the newest, added if not held); 2: touch if held */
    size_t at;
    uint32_t place = order_find(o, word, &at);
    if (place == 0)
        return mode == 2 ? 0 : order_insert(o, word, at);
    if (mode != 0) {
        order_unlink(o, place);
        order_append(o, place);
    }
    return 0;
}

static int order_use(LruOrder *o, PyObject *key, int mode) {
    /* order_use_word for a key as an int */
    uint64_t word;
    int known = order_word(o, key, mode != 2, &word);
    return known <= 0 ? known : order_use_word(o, word, mode);
}

static PyObject *order_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    PyObject *keys = NULL;
    static char *names[] = {"keys", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:LruOrder", names, &keys))
        return NULL;
    LruOrder *o = (LruOrder *)type->tp_alloc(type, 0);
    if (o == NULL)
        return NULL;
    o->links = PyMem_Calloc(MIN_SLOTS, sizeof(Link));
    o->allocated = MIN_SLOTS;
    o->unused = 1;
    o->next_big = BIG_WORDS;
    o->big = PyDict_New();
    o->small = PyDict_New();
    if (o->links == NULL || o->big == NULL || o->small == NULL || order_resize(o, MIN_SLOTS) < 0) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        Py_DECREF(o);
        return NULL;
    }
    if (keys != NULL) {
        PyObject *iter = PyObject_GetIter(keys), *key;
        if (iter == NULL) {
            Py_DECREF(o);
            return NULL;
        }
        int failed = 0;
        while (!failed && (key = PyIter_Next(iter)) != NULL) {
            failed = order_use(o, key, 0) < 0;
            Py_DECREF(key);
        }
        Py_DECREF(iter);
        if (failed || PyErr_Occurred()) {
            Py_DECREF(o);
            return NULL;
        }
    }
    return (PyObject *)o;
}

static void order_dealloc(LruOrder *o) {
    PyMem_Free(o->links);
    PyMem_Free(o->places);
    Py_XDECREF(o->big);
    Py_XDECREF(o->small);
    Py_TYPE(o)->tp_free((PyObject *)o);
}

static Py_ssize_t order_length(LruOrder *o) {
    return o->count;
}

static int order_contains(LruOrder *o, PyObject *key) {
    uint64_t word;
    int known = order_word(o, key, 0, &word);
    if (known <= 0)
        return known;
    size_t at;
    return order_find(o, word, &at) != 0;
}

static PyObject *order_iter(LruOrder *o) {
    /* the keys oldest first (a list made at once: the order may change while it is read) */
    PyObject *keys = PyList_New(0);
    for (uint32_t place = o->links[0].next; keys != NULL && place != 0; place = o->links[place].next) {
        PyObject *key = order_key(o, o->links[place].key);
        if (key == NULL || PyList_Append(keys, key) < 0)
            Py_CLEAR(keys);
        Py_XDECREF(key);
    }
    PyObject *iter = keys == NULL ? NULL : PyObject_GetIter(keys);
    Py_XDECREF(keys);
    return iter;
}

static PyObject *order_add(LruOrder *o, PyObject *key) {
    if (order_use(o, key, 0) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *order_touch(LruOrder *o, PyObject *key) {
    if (order_use(o, key, 1) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *order_touch_present(LruOrder *o, PyObject *keys) {
    PyObject *seq = PySequence_Fast(keys, "expected the keys to touch as an iterable");
    if (seq == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    int failed = 0;
    for (Py_ssize_t i = 0; i < count && !failed; i++)
        failed = order_use(o, items[i], 2) < 0;
    Py_DECREF(seq);
    if (failed)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *order_pop_oldest(LruOrder *o, PyObject *unused) {
    uint32_t place = o->links[0].next;
    if (place == 0) {
        PyErr_SetString(PyExc_KeyError, "pop_oldest(): no keys");
        return NULL;
    }
    uint64_t word = o->links[place].key;
    PyObject *key = order_key(o, word);
    if (key == NULL || order_forget(o, word) < 0) {
        Py_XDECREF(key);
        return NULL;
    }
    size_t at;
    order_find(o, word, &at);
    order_remove(o, place, at);
    return key;
}

static PyObject *order_touch_parents(LruOrder *o, PyObject *args) {
    /* StoredTree.written's touches: the parent of the position of each (position, node) of ``rows``, in turn, then
     * of each packed position of ``indexes`` (smt_pending's: native 64-bit words, LEAF_FLAG set for a leaf), but
     * those below ``pinned_below`` */
    PyObject *rows;
    unsigned long long below;
    Py_buffer indexes = {0};
    if (!PyArg_ParseTuple(args, "OK|y*:touch_parents", &rows, &below, &indexes))
        return NULL;
    if (indexes.buf != NULL && indexes.len % 8 != 0) {
        PyErr_Format(PyExc_ValueError, "expected packed positions of 8 bytes each, found %zd bytes", indexes.len);
        PyBuffer_Release(&indexes);
        return NULL;
    }
    PyObject *seq = PySequence_Fast(rows, "expected the rows as an iterable of (position, node)");
    if (seq == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    int failed = 0;
    for (Py_ssize_t i = 0; i < count && !failed; i++) {
        PyObject *row = items[i], *index;
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != 2 || !PyLong_Check(index = PyTuple_GET_ITEM(row, 0))) {
            PyErr_Format(PyExc_TypeError, "expected a row as (int position, node), found %R", row);
            failed = 1;
            break;
        }
        int overflow = 0;
        long long value = PyLong_AsLongLongAndOverflow(index, &overflow);
        if (value == -1 && PyErr_Occurred())
            failed = 1;
        else if (!overflow && value >= 1) {
            if ((unsigned long long)value >> 1 >= below)
                failed = order_use_word(o, (uint64_t)value >> 1, 1) < 0;
        }
        else if (overflow > 0) { /* a position from 2^63 on: its parent as an int (rare) */
            PyObject *one = PyLong_FromLong(1), *parent = one == NULL ? NULL : PyNumber_Rshift(index, one);
            failed = parent == NULL || order_use(o, parent, 1) < 0;
            Py_XDECREF(one);
            Py_XDECREF(parent);
        }
        else {
            PyErr_Format(PyExc_ValueError, "expected a position of at least 1 (the root), found %R", index);
            failed = 1;
        }
    }
    Py_DECREF(seq);
    for (Py_ssize_t at = 0; !failed && indexes.buf != NULL && at < indexes.len; at += 8) {
        uint64_t word;
        memcpy(&word, (const char *)indexes.buf + at, 8);
        word &= ~LEAF_FLAG;
        if (word < 1) {
            PyErr_SetString(PyExc_ValueError, "expected packed positions of at least 1 (the root), found 0");
            failed = 1;
        } else if (word >> 1 >= below) {
            failed = order_use_word(o, word >> 1, 1) < 0;
        }
    }
    if (indexes.buf != NULL)
        PyBuffer_Release(&indexes);
    if (failed)
        return NULL;
    Py_RETURN_NONE;
}

static int evict_pair(NodeTable *nodes, IndexSet *dirty, IndexSet *through, uint64_t parent, int *kept,
                      int *forget) {
    /* One pair of StoredTree._evict: the children of ``parent`` (below 2^62: they are machine words) leave the
     * cache unless one of them changed since the last write (then *kept says whether to try again later) */
    uint64_t left = 2 * parent, right = left + 1;
    size_t at;
    int cached = table_find(nodes, left) >= 0 || table_find(nodes, right) >= 0;
    *kept = 0;
    if (marks_find(dirty, left, &at) || marks_find(dirty, right, &at)) {
        *kept = cached;
        return 0;
    }
    if (cached && marks_find(through, parent, &at))
        *forget = 1;
    table_remove(nodes, left);
    table_remove(nodes, right);
    return 0;
}

static int evict_pair_object(PyObject *nodes, PyObject *dirty, PyObject *through, PyObject *parent, int *kept,
                             int *forget) {
    /* evict_pair for a parent from 2^62 on, whose children are kept beside the tables' words (as ints) */
    PyObject *one = PyLong_FromLong(1), *left = NULL, *right = NULL;
    int failed = one == NULL || (left = PyNumber_Lshift(parent, one)) == NULL
                 || (right = PyNumber_Add(left, one)) == NULL, cached = 0, changed = 0;
    *kept = 0;
    if (!failed) {
        int in_left = nodes_contain(nodes, left), in_right = nodes_contain(nodes, right);
        int dirty_left = PySequence_Contains(dirty, left), dirty_right = PySequence_Contains(dirty, right);
        failed = in_left < 0 || in_right < 0 || dirty_left < 0 || dirty_right < 0;
        cached = in_left > 0 || in_right > 0;
        changed = dirty_left > 0 || dirty_right > 0;
    }
    if (!failed && changed)
        *kept = cached;
    else if (!failed) {
        int walked = cached ? PySequence_Contains(through, parent) : 0;
        failed = walked < 0 || nodes_discard(nodes, left) < 0 || nodes_discard(nodes, right) < 0;
        if (walked > 0)
            *forget = 1;
    }
    Py_XDECREF(one);
    Py_XDECREF(left);
    Py_XDECREF(right);
    return failed ? -1 : 0;
}

static PyObject *order_evict(LruOrder *o, PyObject *args) {
    /* StoredTree._evict's loop over this order: the least recently used pairs leave ``nodes`` until it holds at most
     * ``capacity`` entries (at most 2 * the excess + 64 pairs tried); pairs with a changed child are tried again
     * after the others, as the newest. True if a pair below a node of ``through`` left. */
    NodeTable *nodes;
    IndexSet *dirty, *through;
    Py_ssize_t capacity;
    if (!PyArg_ParseTuple(args, "O!O!O!n:evict", &NodeTableType, &nodes, &IndexSetType, &dirty, &IndexSetType,
                          &through, &capacity))
        return NULL;
    Py_ssize_t held = table_length(nodes);
    if (held <= capacity)
        Py_RETURN_FALSE;
    Py_ssize_t tries = 2 * (held - capacity) + 64;
    if (tries > (Py_ssize_t)o->count)
        tries = o->count;
    uint64_t *kept_words = PyMem_Malloc((size_t)(tries > 0 ? tries : 1) * sizeof(uint64_t));
    if (kept_words == NULL)
        return PyErr_NoMemory();
    Py_ssize_t kept_count = 0;
    int forget = 0, failed = 0;
    for (Py_ssize_t i = 0; i < tries && !failed && table_length(nodes) > capacity; i++) {
        uint32_t place = o->links[0].next;
        uint64_t word = o->links[place].key;
        size_t at;
        order_find(o, word, &at);
        order_remove(o, place, at);
        int kept = 0;
        if (word < (1ull << 62))
            failed = evict_pair(nodes, dirty, through, word, &kept, &forget) < 0;
        else {
            PyObject *parent = order_key(o, word);
            failed = parent == NULL
                     || evict_pair_object((PyObject *)nodes, (PyObject *)dirty, (PyObject *)through, parent, &kept,
                                          &forget) < 0;
            Py_XDECREF(parent);
        }
        if (!failed && kept)
            kept_words[kept_count++] = word;
        else if (!failed)
            failed = order_forget(o, word) < 0;
    }
    for (Py_ssize_t i = 0; i < kept_count && !failed; i++) /* tried again once they are written */
        failed = order_use_word(o, kept_words[i], 0) < 0;
    PyMem_Free(kept_words);
    if (failed)
        return NULL;
    return PyBool_FromLong(forget);
}

static PyMethodDef order_methods[] = {
    {"add", (PyCFunction)order_add, METH_O, "add(key): as the most recently used, unless it is here already"},
    {"touch", (PyCFunction)order_touch, METH_O, "touch(key): as the most recently used, added if it was not here"},
    {"touch_present", (PyCFunction)order_touch_present, METH_O,
     "touch_present(keys): each of them that is here as the most recently used, in turn"},
    {"pop_oldest", (PyCFunction)order_pop_oldest, METH_NOARGS,
     "pop_oldest() -> the least recently used key, removed; KeyError when there is none"},
    {"touch_parents", (PyCFunction)order_touch_parents, METH_VARARGS,
     "touch_parents(rows, pinned_below, indexes=b''): touch the parent of each (position, node), then of each "
     "packed position, but those below pinned_below"},
    {"evict", (PyCFunction)order_evict, METH_VARARGS,
     "evict(nodes, dirty, through, capacity) -> whether a pair below a node of through left: StoredTree._evict"},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods order_as_sequence = {
    .sq_length = (lenfunc)order_length,
    .sq_contains = (objobjproc)order_contains,
};

static PyTypeObject LruOrderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ledger_lite._smt_native.LruOrder",
    .tp_doc = "LruOrder(keys=()): positive int keys from least to most recently used, ledger.lru_order's compiled",
    .tp_basicsize = sizeof(LruOrder),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = order_new,
    .tp_dealloc = (destructor)order_dealloc,
    .tp_as_sequence = &order_as_sequence,
    .tp_iter = (getiterfunc)order_iter,
    .tp_methods = order_methods,
};

/* ---- positions ----------------------------------------------------------------------------------------------- */

static inline int bit_at(const unsigned char *path, int depth) {
    return path[depth >> 3] >> (7 - (depth & 7)) & 1;
}

#define WORD_DEPTH 62 /* the deepest level whose heap indexes fit a machine word (below 2^63) */

static inline uint64_t word_at(const unsigned char *path, int depth, int last) {
    /* index_of for depth <= WORD_DEPTH, as a machine word */
    uint64_t prefix = 0;
    if (depth > 0) {
        uint64_t top = 0;
        for (int i = 0; i < 8; i++)
            top = top << 8 | path[i];
        prefix = top >> (64 - depth);
        if (last >= 0)
            prefix = (prefix & ~(uint64_t)1) | (uint64_t)last;
    }
    return (uint64_t)1 << depth | prefix;
}

static PyObject *index_of(const unsigned char *path, int depth, int last) {
    /* The heap index of the node at ``depth`` along ``path``: (1 << depth) | its first ``depth`` bits, the last of
     * them replaced by ``last`` when it is 0 or 1 (a child on a given side, or a sibling). */
    if (depth <= WORD_DEPTH)
        return PyLong_FromUnsignedLongLong(word_at(path, depth, last));
    if (depth > MAX_DEPTH) { /* only a corrupt node dict has internal nodes below the last bit of a path */
        PyErr_Format(PyExc_ValueError, "expected a leaf or an empty slot within %d levels, found internal nodes "
                     "deeper", MAX_DEPTH);
        return NULL;
    }
    char digits[MAX_DEPTH + 2]; /* deeper than 62 bits: random paths get here with a chance of ~n^2 / 2^63 */
    digits[0] = '1';
    for (int i = 0; i < depth; i++)
        digits[1 + i] = (char)('0' + bit_at(path, i));
    if (last >= 0)
        digits[depth] = (char)('0' + last);
    digits[depth + 1] = '\0';
    return PyLong_FromString(digits, NULL, 2);
}

/* What a walk writes to: the nodes, the positions it touched, and (if wanted) the value each change replaced. */

typedef struct {
    Py_ssize_t at;            /* the change's place among those given */
    unsigned char value[HASH]; /* the value hash it replaced, if ``present`` */
    int present;
} Replaced;

typedef struct {
    PyObject *nodes;   /* dict or NodeTable: heap index -> entry */
    PyObject *touched; /* list or IndexSet of the heap indexes written or emptied */
    int keep_old;      /* whether the replaced values are wanted (in ``old``, made into a list afterwards) */
    Replaced *old;
    Py_ssize_t old_count, old_room;
} Tree;

/* get, set, discard, remove and touch of the node at ``depth`` along ``path`` (``last`` as for index_of): on a
 * NodeTable and an IndexSet, down to WORD_DEPTH, straight from the word, without making an int or needing the GIL;
 * elsewhere through index_of, holding the GIL. */

static int get_at(Tree *t, const unsigned char *path, int depth, int last, View *entry) {
    if (depth <= WORD_DEPTH && Py_IS_TYPE(t->nodes, &NodeTableType)) {
        const NodeTable *table = (const NodeTable *)t->nodes;
        *entry = table_view(table, table_find(table, word_at(path, depth, last)));
        return 0;
    }
    PyThreadState *state = hold_gil();
    PyObject *index = index_of(path, depth, last);
    int failed = index == NULL ? -1 : nodes_get(t->nodes, index, entry);
    Py_XDECREF(index);
    free_gil(state);
    return failed;
}

static int set_at(Tree *t, const unsigned char *path, int depth, int last, const unsigned char *data,
                  Py_ssize_t size) {
    if (depth <= WORD_DEPTH && Py_IS_TYPE(t->nodes, &NodeTableType))
        return table_put((NodeTable *)t->nodes, word_at(path, depth, last), data, size);
    PyThreadState *state = hold_gil();
    PyObject *index = index_of(path, depth, last);
    int failed = index == NULL ? -1 : nodes_set(t->nodes, index, data, size);
    Py_XDECREF(index);
    free_gil(state);
    return failed;
}

static int discard_at(Tree *t, const unsigned char *path, int depth, int last) {
    /* del nodes[index] if there: 1 if it was, 0 if not, -1 on error */
    if (depth <= WORD_DEPTH && Py_IS_TYPE(t->nodes, &NodeTableType))
        return table_remove((NodeTable *)t->nodes, word_at(path, depth, last));
    PyThreadState *state = hold_gil();
    PyObject *index = index_of(path, depth, last);
    int removed = index == NULL ? -1 : nodes_discard(t->nodes, index);
    Py_XDECREF(index);
    free_gil(state);
    return removed;
}

static int touch(Tree *t, PyObject *index) {
    if (Py_IS_TYPE(t->touched, &IndexSetType))
        return marks_add((IndexSet *)t->touched, index);
    return PyList_Append(t->touched, index);
}

static int touch_at(Tree *t, const unsigned char *path, int depth, int last) {
    /* touched.append(index) */
    if (depth <= WORD_DEPTH && Py_IS_TYPE(t->touched, &IndexSetType))
        return marks_add_word((IndexSet *)t->touched, word_at(path, depth, last));
    PyThreadState *state = hold_gil();
    PyObject *index = index_of(path, depth, last);
    int failed = index == NULL ? -1 : touch(t, index);
    Py_XDECREF(index);
    free_gil(state);
    return failed;
}

static int remove_at(Tree *t, const unsigned char *path, int depth, int last) {
    /* del nodes[index] and touched.append(index); a KeyError if it was not there */
    int removed = discard_at(t, path, depth, last);
    if (removed == 0) {
        PyThreadState *state = hold_gil();
        PyObject *index = index_of(path, depth, last);
        if (index != NULL) {
            PyErr_SetObject(PyExc_KeyError, index);
            Py_DECREF(index);
        }
        free_gil(state);
    }
    return removed <= 0 ? -1 : touch_at(t, path, depth, last);
}

static int note_old(Tree *t, Py_ssize_t at, const unsigned char *value) {
    /* old.append((paths[at], value or None)), kept in plain memory until the walk is over (replaced_list) */
    if (!t->keep_old)
        return 0;
    if (t->old_count == t->old_room) {
        Py_ssize_t room = t->old_room ? 2 * t->old_room : 64;
        Replaced *grown = PyMem_RawRealloc(t->old, (size_t)room * sizeof *grown);
        if (grown == NULL)
            return fail_memory();
        t->old = grown;
        t->old_room = room;
    }
    Replaced *r = &t->old[t->old_count++];
    r->at = at;
    r->present = value != NULL;
    if (value != NULL)
        memcpy(r->value, value, HASH);
    return 0;
}

/* ---- the walks ------------------------------------------------------------------------------------------------ */

static inline const unsigned char *bytes_of(PyObject *b) {
    return (const unsigned char *)PyBytes_AS_STRING(b);
}

typedef struct {
    const unsigned char *path;  /* 32 bytes */
    const unsigned char *value; /* 32 bytes, or NULL: deleted */
    Py_ssize_t at;              /* its place among the changes given; -1: a leaf the tree held */
} Change;

static Py_ssize_t split(Change *changes, Py_ssize_t lo, Py_ssize_t hi, int depth) {
    /* _split: the first of the sorted changes[lo:hi] (sharing their first ``depth`` bits) whose bit ``depth`` is 1 */
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (bit_at(changes[mid].path, depth))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static int build(Tree *t, Change *leaves, Py_ssize_t lo, Py_ssize_t hi, int depth, unsigned char *out) {
    /* _build: store the subtree of the sorted leaves[lo:hi] (hi > lo, no deletion) at ``depth`` along their paths,
     * its hash in ``out`` */
    const unsigned char *path = leaves[lo].path;
    if (hi - lo == 1) {
        unsigned char leaf[RECORD];
        if (make_leaf(path, leaves[lo].value, leaf) < 0)
            return -1;
        memcpy(out, leaf + 64, HASH);
        return set_at(t, path, depth, -1, leaf, RECORD) < 0 ? -1 : touch_at(t, path, depth, -1);
    }
    if (depth >= MAX_DEPTH) {
        char hex[2 * HASH + 1];
        for (int i = 0; i < HASH; i++)
            snprintf(hex + 2 * i, 3, "%02x", path[i]);
        PyThreadState *state = hold_gil();
        PyErr_Format(PyExc_ValueError, "expected distinct paths, found %s twice", hex);
        free_gil(state);
        return -1;
    }
    Py_ssize_t mid = split(leaves, lo, hi, depth);
    unsigned char left[HASH], right[HASH];
    memcpy(left, EMPTY, HASH);
    memcpy(right, EMPTY, HASH);
    if ((mid > lo && build(t, leaves, lo, mid, depth + 1, left) < 0)
        || (mid < hi && build(t, leaves, mid, hi, depth + 1, right) < 0))
        return -1;
    if (sha256_of(1, left, right, out) < 0 || set_at(t, path, depth, -1, out, HASH) < 0)
        return -1;
    return touch_at(t, path, depth, -1);
}

static int rehash(Tree *t, const unsigned char *path, int depth) {
    /* _rehash of the node at ``depth`` along ``path`` from its children */
    View left, right;
    unsigned char entry[RECORD]; /* the new entry, made before any position changes */
    if (touch_at(t, path, depth, -1) < 0 || get_at(t, path, depth + 1, 0, &left) < 0
        || get_at(t, path, depth + 1, 1, &right) < 0)
        return -1;
    if (left.data == NULL && right.data == NULL)
        return discard_at(t, path, depth, -1) < 0 ? -1 : 0;
    if (left.data == NULL && right.size != HASH) { /* a leaf left alone moves up */
        Py_ssize_t size = right.size;
        memcpy(entry, right.data, (size_t)size);
        return remove_at(t, path, depth + 1, 1) < 0 ? -1 : set_at(t, path, depth, -1, entry, size);
    }
    if (right.data == NULL && left.size != HASH) {
        Py_ssize_t size = left.size;
        memcpy(entry, left.data, (size_t)size);
        return remove_at(t, path, depth + 1, 0) < 0 ? -1 : set_at(t, path, depth, -1, entry, size);
    }
    unsigned char left_hash[HASH], right_hash[HASH];
    const unsigned char *l = hash_of(left, left_hash), *r = hash_of(right, right_hash);
    if (l == NULL || r == NULL || sha256_of(1, l, r, entry) < 0)
        return -1;
    return set_at(t, path, depth, -1, entry, HASH);
}

static int rehash_up(Tree *t, const unsigned char *path, int top, int depth, const unsigned char *node_hash) {
    /* _rehash_up: the node at ``depth`` along ``path`` now holds a subtree of hash ``node_hash``; rehash the walked
     * internal nodes above it, at depths ``top`` to depth - 1, bottom up (each reads only the sibling) */
    unsigned char hash[HASH];
    memcpy(hash, node_hash, HASH);
    for (int above = top; above < depth; above++) /* touched.extend(walked), in walk order */
        if (touch_at(t, path, above, -1) < 0)
            return -1;
    for (int at = depth; at > top; at--) {
        int side = bit_at(path, at - 1);
        View sibling;
        if (get_at(t, path, at, 1 - side, &sibling) < 0)
            return -1;
        unsigned char scratch[HASH];
        const unsigned char *other = hash_of(sibling, scratch);
        if (other == NULL || sha256_of(1, side ? other : hash, side ? hash : other, hash) < 0
            || set_at(t, path, at - 1, -1, hash, HASH) < 0)
            return -1;
    }
    return 0;
}

static void prefetch_path(PyObject *nodes, const unsigned char *path, int depth) {
    /* Ask the memory for what a walk down ``path`` from ``depth`` and the rehash back up will read, all at once,
     * rather than one miss after another: the home slots of the nodes along the path and of their siblings (found
     * from their keys alone), then the records of those found. On a large tree the slots and records of the levels
     * one key has to itself are seldom cached, and the walk would wait for each in turn (four reads a level). Only
     * down to about the depth of the deepest leaves (two levels below log2 of the entries held). */
    if (!Py_IS_TYPE(nodes, &NodeTableType))
        return;
    const NodeTable *table = (const NodeTable *)nodes;
    int bottom = 2;
    for (Py_ssize_t used = table->used; used > 1; used >>= 1)
        bottom++;
    if (bottom > WORD_DEPTH)
        bottom = WORD_DEPTH;
    for (int at = depth; at <= bottom; at++) {
        uint64_t key = word_at(path, at, -1);
        __builtin_prefetch(&table->keys[home_of(table, key)]);
        __builtin_prefetch(&table->keys[home_of(table, key ^ 1)]);
    }
    for (int at = depth; at <= bottom; at++) {
        uint64_t key = word_at(path, at, -1);
        View entry = table_view(table, table_find(table, key));
        if (entry.data == NULL)
            break; /* the walk ends above here */
        __builtin_prefetch(entry.data);
        if (at > 0 && (entry = table_view(table, table_find(table, key ^ 1))).data != NULL)
            __builtin_prefetch(entry.data);
    }
}

static int apply_one(Tree *t, Change *change, int depth, Py_ssize_t *added) {
    /* _apply_one: walk down along the path to the empty slot or leaf it ends at, change it, rehash back up */
    const unsigned char *path = change->path;
    int top = depth;
    View found;
    prefetch_path(t->nodes, path, depth);
    if (get_at(t, path, depth, -1, &found) < 0)
        return -1;
    while (found.data != NULL && found.size == HASH) {
        depth++;
        if (get_at(t, path, depth, -1, &found) < 0)
            return -1;
    }
    unsigned char current[RECORD]; /* the leaf found (if any), held across the writes below */
    int present = found.data != NULL;
    if (present)
        memcpy(current, found.data, (size_t)found.size); /* its path and value_hash are what is read below */
    int delete = change->value == NULL;
    if (!present || memcmp(current, path, HASH) == 0) {
        if (note_old(t, change->at, present ? current + HASH : NULL) < 0)
            return -1;
        if (delete) {
            if (!present)
                return 0; /* deleting an absent key changes nothing */
            if (remove_at(t, path, depth, -1) < 0)
                return -1;
        } else {
            unsigned char leaf[RECORD];
            if (make_leaf(path, change->value, leaf) < 0 || set_at(t, path, depth, -1, leaf, RECORD) < 0
                || touch_at(t, path, depth, -1) < 0 || rehash_up(t, path, top, depth, leaf + 64) < 0)
                return -1;
            *added += !present;
            return 0;
        }
    } else { /* another key's leaf sits here: both go below it */
        if (note_old(t, change->at, NULL) < 0)
            return -1;
        if (delete)
            return 0;
        if (discard_at(t, path, depth, -1) < 0)
            return -1;
        Change held = {current, current + HASH, -1};
        Change pair[2] = {*change, held};
        if (memcmp(path, current, HASH) > 0) {
            pair[0] = held;
            pair[1] = *change;
        }
        unsigned char subtree[HASH];
        if (build(t, pair, 0, 2, depth, subtree) < 0 || rehash_up(t, path, top, depth, subtree) < 0)
            return -1;
        *added += 1;
        return 0;
    }
    /* a deletion: a leaf left alone below a walked node moves up (rehash) */
    for (int above = top; above < depth; above++)
        if (touch_at(t, path, above, -1) < 0)
            return -1;
    for (int above = depth - 1; above >= top; above--) {
        View left, right;
        if (get_at(t, path, above + 1, 0, &left) < 0 || get_at(t, path, above + 1, 1, &right) < 0)
            return -1;
        if (left.data != NULL && right.data != NULL) { /* rehash's common case, inline: most levels of a walk */
            unsigned char node[HASH], left_hash[HASH], right_hash[HASH];
            const unsigned char *l = hash_of(left, left_hash), *r = hash_of(right, right_hash);
            if (l == NULL || r == NULL || sha256_of(1, l, r, node) < 0 || set_at(t, path, above, -1, node, HASH) < 0)
                return -1;
        } else if (rehash(t, path, above) < 0) {
            return -1;
        }
    }
    *added -= 1;
    return 0;
}

static int apply(Tree *t, Change *changes, Py_ssize_t lo, Py_ssize_t hi, int depth, Py_ssize_t *added) {
    /* _apply: the sorted changes[lo:hi] to the subtree at ``depth`` along their paths */
    if (hi - lo == 1)
        return apply_one(t, &changes[lo], depth, added);
    const unsigned char *path = changes[lo].path;
    View current;
    if (get_at(t, path, depth, -1, &current) < 0)
        return -1;
    if (current.data != NULL && current.size == HASH) {
        Py_ssize_t mid = split(changes, lo, hi, depth);
        if ((lo < mid && apply(t, changes, lo, mid, depth + 1, added) < 0)
            || (mid < hi && apply(t, changes, mid, hi, depth + 1, added) < 0))
            return -1;
        return rehash(t, path, depth);
    }
    /* An empty slot or a single leaf: merge its leaf with the changes and build the subtree afresh. */
    Change *kept = PyMem_RawMalloc((size_t)(hi - lo + 1) * sizeof *kept);
    if (kept == NULL)
        return fail_memory();
    unsigned char held[LEAF]; /* the leaf held here (path || value_hash), copied before it is removed */
    int present = current.data != NULL, held_placed = !present, failed = -1;
    Py_ssize_t count = 0;
    if (present)
        memcpy(held, current.data, LEAF);
    for (Py_ssize_t i = lo; i < hi; i++) {
        int order = held_placed ? 1 : memcmp(held, changes[i].path, HASH);
        if (note_old(t, changes[i].at, order == 0 ? held + HASH : NULL) < 0)
            goto done;
        if (order < 0) { /* the held leaf sorts before this change: it is kept */
            kept[count++] = (Change){held, held + HASH, -1};
            held_placed = 1;
        } else if (order == 0) {
            held_placed = 1; /* the change replaces (or deletes) the held leaf */
        }
        if (changes[i].value != NULL)
            kept[count++] = changes[i];
    }
    if (!held_placed)
        kept[count++] = (Change){held, held + HASH, -1};
    if (present && remove_at(t, path, depth, -1) < 0)
        goto done;
    unsigned char ignored[HASH];
    if (count > 0 && build(t, kept, 0, count, depth, ignored) < 0)
        goto done;
    *added += count - present;
    failed = 0;
done:
    PyMem_RawFree(kept);
    return failed;
}

/* ---- the module ---------------------------------------------------------------------------------------------- */

static Change *changes_of(PyObject *paths, PyObject *values, Py_ssize_t *count) {
    /* The (path, value) pairs of two lists of the same length: paths 32-byte bytes, values 32-byte bytes or None.
     * Their bytes are read in place: the lists hold them while a walk runs. */
    if (!PyList_CheckExact(paths) || !PyList_CheckExact(values) || PyList_GET_SIZE(paths) != PyList_GET_SIZE(values)) {
        PyErr_SetString(PyExc_TypeError, "expected two lists of the same length (paths, value hashes)");
        return NULL;
    }
    *count = PyList_GET_SIZE(paths);
    Change *changes = PyMem_RawMalloc((size_t)(*count > 0 ? *count : 1) * sizeof *changes);
    if (changes == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < *count; i++) {
        PyObject *path = PyList_GET_ITEM(paths, i), *value = PyList_GET_ITEM(values, i);
        if (!PyBytes_CheckExact(path) || PyBytes_GET_SIZE(path) != HASH
            || (value != Py_None && (!PyBytes_CheckExact(value) || PyBytes_GET_SIZE(value) != HASH))) {
            PyErr_Format(PyExc_TypeError, "expected 32-byte paths and value hashes (or None), found %R: %R",
                         path, value);
            PyMem_RawFree(changes);
            return NULL;
        }
        if (i > 0 && memcmp(changes[i - 1].path, PyBytes_AS_STRING(path), HASH) >= 0) {
            PyErr_Format(PyExc_ValueError, "expected sorted distinct paths, found %R after %R", path,
                         PyList_GET_ITEM(paths, i - 1));
            PyMem_RawFree(changes);
            return NULL;
        }
        changes[i] = (Change){(const unsigned char *)PyBytes_AS_STRING(path),
                              value == Py_None ? NULL : (const unsigned char *)PyBytes_AS_STRING(value), i};
    }
    return changes;
}

static int tree_of(PyObject *nodes, PyObject *old, PyObject *touched, Tree *t) {
    if (nodes_check(nodes) < 0)
        return -1;
    if ((!PyList_Check(touched) && !Py_IS_TYPE(touched, &IndexSetType)) || (old != Py_None && !PyList_Check(old))) {
        PyErr_SetString(PyExc_TypeError, "expected a list for the replaced values and a list or IndexSet for the "
                        "positions touched");
        return -1;
    }
    *t = (Tree){nodes, touched, old != Py_None, NULL, 0, 0};
    return 0;
}

static int replaced_list(Tree *t, PyObject *paths, PyObject *old) {
    /* old.extend((paths[r.at], r.value or None) for r in the replaced values noted), in the order noted */
    for (Py_ssize_t i = 0; i < t->old_count; i++) {
        const Replaced *r = &t->old[i];
        PyObject *pair = r->present ? Py_BuildValue("(Oy#)", PyList_GET_ITEM(paths, r->at), (const char *)r->value,
                                                    (Py_ssize_t)HASH)
                                    : Py_BuildValue("(OO)", PyList_GET_ITEM(paths, r->at), Py_None);
        if (pair == NULL)
            return -1;
        int failed = PyList_Append(old, pair);
        Py_DECREF(pair);
        if (failed < 0)
            return -1;
    }
    return 0;
}

static PyObject *smt_apply(PyObject *module, PyObject *args) {
    PyObject *nodes, *paths, *values, *old, *touched;
    if (!PyArg_ParseTuple(args, "OOOOO:apply", &nodes, &paths, &values, &old, &touched))
        return NULL;
    Tree t;
    Py_ssize_t count, added = 0;
    if (tree_of(nodes, old, touched, &t) < 0)
        return NULL;
    Change *changes = changes_of(paths, values, &count);
    if (changes == NULL)
        return NULL;
    /* A NodeTable noted into an IndexSet is walked without the GIL (the module's docstring); a dict or a list
     * needs the interpreter at every step. */
    EVP_MD_CTX *ctx = NULL;
    if (count > 0 && Py_IS_TYPE(nodes, &NodeTableType) && Py_IS_TYPE(touched, &IndexSetType))
        ctx = EVP_MD_CTX_new(); /* NULL: walked holding the GIL */
    if (ctx != NULL) {
        own_ctx = ctx;
        released = PyEval_SaveThread();
    }
    int failed = count > 0 ? apply(&t, changes, 0, count, 0, &added) : 0;
    if (ctx != NULL) {
        PyEval_RestoreThread(released);
        released = NULL;
        own_ctx = NULL;
        EVP_MD_CTX_free(ctx);
    }
    if (failed == 0 && t.keep_old)
        failed = replaced_list(&t, paths, old);
    PyMem_RawFree(t.old);
    PyMem_RawFree(changes);
    return failed < 0 ? NULL : PyLong_FromSsize_t(added);
}

static PyObject *smt_build(PyObject *module, PyObject *args) {
    PyObject *nodes, *paths, *values, *touched;
    if (!PyArg_ParseTuple(args, "OOOO:build", &nodes, &paths, &values, &touched))
        return NULL;
    Tree t;
    Py_ssize_t count;
    if (tree_of(nodes, Py_None, touched, &t) < 0)
        return NULL;
    Change *changes = changes_of(paths, values, &count);
    if (changes == NULL)
        return NULL;
    unsigned char root[HASH];
    memcpy(root, EMPTY, HASH);
    int failed = 0;
    for (Py_ssize_t i = 0; i < count && !failed; i++)
        if (changes[i].value == NULL) {
            PyErr_SetString(PyExc_TypeError, "expected a value hash for every leaf to build, found None");
            failed = -1;
        }
    if (!failed && count > 0)
        failed = build(&t, changes, 0, count, 0, root);
    PyMem_RawFree(changes);
    return failed < 0 ? NULL : PyBytes_FromStringAndSize((const char *)root, HASH);
}

static PyObject *smt_leaf(PyObject *module, PyObject *args) {
    /* SparseMerkleTree._leaf: the entry of the leaf at ``path`` (None: absent), walking the cached entries */
    PyObject *nodes;
    const unsigned char *path;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "Oy#:leaf", &nodes, &path, &size) || nodes_check(nodes) < 0)
        return NULL;
    if (size != HASH)
        return PyErr_Format(PyExc_ValueError, "expected a 32-byte path, found %zd bytes", size);
    Tree t = {.nodes = nodes};
    View entry = ABSENT;
    prefetch_path(nodes, path, 0);
    for (int depth = 0; depth <= MAX_DEPTH; depth++) {
        if (get_at(&t, path, depth, -1, &entry) < 0)
            return NULL;
        if (entry.data == NULL || entry.size != HASH)
            break;
    }
    if (entry.data == NULL || entry.size == HASH || memcmp(entry.data, path, HASH) != 0)
        Py_RETURN_NONE;
    return entry_object(entry);
}

/* ---- the stored tree's cache (ledger.state_tree.StoredTree) ------------------------------------------------- */

static PyObject *child_of(PyObject *parent, int side) {
    /* 2 * parent + side, for a heap index of any size */
    int overflow = 0;
    long long small = PyLong_AsLongLongAndOverflow(parent, &overflow);
    if (small == -1 && PyErr_Occurred())
        return NULL;
    if (!overflow && small > 0 && small < (1LL << 61))
        return PyLong_FromLongLong(2 * small + side);
    PyObject *one = PyLong_FromLong(1), *extra = PyLong_FromLong(side); /* deeper than 60 bits: rare */
    PyObject *shifted = one == NULL ? NULL : PyNumber_Lshift(parent, one);
    PyObject *child = shifted == NULL || extra == NULL ? NULL : PyNumber_Or(shifted, extra);
    Py_XDECREF(one);
    Py_XDECREF(extra);
    Py_XDECREF(shifted);
    return child;
}

static int depth_of(PyObject *index) {
    /* index.bit_length() - 1 for a heap index (>= 1); -1 with an exception set for anything else */
    uint64_t key;
    int word = word_of(index, &key);
    if (word != 0)
        return word < 0 ? -1 : 63 - __builtin_clzll(key);
    PyObject *zero = PyLong_FromLong(0); /* beyond a machine word, or not a heap index at all */
    int positive = zero == NULL ? -1 : PyObject_RichCompareBool(index, zero, Py_GT);
    Py_XDECREF(zero);
    PyObject *bits = positive > 0 ? PyObject_CallMethod(index, "bit_length", NULL) : NULL;
    long count = bits == NULL ? -1 : PyLong_AsLong(bits);
    Py_XDECREF(bits);
    if (count < 1 || count > MAX_DEPTH + 1) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "expected a heap index of 1 to %d bits, found %R", MAX_DEPTH + 1, index);
        return -1;
    }
    return (int)count - 1;
}

static PyObject *stored_pair(PyObject *index, Py_ssize_t size) {
    PyObject *size_obj = PyLong_FromSsize_t(size);
    PyObject *pair = size_obj == NULL ? NULL : PyTuple_Pack(2, index, size_obj);
    Py_XDECREF(size_obj);
    return pair;
}

static PyObject *smt_load_pairs(PyObject *module, PyObject *args) {
    /* StoredTree._load_pairs after its query (state_tree._load_checked): the children of the cached internal nodes
     * ``indexes``, as ``found`` holds them (heap index -> stored node), made entries, checked against their
     * parents' hashes and cached, all of them or, at the first problem, none. Returns None, or the problem:
     * (a child's index, its stored size) for a row of neither shape, (the parent's index, the hash its children
     * give) for children that do not hash to it. */
    PyObject *nodes, *indexes, *found;
    if (!PyArg_ParseTuple(args, "OO!O!:load_pairs", &nodes, &PyList_Type, &indexes, &PyDict_Type, &found)
        || nodes_check(nodes) < 0)
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(indexes);
    PyObject **children = PyMem_Calloc(2 * (size_t)count + 1, sizeof(PyObject *)); /* the children's indexes */
    unsigned char *entries = PyMem_Malloc((2 * (size_t)count + 1) * RECORD);       /* and their entries */
    Py_ssize_t *sizes = PyMem_Calloc(2 * (size_t)count + 1, sizeof(Py_ssize_t));   /* 0: not stored */
    if (children == NULL || entries == NULL || sizes == NULL) {
        PyMem_Free(children);
        PyMem_Free(entries);
        PyMem_Free(sizes);
        return PyErr_NoMemory();
    }
    PyObject *result = NULL;
    int failed = 0;
    for (Py_ssize_t i = 0; i < count && !failed && result == NULL; i++) {
        PyObject *parent = PyList_GET_ITEM(indexes, i);
        View expected;
        if (nodes_get(nodes, parent, &expected) < 0) {
            failed = 1;
            break;
        }
        if (expected.data == NULL || expected.size != HASH) {
            PyErr_Format(PyExc_ValueError, "expected a cached internal node at %R to load the children of, found "
                         "%s", parent, expected.data == NULL ? "none" : "a leaf");
            failed = 1;
            break;
        }
        const unsigned char *hashes[2];
        for (int side = 0; side < 2 && !failed && result == NULL; side++) {
            Py_ssize_t j = 2 * i + side;
            unsigned char *entry = entries + j * RECORD;
            hashes[side] = EMPTY;
            if ((children[j] = child_of(parent, side)) == NULL) {
                failed = 1;
                break;
            }
            PyObject *stored = PyDict_GetItemWithError(found, children[j]);
            if (stored == NULL) {
                failed = PyErr_Occurred() != NULL;
                continue;
            }
            if (!PyBytes_Check(stored)) {
                PyErr_Format(PyExc_TypeError, "expected a stored node of bytes at %R, found %.80s", children[j],
                             Py_TYPE(stored)->tp_name);
                failed = 1;
            } else if (PyBytes_GET_SIZE(stored) == HASH) {
                memcpy(entry, bytes_of(stored), HASH);
                sizes[j] = HASH;
                hashes[side] = entry;
            } else if (PyBytes_GET_SIZE(stored) == 2 * HASH) {
                failed = make_leaf(bytes_of(stored), bytes_of(stored) + HASH, entry) < 0;
                sizes[j] = RECORD;
                hashes[side] = entry + 64;
            } else {
                result = stored_pair(children[j], PyBytes_GET_SIZE(stored));
                failed = result == NULL;
            }
        }
        if (failed || result != NULL)
            break;
        unsigned char computed[HASH];
        if (sha256_of(1, hashes[0], hashes[1], computed) < 0) {
            failed = 1;
        } else if (memcmp(computed, expected.data, HASH) != 0) {
            result = Py_BuildValue("(Oy#)", parent, (const char *)computed, (Py_ssize_t)HASH);
            failed = result == NULL;
        }
    }
    for (Py_ssize_t j = 0; j < 2 * count && !failed && result == NULL; j++)
        if (sizes[j] != 0 && nodes_set(nodes, children[j], entries + j * RECORD, sizes[j]) < 0)
            failed = 1; /* only out of memory: then the node stops anyway */
    for (Py_ssize_t j = 0; j < 2 * count; j++)
        Py_XDECREF(children[j]);
    PyMem_Free(children);
    PyMem_Free(entries);
    PyMem_Free(sizes);
    if (failed) {
        Py_XDECREF(result);
        return NULL;
    }
    return result != NULL ? result : Py_NewRef(Py_None);
}

static int leading_shared(const unsigned char *a, const unsigned char *b) {
    /* how many leading bits two 32-byte paths have in common */
    for (int i = 0; i < HASH; i++)
        if (a[i] != b[i])
            return 8 * i + __builtin_clz((unsigned)(a[i] ^ b[i])) - 24;
    return 8 * HASH;
}

static int walk_one(PyObject *nodes, PyObject *path, PyObject **trail, int *trail_len, PyObject *index, int depth,
                    PyObject *cold, PyObject *stopped, PyObject *touched, int *trail_cold) {
    /* the inner loop of state_tree._walk: from ``index`` at ``depth`` along ``path`` down to a leaf, an empty slot
     * or a cached node whose children are on disk; the reference to ``index`` is taken */
    const unsigned char *bits = bytes_of(path);
    prefetch_path(nodes, bits, depth);
    for (;;) {
        trail[(*trail_len)++] = Py_NewRef(index);
        View entry;
        if (nodes_get(nodes, index, &entry) < 0)
            break;
        if (entry.data == NULL || entry.size != HASH) {
            Py_DECREF(index);
            return 0;
        }
        if (depth >= MAX_DEPTH) {
            PyErr_Format(PyExc_ValueError, "expected a leaf or an empty slot within %d levels, found internal "
                         "nodes deeper", MAX_DEPTH);
            break;
        }
        PyObject *children[2] = {child_of(index, 0), NULL};
        children[1] = children[0] == NULL ? NULL : child_of(index, 1);
        int left = children[1] == NULL ? -1 : nodes_contain(nodes, children[0]);
        int right = left < 0 ? -1 : nodes_contain(nodes, children[1]);
        int failed = right < 0;
        if (!failed && !left && !right) { /* its children are on disk */
            PyObject *stop = Py_BuildValue("(OOi)", path, index, depth);
            failed = stop == NULL || PyDict_SetItem(cold, index, Py_None) < 0 || PyList_Append(stopped, stop) < 0;
            Py_XDECREF(stop);
            *trail_cold = 1;
            Py_XDECREF(children[0]);
            Py_XDECREF(children[1]);
            Py_DECREF(index);
            return failed ? -1 : 0;
        }
        if (!failed)
            failed = PyList_Append(PyList_GET_ITEM(touched, depth), index) < 0;
        int side = bit_at(bits, depth);
        Py_DECREF(index);
        index = failed ? NULL : Py_NewRef(children[side]);
        Py_XDECREF(children[0]);
        Py_XDECREF(children[1]);
        if (failed)
            return -1;
        depth++;
    }
    Py_DECREF(index);
    return -1;
}

static PyObject *smt_loaded_below(PyObject *module, PyObject *args) {
    /* StoredTree._load_pairs's next level (state_tree._loaded_below): of the children of the heap indexes ``level``,
     * in order, those ``found`` holds as internal nodes (HASH bytes) with a child of theirs in ``found`` too */
    PyObject *level, *found;
    if (!PyArg_ParseTuple(args, "O!O!:loaded_below", &PyList_Type, &level, &PyDict_Type, &found))
        return NULL;
    PyObject *below = PyList_New(0);
    if (below == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(level); i++) {
        for (int side = 0; side < 2; side++) {
            PyObject *child = child_of(PyList_GET_ITEM(level, i), side);
            if (child == NULL)
                goto failed;
            PyObject *entry = PyDict_GetItemWithError(found, child); /* borrowed */
            int keep = 0;
            if (entry != NULL && PyBytes_Check(entry) && PyBytes_GET_SIZE(entry) == HASH)
                for (int below_side = 0; below_side < 2 && keep == 0; below_side++) {
                    PyObject *grandchild = child_of(child, below_side);
                    keep = grandchild == NULL ? -1 : PyDict_Contains(found, grandchild);
                    Py_XDECREF(grandchild);
                }
            if (keep < 0 || PyErr_Occurred() || (keep > 0 && PyList_Append(below, child) < 0)) {
                Py_DECREF(child);
                goto failed;
            }
            Py_DECREF(child);
        }
    }
    return below;
failed:
    Py_DECREF(below);
    return NULL;
}

static PyObject *smt_walk(PyObject *module, PyObject *args) {
    /* StoredTree._reach's walks of one pass (state_tree._walk): each (path, index, depth) of ``waiting`` walks down
     * from there; on the first pass (``shared_walks``: sorted paths from the root) a path starts where it leaves
     * the one before it. Internal nodes walked through are appended to touched[depth]; returns (the cached nodes
     * whose children are on disk, the walks stopped at them as (path, index, depth)). */
    PyObject *nodes, *waiting, *touched;
    int shared_walks;
    if (!PyArg_ParseTuple(args, "OO!pO!:walk", &nodes, &PyList_Type, &waiting, &shared_walks, &PyList_Type, &touched)
        || nodes_check(nodes) < 0)
        return NULL;
    if (PyList_GET_SIZE(touched) != MAX_DEPTH + 1)
        return PyErr_Format(PyExc_ValueError, "expected a list of %d lists to note the nodes walked through, found "
                            "%zd", MAX_DEPTH + 1, PyList_GET_SIZE(touched));
    for (Py_ssize_t i = 0; i <= MAX_DEPTH; i++)
        if (!PyList_Check(PyList_GET_ITEM(touched, i)))
            return PyErr_Format(PyExc_TypeError, "expected lists to note the nodes walked through, found %.80s",
                                Py_TYPE(PyList_GET_ITEM(touched, i))->tp_name);
    PyObject *cold = PyDict_New(), *stopped = PyList_New(0);
    PyObject *trail[MAX_DEPTH + 2]; /* the nodes the previous path walked, by depth, and the one it ended at */
    int trail_len = 0, trail_cold = 0, failed = cold == NULL || stopped == NULL;
    const unsigned char *previous = NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(waiting) && !failed; i++) {
        PyObject *item = PyList_GET_ITEM(waiting, i), *path, *index;
        int depth;
        if (!PyTuple_CheckExact(item) || !PyArg_ParseTuple(item, "SO!i", &path, &PyLong_Type, &index, &depth)
            || PyBytes_GET_SIZE(path) != HASH || depth < 0 || depth > MAX_DEPTH) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "expected walks as (32-byte path, int index, depth), found %R", item);
            failed = 1;
            break;
        }
        Py_INCREF(index);
        if (shared_walks) {
            if (trail_len > 0) {
                int shared = leading_shared(bytes_of(path), previous);
                if (shared >= trail_len - 1) { /* the same walk to the same end */
                    PyObject *stop = trail_cold ? Py_BuildValue("(OOi)", path, trail[trail_len - 1], trail_len - 1)
                                                : NULL;
                    failed = trail_cold && (stop == NULL || PyList_Append(stopped, stop) < 0);
                    Py_XDECREF(stop);
                    Py_DECREF(index);
                    previous = bytes_of(path);
                    continue;
                }
                depth = shared + 1;
                Py_DECREF(index);
                index = child_of(trail[shared], bit_at(bytes_of(path), shared));
                while (trail_len > depth)
                    Py_DECREF(trail[--trail_len]);
                if (index == NULL) {
                    failed = 1;
                    break;
                }
            }
            previous = bytes_of(path);
        } else {
            while (trail_len > 0)
                Py_DECREF(trail[--trail_len]);
        }
        trail_cold = 0;
        failed = walk_one(nodes, path, trail, &trail_len, index, depth, cold, stopped, touched, &trail_cold) < 0;
    }
    while (trail_len > 0)
        Py_DECREF(trail[--trail_len]);
    PyObject *result = NULL;
    if (!failed) {
        PyObject *cold_list = PyDict_Keys(cold);
        result = cold_list == NULL ? NULL : Py_BuildValue("(NO)", cold_list, stopped);
    }
    Py_XDECREF(cold);
    Py_XDECREF(stopped);
    return result;
}

static PyObject *smt_cold_below(PyObject *module, PyObject *args) {
    /* StoredTree.warm's search (state_tree._cold_below): the cached internal nodes at or below the positions
     * ``indexes`` whose children are both on disk (neither cached), found walking down through the cached internal
     * nodes; a position that holds no internal node is passed over. */
    PyObject *nodes, *indexes;
    if (!PyArg_ParseTuple(args, "OO!:cold_below", &nodes, &PyList_Type, &indexes) || nodes_check(nodes) < 0)
        return NULL;
    PyObject *cold = PyList_New(0), *todo = PyList_New(0); /* todo: a stack of the positions still to look at */
    if (cold == NULL || todo == NULL)
        goto failed;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(indexes); i++) {
        PyObject *index = PyList_GET_ITEM(indexes, i);
        int overflow = 0;
        long long small = PyLong_CheckExact(index) ? PyLong_AsLongLongAndOverflow(index, &overflow) : 0;
        if (small == -1 && PyErr_Occurred())
            goto failed;
        if (overflow < 0 || (!overflow && small < 1)) {
            PyErr_Format(PyExc_TypeError, "expected positions as ints of at least 1, found %R", index);
            goto failed;
        }
        if (PyList_Append(todo, index) < 0)
            goto failed;
    }
    while (PyList_GET_SIZE(todo) > 0) {
        Py_ssize_t last = PyList_GET_SIZE(todo) - 1;
        PyObject *index = PyList_GET_ITEM(todo, last);
        Py_INCREF(index);
        View entry;
        if (PyList_SetSlice(todo, last, last + 1, NULL) < 0 || nodes_get(nodes, index, &entry) < 0) {
            Py_DECREF(index);
            goto failed;
        }
        if (entry.data == NULL || entry.size != HASH) { /* empty, or a leaf */
            Py_DECREF(index);
            continue;
        }
        PyObject *left = child_of(index, 0), *right = child_of(index, 1);
        int has_left = left == NULL ? -1 : nodes_contain(nodes, left);
        int has_right = right == NULL ? -1 : nodes_contain(nodes, right);
        int failed = has_left < 0 || has_right < 0;
        if (!failed && !has_left && !has_right)
            failed = PyList_Append(cold, index) < 0;
        else if (!failed)
            failed = (has_left && PyList_Append(todo, left) < 0) || (has_right && PyList_Append(todo, right) < 0);
        Py_XDECREF(left);
        Py_XDECREF(right);
        Py_DECREF(index);
        if (failed)
            goto failed;
    }
    Py_DECREF(todo);
    return cold;
failed:
    Py_XDECREF(cold);
    Py_XDECREF(todo);
    return NULL;
}

/* StoredTree.pending (state_tree._pending_of), packed: the changed positions that are machine words (all but the
 * deepest, from 2^63 on) as two buffers rather than an (int, bytes) tuple each, which held ~190 bytes a changed entry
 * for as long as a write of 1.3 million ran: ``indexes``, their positions as native 64-bit words deepest first,
 * LEAF_FLAG set for a leaf, and ``stored``, their stored nodes one after another (32 bytes a hash, 64 a leaf's
 * path || value_hash); ~56 bytes a changed entry, in two allocations that go back to the system when freed
 * (ledger.state_tree.PackedRows reads them; _state_codec.GroupChanges and LruOrder.touch_parents take them as they
 * are). */


typedef struct {
    int depth;
    PyObject *row; /* (index, stored node) */
} Row;

typedef struct {
    uint64_t word;              /* the position, LEAF_FLAG set for a leaf */
    const unsigned char *entry; /* its cached entry: unchanged until the buffers are made */
} Packed;

typedef struct {
    Packed *packed;
    Py_ssize_t n_packed, packed_room;
    Row *rows; /* positions from 2^63 on (and any a dict holds beyond a word) */
    Py_ssize_t n_rows, rows_room;
    PyObject *deleted;
    Py_ssize_t packed_at[MAX_DEPTH + 2], bytes_at[MAX_DEPTH + 2], rows_at[MAX_DEPTH + 2]; /* counts by depth */
} Pending;

static int grow(void **items, Py_ssize_t *room, Py_ssize_t count, size_t size) {
    if (count < *room)
        return 0;
    Py_ssize_t more = *room < 16 ? 16 : 2 * *room;
    void *grown = PyMem_Realloc(*items, size * (size_t)more);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *items = grown;
    *room = more;
    return 0;
}

static int pending_pack(Pending *p, uint64_t word, View entry) {
    if (entry.data == NULL) {
        PyObject *index = PyLong_FromUnsignedLongLong(word);
        int failed = index == NULL || PyList_Append(p->deleted, index) < 0;
        Py_XDECREF(index);
        return failed ? -1 : 0;
    }
    if (grow((void **)&p->packed, &p->packed_room, p->n_packed, sizeof(Packed)) < 0)
        return -1;
    int depth = 63 - __builtin_clzll(word);
    p->packed[p->n_packed++] = (Packed){entry.size == HASH ? word : word | LEAF_FLAG, entry.data};
    p->packed_at[depth]++;
    p->bytes_at[depth] += entry.size == HASH ? HASH : 2 * HASH;
    return 0;
}

static int pending_note(Pending *p, PyObject *nodes, PyObject *index) {
    uint64_t word;
    int is_word = word_of(index, &word), depth = depth_of(index);
    View entry;
    if (is_word < 0 || depth < 0 || nodes_get(nodes, index, &entry) < 0)
        return -1;
    if (is_word)
        return pending_pack(p, word, entry);
    if (entry.data == NULL)
        return PyList_Append(p->deleted, index);
    if (grow((void **)&p->rows, &p->rows_room, p->n_rows, sizeof(Row)) < 0)
        return -1;
    PyObject *stored = PyBytes_FromStringAndSize((const char *)entry.data, entry.size == HASH ? HASH : 2 * HASH);
    PyObject *row = stored == NULL ? NULL : PyTuple_Pack(2, index, stored);
    Py_XDECREF(stored);
    if (row == NULL)
        return -1;
    p->rows[p->n_rows++] = (Row){depth, row};
    p->rows_at[depth]++;
    return 0;
}

static PyObject *pending_result(Pending *p) {
    /* (indexes, stored, rows, deleted), each in a counting sort by depth, deepest first */
    Py_ssize_t word_at[MAX_DEPTH + 2], byte_at[MAX_DEPTH + 2], row_at[MAX_DEPTH + 2];
    Py_ssize_t words = 0, bytes = 0, rows = 0;
    for (int depth = MAX_DEPTH + 1; depth >= 0; depth--) {
        word_at[depth] = words;
        byte_at[depth] = bytes;
        row_at[depth] = rows;
        words += p->packed_at[depth];
        bytes += p->bytes_at[depth];
        rows += p->rows_at[depth];
    }
    PyObject *indexes = PyBytes_FromStringAndSize(NULL, 8 * words);
    PyObject *stored = PyBytes_FromStringAndSize(NULL, bytes);
    PyObject *ordered = PyList_New(rows), *result = NULL;
    if (indexes != NULL && stored != NULL && ordered != NULL) {
        char *index_out = PyBytes_AS_STRING(indexes), *stored_out = PyBytes_AS_STRING(stored);
        for (Py_ssize_t i = 0; i < p->n_packed; i++) {
            uint64_t word = p->packed[i].word, position = word & ~LEAF_FLAG;
            int depth = 63 - __builtin_clzll(position), size = word & LEAF_FLAG ? 2 * HASH : HASH;
            memcpy(index_out + 8 * word_at[depth]++, &word, 8);
            memcpy(stored_out + byte_at[depth], p->packed[i].entry, (size_t)size);
            byte_at[depth] += size;
        }
        for (Py_ssize_t i = 0; i < p->n_rows; i++) {
            PyList_SET_ITEM(ordered, row_at[p->rows[i].depth]++, p->rows[i].row);
            p->rows[i].row = NULL;
        }
        result = PyTuple_Pack(4, indexes, stored, ordered, p->deleted);
    }
    Py_XDECREF(indexes);
    Py_XDECREF(stored);
    Py_XDECREF(ordered);
    return result;
}

static PyObject *smt_pending(PyObject *module, PyObject *args) {
    /* StoredTree.pending: for the positions in ``dirty``, the stored form of those ``nodes`` holds, packed (above)
     * and as (index, node) rows beyond machine words, deepest first, and the list of those it does not hold */
    PyObject *nodes, *dirty, *result = NULL;
    if (!PyArg_ParseTuple(args, "OO:pending", &nodes, &dirty) || nodes_check(nodes) < 0)
        return NULL;
    Pending p;
    memset(&p, 0, sizeof p);
    if ((p.deleted = PyList_New(0)) == NULL)
        return NULL;
    int failed = 0;
    PyObject *rest = dirty; /* what is left to iterate as objects */
    if (Py_IS_TYPE(nodes, &NodeTableType) && Py_IS_TYPE(dirty, &IndexSetType)) {
        /* the node's own case: the words straight from both tables, no int made for any */
        const NodeTable *table = (const NodeTable *)nodes;
        const IndexSet *set = (const IndexSet *)dirty;
        for (size_t i = 0; !failed && set->keys != NULL && i <= set->mask; i++)
            if (set->keys[i] != 0)
                failed = pending_pack(&p, set->keys[i], table_view(table, table_find(table, set->keys[i]))) < 0;
        rest = set->others;
    }
    PyObject *iter = failed ? NULL : PyObject_GetIter(rest), *index;
    failed = failed || iter == NULL;
    while (!failed && (index = PyIter_Next(iter)) != NULL) {
        failed = pending_note(&p, nodes, index) < 0;
        Py_DECREF(index);
    }
    Py_XDECREF(iter);
    if (!failed && !PyErr_Occurred())
        result = pending_result(&p);
    for (Py_ssize_t i = 0; i < p.n_rows; i++)
        Py_XDECREF(p.rows[i].row);
    PyMem_Free(p.rows);
    PyMem_Free(p.packed);
    Py_DECREF(p.deleted);
    return result;
}

/* ---- The stored tree's groups, from a cache that holds the whole tree (ledger.tree_groups) --------------------
 *
 * A group is a node and the three levels below it (ledger.tree_groups: its row key, tree_key, is the root's path
 * prefix left-aligned above its depth in the low 6 bits). When the cache holds every node of the tree, the row of a
 * group a write touches is made from the cache alone, its stored row not read first. */

#define GROUP_LEVELS 4

static int word_order(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static PyObject *smt_dirty_groups(PyObject *module, PyObject *args) {
    /* ledger.tree_groups.dirty_group_keys: the row keys of the groups holding the positions of ``dirty`` (an
     * IndexSet) whose roots lie at most ``keyed_depth`` deep, distinct and in order, as native 64-bit words; and the
     * other positions (deeper groups, positions beyond machine words) as a list of ints */
    PyObject *dirty_object;
    int keyed_depth;
    if (!PyArg_ParseTuple(args, "O!i:dirty_groups", &IndexSetType, &dirty_object, &keyed_depth))
        return NULL;
    if (keyed_depth < 0 || keyed_depth > 56)
        return PyErr_Format(PyExc_ValueError, "expected a keyed depth of 0 to 56, found %d", keyed_depth);
    const IndexSet *set = (const IndexSet *)dirty_object;
    PyObject *others = PySequence_List(set->others), *keys = NULL, *result = NULL;
    uint64_t *words = PyMem_RawMalloc((size_t)(set->used > 0 ? set->used : 1) * sizeof(uint64_t));
    if (others == NULL || words == NULL) {
        if (words == NULL)
            PyErr_NoMemory();
        goto done;
    }
    size_t n = 0;
    for (size_t i = 0; set->keys != NULL && i <= set->mask; i++) {
        uint64_t word = set->keys[i];
        if (word == 0)
            continue;
        int depth = 63 - __builtin_clzll(word), root_depth = depth - depth % GROUP_LEVELS;
        if (root_depth > keyed_depth) {
            PyObject *index = PyLong_FromUnsignedLongLong(word);
            int failed = index == NULL || PyList_Append(others, index) < 0;
            Py_XDECREF(index);
            if (failed)
                goto done;
            continue;
        }
        uint64_t root = word >> (depth - root_depth);
        words[n++] = ((root ^ (1ull << root_depth)) << (62 - root_depth)) | (uint64_t)root_depth;
    }
    qsort(words, n, sizeof(uint64_t), word_order);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (distinct == 0 || words[distinct - 1] != words[i])
            words[distinct++] = words[i];
    keys = PyBytes_FromStringAndSize((const char *)words, (Py_ssize_t)(distinct * sizeof(uint64_t)));
    if (keys != NULL)
        result = PyTuple_Pack(2, keys, others);
done:
    PyMem_RawFree(words);
    Py_XDECREF(keys);
    Py_XDECREF(others);
    return result;
}

static PyObject *smt_group_rows(PyObject *module, PyObject *args) {
    /* ledger.tree_groups.cached_rows: for the keys ``keys[start:stop]`` (native 64-bit words, dirty_groups's), the
     * rows (key, row) of the groups the NodeTable ``nodes`` holds nodes of, in the stored form of
     * ledger.tree_groups.encode (a node whose parent is absent or a leaf is not looked for: there is none in a
     * tree), and the keys of those it holds none of, as one-item tuples (executemany's parameters) */
    PyObject *nodes_object;
    Py_buffer keys;
    Py_ssize_t start, stop;
    if (!PyArg_ParseTuple(args, "O!y*nn:group_rows", &NodeTableType, &nodes_object, &keys, &start, &stop))
        return NULL;
    const NodeTable *table = (const NodeTable *)nodes_object;
    Py_ssize_t count = keys.len / (Py_ssize_t)sizeof(uint64_t);
    PyObject *rows = PyList_New(0), *gone = PyList_New(0), *result = NULL;
    if (keys.len % (Py_ssize_t)sizeof(uint64_t) != 0) {
        PyErr_Format(PyExc_ValueError, "expected keys of 8 bytes each, found %zd bytes", keys.len);
        goto done;
    }
    if (start < 0)
        start = 0;
    if (stop > count)
        stop = count;
    for (Py_ssize_t i = start; rows != NULL && gone != NULL && i < stop; i++) {
        uint64_t key;
        memcpy(&key, (const char *)keys.buf + i * (Py_ssize_t)sizeof(uint64_t), sizeof key);
        int root_depth = (int)(key & 63);
        if (root_depth > 56) {
            PyErr_Format(PyExc_ValueError, "expected a group key of depth 56 at most, found depth %d", root_depth);
            goto done;
        }
        uint64_t root = (1ull << root_depth) | (key >> (62 - root_depth));
        unsigned char row[4 + 15 * LEAF];
        size_t at = 4;
        unsigned held = 0, leaves = 0;
        for (unsigned slot = 1; slot < (1u << GROUP_LEVELS); slot++) {
            int level = 31 - __builtin_clz(slot);
            unsigned parent = slot >> 1;
            if (slot > 1 && (!(held >> parent & 1) || (leaves >> parent & 1)))
                continue; /* below an absent node or a leaf: nothing */
            View entry = table_view(table, table_find(table, (root << level) | (slot ^ (1u << level))));
            if (entry.data == NULL)
                continue;
            held |= 1u << slot;
            if (entry.size == LEAF)
                leaves |= 1u << slot;
            memcpy(row + at, entry.data, (size_t)entry.size);
            at += (size_t)entry.size;
        }
        PyObject *key_object = PyLong_FromUnsignedLongLong(key), *item = NULL;
        if (key_object != NULL && held == 0) {
            item = PyTuple_Pack(1, key_object);
        } else if (key_object != NULL) {
            row[0] = (unsigned char)(held >> 8);
            row[1] = (unsigned char)held;
            row[2] = (unsigned char)(leaves >> 8);
            row[3] = (unsigned char)leaves;
            PyObject *stored = PyBytes_FromStringAndSize((const char *)row, (Py_ssize_t)at);
            item = stored == NULL ? NULL : PyTuple_Pack(2, key_object, stored);
            Py_XDECREF(stored);
        }
        Py_XDECREF(key_object);
        if (item == NULL || PyList_Append(held == 0 ? gone : rows, item) < 0) {
            Py_XDECREF(item);
            goto done;
        }
        Py_DECREF(item);
    }
    if (rows != NULL && gone != NULL)
        result = PyTuple_Pack(2, rows, gone);
done:
    PyBuffer_Release(&keys);
    Py_XDECREF(rows);
    Py_XDECREF(gone);
    return result;
}

/* ---- a stored tree loaded whole (ledger.state_tree.StoredTree.load_whole) ------------------------------------
 *
 * A restart after a crash whose logged keys reach most of the tree loads all of it at once rather than walk down to
 * each key: its rows read in key order (one pass over the table), their nodes put straight into the NodeTable
 * (load_groups), then every node checked against its parent at once (check_whole), where _load_pairs checks a pair as
 * it loads it. state_tree._load_groups and _check_whole are the reference (tests/ledger/test_state_tree_whole.py). */

typedef struct {
    uint64_t root;             /* the group's root's heap index */
    unsigned held, leaves;     /* its masks */
    const unsigned char *data; /* its nodes, in slot order */
} GroupRow;

static Py_ssize_t put_groups(NodeTable *table, const GroupRow *groups, Py_ssize_t count) {
    /* load_groups's puts, with or without the GIL: how many were put, -1 (out of memory) */
    Py_ssize_t put = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        const unsigned char *next = groups[i].data;
        for (unsigned slot = 1; slot < (1u << GROUP_LEVELS); slot++) {
            if (!(groups[i].held >> slot & 1))
                continue;
            Py_ssize_t size = groups[i].leaves >> slot & 1 ? LEAF : HASH;
            int level = 31 - __builtin_clz(slot);
            uint64_t index = (groups[i].root << level) | (slot ^ (1u << level));
            int added = table_put_absent(table, index, next, size);
            if (added < 0)
                return -1;
            put += added;
            next += size;
        }
    }
    return put;
}

static PyObject *smt_load_groups(PyObject *module, PyObject *args) {
    /* state_tree._load_groups: the nodes of the stored groups ``rows`` (a list of (int key, row): ledger.tree_groups'
     * keyed rows) put into the NodeTable ``nodes`` at the positions it holds nothing at (what it holds is the same
     * or newer), unchecked; returns how many were put. ``expected``: how many entries the table is about to hold,
     * its slots made once for them. A row that is not what the node writes raises ValueError, and nothing is put.
     * The rows are read holding the GIL, and their nodes put without it (the node that starts reads the next rows
     * meanwhile: ledger.state_tree's load_whole); nothing else may touch the table meanwhile. */
    PyObject *nodes_object, *rows;
    Py_ssize_t expected = 0;
    if (!PyArg_ParseTuple(args, "O!O!|n:load_groups", &NodeTableType, &nodes_object, &PyList_Type, &rows, &expected))
        return NULL;
    NodeTable *table = (NodeTable *)nodes_object;
    Py_ssize_t count = PyList_GET_SIZE(rows);
    GroupRow *groups = PyMem_RawMalloc((size_t)(count > 0 ? count : 1) * sizeof(GroupRow));
    if (groups == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(rows, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 || !PyLong_Check(PyTuple_GET_ITEM(item, 0))
            || !PyBytes_Check(PyTuple_GET_ITEM(item, 1))) {
            PyErr_Format(PyExc_TypeError, "expected rows of (int key, bytes row), found %.80s", Py_TYPE(item)->tp_name);
            goto failed;
        }
        unsigned long long key, root;
        if (group_root_of(PyTuple_GET_ITEM(item, 0), &key, &root) < 0)
            goto failed;
        const unsigned char *data = (const unsigned char *)PyBytes_AS_STRING(PyTuple_GET_ITEM(item, 1));
        Py_ssize_t length = PyBytes_GET_SIZE(PyTuple_GET_ITEM(item, 1));
        unsigned held = length < 4 ? 0 : (unsigned)data[0] << 8 | data[1];
        unsigned leaves = length < 4 ? 0 : (unsigned)data[2] << 8 | data[3];
        if (length < 4 || (held & 1) || (leaves & ~held)) {
            PyErr_Format(PyExc_ValueError, "expected the state tree's row %llu to hold masks naming slots 1 to 15, "
                         "the leaves among the nodes held, found %zd bytes (held 0x%04x, leaves 0x%04x)", key, length,
                         held, leaves);
            goto failed;
        }
        Py_ssize_t size = 4 + HASH * __builtin_popcount(held) + (LEAF - HASH) * __builtin_popcount(leaves);
        if (length != size) {
            PyErr_Format(PyExc_ValueError, "expected the state tree's row %llu to hold %zd bytes for the nodes its "
                         "masks name, found %zd", key, size, length);
            goto failed;
        }
        groups[i] = (GroupRow){root, held, leaves, data + 4};
    }
    size_t slots = table->mask + 1;
    while ((size_t)expected * 4 > slots * 3)
        slots *= 2;
    if (slots > table->mask + 1 && table_resize(table, slots) < 0)
        goto failed;
    released = PyEval_SaveThread(); /* the rows' bytes stay alive in ``rows``, which the caller holds */
    Py_ssize_t put = put_groups(table, groups, count);
    PyEval_RestoreThread(released);
    released = NULL;
    PyMem_RawFree(groups);
    return put < 0 ? NULL : PyLong_FromSsize_t(put);
failed:
    PyMem_RawFree(groups);
    return NULL;
}

static PyObject *smt_check_whole(PyObject *module, PyObject *nodes_object) {
    /* state_tree._check_whole: whether the NodeTable ``nodes`` holds a tree whose every node is checked against the
     * root: each node but the root below an internal node, each internal node the hash of its children's (an absent
     * child: the empty subtree's). None, or the problem at the lowest position: (position, None) for a node below no
     * internal node, (an internal node's position, the hash its children give) for one they do not hash to. Hashed
     * without the GIL; nothing else may touch the table meanwhile. */
    if (!Py_IS_TYPE(nodes_object, &NodeTableType))
        return PyErr_Format(PyExc_TypeError, "expected a NodeTable, found %.80s", Py_TYPE(nodes_object)->tp_name);
    const NodeTable *t = (const NodeTable *)nodes_object;
    if (PyDict_GET_SIZE(t->others) != 0)
        return PyErr_Format(PyExc_ValueError, "expected positions below 2^63 only, found %zd beyond",
                            PyDict_GET_SIZE(t->others));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new(); /* hashed without the GIL, as load_groups puts */
    if (ctx == NULL)
        return PyErr_NoMemory();
    own_ctx = ctx;
    released = PyEval_SaveThread();
    /* Each node has one place its parent can be: the children the internal nodes find, and the root, are every node
     * the table holds unless some node lies below no internal node, which a second pass then looks for. */
    uint64_t worst = 0; /* the lowest position of a problem found: 0, none */
    int orphan = 0, failed = 0;
    Py_ssize_t below = 0; /* children found below internal nodes */
    unsigned char computed[HASH], worst_hash[HASH], left_scratch[HASH], right_scratch[HASH];
    for (size_t i = 0; t->keys != NULL && i <= t->mask && !failed; i++) {
        uint64_t key = t->keys[i];
        if (key == 0)
            continue;
        View entry = table_view(t, (Py_ssize_t)i);
        if (entry.size != HASH)
            continue;
        View left = key >= (1ull << 62) ? ABSENT : table_view(t, table_find(t, 2 * key));
        View right = key >= (1ull << 62) ? ABSENT : table_view(t, table_find(t, 2 * key + 1));
        below += (left.data != NULL) + (right.data != NULL);
        const unsigned char *left_hash = hash_of(left, left_scratch), *right_hash = hash_of(right, right_scratch);
        if (left_hash == NULL || right_hash == NULL || sha256_of(1, left_hash, right_hash, computed) < 0) {
            failed = 1;
        } else if (memcmp(computed, entry.data, HASH) != 0 && (worst == 0 || key < worst)) {
            worst = key;
            memcpy(worst_hash, computed, HASH);
        }
    }
    Py_ssize_t rooted = below + (table_find(t, 1) >= 0);
    for (size_t i = 0; t->keys != NULL && rooted != t->used && i <= t->mask && !failed; i++) {
        uint64_t key = t->keys[i];
        if (key <= 1 || (worst != 0 && key > worst)) /* at the same position, lying below none is what is said */
            continue;
        View parent = table_view(t, table_find(t, key >> 1));
        if (parent.data == NULL || parent.size != HASH) {
            worst = key;
            orphan = 1;
        }
    }
    PyEval_RestoreThread(released);
    released = NULL;
    own_ctx = NULL;
    EVP_MD_CTX_free(ctx);
    if (failed)
        return NULL;
    if (worst == 0)
        Py_RETURN_NONE;
    if (orphan)
        return Py_BuildValue("(KO)", (unsigned long long)worst, Py_None);
    return Py_BuildValue("(Ky#)", (unsigned long long)worst, (const char *)worst_hash, (Py_ssize_t)HASH);
}

/* ---- RFC 6962 (ledger_lite.merkle) ----------------------------------------------------------------------- */

static PyObject *merkle_root(PyObject *module, PyObject *leaves) {
    /* ledger_lite.merkle.merkle_root: leaves hashed H(0 || data), then paired left to right level by level, an
     * odd last node carried up (which is RFC 6962's split tree); the levels are computed in place. */
    PyObject *seq = PySequence_Fast(leaves, "expected a sequence of bytes leaves");
    if (seq == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    unsigned char *level = PyMem_Malloc(count > 0 ? (size_t)count * HASH : HASH);
    if (level == NULL) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    int failed = 0;
    if (count == 0)
        failed = EVP_Digest("", 0, level, NULL, sha256_md, NULL) != 1;
    for (Py_ssize_t i = 0; i < count && !failed; i++) {
        Py_buffer data; /* bytes, or any bytes-like object, as the Python levels take */
        if (!PyObject_CheckBuffer(items[i]) || PyObject_GetBuffer(items[i], &data, PyBUF_SIMPLE) < 0) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "expected bytes leaves, found %.80s at %zd", Py_TYPE(items[i])->tp_name, i);
            failed = -1;
            break;
        }
        const unsigned char prefix = 0;
        failed = start_digest(digest_ctx) < 0 || EVP_DigestUpdate(digest_ctx, &prefix, 1) != 1
                 || EVP_DigestUpdate(digest_ctx, data.buf, (size_t)data.len) != 1
                 || EVP_DigestFinal_ex(digest_ctx, level + i * HASH, NULL) != 1;
        PyBuffer_Release(&data);
    }
    if (failed > 0)
        PyErr_SetString(PyExc_RuntimeError, "expected OpenSSL to hash a Merkle leaf, found it failing");
    for (Py_ssize_t size = count; size > 1 && !failed; size = (size + 1) / 2) {
        for (Py_ssize_t i = 0; i + 1 < size && !failed; i += 2)
            failed = sha256_of(1, level + i * HASH, level + (i + 1) * HASH, level + (i / 2) * HASH);
        if (size % 2)
            memmove(level + (size / 2) * HASH, level + (size - 1) * HASH, HASH);
    }
    Py_DECREF(seq);
    PyObject *root = failed ? NULL : PyBytes_FromStringAndSize((const char *)level, HASH);
    PyMem_Free(level);
    return root;
}

static PyMethodDef methods[] = {
    {"apply", smt_apply, METH_VARARGS,
     "apply(nodes, paths, values, old, touched) -> leaves added - removed: smt_tree._apply over the whole tree"},
    {"build", smt_build, METH_VARARGS, "build(nodes, paths, values, touched) -> root: smt_tree._build of a new tree"},
    {"leaf", smt_leaf, METH_VARARGS, "leaf(nodes, path) -> the leaf's entry or None: SparseMerkleTree._leaf"},
    {"load_pairs", smt_load_pairs, METH_VARARGS,
     "load_pairs(nodes, indexes, found) -> None or the problem: StoredTree._load_pairs's check and caching"},
    {"loaded_below", smt_loaded_below, METH_VARARGS,
     "loaded_below(level, found) -> the children of level found as internal nodes with a child found: _load_pairs"},
    {"walk", smt_walk, METH_VARARGS,
     "walk(nodes, waiting, shared_walks, touched) -> (cold, stopped): one pass of StoredTree._reach's walks"},
    {"cold_below", smt_cold_below, METH_VARARGS,
     "cold_below(nodes, indexes) -> the cached internal nodes at or below indexes whose children are on disk"},
    {"pending", smt_pending, METH_VARARGS,
     "pending(nodes, dirty) -> (indexes, stored, rows, deleted), deepest first: StoredTree.pending"},
    {"dirty_groups", smt_dirty_groups, METH_VARARGS,
     "dirty_groups(dirty, keyed_depth) -> (keys, others): ledger.tree_groups.dirty_group_keys"},
    {"group_rows", smt_group_rows, METH_VARARGS,
     "group_rows(nodes, keys, start, stop) -> (rows, gone): ledger.tree_groups.cached_rows"},
    {"load_groups", smt_load_groups, METH_VARARGS,
     "load_groups(nodes, rows, expected=0) -> nodes put: state_tree._load_groups, the groups' nodes put unchecked"},
    {"check_whole", smt_check_whole, METH_O,
     "check_whole(nodes) -> None or the problem at the lowest position: state_tree._check_whole"},
    {"merkle_root", merkle_root, METH_O, "merkle_root(leaves) -> the RFC 6962 root: ledger_lite.merkle.merkle_root"},
    {NULL, NULL, 0, NULL},
};

static void free_module(void *module) {
    EVP_MD_CTX_free(digest_ctx);
    EVP_MD_CTX_free(fresh_ctx);
    EVP_MD_free(sha256_md);
    digest_ctx = NULL;
    fresh_ctx = NULL;
    sha256_md = NULL;
}

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "ledger_lite._smt_native",
    "The batch update of ledger_lite.smt_tree, compiled (see _smt_native.c).", -1, methods,
    NULL, NULL, NULL, free_module,
};

PyMODINIT_FUNC PyInit__smt_native(void) {
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    digest_ctx = EVP_MD_CTX_new();
    fresh_ctx = EVP_MD_CTX_new();
    if (sha256_md == NULL || digest_ctx == NULL || fresh_ctx == NULL
        || EVP_DigestInit_ex(fresh_ctx, sha256_md, NULL) != 1)
        return PyErr_Format(PyExc_ImportError, "expected OpenSSL to provide SHA-256, found it missing");
    if (PyType_Ready(&NodeTableType) < 0 || PyType_Ready(&IndexSetType) < 0 || PyType_Ready(&LruOrderType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&module_def);
    if (module != NULL && (PyModule_AddObjectRef(module, "NodeTable", (PyObject *)&NodeTableType) < 0
                           || PyModule_AddObjectRef(module, "IndexSet", (PyObject *)&IndexSetType) < 0
                           || PyModule_AddObjectRef(module, "LruOrder", (PyObject *)&LruOrderType) < 0
                           || PyModule_AddIntConstant(module, "BUILD", MODULE_BUILD) < 0))
        Py_CLEAR(module);
    return module;
}
