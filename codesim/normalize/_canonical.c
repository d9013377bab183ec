/* Reading the canonical stream off the IR (normalize._stream's tail) compiled: the token
 * order of ir.flatten without dropped tokens, each per-token list gathered in that order,
 * placeholders numbered by first use within their binding scope
 * (normalize._number_by_first_use) and tokens counted per unit.  The Python code stays the
 * specification; the tests compare both.
 */
#include "_common.h"

static PyObject *s_statements, *s_segments;

typedef struct {
    PyObject **items; /* borrowed: the IR holds every object for the whole call */
    Py_ssize_t size, capacity;
} Stack;

static int stack_push(Stack *s, PyObject *item) {
    if (s->size == s->capacity) {
        Py_ssize_t capacity = s->capacity ? 2 * s->capacity : 256;
        PyObject **grown = PyMem_Realloc(s->items, (size_t)capacity * sizeof(PyObject *));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        s->items = grown;
        s->capacity = capacity;
    }
    s->items[s->size++] = item;
    return 0;
}

/* Pushes the items of ``owner.<name>`` (a list) in reverse, so they pop in order.  The list
 * is kept alive by its owner, which the IR keeps alive. */
static int push_reversed(Stack *s, PyObject *owner, PyObject *name) {
    PyObject *items = slot_getattr(owner, name);
    if (items == NULL) return -1;
    if (!PyList_Check(items)) {
        Py_DECREF(items);
        PyErr_SetString(PyExc_TypeError, "the IR holds a list where a list is expected");
        return -1;
    }
    for (Py_ssize_t i = PyList_GET_SIZE(items) - 1; i >= 0; i--) {
        if (stack_push(s, PyList_GET_ITEM(items, i)) < 0) {
            Py_DECREF(items);
            return -1;
        }
    }
    Py_DECREF(items);
    return 0;
}

/* ir.flatten(root) without the dropped tokens. */
static int canonical_order(PyObject *root, const unsigned char *dropped, Py_ssize_t tokens,
                           PyObject *statement_type, Ints *order) {
    Stack stack = {0};
    int ok = -1;
    if (stack_push(&stack, root) < 0) goto done;
    while (stack.size) {
        PyObject *top = stack.items[--stack.size];
        if (PyRange_Check(top)) {
            Py_ssize_t start, stop;
            if (segment_bounds(top, tokens, &start, &stop) < 0) goto done;
            for (Py_ssize_t i = start; i < stop; i++) {
                if (!dropped[i] && ints_push(order, i) < 0) goto done;
            }
        } else if (PyObject_TypeCheck(top, (PyTypeObject *)statement_type)) {
            if (push_reversed(&stack, top, s_segments) < 0) goto done;
        } else if (push_reversed(&stack, top, s_statements) < 0) {
            goto done;
        }
    }
    ok = 0;
done:
    PyMem_Free(stack.items);
    return ok;
}

/* [items[i] for i in order] */
static PyObject *gather(PyObject *items, const Ints *order) {
    PyObject *out = PyList_New(order->size);
    if (out == NULL) return NULL;
    for (Py_ssize_t k = 0; k < order->size; k++) {
        PyObject *item = PyList_GET_ITEM(items, order->items[k]);
        Py_INCREF(item);
        PyList_SET_ITEM(out, k, item);
    }
    return out;
}

/* ``gather`` of 64-bit offsets (``int64_view``) into a new ``array("q")``. */
static PyObject *gather_offsets(const Py_buffer *items, const Ints *order) {
    const long long *values = items->buf;
    long long *out = PyMem_Malloc((size_t)(order->size ? order->size : 1) * sizeof(long long));
    if (out == NULL) return PyErr_NoMemory();
    for (Py_ssize_t k = 0; k < order->size; k++) out[k] = values[order->items[k]];
    PyObject *made = int64_array(out, order->size);
    PyMem_Free(out);
    return made;
}

/* ``gather`` of texts, each equal text one object: a file spells a name or a keyword many
 * times, and one object per value halves what ``cross`` pickles from its workers (the pickle
 * refers back to an object it wrote) and what the streams hold in memory.  Equal values,
 * so equal streams. */
static PyObject *gather_texts(PyObject *items, const Ints *order) {
    PyObject *out = PyList_New(order->size);
    PyObject *seen = out ? PyDict_New() : NULL;
    if (seen == NULL) {
        Py_XDECREF(out);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < order->size; k++) {
        PyObject *item = PyList_GET_ITEM(items, order->items[k]);
        PyObject *first = PyDict_SetDefault(seen, item, item);
        if (first == NULL) {
            Py_DECREF(seen);
            Py_DECREF(out);
            return NULL;
        }
        Py_INCREF(first);
        PyList_SET_ITEM(out, k, first);
    }
    Py_DECREF(seen);
    return out;
}

