/* A node's CBOR, compiled: the two encodings it makes of every value a block writes, the decoding of every
 * transaction it admits, and the rows of its state tree.
 *
 * encode_map is ledger.state_encoding.encode_state for the values rules write most (a reading's asset, an
 * allocation, a certified asset, a meter's reported intervals): a dict whose keys are text and whose values are
 * text, bytes, integers, booleans, None or lists of those (lists nested up to MAX_NESTING deep). It writes the
 * canonical CBOR that cbor2.dumps(value, canonical=True) writes (RFC 8949 length-first key order: shorter keys
 * first, then bytewise), and answers None for anything else (a nested map, a float, an integer past 64 bits, a
 * subclass, a tuple), which the caller then encodes with cbor2. These bytes are what a state leaf commits to:
 * tests/ledger/test_state_encoding.py checks them against cbor2's over seeded random maps and edges.
 *
 * pack_asset is ledger.compact.pack_value for an asset record: the tag FORM_ASSET and a CBOR array of the nine
 * fields in their fixed order (meter and owner as their 20 raw bytes, the end as the length, the expiry after
 * the end, the trade's index), then any further fields as a map in their order, as cbor2.dumps writes that
 * list. It answers None when a field is missing or not of its exact type, an address is not in the caller's table
 * of raw addresses, or a number does not fit; the Python code (the reference) then does the same work.
 *
 * unpack_asset is ledger.compact.unpack_value for what pack_asset writes (an asset of the nine fields): the value
 * with its keys in the order the Python code makes them, and its canonical CBOR (1.8 -> 1.2 us a swept asset, the
 * call included).
 *
 * Measured with timeit on a certified asset: encode_state 2.7 -> 0.3 us, pack_value 4.0 -> 0.9 us; the Python
 * spent most of it making and walking objects around cbor2's own encoder (docs/performance.md).
 *
 * decode_canonical is ledger_lite.encoding.decode for the bytes it takes: it answers their value only when they
 * are canonical CBOR made of what the ledger encodes (integers of up to 64 bits, byte and UTF-8 text strings,
 * arrays, maps with text keys in canonical order, false, true and null, nested at most MAX_DEPTH levels below the
 * top, every head as short as it can be, every length definite, nothing after the item), and None for anything
 * else: a tag, a float, another simple value, a longer head, an indefinite length, a key that is not text or
 * comes out of order (a duplicate among them), deeper nesting, invalid UTF-8, bytes left over, a truncation. The
 * reference then decides, and says why it refuses. So this code only ever accepts what the reference accepts, with
 * the same value: tests/ledger/test_envelope.py checks that over mutated envelopes and edges.
 *
 * GroupChanges, group_keys and group_nodes are ledger.tree_groups' of the same names: the state tree's rows are groups
 * of four levels of it (up to 15 nodes: two 16-bit masks, then the nodes), and a write of the tree (one every 60,000
 * readings or so) touches ~120,000 of them. GroupChanges sorts a write's changes by group once and names the groups in
 * key order (SQLite then walks its B-tree once from one end to the other instead of seeking a page for each); its
 * stored() merges the stored rows of a range of them with their changes into the rows to store (or the keys to delete),
 * a range at a time so that a write holds a few thousand rows at once, not all. group_nodes gives a read's rows back as
 * heap index -> node, and group_keys names the rows a read of many positions needs (a restarted node loading its tree
 * asks for millions). A row that is not what the node writes (masks naming slot 0 or leaves it does not hold, a length
 * other than they name) raises ValueError, which ledger.tree_groups turns into the store's error.
 */
#define MODULE_BUILD 7 /* this module's interface: ledger.state_encoding.CODEC_BUILD says the same */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../ledger_lite/_group_key.h"

#define MAX_KEYS 64   /* a flat map with more keys is left to cbor2 */
#define FORM_ASSET 1  /* ledger.compact.FORM_ASSET */

typedef struct {
    char *data;
    Py_ssize_t size, used;
} Buffer;

static int reserve(Buffer *out, Py_ssize_t more) {
    if (out->used + more <= out->size)
        return 0;
    Py_ssize_t size = out->size * 2 > out->used + more ? out->size * 2 : out->used + more + 64;
    char *grown = PyMem_Realloc(out->data, (size_t)size);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    out->data = grown;
    out->size = size;
    return 0;
}

/* A CBOR head: major type and argument, in the fewest bytes (RFC 8949 4.2.1). */
static int put_head(Buffer *out, unsigned major, uint64_t argument) {
    if (reserve(out, 9) < 0)
        return -1;
    unsigned char *at = (unsigned char *)out->data + out->used;
    major <<= 5;
    int extra;
    if (argument < 24) {
        at[0] = (unsigned char)(major | argument);
        extra = 0;
    } else if (argument <= 0xff) {
        at[0] = (unsigned char)(major | 24);
        extra = 1;
    } else if (argument <= 0xffff) {
        at[0] = (unsigned char)(major | 25);
        extra = 2;
    } else if (argument <= 0xffffffffULL) {
        at[0] = (unsigned char)(major | 26);
        extra = 4;
    } else {
        at[0] = (unsigned char)(major | 27);
        extra = 8;
    }
    for (int i = 0; i < extra; i++)
        at[1 + i] = (unsigned char)(argument >> (8 * (extra - 1 - i)));
    out->used += 1 + extra;
    return 0;
}

static int put_bytes(Buffer *out, unsigned major, const char *data, Py_ssize_t size) {
    if (put_head(out, major, (uint64_t)size) < 0 || reserve(out, size) < 0)
        return -1;
    memcpy(out->data + out->used, data, (size_t)size);
    out->used += size;
    return 0;
}

/* A signed machine integer as CBOR: major 0 for n >= 0, major 1 with -1 - n below. */
static int put_int(Buffer *out, long long n) {
    return n >= 0 ? put_head(out, 0, (uint64_t)n) : put_head(out, 1, (uint64_t)(-1 - n));
}

