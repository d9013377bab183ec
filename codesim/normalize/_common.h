/* What the normalizer's C modules share: a growable array of indexes, and reading the
 * token range of a statement segment (a Python ``range`` of step 1).  Included by each
 * module (each is compiled on its own, see hatch_build.py), so everything here is static. */
#ifndef CODESIM_COMMON_H
#define CODESIM_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

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

/* ``[start, stop)`` of a segment, checked to lie within ``tokens``. */
static int segment_bounds(PyObject *segment, Py_ssize_t tokens, Py_ssize_t *start,
                          Py_ssize_t *stop) {
    static PyObject *s_start, *s_stop;
    if (s_start == NULL && (s_start = PyUnicode_InternFromString("start")) == NULL) return -1;
    if (s_stop == NULL && (s_stop = PyUnicode_InternFromString("stop")) == NULL) return -1;
    PyObject *a = PyObject_GetAttr(segment, s_start);
    if (a == NULL) return -1;
    PyObject *b = PyObject_GetAttr(segment, s_stop);
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
