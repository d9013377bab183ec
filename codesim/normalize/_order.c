/* The statement-ordering pass (passes.order_statements) compiled: the same facts, digests
 * and dependency order as the Python reference, which stays the specification; the
 * tests compare both on every file they read.
 *
 * It works on the Python objects the passes share (Block.statements lists, Statement
 * segments of range and Block objects) and on per-token arrays prepared by the caller,
 * so nothing is converted twice.  Every loop is iterative: blocks arrive innermost first
 * (the caller's list reversed), so a statement's nested facts always exist when it is read.
 */
#include "_common.h"

#include <stdint.h>
#include <string.h>

#define EFFECTS (-1)           /* passes._EFFECTS: the name every bare call statement writes */
#define MAX_REORDERED 400      /* passes._MAX_REORDERED */

/* ---- CRC-32 as zlib.crc32 computes it (IEEE, reflected), streamed piece by piece ---- */

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

/* The running state is kept inverted, so pieces chain without re-inverting. */
static inline uint32_t crc_feed(uint32_t state, const char *data, Py_ssize_t size) {
    const unsigned char *p = (const unsigned char *)data;
    for (Py_ssize_t i = 0; i < size; i++) state = crc_table[(state ^ p[i]) & 0xFF] ^ (state >> 8);
    return state;
}

static inline uint32_t crc_start(uint32_t value) { return ~value; }
static inline uint32_t crc_value(uint32_t state) { return ~state; }

/* A "\x1f".join(items) + "\x1e" digest, fed one item at a time (passes._encode). */
typedef struct {
    uint32_t state;
    int items;
} Joined;

static inline void joined_start(Joined *j, uint32_t value) {
    j->state = crc_start(value);
    j->items = 0;
}

static int joined_add(Joined *j, PyObject *text) {
    if (j->items++) j->state = crc_feed(j->state, "\x1f", 1);
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    if (utf8 != NULL) {
        j->state = crc_feed(j->state, utf8, size);
        return 0;
    }
    /* A lone surrogate (a "\ud800" escape in a literal): hashed as surrogatepass encodes it. */
    PyErr_Clear();
    PyObject *encoded = PyUnicode_AsEncodedString(text, "utf-8", "surrogatepass");
    if (encoded == NULL) return -1;
    j->state = crc_feed(j->state, PyBytes_AS_STRING(encoded), PyBytes_GET_SIZE(encoded));
    Py_DECREF(encoded);
    return 0;
}

static inline void joined_add_raw(Joined *j, const char *data, Py_ssize_t size) {
    if (j->items++) j->state = crc_feed(j->state, "\x1f", 1);
    j->state = crc_feed(j->state, data, size);
}

static inline uint32_t joined_end(Joined *j) { return crc_value(crc_feed(j->state, "\x1e", 1)); }

/* ---- what ordering needs to know of one statement (passes._Facts) ---- */

typedef struct {
    Py_ssize_t names;      /* offset of its names in the name pool: writes, then reads */
    Py_ssize_t writes, reads;
    uint32_t key[3];       /* sort key: (header, content, values) or (content, values) */
    int key_size;
    int barrier;
    uint32_t content, values;
} Facts;

typedef struct {
    /* per-token facts (passes._TokenFacts), prepared once per file */
    PyObject **shapes;     /* borrowed: the symbol, or the kept name's role */
    PyObject *texts, *definitions, *barrier_kinds;
    unsigned char *writes, *reads, *barriers, *valued;
    const unsigned char *dropped;
    Py_ssize_t *keys;      /* (binding scope, text) interned, for name tokens only */
    Py_ssize_t tokens, name_count;
    /* state */
    Facts *facts;
    Py_ssize_t facts_size, facts_capacity;
    Ints pool;             /* every statement's names, facts point into it */
    PyObject **seen_owner; /* statement -> facts index: an open-addressed table */
    Py_ssize_t *seen_index;
    Py_ssize_t seen_capacity, seen_size;
    Py_ssize_t *write_mark, *read_mark; /* name (+1) -> serial of the statement that has it */
    Py_ssize_t serial;
} Order;

static PyObject *s_statements, *s_segments, *s_kind, *s_call, *s_expression_statement;

