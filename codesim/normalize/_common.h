/* What the normalizer's C modules share: a growable array of indexes; a map of names to
 * numbers (``NameTable``); reading the IR's attributes at their slots (``slot_getattr``) and
 * making its objects without calling their classes (``slot_make``, ``new_range``); byte
 * offsets as ``array("q")`` (``int64_array``, ``int64_view``); and the token range of a
 * statement segment (a Python ``range`` of step 1).  Included by each module, the walk too
 * (each is compiled on its own, see hatch_build.py), so everything here is static. */
#ifndef CODESIM_COMMON_H
#define CODESIM_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <structmember.h>

typedef struct {
    Py_ssize_t *items;
    Py_ssize_t size, capacity;
} Ints;

static int ints_push(Ints *a, Py_ssize_t value) {
    if (a->size == a->capacity) {
        Py_ssize_t capacity = a->capacity ? 2 * a->capacity : 64;
        Py_ssize_t *grown = PyMem_Realloc(a->items, (size_t)capacity * sizeof(Py_ssize_t));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        a->items = grown;
        a->capacity = capacity;
    }
    a->items[a->size++] = value;
    return 0;
}

/* A map from a name, ``(scope, text)``, to a number, for one file's names: what the Python
 * code keys a dict by with a ``(scope, text)`` tuple.  Open addressing on the scope and the
 * text's own (cached) hash, texts compared by value (identity first), so that no tuple is
 * made, hashed and freed per name token.  A NULL text keys the scope alone.  Texts are
 * borrowed: the caller's lists hold them while the table lives. */
typedef struct {
    PyObject *text; /* borrowed; NULL in a free slot too, told apart by ``used`` */
    Py_ssize_t scope, value;
    Py_hash_t hash;
    int used;
} NameSlot;

typedef struct {
    NameSlot *slots;
    size_t mask;
    Py_ssize_t count;
} NameTable;