/* One scalar as CBOR: 1 written, 0 not a scalar this module writes (nothing written), -1 an error set. */
static int put_scalar(Buffer *out, PyObject *value) {
    if (value == Py_None || value == Py_True || value == Py_False) {
        if (reserve(out, 1) < 0)
            return -1;
        out->data[out->used++] = (char)(value == Py_None ? 0xf6 : value == Py_True ? 0xf5 : 0xf4);
        return 1;
    }
    if (PyUnicode_CheckExact(value)) {
        Py_ssize_t size;
        const char *text = PyUnicode_AsUTF8AndSize(value, &size);
        if (text == NULL) { /* not encodable as UTF-8 (a lone surrogate): cbor2 says so */
            PyErr_Clear();
            return 0;
        }
        return put_bytes(out, 3, text, size) < 0 ? -1 : 1;
    }
    if (PyBytes_CheckExact(value))
        return put_bytes(out, 2, PyBytes_AS_STRING(value), PyBytes_GET_SIZE(value)) < 0 ? -1 : 1;
    if (PyLong_CheckExact(value)) {
        int overflow;
        long long n = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (n == -1 && PyErr_Occurred())
            return -1;
        if (!overflow)
            return put_int(out, n) < 0 ? -1 : 1;
        if (overflow > 0) { /* 2^63 .. 2^64 - 1 still has a plain head */
            unsigned long long u = PyLong_AsUnsignedLongLong(value);
            if (u == (unsigned long long)-1 && PyErr_Occurred()) {
                PyErr_Clear();
                return 0;
            }
            return put_head(out, 0, u) < 0 ? -1 : 1;
        }
        return 0; /* below -2^63: left to cbor2 */
    }
    return 0;
}

#define MAX_NESTING 4 /* lists within lists a map value may hold; deeper ones are left to cbor2 */

/* A map's value as CBOR: a scalar, or an exact list of such values (an array; a meter's intervals are a list of
 * [start, end] pairs), ``depth`` lists deep already. 1 written, 0 not a value this module writes (the caller drops
 * what was written), -1 an error set. */
static int put_value(Buffer *out, PyObject *value, int depth) {
    if (!PyList_CheckExact(value))
        return put_scalar(out, value);
    if (depth >= MAX_NESTING)
        return 0;
    Py_ssize_t count = PyList_GET_SIZE(value);
    if (put_head(out, 4, (uint64_t)count) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < count; i++) {
        /* nothing here runs Python code, so the list keeps its length and items while it is written */
        int written = put_value(out, PyList_GET_ITEM(value, i), depth + 1);
        if (written != 1)
            return written;
    }
    return 1;
}

typedef struct {
    const char *text;
    Py_ssize_t size;
    PyObject *value;
} Entry;

/* RFC 8949 length-first order of text keys: shorter first, then bytewise. */
static int before(const Entry *a, const Entry *b) {
    if (a->size != b->size)
        return a->size < b->size;
    return memcmp(a->text, b->text, (size_t)a->size) < 0;
}

static PyObject *encode_map(PyObject *self, PyObject *value) {
    if (!PyDict_CheckExact(value) || PyDict_GET_SIZE(value) > MAX_KEYS)
        Py_RETURN_NONE;
    Entry entries[MAX_KEYS];
    Py_ssize_t count = 0, pos = 0;
    PyObject *key, *item;
    while (PyDict_Next(value, &pos, &key, &item)) {
        if (!PyUnicode_CheckExact(key))
            Py_RETURN_NONE;
        Entry entry = {NULL, 0, item};
        entry.text = PyUnicode_AsUTF8AndSize(key, &entry.size);
        if (entry.text == NULL) {
            PyErr_Clear();
            Py_RETURN_NONE;
        }
        Py_ssize_t at = count++; /* insertion sort: a state value has a dozen keys at most */
        while (at > 0 && before(&entry, &entries[at - 1])) {
            entries[at] = entries[at - 1];
            at--;
        }
        entries[at] = entry;
    }
    Buffer out = {PyMem_Malloc(256), 256, 0};
    if (out.data == NULL)
        return PyErr_NoMemory();
    int written = put_head(&out, 5, (uint64_t)count) < 0 ? -1 : 1;
    for (Py_ssize_t i = 0; i < count && written == 1; i++) {
        written = put_bytes(&out, 3, entries[i].text, entries[i].size) < 0 ? -1 : 1;
        if (written == 1)
            written = put_value(&out, entries[i].value, 0);
    }
    PyObject *encoded = written == 1 ? PyBytes_FromStringAndSize(out.data, out.used) : NULL;
    PyMem_Free(out.data);
    if (written == 0)
        Py_RETURN_NONE;
    return encoded;
}

/* ledger.compact.ASSET_FIELDS, in the stored order, and TRADES */
static PyObject *field_names[9];
static const char *FIELDS[9] = {"provider", "meter", "method", "start", "end", "wh", "owner", "expires", "trade"};
enum { PROVIDER, METER, METHOD, START, END, WH, OWNER, EXPIRES, TRADE };
static PyObject *trade_names[2];

static int is_field(PyObject *key) {
    if (!PyUnicode_Check(key)) /* as a dict of text keys answers */
        return 0;
    for (int i = 0; i < 9; i++)
        if (key == field_names[i])
            return 1;
    for (int i = 0; i < 9; i++) {
        int same = PyUnicode_Compare(key, field_names[i]);
        if (same == -1 && PyErr_Occurred())
            return -1;
        if (same == 0)
            return 1;
    }
    return 0;
}

/* An exact int that fits a machine word: 1 (in *n), 0 not one. */
static int small_int(PyObject *value, long long *n) {
    if (!PyLong_CheckExact(value))
        return 0;
    int overflow;
    *n = PyLong_AsLongLongAndOverflow(value, &overflow);
    return !overflow && !(*n == -1 && PyErr_Occurred());
}