static Py_ssize_t table_slot(Order *o, PyObject *statement) {
    size_t mask = (size_t)o->seen_capacity - 1;
    size_t slot = ((size_t)statement >> 4) & mask;
    while (o->seen_owner[slot] != NULL && o->seen_owner[slot] != statement) slot = (slot + 1) & mask;
    return (Py_ssize_t)slot;
}

static int table_put(Order *o, PyObject *statement, Py_ssize_t index) {
    if (2 * (o->seen_size + 1) > o->seen_capacity) {
        Py_ssize_t old_capacity = o->seen_capacity;
        PyObject **old_owner = o->seen_owner;
        Py_ssize_t *old_index = o->seen_index;
        o->seen_capacity = old_capacity ? 2 * old_capacity : 1024;
        o->seen_owner = PyMem_Calloc((size_t)o->seen_capacity, sizeof(PyObject *));
        o->seen_index = PyMem_Malloc((size_t)o->seen_capacity * sizeof(Py_ssize_t));
        if (o->seen_owner == NULL || o->seen_index == NULL) {
            PyMem_Free(o->seen_owner);
            PyMem_Free(o->seen_index);
            o->seen_owner = old_owner;
            o->seen_index = old_index;
            o->seen_capacity = old_capacity;
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < old_capacity; i++) {
            if (old_owner[i] != NULL) {
                Py_ssize_t slot = table_slot(o, old_owner[i]);
                o->seen_owner[slot] = old_owner[i];
                o->seen_index[slot] = old_index[i];
            }
        }
        PyMem_Free(old_owner);
        PyMem_Free(old_index);
    }
    Py_ssize_t slot = table_slot(o, statement);
    if (o->seen_owner[slot] == NULL) o->seen_size++;
    o->seen_owner[slot] = statement;
    o->seen_index[slot] = index;
    return 0;
}

static Py_ssize_t table_get(Order *o, PyObject *statement) {
    if (o->seen_capacity == 0) return -1;
    Py_ssize_t slot = table_slot(o, statement);
    return o->seen_owner[slot] == statement ? o->seen_index[slot] : -1;
}

/* Names of one statement being built: writes and reads, each distinct. */
typedef struct {
    Ints writes, reads;
} Names;

static inline int add_write(Order *o, Names *n, Py_ssize_t name) {
    if (o->write_mark[name + 1] == o->serial) return 0;
    o->write_mark[name + 1] = o->serial;
    return ints_push(&n->writes, name);
}

static inline int add_read(Order *o, Names *n, Py_ssize_t name) {
    if (o->read_mark[name + 1] == o->serial) return 0;
    o->read_mark[name + 1] = o->serial;
    return ints_push(&n->reads, name);
}