static inline int name_table_grow(NameTable *table) {
    size_t size = table->slots ? 2 * (table->mask + 1) : 64;
    NameSlot *slots = PyMem_Calloc(size, sizeof(NameSlot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (table->slots) {
        for (size_t i = 0; i <= table->mask; i++) {
            NameSlot *old = &table->slots[i];
            if (!old->used) continue;
            size_t at = (size_t)old->hash & (size - 1);
            while (slots[at].used) at = (at + 1) & (size - 1);
            slots[at] = *old;
        }
        PyMem_Free(table->slots);
    }
    table->slots = slots;
    table->mask = size - 1;
    return 0;
}

/* The slot of ``(scope, text)``: found (``used``), or the free one it goes in, to be
 * ``name_table_take``n before the table changes again; NULL on error. */
static inline NameSlot *name_table_slot(NameTable *table, Py_ssize_t scope, PyObject *text) {
    if ((table->slots == NULL || 2 * (size_t)(table->count + 1) > table->mask + 1) &&
        name_table_grow(table) < 0)
        return NULL;
    Py_hash_t text_hash = 0;
    if (text != NULL && (text_hash = PyObject_Hash(text)) == -1) return NULL;
    Py_hash_t hash = (Py_hash_t)(((size_t)text_hash ^ ((size_t)scope * 0x9E3779B97F4A7C15u)) *
                                 0xBF58476D1CE4E5B9u >> 7);
    for (size_t at = (size_t)hash & table->mask;; at = (at + 1) & table->mask) {
        NameSlot *slot = &table->slots[at];
        if (!slot->used) {
            *slot = (NameSlot){text, scope, -1, hash, 0};
            return slot;
        }
        if (slot->hash != hash || slot->scope != scope) continue;
        if (slot->text == text) return slot;
        if (slot->text == NULL || text == NULL) continue;
        int equal = PyObject_RichCompareBool(slot->text, text, Py_EQ);
        if (equal < 0) return NULL;
        if (equal) return slot;
    }
}

static inline void name_table_take(NameTable *table, NameSlot *slot, Py_ssize_t value) {
    slot->used = 1;
    slot->value = value;
    table->count++;
}

/* The number of ``(scope, text)``; a name not seen before gets ``fresh``.  -1 on error. */
static inline Py_ssize_t name_table_number(NameTable *table, Py_ssize_t scope, PyObject *text,
                                           Py_ssize_t fresh) {
    NameSlot *slot = name_table_slot(table, scope, text);
    if (slot == NULL) return -1;
    if (!slot->used) name_table_take(table, slot, fresh);
    return slot->value;
}

static inline void name_table_clear(NameTable *table) {
    PyMem_Free(table->slots);
    *table = (NameTable){NULL, 0, 0};
}

/* ``getattr(obj, name)`` (a new reference), read straight from the instance where ``name``
 * is a slot of ``obj``'s exact type: the IR's classes are slotted dataclasses and its segments
 * ``range``s, so nearly every attribute the stages read is a member descriptor at a fixed
 * offset, which ``PyObject_GetAttr`` finds through the type's method cache and calls each
 * time (the four stages over ``cross``'s N = 400 corpus: 0.166 -> 0.152 s).  A direct-mapped
 * cache keeps each (type, name) seen with its offset (0: not a plain slot, so always the
 * generic way); ``name`` must be interned, as the callers' are, since it is compared by
 * identity.  A class with its own ``__getattribute__``, or a slot left unset, goes the
 * generic way, which raises as Python would. */
typedef struct {
    PyTypeObject *type;
    PyObject *name;
    Py_ssize_t offset;
} SlotOffset;

#define SLOT_OFFSETS 64 /* a power of two */
static SlotOffset slot_offsets[SLOT_OFFSETS];

static Py_ssize_t slot_offset_of(PyTypeObject *type, PyObject *name) {
    size_t at = (((uintptr_t)type >> 4) ^ ((uintptr_t)name >> 4) ^ ((uintptr_t)name >> 10)) &
                (SLOT_OFFSETS - 1);
    SlotOffset *entry = &slot_offsets[at];
    if (entry->type == type && entry->name == name) return entry->offset;
    Py_ssize_t offset = 0;
    if (type->tp_getattro == PyObject_GenericGetAttr) {
        PyObject *descr = _PyType_Lookup(type, name); /* borrowed */
        if (descr != NULL && Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
            PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
            if (member->type == T_OBJECT_EX && member->offset > 0) offset = member->offset;
        }
    }
    /* The entry holds its type, so that no other type can take its address meanwhile. */
    Py_XDECREF(entry->type);
    Py_XDECREF(entry->name);
    Py_INCREF(type);
    Py_INCREF(name);
    *entry = (SlotOffset){type, name, offset};
    return offset;
}

static PyObject *slot_getattr(PyObject *obj, PyObject *name) {
    Py_ssize_t offset = slot_offset_of(Py_TYPE(obj), name);
    if (offset > 0) {
        PyObject *value = *(PyObject **)((char *)obj + offset);
        if (value != NULL) return Py_NewRef(value);
    }
    return PyObject_GetAttr(obj, name);
}

/* Making instances of the IR's dataclasses without calling them.  Calling a class builds an
 * argument tuple and runs its ``__init__``, Python code that stores each argument in its
 * slot; for the tens of thousands of statements and blocks a file set makes, that was most of
 * the cost of making them.  ``slot_maker_init`` accepts a class only when that is all its
 * ``__init__`` does: a dataclass (``init``, no ``__post_init__``, no ``__new__`` of its own)
 * whose fields are exactly ``names``, in order, each a slot, and whose fields after the
 * first ``given`` have a plain default (not a factory), which the maker keeps.
 * ``slot_make`` then allocates the instance, stores the ``given`` ``values`` (borrowed) and
 * the defaults in the slots; a class not accepted is called with the ``given`` values, so
 * the result is the same either way.  The maker keeps the class it was made for: made again
 * for the same class, it is left as it is, so a caller given its class on every call (the
 * passes, the units) need not remember it.  ``slot_maker_clear`` lets the class and the
 * defaults go. */
#define SLOT_MAKER_FIELDS 8
typedef struct {
    PyObject *cls;      /* the class it was made for (NULL: none yet) */
    PyTypeObject *type; /* NULL: call the class */
    int fields, given;
    Py_ssize_t offsets[SLOT_MAKER_FIELDS];
    PyObject *defaults[SLOT_MAKER_FIELDS]; /* of fields ``given`` and after */
} SlotMaker;

static inline void slot_maker_clear(SlotMaker *maker) {
    for (int i = 0; i < SLOT_MAKER_FIELDS; i++) Py_CLEAR(maker->defaults[i]);
    maker->type = NULL;
    Py_CLEAR(maker->cls);
}

/* Whether ``cls`` is accepted, and its slot offsets and defaults if so (``slot_maker_init``). */
static inline int slot_maker_examine(SlotMaker *maker, PyObject *cls, const char *const *names,
                                     int count, int given) {
    maker->fields = count;
    maker->given = given;
    if (!PyType_Check(cls) || count > SLOT_MAKER_FIELDS || given > count) return 0;
    PyTypeObject *type = (PyTypeObject *)cls;
    if (type->tp_new != PyBaseObject_Type.tp_new || type->tp_alloc == NULL) return 0;
    int accepted = 0;
    PyObject *dataclasses = PyImport_ImportModule("dataclasses");
    PyObject *missing = dataclasses ? PyObject_GetAttrString(dataclasses, "MISSING") : NULL;
    PyObject *fields = missing ? PyObject_GetAttrString(cls, "__dataclass_fields__") : NULL;
    PyObject *params = fields ? PyObject_GetAttrString(cls, "__dataclass_params__") : NULL;
    PyObject *init = params ? PyObject_GetAttrString(params, "init") : NULL;
    if (init == NULL || !PyDict_Check(fields)) goto done;
    if (PyObject_IsTrue(init) != 1 || PyObject_HasAttrString(cls, "__post_init__")) goto done;
    if (PyDict_GET_SIZE(fields) != count) goto done;
    Py_ssize_t position = 0, at = 0;
    PyObject *key, *field;
    while (PyDict_Next(fields, &position, &key, &field)) {
        if (!PyUnicode_Check(key) || PyUnicode_CompareWithASCIIString(key, names[at]) != 0) {
            goto done;
        }
        PyObject *descr = _PyType_Lookup(type, key); /* borrowed */
        if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)) goto done;
        PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type != T_OBJECT_EX || member->offset <= 0 || (member->flags & READONLY)) {
            goto done;
        }
        if (at >= given) {
            PyObject *value = PyObject_GetAttrString(field, "default");
            if (value == NULL || value == missing) { /* none, or made by a factory */
                Py_XDECREF(value);
                goto done;
            }
            maker->defaults[at] = value;
        }
        maker->offsets[at++] = member->offset;
    }
    accepted = 1;