static PyObject *pack_asset(PyObject *self, PyObject *args) {
    PyObject *value, *raw_addresses;
    if (!PyArg_ParseTuple(args, "O!O!:pack_asset", &PyDict_Type, &value, &PyDict_Type, &raw_addresses))
        return NULL;
    if (!PyDict_CheckExact(value))
        Py_RETURN_NONE;
    PyObject *field[9];
    for (int i = 0; i < 9; i++) {
        field[i] = PyDict_GetItemWithError(value, field_names[i]); /* borrowed */
        if (field[i] == NULL) {
            if (PyErr_Occurred())
                return NULL;
            Py_RETURN_NONE;
        }
    }
    long long start, end, wh, expires;
    if (!PyUnicode_CheckExact(field[PROVIDER]) || !PyUnicode_CheckExact(field[METHOD])
        || !PyUnicode_CheckExact(field[METER]) || !PyUnicode_CheckExact(field[OWNER])
        || !small_int(field[START], &start) || !small_int(field[END], &end) || !small_int(field[WH], &wh)
        || !small_int(field[EXPIRES], &expires)) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    long long trade = -1;
    for (int i = 0; i < 2 && trade < 0; i++) {
        int same = PyUnicode_CheckExact(field[TRADE]) ? PyUnicode_Compare(field[TRADE], trade_names[i]) : 1;
        if (same == -1 && PyErr_Occurred())
            return NULL;
        if (same == 0)
            trade = i;
    }
    PyObject *meter = PyDict_GetItemWithError(raw_addresses, field[METER]);
    PyObject *owner = meter == NULL ? NULL : PyDict_GetItemWithError(raw_addresses, field[OWNER]);
    if (PyErr_Occurred())
        return NULL;
    /* the differences as Python computes them, within a machine word */
    long long length, after;
    if (trade < 0 || owner == NULL || !PyBytes_CheckExact(meter) || !PyBytes_CheckExact(owner)
        || __builtin_sub_overflow(end, start, &length) || __builtin_sub_overflow(expires, end, &after))
        Py_RETURN_NONE;
    Py_ssize_t extra = PyDict_GET_SIZE(value) - 9;
    Buffer out = {PyMem_Malloc(160), 160, 0};
    if (out.data == NULL)
        return PyErr_NoMemory();
    out.data[out.used++] = FORM_ASSET;
    int written = 1;
    if (put_head(&out, 4, extra > 0 ? 10 : 9) < 0 || put_scalar(&out, field[PROVIDER]) != 1
        || put_bytes(&out, 2, PyBytes_AS_STRING(meter), PyBytes_GET_SIZE(meter)) < 0
        || put_scalar(&out, field[METHOD]) != 1 || put_int(&out, start) < 0 || put_int(&out, length) < 0
        || put_int(&out, wh) < 0 || put_bytes(&out, 2, PyBytes_AS_STRING(owner), PyBytes_GET_SIZE(owner)) < 0
        || put_int(&out, after) < 0 || put_int(&out, trade) < 0)
        written = PyErr_Occurred() ? -1 : 0;
    if (written == 1 && extra > 0) { /* the further fields, in the record's order */
        written = put_head(&out, 5, (uint64_t)extra) < 0 ? -1 : 1;
        Py_ssize_t pos = 0;
        PyObject *key, *item;
        while (written == 1 && PyDict_Next(value, &pos, &key, &item)) {
            int known = is_field(key);
            if (known != 0) {
                written = known < 0 ? -1 : 1;
                continue;
            }
            written = put_scalar(&out, key);
            if (written == 1)
                written = put_scalar(&out, item);
        }
    }
    PyObject *packed = written == 1 ? PyBytes_FromStringAndSize(out.data, out.used) : NULL;
    PyMem_Free(out.data);
    if (written == 0)
        Py_RETURN_NONE;
    return packed;
}

/* --- decode_canonical ---------------------------------------------------------------------------------- */
#define MAX_DEPTH 16 /* ledger_lite.encoding.MAX_DEPTH */

typedef struct {
    const unsigned char *at, *end;
} Reader;

/* A head's major type and argument; 0 when it is not one this decoder takes (reserved or indefinite, longer than
 * needed, cut short). */
static int read_head(Reader *r, unsigned *major, uint64_t *argument) {
    if (r->at >= r->end)
        return 0;
    unsigned char first = *r->at++;
    unsigned info = first & 31;
    *major = first >> 5;
    if (info < 24) {
        *argument = info;
        return 1;
    }
    int size = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (size == 0 || r->end - r->at < size)
        return 0;
    uint64_t value = 0;
    for (int i = 0; i < size; i++)
        value = value << 8 | r->at[i];
    r->at += size;
    uint64_t least = size == 1 ? 24 : size == 2 ? 0x100 : size == 4 ? 0x10000 : 0x100000000ULL;
    if (value < least)
        return 0;
    *argument = value;
    return 1;
}

/* The item at the reader (at ``depth`` below the top): a new reference, or NULL: with an exception set for a
 * failure of Python's own (memory), without one for bytes this decoder does not take. */