/* passes._facts_of: the facts of one statement whose nested statements are known. */
static int facts_of(Order *o, PyObject *statement, Facts *out) {
    int ok = -1;
    Names names = {{0}, {0}};
    PyObject *kind = NULL, *segments = NULL;
    o->serial++;
    kind = slot_getattr(statement, s_kind);
    segments = kind ? slot_getattr(statement, s_segments) : NULL;
    if (segments == NULL) goto done;
    if (!PyList_Check(segments)) {
        PyErr_SetString(PyExc_TypeError, "Statement.segments must be a list");
        goto done;
    }
    int definition = PySet_Contains(o->definitions, kind);
    int barrier = definition < 0 ? -1 : PySet_Contains(o->barrier_kinds, kind);
    if (barrier < 0) goto done;

    uint32_t content = 0, header = 0;
    Joined run, values;
    joined_start(&run, 0);
    joined_start(&values, 0);
    int run_starts_with_call = 0;
    Py_ssize_t count = PyList_GET_SIZE(segments);
    for (Py_ssize_t position = 0; position < count; position++) {
        PyObject *segment = PyList_GET_ITEM(segments, position);
        if (PyRange_Check(segment)) {
            Py_ssize_t start, stop;
            if (segment_bounds(segment, o->tokens, &start, &stop) < 0) goto done;
            int names_here = !definition || position == 0;
            Joined own;
            joined_start(&own, 0);
            for (Py_ssize_t i = start; i < stop; i++) {
                if (o->dropped[i]) continue;
                PyObject *shape = o->shapes[i];
                if (run.items == 0) {
                    run_starts_with_call = PyUnicode_Check(shape) &&
                                           PyUnicode_Compare(shape, s_call) == 0;
                }
                if (joined_add(&run, shape) < 0) goto done;
                if (definition && position == 0 && joined_add(&own, shape) < 0) goto done;
                if (o->valued[i] && joined_add(&values, PyList_GET_ITEM(o->texts, i)) < 0)
                    goto done;
                if (!names_here) continue;
                if (o->barriers[i]) barrier = 1;
                if (o->writes[i]) {
                    if (add_write(o, &names, o->keys[i]) < 0) goto done;
                } else if (o->reads[i]) {
                    if (add_read(o, &names, o->keys[i]) < 0) goto done;
                }
            }
            if (definition && position == 0) header = joined_end(&own);
            continue;
        }
        /* A nested block: the run so far is one piece of the content digest. */
        content = joined_end(&run);
        run_starts_with_call = 0;
        PyObject *inner_list = slot_getattr(segment, s_statements);
        if (inner_list == NULL) goto done;
        if (!PyList_Check(inner_list)) {
            Py_DECREF(inner_list);
            PyErr_SetString(PyExc_TypeError, "Block.statements must be a list");
            goto done;
        }
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(inner_list); k++) {
            Py_ssize_t index = table_get(o, PyList_GET_ITEM(inner_list, k));
            if (index < 0) {
                Py_DECREF(inner_list);
                PyErr_SetString(PyExc_KeyError, "a nested statement was not ordered first");
                goto done;
            }
            Facts *inner = &o->facts[index];
            unsigned char le[4] = {(unsigned char)inner->content,
                                   (unsigned char)(inner->content >> 8),
                                   (unsigned char)(inner->content >> 16),
                                   (unsigned char)(inner->content >> 24)};
            content = crc_value(crc_feed(crc_start(content), (const char *)le, 4));
            char digits[16];
            int size = snprintf(digits, sizeof digits, "%u", (unsigned)inner->values);
            joined_add_raw(&values, digits, size);
            if (!definition) {
                /* facts may move when the pool grows: index again after each push */
                Py_ssize_t base = o->facts[index].names;
                for (Py_ssize_t w = 0; w < o->facts[index].writes; w++) {
                    if (add_write(o, &names, o->pool.items[base + w]) < 0) goto inner_fail;
                }
                for (Py_ssize_t r = 0; r < o->facts[index].reads; r++) {
                    Py_ssize_t name = o->pool.items[base + o->facts[index].writes + r];
                    if (add_read(o, &names, name) < 0) goto inner_fail;
                }
                if (o->facts[index].barrier) barrier = 1;
            }
        }
        Py_DECREF(inner_list);
        /* The content chain continues from the nested digests; the next run starts empty. */
        joined_start(&run, content);
        continue;
    inner_fail:
        Py_DECREF(inner_list);
        goto done;
    }
    content = joined_end(&run);
    if (run_starts_with_call &&
        PyUnicode_Compare(kind, s_expression_statement) == 0 && add_write(o, &names, EFFECTS) < 0)
        goto done;
    if (PyErr_Occurred()) goto done;
    uint32_t digest = joined_end(&values);

    out->names = o->pool.size;
    out->writes = names.writes.size;
    out->reads = names.reads.size;
    for (Py_ssize_t i = 0; i < names.writes.size; i++) {
        if (ints_push(&o->pool, names.writes.items[i]) < 0) goto done;
    }
    for (Py_ssize_t i = 0; i < names.reads.size; i++) {
        if (ints_push(&o->pool, names.reads.items[i]) < 0) goto done;
    }
    out->barrier = barrier && !definition;
    out->content = content;
    out->values = digest;
    if (definition) {
        out->key[0] = header;
        out->key[1] = content;
        out->key[2] = digest;
        out->key_size = 3;
    } else {
        out->key[0] = content;
        out->key[1] = digest;
        out->key_size = 2;
    }
    ok = 0;
done:
    PyMem_Free(names.writes.items);
    PyMem_Free(names.reads.items);
    Py_XDECREF(kind);
    Py_XDECREF(segments);
    return ok;
}

/* ---- passes._canonical_order ---- */