done:
    Py_XDECREF(dataclasses);
    Py_XDECREF(missing);
    Py_XDECREF(fields);
    Py_XDECREF(params);
    Py_XDECREF(init);
    if (!accepted) slot_maker_clear(maker);
    if (PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return -1;
        PyErr_Clear();
    }
    if (accepted) maker->type = type;
    return 0;
}

static inline int slot_maker_init(SlotMaker *maker, PyObject *cls, const char *const *names,
                                  int count, int given) {
    if (maker->cls == cls) return 0;
    slot_maker_clear(maker);
    if (slot_maker_examine(maker, cls, names, count, given) < 0) return -1;
    maker->cls = Py_NewRef(cls);
    return 0;
}

static inline PyObject *slot_make(const SlotMaker *maker, PyObject *const *values) {
    if (maker->type == NULL) {
        return PyObject_Vectorcall(maker->cls, values, (size_t)maker->given, NULL);
    }
    PyObject *made = maker->type->tp_alloc(maker->type, 0);
    if (made == NULL) return NULL;
    for (int i = 0; i < maker->fields; i++) {
        PyObject *value = i < maker->given ? values[i] : maker->defaults[i];
        *(PyObject **)((char *)made + maker->offsets[i]) = Py_NewRef(value);
    }
    return made;
}