/* normalize._number_by_first_use, and the binders in order (the stream's scopes). */
static int numbers_and_scopes(PyObject *binders, PyObject *texts, const Ints *order,
                              PyObject **numbers_out, PyObject **scopes_out) {
    PyObject *numbers = PyList_New(order->size);
    PyObject *scopes = numbers ? PyList_New(order->size) : NULL;
    NameTable numbering = {0}; /* (scope, text) -> number */
    NameTable per_scope = {0}; /* scope -> next number */
    if (scopes == NULL) goto fail;
    for (Py_ssize_t k = 0; k < order->size; k++) {
        Py_ssize_t i = order->items[k];
        PyObject *scope = PyList_GET_ITEM(binders, i);
        Py_INCREF(scope);
        PyList_SET_ITEM(scopes, k, scope);
        Py_ssize_t value = PyLong_AsSsize_t(scope);
        if (value == -1 && PyErr_Occurred()) goto fail;
        Py_ssize_t number = -1;
        if (value != -2) {
            NameSlot *name = name_table_slot(&numbering, value, PyList_GET_ITEM(texts, i));
            if (name == NULL) goto fail;
            if (!name->used) {
                NameSlot *next = name_table_slot(&per_scope, value, NULL);
                if (next == NULL) goto fail;
                if (!next->used) name_table_take(&per_scope, next, 0);
                name_table_take(&numbering, name, next->value++);
            }
            number = name->value;
        }
        PyObject *made = PyLong_FromSsize_t(number);
        if (made == NULL) goto fail;
        PyList_SET_ITEM(numbers, k, made);
    }
    name_table_clear(&numbering);
    name_table_clear(&per_scope);
    *numbers_out = numbers;
    *scopes_out = scopes;
    return 0;
fail:
    /* A list not filled yet holds NULLs, which list deallocation skips. */
    name_table_clear(&numbering);
    name_table_clear(&per_scope);
    Py_XDECREF(numbers);
    Py_XDECREF(scopes);
    return -1;
}

static PyObject *canonical_stream(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *root, *statement_type, *dropped_obj, *symbols, *binders;
    PyObject *texts, *owners, *starts, *ends;
    Py_ssize_t unit_count;
    if (!PyArg_ParseTuple(args, "OO!OO!O!O!O!OOn", &root, &PyType_Type, &statement_type,
                          &dropped_obj, &PyList_Type, &symbols, &PyList_Type, &binders,
                          &PyList_Type, &texts, &PyList_Type, &owners, &starts, &ends,
                          &unit_count))
        return NULL;
    Py_buffer start_view = {0}, end_view = {0}, dropped = {0};
    PyObject *result = NULL, *numbers = NULL, *scopes = NULL, *counts = NULL;
    PyObject *lists[5] = {NULL, NULL, NULL, NULL, NULL};
    Py_ssize_t *per_unit = NULL;
    Ints order = {0};
    if (int64_view(starts, &start_view) < 0 || int64_view(ends, &end_view) < 0) goto done;
    Py_ssize_t tokens = PyList_GET_SIZE(symbols);
    if (PyList_GET_SIZE(binders) != tokens || PyList_GET_SIZE(texts) != tokens ||
        PyList_GET_SIZE(owners) != tokens || start_view.len / 8 != tokens ||
        end_view.len / 8 != tokens || unit_count < 0) {
        PyErr_SetString(PyExc_ValueError, "the token lists differ in length");
        goto done;
    }
    if (PyObject_GetBuffer(dropped_obj, &dropped, PyBUF_SIMPLE) < 0) goto done;
    if (dropped.len != tokens) {
        PyErr_Format(PyExc_ValueError, "dropped holds %zd bytes for %zd tokens", dropped.len,
                     tokens);
        goto done;
    }
    if (canonical_order(root, dropped.buf, tokens, statement_type, &order) < 0) goto done;
    PyObject *sources[3] = {symbols, texts, owners};
    for (int k = 0; k < 3; k++) {
        lists[k] = k == 1 ? gather_texts(sources[k], &order) : gather(sources[k], &order);
        if (lists[k] == NULL) goto done;
    }
    if ((lists[3] = gather_offsets(&start_view, &order)) == NULL) goto done;
    if ((lists[4] = gather_offsets(&end_view, &order)) == NULL) goto done;
    if (numbers_and_scopes(binders, texts, &order, &numbers, &scopes) < 0) goto done;
    per_unit = PyMem_Calloc((size_t)(unit_count ? unit_count : 1), sizeof(Py_ssize_t));
    if (per_unit == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < order.size; k++) {
        Py_ssize_t owner = PyLong_AsSsize_t(PyList_GET_ITEM(lists[2], k));
        if (owner == -1 && PyErr_Occurred()) goto done;
        if (owner < 0 || owner >= unit_count) {
            PyErr_SetString(PyExc_ValueError, "a token's unit is out of range");
            goto done;
        }
        per_unit[owner]++;
    }
    counts = PyList_New(unit_count);
    if (counts == NULL) goto done;
    for (Py_ssize_t u = 0; u < unit_count; u++) {
        PyObject *count = PyLong_FromSsize_t(per_unit[u]);
        if (count == NULL) goto done;
        PyList_SET_ITEM(counts, u, count);
    }
    /* (symbols, texts, numbers, scopes, start_bytes, end_bytes, owners, unit token counts) */
    result = PyTuple_Pack(8, lists[0], lists[1], numbers, scopes, lists[3], lists[4], lists[2],
                          counts);
done:
    for (int k = 0; k < 5; k++) Py_XDECREF(lists[k]);
    Py_XDECREF(numbers);
    Py_XDECREF(scopes);
    Py_XDECREF(counts);
    PyMem_Free(per_unit);
    PyMem_Free(order.items);
    PyBuffer_Release(&dropped);
    PyBuffer_Release(&start_view);
    PyBuffer_Release(&end_view);
    return result;
}