/* Python's tuple order on sort keys, then the statement's index. */
static inline int key_less(const Facts *a, Py_ssize_t ia, const Facts *b, Py_ssize_t ib) {
    int n = a->key_size < b->key_size ? a->key_size : b->key_size;
    for (int i = 0; i < n; i++) {
        if (a->key[i] != b->key[i]) return a->key[i] < b->key[i];
    }
    if (a->key_size != b->key_size) return a->key_size < b->key_size;
    return ia < ib;
}

typedef struct {
    Facts **facts; /* per position in the block */
    Py_ssize_t *heap;
    Py_ssize_t size;
} Ready;

static inline int ready_less(Ready *r, Py_ssize_t a, Py_ssize_t b) {
    return key_less(r->facts[a], a, r->facts[b], b);
}

static void ready_push(Ready *r, Py_ssize_t item) {
    Py_ssize_t i = r->size++;
    r->heap[i] = item;
    while (i > 0) {
        Py_ssize_t parent = (i - 1) / 2;
        if (!ready_less(r, r->heap[i], r->heap[parent])) break;
        Py_ssize_t t = r->heap[i];
        r->heap[i] = r->heap[parent];
        r->heap[parent] = t;
        i = parent;
    }
}

static Py_ssize_t ready_pop(Ready *r) {
    Py_ssize_t top = r->heap[0];
    r->heap[0] = r->heap[--r->size];
    Py_ssize_t i = 0;
    for (;;) {
        Py_ssize_t left = 2 * i + 1, right = left + 1, least = i;
        if (left < r->size && ready_less(r, r->heap[left], r->heap[least])) least = left;
        if (right < r->size && ready_less(r, r->heap[right], r->heap[least])) least = right;
        if (least == i) break;
        Py_ssize_t t = r->heap[i];
        r->heap[i] = r->heap[least];
        r->heap[least] = t;
        i = least;
    }
    return top;
}

/* Per-name state of one block's ordering, reset lazily by a block stamp. */
typedef struct {
    Py_ssize_t *last_write, *readers_head, *stamp;
    Py_ssize_t *reader_next, *reader_item; /* a pool of reader list nodes */
    Py_ssize_t reader_size, reader_capacity;
    Py_ssize_t block;
} Scratch;

static int reader_add(Scratch *s, Py_ssize_t name, Py_ssize_t index) {
    if (s->reader_size == s->reader_capacity) {
        Py_ssize_t capacity = s->reader_capacity ? 2 * s->reader_capacity : 256;
        Py_ssize_t *next = PyMem_Realloc(s->reader_next, (size_t)capacity * sizeof(Py_ssize_t));
        if (next == NULL) return (PyErr_NoMemory(), -1);
        s->reader_next = next;
        Py_ssize_t *item = PyMem_Realloc(s->reader_item, (size_t)capacity * sizeof(Py_ssize_t));
        if (item == NULL) return (PyErr_NoMemory(), -1);
        s->reader_item = item;
        s->reader_capacity = capacity;
    }
    Py_ssize_t node = s->reader_size++;
    s->reader_item[node] = index;
    s->reader_next[node] = s->readers_head[name + 1];
    s->readers_head[name + 1] = node;
    return 0;
}

static inline void touch(Scratch *s, Py_ssize_t name) {
    if (s->stamp[name + 1] != s->block) {
        s->stamp[name + 1] = s->block;
        s->last_write[name + 1] = -1;
        s->readers_head[name + 1] = -1;
    }
}

