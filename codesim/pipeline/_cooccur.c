/* cross's co-occurrence join (pipeline/cross.py's ``_co_occurring``) compiled: every two
 * documents holding a common value.  The values, document after document, are grouped by
 * a radix sort that carries each value's document (stable, so a value's holders stay in
 * document order: ``group_values``), and each group of equal values pairs its holders, a
 * document holding a value twice counted once, groups of more than ``limit`` holders left
 * out.
 * The pairs come back as codes ``i * width + j`` (``i < j``), one per shared value,
 * unsorted: numpy counts them.  Where numpy's stable argsort of 64-bit values was most of
 * the join, counting passes are several times faster.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint64_t value;
    int64_t doc;
} Held;

enum { DIGIT_BITS = 11, RADIX = 1 << DIGIT_BITS, DIGITS = 3 };
#define DIGIT(v, d) ((size_t)((v) >> ((d) * DIGIT_BITS)) & (RADIX - 1))
#define LOW_BITS ((UINT64_C(1) << (DIGITS * DIGIT_BITS)) - 1)

/* Sorts ``items`` stably by their values' low ``DIGITS`` digits (all counted in one pass),
 * using ``spare`` (as long) as scratch; the result may end in either buffer: the one
 * returned. */
static Held *radix_sort(Held *items, Held *spare, Py_ssize_t n) {
    Py_ssize_t counts[DIGITS][RADIX] = {{0}}; /* 48 KB */
    for (Py_ssize_t i = 0; i < n; i++)
        for (int d = 0; d < DIGITS; d++) counts[d][DIGIT(items[i].value, d)]++;
    for (int d = 0; d < DIGITS; d++) {
        Py_ssize_t *count = counts[d];
        /* A digit every value shares needs no pass. */
        if (count[DIGIT(items[0].value, d)] == n) continue;
        Py_ssize_t at = 0;
        for (int b = 0; b < RADIX; b++) {
            Py_ssize_t c = count[b];
            count[b] = at;
            at += c;
        }
        for (Py_ssize_t i = 0; i < n; i++) spare[count[DIGIT(items[i].value, d)]++] = items[i];
        Held *swap = items;
        items = spare;
        spare = swap;
    }
    return items;
}

/* Sorts ``run`` stably by value, ``scratch`` (as long) as scratch: a bottom-up merge sort. */
static void merge_sort(Held *run, Held *scratch, Py_ssize_t n) {
    Held *from = run, *to = scratch;
    for (Py_ssize_t width = 1; width < n; width *= 2) {
        for (Py_ssize_t lo = 0; lo < n; lo += 2 * width) {
            Py_ssize_t mid = lo + width < n ? lo + width : n;
            Py_ssize_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            Py_ssize_t i = lo, j = mid, k = lo;
            /* The left item first unless the right one is smaller: stable. */
            while (i < mid && j < hi) to[k++] = from[j].value < from[i].value ? from[j++] : from[i++];
            while (i < mid) to[k++] = from[i++];
            while (j < hi) to[k++] = from[j++];
        }
        Held *swap = from;
        from = to;
        to = swap;
    }
    if (from != run) memcpy(run, from, (size_t)n * sizeof(Held));
}

/* Runs of equal low bits up to this long are sorted by insertion; longer ones holding more
 * than one value (values made to collide) by merging, so that no input makes the grouping
 * quadratic. */
#define SHORT_RUN 32

/* Groups ``items``' equal values together, stably (a value's holders keep their order), using
 * ``spare`` (as long) as scratch; the result may end in either buffer: the one returned.
 *
 * The groups only need to be contiguous, not in any order: the items are radix-sorted on
 * their values' low 33 bits (three 11-bit digits), and a run of equal low bits, nearly always
 * one value's copies, is then sorted by the whole value.  Against eight byte-wide passes over
 * all 64 bits, cross's LSH bucket ids take 4.3 -> 2.8 ms at N = 100 (112,000 of them) and
 * 10 -> 7 ms at N = 400 (250,000). */