/* ``Unit(name, kinds[kind], parent, start, end, count)`` for each unit, made as the slot
 * maker makes them (a frozen dataclass's ``__init__`` stores each field through
 * ``object.__setattr__``: 0.9 us a unit, 7 ms for the N = 400 corpus's 7,982). */
static SlotMaker unit_maker;

static PyObject *make_units(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *cls, *kinds, *names, *unit_kinds, *parents, *spans, *counts;
    if (!PyArg_ParseTuple(args, "OO!O!O!O!O!O!", &cls, &PyDict_Type, &kinds, &PyList_Type, &names,
                          &PyList_Type, &unit_kinds, &PyList_Type, &parents, &PyList_Type, &spans,
                          &PyList_Type, &counts))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(names);
    if (PyList_GET_SIZE(unit_kinds) != n || PyList_GET_SIZE(parents) != n ||
        PyList_GET_SIZE(spans) != n || PyList_GET_SIZE(counts) != n) {
        PyErr_SetString(PyExc_ValueError, "the unit lists differ in length");
        return NULL;
    }
    static const char *const fields[] = {"name", "kind", "parent", "start_byte", "end_byte",
                                         "tokens"};
    if (slot_maker_init(&unit_maker, cls, fields, 6, 6) < 0) return NULL;
    PyObject *units = PyList_New(n);
    if (units == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *kind = PyDict_GetItemWithError(kinds, PyList_GET_ITEM(unit_kinds, i));
        if (kind == NULL) {
            if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, PyList_GET_ITEM(unit_kinds, i));
            Py_DECREF(units);
            return NULL;
        }
        PyObject *span = PyList_GET_ITEM(spans, i);
        if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 2) {
            PyErr_SetString(PyExc_TypeError, "a unit's span must be a (start, end) tuple");
            Py_DECREF(units);
            return NULL;
        }
        PyObject *values[6] = {PyList_GET_ITEM(names, i), kind, PyList_GET_ITEM(parents, i),
                               PyTuple_GET_ITEM(span, 0), PyTuple_GET_ITEM(span, 1),
                               PyList_GET_ITEM(counts, i)};
        PyObject *unit = slot_make(&unit_maker, values);
        if (unit == NULL) {
            Py_DECREF(units);
            return NULL;
        }
        PyList_SET_ITEM(units, i, unit);
    }
    return units;
}

static PyMethodDef methods[] = {
    {"make_units", make_units, METH_VARARGS,
     "make_units(unit_type, kinds, names, unit_kinds, parents, spans, counts)\n--\n\n"
     "``[unit_type(name, kinds[kind], parent, start, end, count) ...]`` over the lists, made "
     "without calling ``unit_type`` where its ``__init__`` only stores the fields."},
    {"canonical_stream", canonical_stream, METH_VARARGS,
     "canonical_stream(root, statement_type, dropped, symbols, binders, texts, owners, "
     "start_bytes, end_bytes, unit_count)\n--\n\n"
     "The canonical stream's lists (its byte offsets as array('q')) and each unit's token "
     "count, as normalize._stream reads them off the IR."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_canonical", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__canonical(void) {
#define INTERN(var, text) \
    if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL
    INTERN(s_statements, "statements");
    INTERN(s_segments, "segments");
#undef INTERN
    return PyModule_Create(&module);
}