static PyObject *canonical_order(Order *o, Scratch *s, PyObject *statements, Py_ssize_t *indexes) {
    Py_ssize_t count = PyList_GET_SIZE(statements);
    PyObject *result = NULL;
    Facts **facts = PyMem_Malloc((size_t)count * sizeof(Facts *));
    Py_ssize_t *waiting = PyMem_Calloc((size_t)count, sizeof(Py_ssize_t));
    Py_ssize_t *mark = PyMem_Malloc((size_t)count * sizeof(Py_ssize_t));
    Py_ssize_t *heap = PyMem_Malloc((size_t)count * sizeof(Py_ssize_t));
    Ints *successors = PyMem_Calloc((size_t)count, sizeof(Ints));
    Ints since_barrier = {0}, before = {0};
    if (!facts || !waiting || !mark || !heap || !successors) {
        PyErr_NoMemory();
        goto done;
    }
    s->block++;
    s->reader_size = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        facts[i] = &o->facts[indexes[i]];
        mark[i] = -1;
    }
    Py_ssize_t last_barrier = -1;
    for (Py_ssize_t index = 0; index < count; index++) {
        Facts *f = facts[index];
        const Py_ssize_t *fw = o->pool.items + f->names, *fr = fw + f->writes;
        before.size = 0;
#define BEFORE(e)                                                   \
    do {                                                            \
        Py_ssize_t e_ = (e);                                        \
        if (mark[e_] != index) {                                    \
            mark[e_] = index;                                       \
            if (ints_push(&before, e_) < 0) goto done;              \
        }                                                           \
    } while (0)
        if (last_barrier >= 0) BEFORE(last_barrier);
        if (f->barrier) {
            for (Py_ssize_t k = 0; k < since_barrier.size; k++) BEFORE(since_barrier.items[k]);
        }
        for (Py_ssize_t k = 0; k < f->reads; k++) {
            touch(s, fr[k]);
            if (s->last_write[fr[k] + 1] >= 0) BEFORE(s->last_write[fr[k] + 1]);
        }
        for (Py_ssize_t k = 0; k < f->writes; k++) {
            Py_ssize_t name = fw[k];
            touch(s, name);
            if (s->last_write[name + 1] >= 0) BEFORE(s->last_write[name + 1]);
            for (Py_ssize_t node = s->readers_head[name + 1]; node >= 0; node = s->reader_next[node])
                BEFORE(s->reader_item[node]);
        }
#undef BEFORE
        for (Py_ssize_t k = 0; k < before.size; k++) {
            if (ints_push(&successors[before.items[k]], index) < 0) goto done;
        }
        waiting[index] = before.size;
        for (Py_ssize_t k = 0; k < f->reads; k++) {
            if (reader_add(s, fr[k], index) < 0) goto done;
        }
        for (Py_ssize_t k = 0; k < f->writes; k++) {
            s->last_write[fw[k] + 1] = index;
            s->readers_head[fw[k] + 1] = -1;
        }
        if (f->barrier) {
            last_barrier = index;
            since_barrier.size = 0;
        } else if (ints_push(&since_barrier, index) < 0) {
            goto done;
        }
    }
    Ready ready = {facts, heap, 0};
    for (Py_ssize_t i = 0; i < count; i++) {
        if (waiting[i] == 0) ready_push(&ready, i);
    }
    result = PyList_New(0);
    if (result == NULL) goto done;
    while (ready.size) {
        Py_ssize_t index = ready_pop(&ready);
        if (PyList_Append(result, PyList_GET_ITEM(statements, index)) < 0) {
            Py_CLEAR(result);
            goto done;
        }
        for (Py_ssize_t k = 0; k < successors[index].size; k++) {
            Py_ssize_t later = successors[index].items[k];
            if (--waiting[later] == 0) ready_push(&ready, later);
        }
    }
done:
    if (successors) {
        for (Py_ssize_t i = 0; i < count; i++) PyMem_Free(successors[i].items);
    }
    PyMem_Free(successors);
    PyMem_Free(since_barrier.items);
    PyMem_Free(before.items);
    PyMem_Free(facts);
    PyMem_Free(waiting);
    PyMem_Free(mark);
    PyMem_Free(heap);
    return result;
}

/* ---- the entry point ---- */

/* A 256-entry membership table of the modes in ``modes`` (a tuple of small ints). */
static int mode_table(PyObject *modes, unsigned char table[256]) {
    memset(table, 0, 256);
    PyObject *items = PySequence_Fast(modes, "modes must be a sequence");
    if (items == NULL) return -1;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(items); i++) {
        long mode = PyLong_AsLong(PySequence_Fast_GET_ITEM(items, i));
        if (mode < 0 || mode > 255) {
            Py_DECREF(items);
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a mode is out of range");
            return -1;
        }
        table[mode] = 1;
    }
    Py_DECREF(items);
    return 0;
}