/* ``range(start, stop)``, through its vectorcall rather than a format string. */
static inline PyObject *new_range(Py_ssize_t start, Py_ssize_t stop) {
    PyObject *bounds[2] = {PyLong_FromSsize_t(start), PyLong_FromSsize_t(stop)};
    PyObject *made = NULL;
    if (bounds[0] != NULL && bounds[1] != NULL) {
        made = PyObject_Vectorcall((PyObject *)&PyRange_Type, bounds, 2, NULL);
    }
    Py_XDECREF(bounds[0]);
    Py_XDECREF(bounds[1]);
    return made;
}

/* Byte offsets travel as ``array.array("q")``, not lists: a list holds an int object per
 * token (two per token, its start and end, allocated by the walk and freed with the
 * stream), which numpy then reads back one by one.  ``int64_array`` makes one from C
 * values; ``int64_view`` reads one (or any buffer of native 8-byte integers). */
static inline PyObject *int64_array(const long long *values, Py_ssize_t count) {
    static PyObject *array_type;
    if (array_type == NULL) {
        PyObject *module = PyImport_ImportModule("array");
        if (module == NULL) return NULL;
        array_type = PyObject_GetAttrString(module, "array");
        Py_DECREF(module);
        if (array_type == NULL) return NULL;
    }
    PyObject *raw = PyBytes_FromStringAndSize((const char *)values,
                                              count * (Py_ssize_t)sizeof(long long));
    if (raw == NULL) return NULL;
    PyObject *made = PyObject_CallFunction(array_type, "sO", "q", raw);
    Py_DECREF(raw);
    return made;
}

static inline int int64_view(PyObject *obj, Py_buffer *view) {
    if (PyObject_GetBuffer(obj, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) == 0) {
        const char *format = view->format ? view->format : "B";
        if (*format == '@' || *format == '=') format++;
        int native = strcmp(format, "q") == 0 ||
                     (sizeof(long) == sizeof(long long) && strcmp(format, "l") == 0);
        if (native && view->itemsize == (Py_ssize_t)sizeof(long long)) return 0;
        PyBuffer_Release(view);
    } else if (!PyErr_ExceptionMatches(PyExc_TypeError) &&
               !PyErr_ExceptionMatches(PyExc_BufferError)) {
        return -1;
    }
    PyErr_SetString(PyExc_TypeError, "byte offsets must be 64-bit integers (array 'q')");
    return -1;
}

/* ``[start, stop)`` of a segment, checked to lie within ``tokens``. */
static int segment_bounds(PyObject *segment, Py_ssize_t tokens, Py_ssize_t *start,
                          Py_ssize_t *stop) {
    static PyObject *s_start, *s_stop;
    if (s_start == NULL && (s_start = PyUnicode_InternFromString("start")) == NULL) return -1;
    if (s_stop == NULL && (s_stop = PyUnicode_InternFromString("stop")) == NULL) return -1;
    PyObject *a = slot_getattr(segment, s_start);
    if (a == NULL) return -1;
    PyObject *b = slot_getattr(segment, s_stop);
    if (b == NULL) {
        Py_DECREF(a);
        return -1;
    }
    *start = PyLong_AsSsize_t(a);
    *stop = PyLong_AsSsize_t(b);
    Py_DECREF(a);
    Py_DECREF(b);
    if (PyErr_Occurred()) return -1;
    if (*start < 0 || *stop > tokens || *start > *stop) {
        PyErr_SetString(PyExc_ValueError, "a segment lies outside the tokens");
        return -1;
    }
    return 0;
}

#endif
