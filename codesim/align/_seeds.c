/* Seeds (align/seeds.py's ``shared_kgrams``) compiled: the positions ``(i, j)`` where two
 * streams share a k-gram, found by merging the two sorted k-gram arrays once instead of a
 * binary search per k-gram, then emitted in the Python function's order (right position
 * ascending, each left occurrence in sorted order; the rank-paired frequent k-grams after
 * all the others).  Every index read from the arguments is bounds-checked: malformed
 * tables raise ValueError, never read out of bounds.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef struct {
    const uint64_t *sorted;
    const int64_t *order, *counts, *rank, *sorted_counts;
    Py_ssize_t size;
} Table;

/* One side's arrays as ``KgramTable`` holds them; only the ones this side needs. */
static int table(Py_buffer *sorted, Py_buffer *order, Py_buffer *counts, Py_buffer *rank,
                 Py_buffer *sorted_counts, Table *t) {
    t->size = sorted->len / 8;
    if (sorted->len % 8 || order->len != sorted->len || (counts && counts->len != sorted->len) ||
        (rank && rank->len != sorted->len) ||
        (sorted_counts && sorted_counts->len != sorted->len)) {
        PyErr_SetString(PyExc_ValueError, "shared_kgrams: buffer sizes disagree");
        return -1;
    }
    t->sorted = sorted->buf;
    t->order = order->buf;
    t->counts = counts ? counts->buf : NULL;
    t->rank = rank ? rank->buf : NULL;
    t->sorted_counts = sorted_counts ? sorted_counts->buf : NULL;
    for (Py_ssize_t i = 0; i < t->size; i++)
        if (t->order[i] < 0 || t->order[i] >= t->size) {
            PyErr_SetString(PyExc_ValueError, "shared_kgrams: an order index is out of range");
            return -1;
        }
    return 0;
}

static PyObject *shared_kgrams(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer ls, lo, lc, rs, ro, rc, rr;
    long long max_occurrences;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*L", &ls, &lo, &lc, &rs, &ro, &rc, &rr,
                          &max_occurrences))
        return NULL;
    PyObject *result = NULL, *lefts = NULL, *rights = NULL;
    int64_t *start = NULL;
    Table left, right;
    if (table(&ls, &lo, NULL, NULL, &lc, &left) < 0 || table(&rs, &ro, &rc, &rr, NULL, &right) < 0)
        goto done;
    Py_ssize_t n = left.size, m = right.size;
    /* start[j]: where right position j's k-gram starts in left.sorted, -1 if absent. */
    start = PyMem_Malloc((size_t)(m ? m : 1) * sizeof(int64_t));
    if (!start) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < m; j++) start[j] = -1;
    Py_ssize_t i = 0, every = 0, ranked = 0;
    for (Py_ssize_t s = 0; s < m; s++) {
        uint64_t value = right.sorted[s];
        while (i < n && left.sorted[i] < value) i++;
        if (i == n) break;
        if (left.sorted[i] != value) continue;
        int64_t j = right.order[s], count = left.sorted_counts[i];
        if (count < 1 || count > n - i) {
            PyErr_SetString(PyExc_ValueError, "shared_kgrams: a count is out of range");
            goto done;
        }
        start[j] = i;
        if (count > max_occurrences || right.counts[j] > max_occurrences) {
            if (right.rank[j] >= 0 && right.rank[j] < count) ranked++;
        } else {
            every += count;
        }
    }
    lefts = PyByteArray_FromStringAndSize(NULL, (every + ranked) * 8);
    rights = PyByteArray_FromStringAndSize(NULL, (every + ranked) * 8);
    if (!lefts || !rights) goto done;
    int64_t *out_left = (int64_t *)PyByteArray_AS_STRING(lefts);
    int64_t *out_right = (int64_t *)PyByteArray_AS_STRING(rights);
    Py_ssize_t e = 0, r = every;
    for (Py_ssize_t j = 0; j < m; j++) {
        int64_t at = start[j];
        if (at < 0) continue;
        int64_t count = left.sorted_counts[at];
        if (count > max_occurrences || right.counts[j] > max_occurrences) {
            if (right.rank[j] >= 0 && right.rank[j] < count) {
                out_left[r] = left.order[at + right.rank[j]];
                out_right[r++] = j;
            }
            continue;
        }
        for (int64_t k = 0; k < count; k++) {
            out_left[e] = left.order[at + k];
            out_right[e++] = j;
        }
    }
    result = PyTuple_Pack(2, lefts, rights);
done:
    PyMem_Free(start);
    Py_XDECREF(lefts);
    Py_XDECREF(rights);
    PyBuffer_Release(&ls);
    PyBuffer_Release(&lo);
    PyBuffer_Release(&lc);
    PyBuffer_Release(&rs);
    PyBuffer_Release(&ro);
    PyBuffer_Release(&rc);
    PyBuffer_Release(&rr);
    return result;
}

static PyMethodDef methods[] = {
    {"shared_kgrams", shared_kgrams, METH_VARARGS,
     "shared_kgrams(left_sorted, left_order, left_sorted_counts, right_sorted, right_order, "
     "right_counts, right_rank, max_occurrences)\n--\n\n"
     "``seeds.shared_kgrams`` of two ``KgramTable``s' arrays (uint64 k-grams, int64 the "
     "rest): the left and right positions as two bytearrays of int64."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_seeds", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__seeds(void) { return PyModule_Create(&module); }