/* passes._token_facts: shapes, the value and name flags, and interned name keys. */
static int token_facts(Order *o, PyObject *symbols, PyObject *kept_roles, PyObject *binders,
                       PyObject *modes, PyObject *write_modes, PyObject *read_modes) {
    unsigned char writing[256], reading[256];
    if (mode_table(write_modes, writing) < 0 || mode_table(read_modes, reading) < 0) return -1;
    Py_ssize_t n = o->tokens;
    o->shapes = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(PyObject *));
    o->keys = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    o->writes = PyMem_Calloc((size_t)(n ? n : 1), 4);
    if (!o->shapes || !o->keys || !o->writes) return (PyErr_NoMemory(), -1);
    o->reads = o->writes + n;
    o->barriers = o->writes + 2 * n;
    o->valued = o->writes + 3 * n;
    NameTable interned = {0};
    int ok = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *symbol = PyList_GET_ITEM(symbols, i);
        long mode = PyLong_AsLong(PyList_GET_ITEM(modes, i));
        if (mode == -1 && PyErr_Occurred()) goto done;
        if (mode < 0 || mode > 255) {
            PyErr_SetString(PyExc_ValueError, "a mode is out of range");
            goto done;
        }
        int barrier = PySet_Contains(o->barrier_kinds, symbol);
        if (barrier < 0) goto done;
        o->shapes[i] = symbol;
        o->barriers[i] = (unsigned char)barrier;
        o->valued[i] = mode == 0;
        o->writes[i] = writing[mode];
        o->reads[i] = reading[mode];
        o->keys[i] = -1;
        if (!writing[mode] && !reading[mode]) continue;
        Py_ssize_t scope = PyLong_AsSsize_t(PyList_GET_ITEM(binders, i));
        if (scope == -1 && PyErr_Occurred()) goto done;
        /* Names are numbered in order of first appearance. */
        Py_ssize_t key = name_table_number(&interned, scope, PyList_GET_ITEM(o->texts, i), interned.count);
        if (key < 0) goto done;
        o->keys[i] = key;
    }
    o->name_count = interned.count;
    /* Kept unbound names read as the role they would have if dangling, and are values. */
    PyObject *index, *role;
    Py_ssize_t position = 0;
    while (PyDict_Next(kept_roles, &position, &index, &role)) {
        Py_ssize_t i = PyLong_AsSsize_t(index);
        if (i == -1 && PyErr_Occurred()) goto done;
        if (i < 0 || i >= n) {
            PyErr_SetString(PyExc_ValueError, "a kept role's token is out of range");
            goto done;
        }
        o->shapes[i] = role;
        o->valued[i] = 1;
    }
    ok = 0;
done:
    name_table_clear(&interned);
    return ok;
}