static Held *group_values(Held *items, Held *spare, Py_ssize_t n) {
    Held *sorted = radix_sort(items, spare, n);
    Held *scratch = sorted == items ? spare : items;
    for (Py_ssize_t start = 0; start < n;) {
        uint64_t low = sorted[start].value & LOW_BITS;
        Py_ssize_t end = start + 1, mixed = 0;
        for (; end < n && (sorted[end].value & LOW_BITS) == low; end++)
            mixed |= sorted[end].value != sorted[start].value;
        if (mixed && end - start <= SHORT_RUN) {
            for (Py_ssize_t i = start + 1; i < end; i++) {
                Held held = sorted[i];
                Py_ssize_t j = i;
                for (; j > start && sorted[j - 1].value > held.value; j--) sorted[j] = sorted[j - 1];
                sorted[j] = held;
            }
        } else if (mixed) {
            merge_sort(sorted + start, scratch + start, end - start);
        }
        start = end;
    }
    return sorted;
}

static PyObject *pairs(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer values, sizes;
    long long limit;
    if (!PyArg_ParseTuple(args, "y*y*L", &values, &sizes, &limit)) return NULL;
    PyObject *result = NULL;
    Held *items = NULL, *spare = NULL;
    int64_t *holders = NULL;
    Py_ssize_t n = values.len / 8, width = sizes.len / 8;
    const uint64_t *value = values.buf;
    const int64_t *size = sizes.buf;
    if (values.len % 8 || sizes.len % 8) {
        PyErr_SetString(PyExc_ValueError, "pairs: buffer sizes disagree");
        goto done;
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t d = 0; d < width; d++) {
        if (size[d] < 0 || size[d] > n - total) {
            PyErr_SetString(PyExc_ValueError, "pairs: the sizes do not add up to the values");
            goto done;
        }
        total += size[d];
    }
    if (total != n) {
        PyErr_SetString(PyExc_ValueError, "pairs: the sizes do not add up to the values");
        goto done;
    }
    items = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Held));
    spare = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Held));
    holders = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(int64_t));
    if (!items || !spare || !holders) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t d = 0; d < width; d++)
        for (int64_t k = 0; k < size[d]; k++, at++) items[at] = (Held){value[at], d};
    Held *sorted = n ? group_values(items, spare, n) : items;
    /* Two passes over the groups: count the codes, then write them. */
    Py_ssize_t count = 0;
    char *out = NULL;
    for (int pass = 0; pass < 2; pass++) {
        Py_ssize_t written = 0;
        for (Py_ssize_t start = 0; start < n;) {
            Py_ssize_t end = start, group = 0;
            while (end < n && sorted[end].value == sorted[start].value) {
                if (!group || holders[group - 1] != sorted[end].doc) holders[group++] = sorted[end].doc;
                end++;
            }
            start = end;
            if (group < 2 || (limit >= 0 && group > limit)) continue;
            if (!pass) {
                /* Pairs grow as a group's square: refuse a count no buffer could hold. */
                Py_ssize_t more = group * (group - 1) / 2;
                if (more > PY_SSIZE_T_MAX / 8 - count) {
                    PyErr_NoMemory();
                    goto done;
                }
                count += more;
                continue;
            }
            int64_t *codes = (int64_t *)out;
            for (Py_ssize_t a = 0; a < group; a++)
                for (Py_ssize_t b = a + 1; b < group; b++)
                    codes[written++] = holders[a] * (int64_t)width + holders[b];
        }
        if (!pass) {
            result = PyByteArray_FromStringAndSize(NULL, count * 8);
            if (!result) goto done;
            out = PyByteArray_AS_STRING(result);
        }
    }
done:
    PyMem_Free(items);
    PyMem_Free(spare);
    PyMem_Free(holders);
    PyBuffer_Release(&values);
    PyBuffer_Release(&sizes);
    return result;
}

static PyMethodDef methods[] = {
    {"pairs", pairs, METH_VARARGS,
     "pairs(values, sizes, limit)\n--\n\n"
     "The pair codes of ``cross._co_occurring``: ``values`` (64-bit) are the documents' "
     "values one document after another, ``sizes`` (int64) how many each has; a value held "
     "by more than ``limit`` documents (none left out when negative) pairs nobody.  One "
     "code ``i * len(sizes) + j`` (``i < j``) per value two documents share, unsorted, as a "
     "bytearray of int64."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cooccur", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__cooccur(void) { return PyModule_Create(&module); }