static PyObject *decode_item(Reader *r, int depth) {
    if (depth > MAX_DEPTH || r->at >= r->end)
        return NULL;
    unsigned char first = *r->at;
    if (first >> 5 == 7) { /* only false, true and null */
        r->at++;
        if (first == 0xf4)
            Py_RETURN_FALSE;
        if (first == 0xf5)
            Py_RETURN_TRUE;
        if (first == 0xf6)
            Py_RETURN_NONE;
        return NULL;
    }
    unsigned major;
    uint64_t argument;
    if (!read_head(r, &major, &argument))
        return NULL;
    Py_ssize_t left = r->end - r->at;
    switch (major) {
    case 0:
        return PyLong_FromUnsignedLongLong(argument);
    case 1: { /* -1 - argument */
        if (argument <= (uint64_t)INT64_MAX)
            return PyLong_FromLongLong(-1 - (long long)argument);
        PyObject *magnitude = PyLong_FromUnsignedLongLong(argument);
        if (magnitude == NULL)
            return NULL;
        PyObject *value = PyNumber_Invert(magnitude); /* ~n == -1 - n */
        Py_DECREF(magnitude);
        return value;
    }
    case 2:
        if (argument > (uint64_t)left)
            return NULL;
        r->at += argument;
        return PyBytes_FromStringAndSize((const char *)r->at - argument, (Py_ssize_t)argument);
    case 3: {
        if (argument > (uint64_t)left)
            return NULL;
        r->at += argument;
        PyObject *text = PyUnicode_DecodeUTF8((const char *)r->at - argument, (Py_ssize_t)argument, "strict");
        if (text == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
            PyErr_Clear(); /* invalid UTF-8: the reference's to refuse */
        return text;
    }
    case 4: {
        if (argument > (uint64_t)left) /* every item takes a byte at least */
            return NULL;
        PyObject *list = PyList_New((Py_ssize_t)argument);
        if (list == NULL)
            return NULL;
        for (Py_ssize_t i = 0; i < (Py_ssize_t)argument; i++) {
            PyObject *item = decode_item(r, depth + 1);
            if (item == NULL) {
                Py_DECREF(list);
                return NULL;
            }
            PyList_SET_ITEM(list, i, item);
        }
        return list;
    }
    case 5: {
        if (argument > (uint64_t)left / 2) /* a key and a value take a byte each at least */
            return NULL;
        PyObject *map = PyDict_New();
        if (map == NULL)
            return NULL;
        const unsigned char *last = NULL;
        uint64_t last_size = 0;
        for (uint64_t i = 0; i < argument; i++) {
            unsigned key_major;
            uint64_t size;
            if (r->at >= r->end || *r->at >> 5 != 3 || !read_head(r, &key_major, &size)
                || size > (uint64_t)(r->end - r->at)) {
                Py_DECREF(map);
                return NULL;
            }
            /* canonical order: shorter first, then bytewise; strictly increasing, so no key twice */
            const unsigned char *key_bytes = r->at;
            if (last != NULL && (size < last_size || (size == last_size && memcmp(key_bytes, last, size) <= 0))) {
                Py_DECREF(map);
                return NULL;
            }
            last = key_bytes;
            last_size = size;
            r->at += size;
            PyObject *key = PyUnicode_DecodeUTF8((const char *)key_bytes, (Py_ssize_t)size, "strict");
            if (key == NULL) {
                if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
                    PyErr_Clear();
                Py_DECREF(map);
                return NULL;
            }
            PyObject *value = decode_item(r, depth + 1);
            int failed = value == NULL || PyDict_SetItem(map, key, value) < 0;
            Py_DECREF(key);
            Py_XDECREF(value);
            if (failed) {
                Py_DECREF(map);
                return NULL;
            }
        }
        return map;
    }
    default: /* 6: a tag */
        return NULL;
    }
}

static PyObject *decode_canonical(PyObject *self, PyObject *data) {
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    Reader reader = {(const unsigned char *)view.buf, (const unsigned char *)view.buf + view.len};
    PyObject *value = decode_item(&reader, 0);
    PyBuffer_Release(&view);
    if (value == NULL)
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    if (reader.at != reader.end) { /* bytes after the item */
        Py_DECREF(value);
        Py_RETURN_NONE;
    }
    return value;
}

/* --- unpack_asset --------------------------------------------------------------------------------------- */

/* The field of a decoded packed asset at ``i`` as a machine integer: 1 (in *n), 0 not one. */
static int int_at(PyObject *fields, Py_ssize_t i, long long *n) {
    int fits = small_int(PyList_GET_ITEM(fields, i), n);
    PyErr_Clear(); /* decoded integers are exact ints: only a value past a machine word gets here */
    return fits;
}

/* unpack_asset(body, addresses) is ledger.compact.unpack_value for the body (after its tag) of a stored asset of the
 * nine fields pack_asset writes, no further ones: (its canonical CBOR, its value), the value's keys in the order
 * unpack_value makes them. ``addresses`` is that module's table of 20 raw bytes -> address text. None for anything
 * else (further fields, an address not in the table yet, bytes that are not such an array, a sum past a machine
 * word): the Python code, the reference, then unpacks it or says what is wrong with it. */
static PyObject *unpack_asset(PyObject *self, PyObject *args) {
    PyObject *body, *addresses;
    if (!PyArg_ParseTuple(args, "O!O!:unpack_asset", &PyBytes_Type, &body, &PyDict_Type, &addresses))
        return NULL;
    Reader reader = {(const unsigned char *)PyBytes_AS_STRING(body),
                     (const unsigned char *)PyBytes_AS_STRING(body) + PyBytes_GET_SIZE(body)};
    PyObject *fields = decode_item(&reader, 0);
    if (fields == NULL) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    PyObject *value = NULL, *result = NULL;
    long long start, length, after, trade, end, expires;
    if (reader.at != reader.end || !PyList_CheckExact(fields) || PyList_GET_SIZE(fields) != 9)
        goto unknown;
    PyObject *provider = PyList_GET_ITEM(fields, PROVIDER), *meter_raw = PyList_GET_ITEM(fields, METER),
             *method = PyList_GET_ITEM(fields, METHOD), *wh = PyList_GET_ITEM(fields, WH),
             *owner_raw = PyList_GET_ITEM(fields, OWNER);
    if (!PyUnicode_CheckExact(provider) || !PyUnicode_CheckExact(method) || !PyLong_CheckExact(wh)
        || !PyBytes_CheckExact(meter_raw) || !PyBytes_CheckExact(owner_raw) || !int_at(fields, START, &start)
        || !int_at(fields, END, &length) || !int_at(fields, EXPIRES, &after) || !int_at(fields, TRADE, &trade)
        || trade < 0 || trade > 1 || __builtin_add_overflow(start, length, &end)
        || __builtin_add_overflow(end, after, &expires))
        goto unknown;
    PyObject *meter = PyDict_GetItemWithError(addresses, meter_raw); /* borrowed */
    PyObject *owner = meter == NULL ? NULL : PyDict_GetItemWithError(addresses, owner_raw);
    if (owner == NULL) {
        if (PyErr_Occurred())
            goto done;
        goto unknown;
    }
    PyObject *end_obj = PyLong_FromLongLong(end), *expires_obj = PyLong_FromLongLong(expires);
    PyObject *start_obj = PyList_GET_ITEM(fields, START);
    PyObject *items[9][2] = {{field_names[WH], wh}, {field_names[END], end_obj}, {field_names[METER], meter},
                             {field_names[OWNER], owner}, {field_names[START], start_obj},
                             {field_names[TRADE], trade_names[trade]}, {field_names[METHOD], method},
                             {field_names[EXPIRES], expires_obj}, {field_names[PROVIDER], provider}};
    value = end_obj == NULL || expires_obj == NULL ? NULL : PyDict_New();
    for (int i = 0; i < 9 && value != NULL; i++)
        if (PyDict_SetItem(value, items[i][0], items[i][1]) < 0)
            Py_CLEAR(value);
    Py_XDECREF(end_obj);
    Py_XDECREF(expires_obj);
    if (value == NULL)
        goto done;
    PyObject *encoded = encode_map(NULL, value);
    if (encoded == NULL || encoded == Py_None) { /* every field is a scalar it writes: only a failure gets here */
        Py_XDECREF(encoded);
        goto done;
    }
    result = PyTuple_Pack(2, encoded, value);
    Py_DECREF(encoded);
    goto done;
unknown:
    result = Py_NewRef(Py_None);
done:
    Py_DECREF(fields);
    Py_XDECREF(value);
    return result;
}

/* --- tree groups (ledger.tree_groups) ---------------------------------------------------------------------- */

#define GROUP_LEVELS 4
#define GROUP_SLOTS 16 /* slots 1..15; 0 unused */
#define HASH_SIZE 32
#define LEAF_SIZE 64

typedef struct {
    unsigned long long key; /* the group's row key (ledger.tree_groups.tree_key of its root) */
    const char *node;       /* in the caller's rows or packed nodes (held by GroupChanges); NULL: emptied */
    uint32_t seq;           /* its place among the changes: a later one of the same slot wins */
    uint16_t slot;          /* 1..15 */
    uint16_t size;          /* HASH_SIZE or LEAF_SIZE */
} Change;
#define LEAF_FLAG (1ull << 63) /* a packed position's top bit: a leaf's (ledger_lite/_smt_native.c, smt_pending) */

static int change_before(const void *a, const void *b) {
    const Change *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    if (x->slot != y->slot)
        return x->slot - y->slot;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The key of the group holding heap index ``u`` (at least 1) and the node's slot in it, when the group's root is at
 * most ``keyed_depth`` deep (1), or a deeper position (0): ledger.tree_groups.group_of and tree_key. */
static int group_of_word(unsigned long long u, int keyed_depth, unsigned long long *key, int *slot) {
    int depth = 63 - __builtin_clzll(u);
    int level = depth % GROUP_LEVELS, top = depth - level;
    if (top > keyed_depth)
        return 0;
    unsigned long long root = u >> level;
    *key = ((root ^ (1ULL << top)) << (62 - top)) | (unsigned long long)top;
    *slot = (1 << level) | (int)(u & ((1ULL << level) - 1));
    return 1;
}

/* group_of_word of an int position: 1 or 0 as there, -1 on an error. */
static int group_at(PyObject *index, int keyed_depth, unsigned long long *key, int *slot) {
    if (!PyLong_Check(index) || PyBool_Check(index)) {
        PyErr_Format(PyExc_TypeError, "expected an int position, found %.80s", Py_TYPE(index)->tp_name);
        return -1;
    }
    int overflow;
    long long n = PyLong_AsLongLongAndOverflow(index, &overflow);
    if (n == -1 && PyErr_Occurred())
        return -1;
    if (overflow > 0)
        return 0;
    if (overflow < 0 || n < 1) {
        PyErr_SetString(PyExc_ValueError, "expected a position of at least 1 (the root), found less");
        return -1;
    }
    return group_of_word((unsigned long long)n, keyed_depth, key, slot);
}

/* The changes of ``rows`` (position, node), of the packed positions ``indexes`` with their nodes one after another in
 * ``nodes`` (ledger_lite/_smt_native.c, smt_pending), and of ``deleted`` (positions), in that order, in groups keyed
 * down to ``keyed_depth``, in (key, slot) order, in *out (PyMem); the others appended to deep_rows and deep_deleted.
 * -1 on an error. */
static Py_ssize_t collect_changes(PyObject *rows, PyObject *indexes, PyObject *nodes, PyObject *deleted,
                                  int keyed_depth, Change **out, PyObject *deep_rows, PyObject *deep_deleted) {
    Py_ssize_t n_rows = PyList_GET_SIZE(rows), n_packed = PyBytes_GET_SIZE(indexes) / 8;
    Py_ssize_t n_gone = PyList_GET_SIZE(deleted), n = 0, total = n_rows + n_packed + n_gone;
    if (PyBytes_GET_SIZE(indexes) % 8 != 0) {
        PyErr_Format(PyExc_ValueError, "expected packed positions of 8 bytes each, found %zd bytes",
                     PyBytes_GET_SIZE(indexes));
        return -1;
    }
    if (total >= UINT32_MAX) {
        PyErr_Format(PyExc_ValueError, "expected fewer than 2^32 changes in a write, found %zd", total);
        return -1;
    }
    Change *changes = PyMem_Malloc(sizeof(Change) * (size_t)(total + 1));
    if (changes == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    const char *packed = PyBytes_AS_STRING(indexes), *node_at = PyBytes_AS_STRING(nodes);
    const char *nodes_end = node_at + PyBytes_GET_SIZE(nodes);
    for (Py_ssize_t i = 0; i < total; i++) {
        PyObject *index = NULL, *node = NULL, *item = NULL;
        const char *data = NULL;
        int size = 0, slot, found;
        unsigned long long key;
        if (i < n_rows) {
            item = PyList_GET_ITEM(rows, i);
            if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
                PyErr_Format(PyExc_TypeError, "expected rows of (position, node), found %.80s",
                             Py_TYPE(item)->tp_name);
                goto failed;
            }
            index = PyTuple_GET_ITEM(item, 0);
            node = PyTuple_GET_ITEM(item, 1);
            found = group_at(index, keyed_depth, &key, &slot);
            if (found > 0 && (!PyBytes_Check(node) || (PyBytes_GET_SIZE(node) != HASH_SIZE
                                                       && PyBytes_GET_SIZE(node) != LEAF_SIZE))) {
                PyErr_Format(PyExc_ValueError, "expected a node of 32 or 64 bytes at position %S, found %.80s",
                             index, Py_TYPE(node)->tp_name);
                goto failed;
            }
            if (found > 0) {
                data = PyBytes_AS_STRING(node);
                size = (int)PyBytes_GET_SIZE(node);
            }
        } else if (i < n_rows + n_packed) {
            unsigned long long word;
            memcpy(&word, packed + 8 * (i - n_rows), 8);
            size = word & LEAF_FLAG ? LEAF_SIZE : HASH_SIZE;
            word &= ~LEAF_FLAG;
            if (word < 1) {
                PyErr_SetString(PyExc_ValueError, "expected packed positions of at least 1 (the root), found 0");
                goto failed;
            }
            if (nodes_end - node_at < size) {
                PyErr_Format(PyExc_ValueError, "expected the packed nodes to hold every packed position's, found %zd "
                             "bytes", PyBytes_GET_SIZE(nodes));
                goto failed;
            }
            data = node_at;
            node_at += size;
            found = group_of_word(word, keyed_depth, &key, &slot);
            if (found == 0) { /* a deep group: its row as a tuple, as the others' */
                PyObject *position = PyLong_FromUnsignedLongLong(word);
                PyObject *stored = PyBytes_FromStringAndSize(data, size);
                item = position == NULL || stored == NULL ? NULL : PyTuple_Pack(2, position, stored);
                Py_XDECREF(position);
                Py_XDECREF(stored);
                int appended = item == NULL ? -1 : PyList_Append(deep_rows, item);
                Py_XDECREF(item);
                if (appended < 0)
                    goto failed;
                continue;
            }
        } else {
            item = index = PyList_GET_ITEM(deleted, i - n_rows - n_packed);
            found = group_at(index, keyed_depth, &key, &slot);
        }
        if (found < 0)
            goto failed;
        if (found == 0) {
            if (PyList_Append(i < n_rows ? deep_rows : deep_deleted, item) < 0)
                goto failed;
            continue;
        }
        changes[n++] = (Change){key, data, (uint32_t)i, (uint16_t)slot, (uint16_t)size};
    }
    if (node_at != nodes_end) {
        PyErr_Format(PyExc_ValueError, "expected the packed nodes to end with the last packed position's, found "
                     "%zd bytes more", nodes_end - node_at);
        goto failed;
    }
    qsort(changes, (size_t)n, sizeof(Change), change_before);
    *out = changes;
    return n;
failed:
    PyMem_Free(changes);
    return -1;
}

/* The nodes of a stored group row: slot -> start (NULL: none) and size; -1 with ValueError for a row that is not
 * what the node writes (ledger.tree_groups.decode). */
static int decode_group(unsigned long long key, PyObject *row, const char **at, int *size) {
    if (!PyBytes_Check(row)) {
        PyErr_Format(PyExc_ValueError, "expected the state tree's row %llu to hold bytes, found %.80s", key,
                     Py_TYPE(row)->tp_name);
        return -1;
    }
    const unsigned char *data = (const unsigned char *)PyBytes_AS_STRING(row);
    Py_ssize_t length = PyBytes_GET_SIZE(row);
    if (length < 4) {
        PyErr_Format(PyExc_ValueError, "expected the state tree's row %llu to hold at least 4 bytes, found %zd", key,
                     length);
        return -1;
    }
    unsigned held = (unsigned)data[0] << 8 | data[1], leaves = (unsigned)data[2] << 8 | data[3];
    if ((held & 1) || (leaves & ~held)) {
        char masks[40];
        snprintf(masks, sizeof masks, "held 0x%04x, leaves 0x%04x", held, leaves);
        PyErr_Format(PyExc_ValueError, "expected the state tree's row %llu to hold masks naming slots 1 to 15, the "
                     "leaves among the nodes held, found %s", key, masks);
        return -1;
    }
    Py_ssize_t expected = 4 + HASH_SIZE * __builtin_popcount(held)
                          + (LEAF_SIZE - HASH_SIZE) * __builtin_popcount(leaves);
    if (length != expected) {
        PyErr_Format(PyExc_ValueError, "expected the state tree's row %llu to hold %zd bytes for the nodes its masks "
                     "name, found %zd", key, expected, length);
        return -1;
    }
    const char *next = (const char *)data + 4;
    for (int slot = 0; slot < GROUP_SLOTS; slot++) {
        at[slot] = NULL;
        size[slot] = 0;
        if (held >> slot & 1) {
            size[slot] = leaves >> slot & 1 ? LEAF_SIZE : HASH_SIZE;
            at[slot] = next;
            next += size[slot];
        }
    }
    return 0;
}

/* GroupChanges: a write's changes sorted by group once, whose stored rows are then made a range of groups at a time
 * (ledger.storage.write_tree_nodes reads and writes a few thousand groups at once, not all of a write's). */
typedef struct {
    PyObject_HEAD
    Change *changes;        /* in (key, slot, seq) order */
    Py_ssize_t n_changes;
    Py_ssize_t *starts;     /* where each group's changes start, and n_changes after the last */
    PyObject *rows, *indexes, *nodes, *deleted; /* the caller's: the changes point into their nodes */
    PyObject *keys;         /* the groups' keys, in order */
    PyObject *deep_rows, *deep_deleted;
} GroupChanges;

static void changes_dealloc(GroupChanges *self) {
    PyMem_Free(self->changes);
    PyMem_Free(self->starts);
    Py_XDECREF(self->rows);
    Py_XDECREF(self->indexes);
    Py_XDECREF(self->nodes);
    Py_XDECREF(self->deleted);
    Py_XDECREF(self->keys);
    Py_XDECREF(self->deep_rows);
    Py_XDECREF(self->deep_deleted);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *changes_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    PyObject *rows, *deleted, *indexes = NULL, *nodes = NULL;
    int keyed_depth;
    static char *names[] = {"rows", "deleted", "keyed_depth", "indexes", "nodes", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!i|O!O!:GroupChanges", names, &PyList_Type, &rows,
                                     &PyList_Type, &deleted, &keyed_depth, &PyBytes_Type, &indexes, &PyBytes_Type,
                                     &nodes))
        return NULL;
    if (keyed_depth < 0 || keyed_depth > 56) { /* the depth takes the key's low 6 bits, the prefix those above */
        PyErr_Format(PyExc_ValueError, "expected a keyed depth from 0 to 56, found %d", keyed_depth);
        return NULL;
    }
    GroupChanges *self = (GroupChanges *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->rows = Py_NewRef(rows);
    self->deleted = Py_NewRef(deleted);
    self->indexes = indexes != NULL ? Py_NewRef(indexes) : PyBytes_FromStringAndSize(NULL, 0);
    self->nodes = nodes != NULL ? Py_NewRef(nodes) : PyBytes_FromStringAndSize(NULL, 0);
    if (self->indexes == NULL || self->nodes == NULL)
        goto failed;
    if ((self->deep_rows = PyList_New(0)) == NULL || (self->deep_deleted = PyList_New(0)) == NULL)
        goto failed;
    Py_ssize_t n = collect_changes(rows, self->indexes, self->nodes, deleted, keyed_depth, &self->changes,
                                   self->deep_rows, self->deep_deleted);
    if (n < 0)
        goto failed;
    self->n_changes = n;
    Py_ssize_t groups = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        groups += i == 0 || self->changes[i].key != self->changes[i - 1].key;
    if ((self->starts = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(groups + 1))) == NULL) {
        PyErr_NoMemory();
        goto failed;
    }
    if ((self->keys = PyList_New(groups)) == NULL)
        goto failed;
    for (Py_ssize_t i = 0, at = 0; i < n; i++) {
        if (i > 0 && self->changes[i].key == self->changes[i - 1].key)
            continue;
        PyObject *key = PyLong_FromUnsignedLongLong(self->changes[i].key);
        if (key == NULL)
            goto failed;
        PyList_SET_ITEM(self->keys, at, key);
        self->starts[at++] = i;
    }
    self->starts[groups] = n;
    return (PyObject *)self;
failed:
    Py_DECREF(self);
    return NULL;
}

/* stored(old, start, stop): the rows of the groups keys[start:stop] after the write, ``old`` holding their rows
 * before it (those stored): (the groups to store as (key, row), the keys of those left empty as (key,)), in key
 * order: ledger.tree_groups.GroupChanges.stored. */
static PyObject *changes_stored(GroupChanges *self, PyObject *args) {
    PyObject *old;
    Py_ssize_t start, stop, groups = PyList_GET_SIZE(self->keys);
    if (!PyArg_ParseTuple(args, "O!nn:stored", &PyDict_Type, &old, &start, &stop))
        return NULL;
    start = start < 0 ? 0 : start > groups ? groups : start;
    stop = stop < start ? start : stop > groups ? groups : stop;
    PyObject *stored = PyList_New(0), *gone = PyList_New(0), *result = NULL;
    if (stored == NULL || gone == NULL)
        goto done;
    for (Py_ssize_t group = start; group < stop; group++) {
        PyObject *key_object = PyList_GET_ITEM(self->keys, group); /* borrowed */
        unsigned long long key = self->changes[self->starts[group]].key;
        const char *at[GROUP_SLOTS];
        int size[GROUP_SLOTS];
        PyObject *before = PyDict_GetItemWithError(old, key_object); /* borrowed */
        if (before == NULL && PyErr_Occurred())
            goto done;
        if (before != NULL) {
            if (decode_group(key, before, at, size) < 0)
                goto done;
        } else {
            memset(at, 0, sizeof at);
            memset(size, 0, sizeof size);
        }
        for (Py_ssize_t i = self->starts[group]; i < self->starts[group + 1]; i++) { /* a slot's later change last */
            at[self->changes[i].slot] = self->changes[i].node;
            size[self->changes[i].slot] = self->changes[i].size;
        }
        unsigned held = 0, leaves = 0;
        Py_ssize_t length = 4;
        for (int slot = 1; slot < GROUP_SLOTS; slot++) {
            if (at[slot] == NULL)
                continue;
            held |= 1u << slot;
            if (size[slot] == LEAF_SIZE)
                leaves |= 1u << slot;
            length += size[slot];
        }
        PyObject *item;
        if (held == 0) {
            item = PyTuple_Pack(1, key_object);
        } else {
            PyObject *row = PyBytes_FromStringAndSize(NULL, length);
            if (row == NULL)
                goto done;
            char *out = PyBytes_AS_STRING(row);
            out[0] = (char)(held >> 8);
            out[1] = (char)held;
            out[2] = (char)(leaves >> 8);
            out[3] = (char)leaves;
            out += 4;
            for (int slot = 1; slot < GROUP_SLOTS; slot++) {
                if (at[slot] != NULL) {
                    memcpy(out, at[slot], (size_t)size[slot]);
                    out += size[slot];
                }
            }
            item = PyTuple_Pack(2, key_object, row);
            Py_DECREF(row);
        }
        if (item == NULL || PyList_Append(held == 0 ? gone : stored, item) < 0) {
            Py_XDECREF(item);
            goto done;
        }
        Py_DECREF(item);
    }
    result = PyTuple_Pack(2, stored, gone);
done:
    Py_XDECREF(stored);
    Py_XDECREF(gone);
    return result;
}

static PyMethodDef changes_methods[] = {
    {"stored", (PyCFunction)changes_stored, METH_VARARGS,
     "stored(old, start, stop) -> (groups to store, keys emptied) of keys[start:stop]"},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef changes_members[] = {
    {"keys", T_OBJECT_EX, offsetof(GroupChanges, keys), READONLY, "the keys of the groups changed, in order"},
    {"deep_rows", T_OBJECT_EX, offsetof(GroupChanges, deep_rows), READONLY, "rows of deeper groups, as given"},
    {"deep_deleted", T_OBJECT_EX, offsetof(GroupChanges, deep_deleted), READONLY,
     "emptied positions of deeper groups, as given"},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject GroupChangesType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ledger._state_codec.GroupChanges",
    .tp_doc = "GroupChanges(rows, deleted, keyed_depth, indexes=b'', nodes=b''): a write's changes by group "
              "(ledger.tree_groups.GroupChanges)",
    .tp_basicsize = sizeof(GroupChanges),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = changes_new,
    .tp_dealloc = (destructor)changes_dealloc,
    .tp_methods = changes_methods,
    .tp_members = changes_members,
};

static int compare_words(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* group_keys(indexes) is ledger.tree_groups.group_keys for the indexes it can key itself: (the distinct integer row
 * keys of the groups holding those heap indexes, sorted; the other indexes, as given), the others being any that is
 * not an exact int from 1 to 2^63 - 1 or whose group's root is deeper than KEYED_DEPTH (the Python code keys them, or
 * says what is wrong with them). */
#define KEYED_DEPTH 56 /* ledger.tree_groups.KEYED_DEPTH */
static PyObject *group_keys(PyObject *self, PyObject *indexes) {
    if (!PyList_Check(indexes)) {
        PyErr_Format(PyExc_TypeError, "expected a list of heap indexes, found %.80s", Py_TYPE(indexes)->tp_name);
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(indexes), keyed = 0;
    uint64_t *keys = PyMem_Malloc((size_t)(count > 0 ? count : 1) * sizeof *keys);
    PyObject *others = PyList_New(0), *sorted = NULL;
    if (keys == NULL || others == NULL)
        goto failed;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(indexes, i);
        long long index = -1;
        int overflow = 0;
        if (PyLong_CheckExact(item)) {
            index = PyLong_AsLongLongAndOverflow(item, &overflow);
            if (index == -1 && PyErr_Occurred())
                goto failed;
        }
        int depth = index >= 1 && !overflow ? 63 - __builtin_clzll((uint64_t)index) : -1;
        int root_depth = depth - depth % GROUP_LEVELS;
        if (depth < 0 || root_depth > KEYED_DEPTH) {
            if (PyList_Append(others, item) < 0)
                goto failed;
            continue;
        }
        uint64_t root = (uint64_t)index >> (depth % GROUP_LEVELS);
        keys[keyed++] = ((root ^ (1ull << root_depth)) << (62 - root_depth)) | (uint64_t)root_depth;
    }
    qsort(keys, (size_t)keyed, sizeof *keys, compare_words);
    Py_ssize_t distinct = 0;
    for (Py_ssize_t i = 0; i < keyed; i++)
        if (distinct == 0 || keys[i] != keys[distinct - 1])
            keys[distinct++] = keys[i];
    if ((sorted = PyList_New(distinct)) == NULL)
        goto failed;
    for (Py_ssize_t i = 0; i < distinct; i++) {
        PyObject *key = PyLong_FromUnsignedLongLong(keys[i]);
        if (key == NULL)
            goto failed;
        PyList_SET_ITEM(sorted, i, key);
    }
    PyMem_Free(keys);
    PyObject *result = PyTuple_Pack(2, sorted, others);
    Py_DECREF(sorted);
    Py_DECREF(others);
    return result;
failed:
    if (keys == NULL && !PyErr_Occurred())
        PyErr_NoMemory();
    PyMem_Free(keys);
    Py_XDECREF(others);
    Py_XDECREF(sorted);
    return NULL;
}

static PyObject *group_nodes(PyObject *self, PyObject *rows) {
    if (!PyList_Check(rows)) {
        PyErr_Format(PyExc_TypeError, "expected a list of (key, row), found %.80s", Py_TYPE(rows)->tp_name);
        return NULL;
    }
    PyObject *found = PyDict_New();
    if (found == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(rows); i++) {
        PyObject *item = PyList_GET_ITEM(rows, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 || !PyLong_Check(PyTuple_GET_ITEM(item, 0))) {
            PyErr_Format(PyExc_TypeError, "expected rows of (int key, row), found %.80s", Py_TYPE(item)->tp_name);
            goto failed;
        }
        unsigned long long key, root;
        if (group_root_of(PyTuple_GET_ITEM(item, 0), &key, &root) < 0)
            goto failed;
        const char *at[GROUP_SLOTS];
        int size[GROUP_SLOTS];
        if (decode_group(key, PyTuple_GET_ITEM(item, 1), at, size) < 0)
            goto failed;
        for (int slot = 1; slot < GROUP_SLOTS; slot++) {
            if (at[slot] == NULL)
                continue;
            int level = 31 - __builtin_clz((unsigned)slot);
            PyObject *index = PyLong_FromUnsignedLongLong(root << level | (unsigned long long)(slot ^ (1 << level)));
            PyObject *node = PyBytes_FromStringAndSize(at[slot], size[slot]);
            int failed = index == NULL || node == NULL || PyDict_SetItem(found, index, node) < 0;
            Py_XDECREF(index);
            Py_XDECREF(node);
            if (failed)
                goto failed;
        }
    }
    return found;
failed:
    Py_DECREF(found);
    return NULL;
}

static PyMethodDef methods[] = {
    {"encode_map", encode_map, METH_O,
     "encode_map(value) -> canonical CBOR of a map of scalars and lists of them, or None: "
     "ledger.state_encoding.encode_state"},
    {"pack_asset", pack_asset, METH_VARARGS,
     "pack_asset(value, raw_addresses) -> the stored form of an asset record, or None: ledger.compact.pack_value"},
    {"unpack_asset", unpack_asset, METH_VARARGS,
     "unpack_asset(body, addresses) -> (canonical CBOR, value) of a stored asset's body, or None: "
     "ledger.compact.unpack_value"},
    {"decode_canonical", decode_canonical, METH_O,
     "decode_canonical(data) -> the value of canonical CBOR bytes, or None: ledger_lite.encoding.decode decides"},
    {"group_keys", group_keys, METH_O,
     "group_keys(indexes) -> (sorted distinct row keys, indexes left to Python): ledger.tree_groups.group_keys"},
    {"group_nodes", group_nodes, METH_O, "group_nodes(rows) -> {heap index: node}: ledger.tree_groups.group_nodes"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "ledger._state_codec",
    "A node's CBOR, compiled: state values encoded, envelopes decoded, tree rows grouped (see _state_codec.c).", -1,
    methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__state_codec(void) {
    for (int i = 0; i < 9; i++)
        if ((field_names[i] = PyUnicode_InternFromString(FIELDS[i])) == NULL)
            return NULL;
    if ((trade_names[0] = PyUnicode_InternFromString("open")) == NULL
        || (trade_names[1] = PyUnicode_InternFromString("completed")) == NULL)
        return NULL;
    if (PyType_Ready(&GroupChangesType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&module_def);
    if (module != NULL && (PyModule_AddIntConstant(module, "BUILD", MODULE_BUILD) < 0
                           || PyModule_AddObjectRef(module, "GroupChanges", (PyObject *)&GroupChangesType) < 0))
        Py_CLEAR(module);
    return module;
}