static PyObject *order_blocks(PyObject *Py_UNUSED(module), PyObject *args) {
    Order o = {0};
    Scratch s = {0};
    Ints indexes = {0};
    PyObject *result = NULL;
    PyObject *blocks, *symbols, *kept_roles, *binders, *texts, *modes;
    PyObject *definitions, *barrier_kinds, *write_modes, *read_modes, *dropped_obj;
    Py_buffer dropped = {0};
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!OOOOO", &PyList_Type, &blocks, &PyList_Type,
                          &symbols, &PyDict_Type, &kept_roles, &PyList_Type, &binders,
                          &PyList_Type, &texts, &PyList_Type, &modes, &definitions,
                          &barrier_kinds, &write_modes, &read_modes, &dropped_obj))
        return NULL;
    if (!PyAnySet_Check(definitions) || !PyAnySet_Check(barrier_kinds)) {
        PyErr_SetString(PyExc_TypeError, "definitions and barrier kinds must be sets");
        return NULL;
    }
    Py_ssize_t tokens = PyList_GET_SIZE(symbols);
    if (PyList_GET_SIZE(texts) != tokens || PyList_GET_SIZE(binders) != tokens ||
        PyList_GET_SIZE(modes) != tokens) {
        PyErr_SetString(PyExc_ValueError, "the token lists differ in length");
        return NULL;
    }
    if (PyObject_GetBuffer(dropped_obj, &dropped, PyBUF_SIMPLE) < 0) return NULL;
    if (dropped.len != tokens) {
        PyErr_Format(PyExc_ValueError, "dropped holds %zd bytes for %zd tokens", dropped.len,
                     tokens);
        goto release;
    }
    o.texts = texts;
    o.definitions = definitions;
    o.barrier_kinds = barrier_kinds;
    o.dropped = dropped.buf;
    o.tokens = tokens;
    if (token_facts(&o, symbols, kept_roles, binders, modes, write_modes, read_modes) < 0)
        goto release;
    /* Names are keyed from -1 (EFFECTS) up: arrays are shifted by one. */
    size_t slots = (size_t)o.name_count + 1;
    o.write_mark = PyMem_Calloc(slots, sizeof(Py_ssize_t));
    o.read_mark = PyMem_Calloc(slots, sizeof(Py_ssize_t));
    s.last_write = PyMem_Malloc(slots * sizeof(Py_ssize_t));
    s.readers_head = PyMem_Malloc(slots * sizeof(Py_ssize_t));
    s.stamp = PyMem_Calloc(slots, sizeof(Py_ssize_t));
    if (!o.write_mark || !o.read_mark || !s.last_write || !s.readers_head || !s.stamp) {
        PyErr_NoMemory();
        goto release;
    }
    for (Py_ssize_t b = PyList_GET_SIZE(blocks) - 1; b >= 0; b--) {
        PyObject *block = PyList_GET_ITEM(blocks, b);
        PyObject *statements = slot_getattr(block, s_statements);
        if (statements == NULL) goto release;
        if (!PyList_Check(statements)) {
            Py_DECREF(statements);
            PyErr_SetString(PyExc_TypeError, "Block.statements must be a list");
            goto release;
        }
        Py_ssize_t count = PyList_GET_SIZE(statements);
        indexes.size = 0;
        for (Py_ssize_t k = 0; k < count; k++) {
            if (o.facts_size == o.facts_capacity) {
                Py_ssize_t capacity = o.facts_capacity ? 2 * o.facts_capacity : 256;
                Facts *grown = PyMem_Realloc(o.facts, (size_t)capacity * sizeof(Facts));
                if (grown == NULL) {
                    Py_DECREF(statements);
                    PyErr_NoMemory();
                    goto release;
                }
                o.facts = grown;
                o.facts_capacity = capacity;
            }
            PyObject *statement = PyList_GET_ITEM(statements, k);
            Facts found;
            if (facts_of(&o, statement, &found) < 0 || ints_push(&indexes, o.facts_size) < 0 ||
                table_put(&o, statement, o.facts_size) < 0) {
                Py_DECREF(statements);
                goto release;
            }
            o.facts[o.facts_size++] = found;
        }
        if (count >= 2 && count <= MAX_REORDERED) {
            PyObject *ordered = canonical_order(&o, &s, statements, indexes.items);
            if (ordered == NULL || PyObject_SetAttr(block, s_statements, ordered) < 0) {
                Py_XDECREF(ordered);
                Py_DECREF(statements);
                goto release;
            }
            Py_DECREF(ordered);
        }
        Py_DECREF(statements);
    }
    result = Py_NewRef(Py_None);
release:
    PyMem_Free(indexes.items);
    PyMem_Free(o.shapes);
    PyMem_Free(o.keys);
    PyMem_Free(o.writes);
    PyMem_Free(o.facts);
    PyMem_Free(o.pool.items);
    PyMem_Free(o.seen_owner);
    PyMem_Free(o.seen_index);
    PyMem_Free(o.write_mark);
    PyMem_Free(o.read_mark);
    PyMem_Free(s.last_write);
    PyMem_Free(s.readers_head);
    PyMem_Free(s.stamp);
    PyMem_Free(s.reader_next);
    PyMem_Free(s.reader_item);
    PyBuffer_Release(&dropped);
    return result;
}

static PyMethodDef methods[] = {
    {"order_blocks", order_blocks, METH_VARARGS,
     "order_blocks(blocks, symbols, kept_roles, binders, texts, modes, definitions, "
     "barrier_kinds, write_modes, read_modes, dropped)\n--\n\n"
     "Put the statements of every block in canonical order, as passes.order_statements does."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_order", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__order(void) {
    crc_init();
#define INTERN(var, text) \
    if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL
    INTERN(s_statements, "statements");
    INTERN(s_segments, "segments");
    INTERN(s_kind, "kind");
    INTERN(s_call, "call");
    INTERN(s_expression_statement, "expression_statement");
#undef INTERN
    return PyModule_Create(&module);
}
