/* What the normalizer's C modules share: a growable array of indexes, and reading the
 * token range of a statement segment (a Python ``range`` of step 1).  Included by each
 * module (each is compiled on its own, see hatch_build.py), so everything here is static. */
#ifndef CODESIM_COMMON_H
#define CODESIM_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
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
